// Fuzzing of /proc/buddyinfo text (issue 11): parseBuddyinfo and the extfrag/unusable indexes built on it.
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBuddyinfo } from "./buddyinfo";

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

// live /proc/buddyinfo of the 6.18 x86_64 reference machine (/work/shared/reference/samples-6.18-x86_64/proc_buddyinfo.txt)
const BUDDYINFO = [
  "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ",
  "Node 0, zone    DMA32      2      3      0      2      3      2      1      4      4      2    752 ",
  "Node 0, zone   Normal   1564    851    602    407     10     34    269    214    145     55     52 ",
].join("\n");

describe("fuzz: parseBuddyinfo", () => {
  it("mutated real text parses to non-negative integer counts or throws INVALID_BUDDYINFO with a line", () => {
    fc.assert(
      fc.property(mutations, (ms) => {
        const r = typedOrOk(() => parseBuddyinfo(mutate(BUDDYINFO, ms)));
        if (r instanceof PageallocError) expect(r.code).toBe("INVALID_BUDDYINFO");
        else for (const z of r) for (const c of z.nrFree) expect(Number.isSafeInteger(c) && c >= 0).toBe(true);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => void typedOrOk(() => parseBuddyinfo(t))), { seed: SEED, numRuns: FUZZ_RUNS });
  });

  it("takes time linear in the number of lines", () => {
    expectLinear((s) => parseBuddyinfo(s), "Node 0, zone   Normal   5010   3227   1745    888    414    219     93     52     26     14    101\n");
  });
});
