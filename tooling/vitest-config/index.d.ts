import type { UserConfig } from "vitest/config";
export declare function layerTestConfig(overrides?: UserConfig["test"]): UserConfig;
