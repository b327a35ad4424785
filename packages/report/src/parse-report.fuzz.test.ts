// Fuzzing of failure reports (issue 11): parseFailureReports on mutated real warn_alloc / OOM logs.
import fs from "node:fs";
import path from "node:path";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFailureReports } from "./parse-report";

// ---- fuzz helpers (the same few lines in every package's *.fuzz.test.ts: test files cannot share a module across layers)
// Budget: FUZZ_RUNS cases per input kind with a fixed seed (x100 under `pnpm test:soak`); each case must return or
// throw a PageallocError with a code and a location within CASE_MS; an input 10x longer must take < 30x the time.
const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
const FUZZ_RUNS = 150 * SOAK;
const CASE_MS = 1500;
const SEED = 0x11_f022;
type Mutation = { kind: number; at: number; n: number };
/** Truncation, bit flips, huge, negative and non-integer numbers, wrong units, binary junk, very long lines. */
const mutations = fc.array(fc.record({ kind: fc.nat({ max: 7 }), at: fc.nat(), n: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 });
function mutate(text: string, ms: readonly Mutation[]): string {
  let s = text;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    const put = (x: string, cut = 0) => (s = s.slice(0, at) + x + s.slice(at + cut));
    if (m.kind === 0) s = s.slice(0, at);
    else if (m.kind === 1) put(String.fromCharCode((s.charCodeAt(at) || 0) ^ (1 << (m.n % 8))), 1);
    else if (m.kind === 2) put(["18446744073709551616", "9007199254740993", "1e308", "0xffffffffffffffffff"][m.n % 4]!);
    else if (m.kind === 3) put("-");
    else if (m.kind === 4) put([".5", "e3", "NaN", "Infinity"][m.n % 4]!);
    else if (m.kind === 5) put(["kB", "MiB", "T", "pages", "%", "G"][m.n % 6]!);
    else if (m.kind === 6) put(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => (m.n * (i + 7) + i) & 0xff)));
    else put("9".repeat(5000 + m.n * 40));
  }
  return s;
}
/** Run f: a result, or a PageallocError with a code and a location; anything else (or a slow case) fails the test. */
function typedOrOk<T>(f: () => T, label = ""): T | PageallocError {
  const t0 = performance.now();
  let out: T | PageallocError;
  try {
    out = f();
  } catch (e) {
    if (!(e instanceof PageallocError)) throw new Error(`untyped exception ${label}: ${String(e)}`, { cause: e });
    expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(e.location, `${e.code} without a location: ${e.message}`).toBeTruthy();
    out = e;
  }
  expect(performance.now() - t0, `slow case ${label}`).toBeLessThan(CASE_MS);
  return out;
}
/** Time f(input) against f(input 10x longer): must stay below 30x (plus a fixed slack for timer noise). */
function expectLinear(f: (s: string) => unknown, unit: string): void {
  const time = (s: string) => {
    const t0 = performance.now();
    for (let r = 0; r < 3; r++) typedOrOk(() => f(s));
    return performance.now() - t0;
  };
  const small = unit.repeat(50);
  const big = unit.repeat(500);
  time(small);
  expect(time(big)).toBeLessThan(30 * time(small) + 30);
}
// ---- end of fuzz helpers

const dir = path.join(import.meta.dirname, "__fixtures__");
// real kernel logs (each fixture's first line says where it came from)
const LOGS = fs.readdirSync(dir).filter((f) => f.startsWith("warn_alloc")).map((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").slice(1).join("\n"));

describe("fuzz: parseFailureReports", () => {
  it("mutated real logs: reports and problems, never an exception", () => {
    fc.assert(
      fc.property(fc.nat({ max: LOGS.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseFailureReports(mutate(LOGS[k]!, ms)));
        expect(r).not.toBeInstanceOf(PageallocError);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("random text and non-text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (t) => void typedOrOk(() => parseFailureReports(t))), { seed: SEED, numRuns: FUZZ_RUNS });
    const r = typedOrOk(() => parseFailureReports(42 as never));
    expect(r).toBeInstanceOf(PageallocError);
  });

  it("takes time linear in the log length", () => {
    expectLinear((s) => parseFailureReports(s), LOGS[0]!.slice(0, 2000));
  });
});
