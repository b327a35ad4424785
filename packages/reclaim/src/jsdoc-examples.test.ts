import { extractJsdocExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as buddy from "@pagealloc/buddy";
import * as self from "./index";

// Every @example in the JSDoc of this package runs here, like the README's: a
// `console.log(x); // => text` line is an assertion.
const examples = extractJsdocExamples(__dirname);

it("the package has JSDoc examples", () => {
  expect(examples.length).toBeGreaterThanOrEqual(5);
});

it.each(examples)("%s runs and prints what it says", async (_name, code) => {
  const { checks } = await runExample(code, { "@pagealloc/reclaim": self, "@pagealloc/buddy": buddy });
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `example line ${c.line}`).toBe(c.expected);
});
