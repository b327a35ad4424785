import fs from "node:fs";
import path from "node:path";
import { extractExamples, runExample } from "@pagealloc/vitest-config/readme";
import { expect, it } from "vitest";
import * as self from "./index";

// Every @example in the JSDoc of this package's sources runs here; `console.log(x); // => text`
// lines are assertions, exactly as in the README.
const sources = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
const examples = sources.flatMap((file) => {
  const text = fs.readFileSync(path.join(__dirname, file), "utf8");
  const blocks = [...text.matchAll(/@example\n((?:\s*\*.*\n)+?)\s*\*\//g)].map((m) =>
    m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n"),
  );
  return blocks.flatMap((b) => extractExamples(b)).map((code) => [file, code] as const);
});

it("the sources have JSDoc examples", () => {
  expect(examples.length).toBeGreaterThan(30);
});

it.each(examples)("%s example runs and prints what it says", async (file, code) => {
  const { checks } = await runExample(code, { "@pagealloc/gfp": self, "@pagealloc/physmem": {} });
  expect(checks.length, `${file}: ${code}`).toBeGreaterThan(0);
  for (const c of checks) expect(c.actual, `${file}: ${code}`).toBe(c.expected);
});
