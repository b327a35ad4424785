import { layerTestConfig } from "@pagealloc/vitest-config";
import { defineConfig } from "vitest/config";

export default defineConfig(layerTestConfig());
