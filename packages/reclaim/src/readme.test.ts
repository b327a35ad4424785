import fs from "node:fs";
import path from "node:path";
import { extractExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as buddy from "@pagealloc/buddy";
import * as self from "./index";

// The README's examples are documentation that must stay true: each one runs here, and every
// `console.log(x); // => text` line in it is an assertion.
const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const examples = extractExamples(readme);

it("README has at least one example", () => {
  expect(examples.length).toBeGreaterThan(0);
});

it.each(examples.map((code, i) => [i + 1, code] as const))("README example %i runs and prints what it says", async (_n, code) => {
  const { checks } = await runExample(code, { "@pagealloc/reclaim": self, "@pagealloc/buddy": buddy });
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `example line ${c.line}`).toBe(c.expected);
});
