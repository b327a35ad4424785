import * as buddy from "@pagealloc/buddy";
import * as physmem from "@pagealloc/physmem";
import { extractJsdocExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as self from "./index";

// Every @example in this package's JSDoc runs here: a `console.log(x); // => text` line is an assertion.
const examples = extractJsdocExamples(__dirname);

it("the package has JSDoc examples", () => {
  expect(examples.length).toBeGreaterThan(4);
});

it.each(examples)("%s runs and prints what it says", async (_name, code) => {
  const { checks } = await runExample(code, { "@pagealloc/page-api": self, "@pagealloc/physmem": physmem, "@pagealloc/buddy": buddy });
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `example line ${c.line}`).toBe(c.expected);
});
