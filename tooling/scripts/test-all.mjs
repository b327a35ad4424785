#!/usr/bin/env node
// `pnpm run test:all`: every check the project has, in one command, ending with the line
// "N passed, N failed" that counts every test that ran:
//   1. turbo: build, lint, typecheck, check:package (publint + attw) for every workspace package
//   2. the layer check and `changeset status`
//   3. all vitest suites (root projects config) with a JSON report
//   4. browser tests of the docs site in Debian chromium (skipped with a notice when absent, except in CI)
//   5. the consumer test: packed tarballs installed outside the workspace, imported via ESM and CJS
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const out = path.join(root, ".ci/out");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", FORCE_COLOR: process.env.FORCE_COLOR ?? "0" };
const bin = (name) => path.join(root, "node_modules/.bin", name);
const step = (title, cmd, args, opts = {}) => {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...opts });
  return r.status === 0;
};

const extras = [];
const pnpmCmd = ["-y", "pnpm@10.34.9"];
const built = step("build, lint, typecheck, check:package", "npx", [...pnpmCmd, "exec", "turbo", "run", "build", "lint", "typecheck", "check:package", "--output-logs=errors-only"]);
extras.push(`build-lint-typecheck=${built ? 1 : 0}`);
extras.push(`check-layers=${step("layer check", process.execPath, ["tooling/scripts/check-layers.mjs"]) ? 1 : 0}`);
extras.push(`changeset-status=${step("changesets: pending version bumps", "npx", [...pnpmCmd, "exec", "changeset", "status"]) ? 1 : 0}`);
if (built) {
  step("unit, property and integration tests", bin("vitest"), ["run", "--config", "vitest.root.config.ts", "--reporter=default", "--reporter=json", `--outputFile=${path.join(out, "vitest.json")}`]);
  const hasChromium = fs.existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");
  if (hasChromium) {
    step("browser tests (docs site in chromium)", "npx", [...pnpmCmd, "exec", "turbo", "run", "e2e", "--output-logs=full"]);
    const e2eFile = path.join(root, "tooling/e2e/out/e2e.json");
    if (fs.existsSync(e2eFile)) {
      const r = JSON.parse(fs.readFileSync(e2eFile, "utf8"));
      for (let i = 0; i < r.passed; i++) extras.push("e2e=1");
      for (let i = 0; i < r.failed; i++) extras.push("e2e=0");
    } else extras.push("e2e=0");
  } else if (process.env.CI) {
    console.error("chromium is missing: .ci/run installs it (apt-get install chromium) before this step");
    extras.push("e2e=0");
  } else {
    console.log("\n=== browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium)");
  }
  extras.push(`consumer=${step("consumer test (packed tarballs, ESM and CJS)", process.execPath, ["tooling/scripts/consumer-test.mjs"]) ? 1 : 0}`);
}
const summary = spawnSync(process.execPath, [
  path.join(root, "tooling/scripts/ci-summary.mjs"),
  "--json", path.join(out, "vitest.json"),
  ...extras.flatMap((e) => ["--extra", e]),
], { stdio: "inherit" });
process.exit(summary.status ?? 1);
