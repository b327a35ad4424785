// Shared fuzzing helpers for every package's *.fuzz.test.ts (issue 11).
// Budget: FUZZ_RUNS cases per input kind with a fixed seed (x100 under `pnpm test:soak`); each case must return or
// throw a PageallocError with a code and a location within CASE_MS; an input 10x longer must take < 60x the time
// (linear code takes about 10x, a quadratic one 100x; the margin absorbs GC and a machine busy with other tests).
// The error class is passed in: tooling sits outside the layer stack and imports no layer.
import fc from "fast-check";
import { expect } from "vitest";

/** PAGEALLOC_SOAK scales every budget (`pnpm test:soak` sets 100). */
export const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
export const FUZZ_RUNS = 150 * SOAK;
export const CASE_MS = 1500;

/** Truncation, bit flips, huge, negative and non-integer numbers, wrong units, binary junk, very long lines. */
export const mutations = fc.array(fc.record({ kind: fc.nat({ max: 7 }), at: fc.nat(), n: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 });

/** @param {string} text @param {readonly {kind: number, at: number, n: number}[]} ms */
export function mutate(text, ms) {
  let s = text;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    const put = (x, cut = 0) => (s = s.slice(0, at) + x + s.slice(at + cut));
    if (m.kind === 0) s = s.slice(0, at);
    else if (m.kind === 1) put(String.fromCharCode((s.charCodeAt(at) || 0) ^ (1 << (m.n % 8))), 1);
    else if (m.kind === 2) put(["18446744073709551616", "9007199254740993", "1e308", "0xffffffffffffffffff"][m.n % 4]);
    else if (m.kind === 3) put("-");
    else if (m.kind === 4) put([".5", "e3", "NaN", "Infinity"][m.n % 4]);
    else if (m.kind === 5) put(["kB", "MiB", "T", "pages", "%", "G"][m.n % 6]);
    else if (m.kind === 6) put(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => (m.n * (i + 7) + i) & 0xff)));
    else put("9".repeat(5000 + m.n * 40));
  }
  return s;
}

/**
 * `typedOrOk(f)`: a result, or an instance of `ErrorClass` with a code and a location; anything else (or a slow
 * case) fails the test. `expectLinear(f, unit)`: f on an input 10x longer must take < 60x the time. The base input
 * grows (up to 800 units) until it takes a millisecond and each size is timed as the best of seven runs, so timer noise and a
 * busy machine do not decide the verdict (a quadratic parser takes 100x).
 * @param {new (...args: any[]) => Error & { code: string; location?: string }} ErrorClass
 */
export function fuzzHelpers(ErrorClass) {
  function typedOrOk(f, label = "") {
    const t0 = performance.now();
    let out;
    try {
      out = f();
    } catch (e) {
      if (!(e instanceof ErrorClass)) throw new Error(`untyped exception ${label}: ${String(e)}`, { cause: e });
      expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(e.location, `${e.code} without a location: ${e.message}`).toBeTruthy();
      out = e;
    }
    expect(performance.now() - t0, `slow case ${label}`).toBeLessThan(CASE_MS);
    return out;
  }
  function expectLinear(f, unit) {
    const best = (s) => {
      let min = Infinity;
      for (let r = 0; r < 7; r++) {
        const t0 = performance.now();
        typedOrOk(() => f(s));
        min = Math.min(min, performance.now() - t0);
      }
      return min;
    };
    let n = 50;
    while (n < 800 && best(unit.repeat(n)) < 1) n *= 2;
    const small = best(unit.repeat(n));
    const big = best(unit.repeat(10 * n));
    expect(big, `10x input (${10 * n} units) vs ${n} units: ${big.toFixed(2)} ms vs ${small.toFixed(2)} ms`).toBeLessThan(60 * small + 10);
  }
  return { typedOrOk, expectLinear };
}
