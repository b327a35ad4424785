import fs from "node:fs";
import path from "node:path";
import { extractExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it, vi } from "vitest";
import * as self from "./index";

// The README's examples are documentation that must stay true: each one runs here, and every
// `console.log(x); // => text` line in it is an assertion.
// whatIf examples boot a simulated machine of several GiB: seconds, not milliseconds
vi.setConfig({ testTimeout: 60_000 });

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const examples = extractExamples(readme);

it("README has at least one example", () => {
  expect(examples.length).toBeGreaterThan(0);
});

it.each(examples.map((code, i) => [i + 1, code] as const))("README example %i runs and prints what it says", async (_n, code) => {
  const { checks } = await runExample(code, { "@pagealloc/report": self });
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `example line ${c.line}`).toBe(c.expected);
});
