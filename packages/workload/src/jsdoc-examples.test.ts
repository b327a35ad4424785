import * as pageApi from "@pagealloc/page-api";
import { extractJsdocExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as self from "./index";

// Every @example in a JSDoc comment of this package runs, and its `// =>` lines are assertions.
const examples = extractJsdocExamples(__dirname);

it.each(examples)("%s", async (_name, code) => {
  const { checks } = await runExample(code, { "@pagealloc/workload": self, "@pagealloc/page-api": pageApi });
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `line ${c.line}`).toBe(c.expected);
});
