// Fuzzing of workload input (issue 11): scripts (parseScript, runScript) and ftrace / perf text (parseTraceLine).
// A rejected script statement or trace line must be a typed error with FILE:LINE(:COLUMN); runScript on a script that
// does not parse must leave the kernel untouched.
import fs from "node:fs";
import path from "node:path";
import { bootKernel } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScript, runScript } from "./script";
import { parseTraceLine } from "./trace";

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

const examples = path.join(import.meta.dirname, "../../../apps/cli/examples");
const SCRIPTS = fs.readdirSync(examples).filter((f) => f.endsWith(".pa")).map((f) => fs.readFileSync(path.join(examples, f), "utf8"));
// live 6.18 kmem events (first line of the fixture says where they came from)
const TRACE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/trace-6.18.txt"), "utf8").split("\n").filter((l) => l.includes("mm_page")).slice(0, 40);
const state = (k: ReturnType<typeof bootKernel>) => k.buddyinfo() + JSON.stringify(k.dmesg());

describe("fuzz: workload scripts", () => {
  it("mutated example scripts parse or throw a ScriptError at FILE:LINE:COLUMN", () => {
    fc.assert(
      fc.property(fc.nat({ max: SCRIPTS.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseScript(mutate(SCRIPTS[k]!, ms), { file: "x.pa" }));
        if (r instanceof PageallocError) expect(r.location).toMatch(/^x\.pa:\d+:\d+$/);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  }, 30_000 * SOAK);

  it("runScript on a mutated script: a result or a typed error; a script that does not parse changes nothing", () => {
    fc.assert(
      fc.property(fc.nat({ max: SCRIPTS.length - 1 }), mutations, (k, ms) => {
        const text = mutate(SCRIPTS[k]!, ms);
        const k0 = bootKernel({ machine: "tiny-16m" });
        const before = state(k0);
        const parsed = typedOrOk(() => parseScript(text));
        // maxSteps bounds a mutated count=999… (the default, 10 million steps, keeps every step and failure
        // explanation in memory and exhausts a 4 GiB heap first: see the report of issue 11)
        const r = typedOrOk(() => runScript(k0, text, { maxSteps: 20_000 }), "runScript");
        if (parsed instanceof PageallocError) {
          expect(r).toBeInstanceOf(PageallocError);
          expect(state(k0)).toBe(before);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(FUZZ_RUNS / 3) },
    );
  }, 30_000 * SOAK);

  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (t) => void typedOrOk(() => parseScript(t))), { seed: SEED, numRuns: FUZZ_RUNS });
  });

  it("parses in time linear in the script length", () => {
    expectLinear((s) => parseScript(s), "alloc a order=1 gfp=GFP_KERNEL\nfree a\n");
  });
});

describe("fuzz: ftrace / perf text", () => {
  it("mutated live trace lines give a record, null, or a TraceParseError at FILE:LINE", () => {
    fc.assert(
      fc.property(fc.nat({ max: TRACE.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseTraceLine(mutate(TRACE[k]!, ms), 7, "t.txt"));
        if (r instanceof PageallocError) expect(r.location).toBe("t.txt:7");
        else if (r) expect(Number.isSafeInteger(r.pfn ?? 0)).toBe(true);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  }, 30_000 * SOAK);

  it("takes time linear in the line length", () => {
    expectLinear((s) => parseTraceLine(`bash-1 [000] ..... 1.0: mm_page_alloc: page=0 pfn=0x1 order=0 migratetype=0 gfp_flags=GFP_KERNEL ${s}`, 1), "x ");
  });
});
