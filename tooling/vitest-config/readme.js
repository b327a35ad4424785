// Runs the code examples of a README (or a JSDoc @example) as a test.
// An example is a ```ts or ```js block written in plain JavaScript syntax; its
// `import { a, b as c } from "@pagealloc/x"` lines are bound to modules the test passes in,
// and every `console.log(expr); // => text` line is an assertion: the printed text must equal `text`.

import fs from "node:fs";
import path from "node:path";

const FENCE = /```(?:ts|js|typescript|javascript)\n([\s\S]*?)```/g;
const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["'];?\s*$/gm;
const EXPECT = /console\.log\((.*)\);?\s*\/\/\s*=>\s*(.*)$/;

/** @param {string} markdown */
export function extractExamples(markdown) {
  return [...markdown.matchAll(FENCE)].map((m) => m[1]);
}

/**
 * The `@example` blocks of every JSDoc comment in the non-test .ts files of `dir`, named `file #n`.
 * @param {string} dir
 * @returns {[string, string][]}
 */
export function extractJsdocExamples(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort()
    .flatMap((f) => {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const docs = [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((m) => m[1].replace(/^[ \t]*\* ?/gm, ""));
      return docs.flatMap((d) => extractExamples(d)).map((code, i) => [`${f} #${i + 1}`, code]);
    });
}

/**
 * @param {string} code
 * @param {Record<string, unknown>} modules
 * @returns {Promise<{ printed: string[]; checks: { expected: string; actual: string; line: number }[] }>}
 */
export async function runExample(code, modules) {
  const missing = [];
  const body = code.replace(IMPORT, (_all, names, from) => {
    if (!(from in modules)) missing.push(from);
    const bindings = names
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => s.replace(/^type\s+/, "").replace(/\s+as\s+/, ": "))
      .join(", ");
    return `const { ${bindings} } = __modules[${JSON.stringify(from)}];`;
  });
  if (missing.length) throw new Error(`example imports unknown modules: ${missing.join(", ")}`);
  const lines = body.split("\n");
  const checks = [];
  const instrumented = lines
    .map((line, i) => {
      const m = EXPECT.exec(line);
      if (!m) return line;
      checks.push({ expected: m[2].trim(), actual: "", line: i + 1 });
      return `__check(${checks.length - 1}, ${m[1]});`;
    })
    .join("\n");
  const printed = [];
  const fmt = (v) => (typeof v === "string" ? v : typeof v === "bigint" ? `${v}n` : JSON.stringify(v));
  const __check = (i, ...vals) => {
    const text = vals.map(fmt).join(" ");
    checks[i].actual = text;
    printed.push(text);
  };
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  const fn = new AsyncFunction("__modules", "__check", "console", instrumented);
  const fakeConsole = { ...console, log: (...vals) => printed.push(vals.map(fmt).join(" ")) };
  await fn(modules, __check, fakeConsole);
  return { printed, checks };
}
