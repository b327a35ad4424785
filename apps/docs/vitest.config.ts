import { defineConfig } from "vitest/config";

// The playground's logic tests boot whole machines (book-i386, 64 GiB): give them time when turbo runs every
// package's tests in parallel on a small machine.
export default defineConfig({ test: { include: ["docs/.vitepress/theme/lib/**/*.test.ts"], testTimeout: 60000 } });
