#!/usr/bin/env node
// Prints the CI's closing line "N passed, N failed" from vitest JSON reports and extra
// pass/fail counts (e2e, consumer test), and exits non-zero when anything failed or nothing ran.
// Usage: node ci-summary.mjs --json a.json [--json b.json] [--extra name=0|1]...
import fs from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (flag === "--json") {
    if (!fs.existsSync(value)) {
      console.error(`ci-summary: ${value} is missing (the test run did not finish): counted as 1 failure`);
      failed++;
      continue;
    }
    const r = JSON.parse(fs.readFileSync(value, "utf8"));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if (r.success === false && !r.numFailedTests) {
      console.error(`ci-summary: ${value} reports a failed run (a suite failed to load): counted as 1 failure`);
      failed++;
    }
  } else if (flag === "--extra") {
    const [name, ok] = value.split("=");
    if (ok === "1") passed++;
    else {
      console.error(`ci-summary: ${name} failed`);
      failed++;
    }
  }
}
if (passed + failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
