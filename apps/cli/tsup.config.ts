import { binConfig } from "@pagealloc/tsup-config";
import { defineConfig } from "tsup";

export default defineConfig(binConfig({ entry: { cli: "src/cli.ts", run: "src/run.ts" }, dts: { entry: { run: "src/run.ts" } } }));
