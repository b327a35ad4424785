import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "./error-catalogue";

const root = path.join(import.meta.dirname, "..", "..", "..");
const SOURCE_DIRS = [
  ...fs.readdirSync(path.join(root, "packages")).map((p) => path.join("packages", p, "src")),
  path.join("apps", "cli", "src"),
  path.join("apps", "docs", "docs", ".vitepress", "theme", "lib"),
];

function sourceFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("__fixtures__") && !f.includes("test-helpers")).map((f) => path.join(dir, f));
}

const CODE = "[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+";
/** Codes handed to error constructors: super("X", ...), new PageallocError("X", ...), `code = "X"` fields and defaults, and an all-caps literal argument of new XxxError(...). */
function codesIn(text: string): Set<string> {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out = new Set<string>();
  for (const m of code.matchAll(new RegExp(`super\\(\\s*"(${CODE})"`, "g"))) out.add(m[1]!);
  for (const m of code.matchAll(new RegExp(`\\bcode\\s*=\\s*"(${CODE})"`, "g"))) out.add(m[1]!);
  for (const m of code.matchAll(/new \w*Error\(([^;]*?)\)\s*;/gs)) for (const l of m[1]!.matchAll(new RegExp(`"(${CODE})"`, "g"))) out.add(l[1]!);
  return out;
}

describe("error catalogue", () => {
  const found = new Map<string, string>();
  for (const dir of SOURCE_DIRS) for (const f of sourceFiles(dir)) for (const c of codesIn(fs.readFileSync(path.join(root, f), "utf8"))) if (!found.has(c)) found.set(c, f);

  it("lists every code thrown in the sources", () => {
    const listed = new Set(ERROR_CATALOGUE.map((e) => e.code));
    const missing = [...found].filter(([c]) => !listed.has(c)).map(([c, f]) => `${c} (${f})`);
    expect(missing).toEqual([]);
  });

  it("lists no code that nothing throws", () => {
    expect(ERROR_CATALOGUE.map((e) => e.code).filter((c) => !found.has(c))).toEqual([]);
  });

  it("has one entry per code, each with a meaning and an example", () => {
    const codes = ERROR_CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of ERROR_CATALOGUE) {
      expect(e.code).toMatch(new RegExp(`^${CODE}$`));
      expect(e.meaning.length, e.code).toBeGreaterThan(20);
      expect(e.example.length, e.code).toBeGreaterThan(3);
    }
  });

  it("finds codes the way they are written (the scanner itself)", () => {
    expect([...codesIn('class A extends PageallocError { constructor() { super("A_B", "r"); } }\n// super("NOT_ME")\nnew XError(r, f, 1, 2, "C_D");')]).toEqual(["A_B", "C_D"]);
  });
});
