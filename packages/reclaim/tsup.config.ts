import { libraryConfig } from "@pagealloc/tsup-config";
import { defineConfig } from "tsup";

export default defineConfig(libraryConfig());
