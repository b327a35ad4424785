// Shared vitest preset: tests sit next to the code (src/**/*.test.ts),
// benchmarks live in bench/ and run on the built output.
/** @param {import("vitest/config").UserConfig["test"]} [overrides] */
export function layerTestConfig(overrides = {}) {
  return {
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      benchmark: { include: ["bench/**/*.bench.ts"] },
      testTimeout: 30000,
      ...overrides,
    },
  };
}
