import { extractJsdocExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as self from "./index";

// Every @example in the JSDoc of this package's sources runs here; `console.log(x); // => text`
// lines are assertions, exactly as in the README.
const examples = extractJsdocExamples(__dirname);

it("the sources have JSDoc examples", () => {
  expect(examples.length).toBeGreaterThan(30);
});

it.each(examples)("%s example runs and prints what it says", async (file, code) => {
  const { checks } = await runExample(code, { "@pagealloc/gfp": self, "@pagealloc/physmem": {} });
  expect(checks.length, `${file}: ${code}`).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `${file}: ${code}`).toBe(c.expected);
});
