import type { UserConfig } from "vitest/config";
export declare function layerTestConfig(overrides?: UserConfig["test"]): UserConfig;
export declare function benchConfig(overrides?: UserConfig["test"]): UserConfig;
