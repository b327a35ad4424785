import { defineConfig } from "vitest/config";

// Used by test:all/CI (one JSON report for every suite) and by `pnpm coverage`.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/cli", "apps/docs", "tooling/scripts"],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**", "apps/cli/src/**"],
      exclude: ["**/*.test.ts", "**/*.bench.ts"],
      reporter: ["text"],
    },
  },
});
