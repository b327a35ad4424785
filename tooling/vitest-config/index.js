// Shared vitest preset: tests sit next to the code (src/**/*.test.ts),
// benchmarks live in bench/ and run on the built output.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Tests import the other layers from their sources, so that a change in a lower layer is seen
 * by the layers above without a rebuild. (Type-checking, benchmarks and the consumer test use
 * the built packages.)
 */
function workspaceSourceAliases() {
  const dir = path.join(root, "packages");
  const aliases = [];
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const src = path.join(dir, name, "src/index.ts");
    if (fs.existsSync(src)) aliases.push({ find: new RegExp(`^@pagealloc/${name}$`), replacement: src });
  }
  return aliases;
}

/** @param {import("vitest/config").UserConfig["test"]} [overrides] */
export function layerTestConfig(overrides = {}) {
  return {
    resolve: { alias: workspaceSourceAliases() },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      benchmark: { include: ["bench/**/*.bench.ts"] },
      testTimeout: 30000,
      ...overrides,
    },
  };
}

/** Preset for benchmarks: the built packages (dist), as users get them. */
export function benchConfig(overrides = {}) {
  return {
    test: { include: [], benchmark: { include: ["bench/**/*.bench.ts"] }, ...overrides },
  };
}
