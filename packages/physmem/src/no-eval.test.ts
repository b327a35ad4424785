import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Nothing evaluates input as code (issue 11): no eval, new Function, or string timers in the published sources or the
// CLI. Test helpers may (tooling/vitest-config runs README examples).
const root = path.join(import.meta.dirname, "..", "..", "..");
const DIRS = [...fs.readdirSync(path.join(root, "packages")).map((p) => path.join("packages", p, "src")), path.join("apps", "cli", "src")];
const FORBIDDEN = [/\beval\s*\(/, /\bnew\s+Function\s*\(/, /\bFunction\s*\(\s*["'`]/, /\bset(?:Timeout|Interval)\s*\(\s*["'`]/, /\bimport\s*\(\s*[^"'`\s)]/];

describe("no input is evaluated as code", () => {
  it("no eval / new Function / string timers / dynamic import of a computed name in packages/*/src and apps/cli/src", () => {
    const hits: string[] = [];
    for (const dir of DIRS) {
      const abs = path.join(root, dir);
      if (!fs.existsSync(abs)) continue;
      for (const f of fs.readdirSync(abs, { recursive: true, encoding: "utf8" })) {
        if (!f.endsWith(".ts") || f.endsWith(".test.ts")) continue;
        const text = fs.readFileSync(path.join(abs, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
        for (const re of FORBIDDEN) if (re.test(text)) hits.push(`${dir}/${f}: ${re}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
