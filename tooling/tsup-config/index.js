// Shared build preset for every published @pagealloc layer: dual ESM/CJS with
// declarations, so that users can `import` or `require` a single layer.
/** @param {Partial<import("tsup").Options>} [overrides] */
export function libraryConfig(overrides = {}) {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "es2022",
    platform: "neutral",
    ...overrides,
  };
}

/** Preset for a Node-only executable (the CLI): ESM, one file per entry. */
/** @param {Partial<import("tsup").Options>} [overrides] */
export function binConfig(overrides = {}) {
  return {
    format: ["esm"],
    clean: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    ...overrides,
  };
}
