// Fuzzing of GFP expressions (issue 11): parseGfp on random and mutated expressions for every era.
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatGfp, parseGfp } from "./format";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const EXPRS = ["GFP_KERNEL|__GFP_ZERO", "GFP_HIGHUSER_MOVABLE|__GFP_COMP", "0x400dc0", "GFP_ATOMIC | __GFP_NOWARN", "__GFP_DMA|__GFP_HIGHMEM", "GFP_NOWAIT|0x20"];
const VERSIONS = ["2.6.24", "4.4", "5.10", "6.1", "6.18"];

describe("fuzz: parseGfp", () => {
  it("mutated expressions parse to a 32-bit mask or throw INVALID_GFP with the position", () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXPRS), fc.constantFrom(...VERSIONS), mutations, (e, v, ms) => {
        const r = typedOrOk(() => parseGfp(mutate(e, ms), v));
        if (r instanceof PageallocError) expect(r.code).toBe("INVALID_GFP");
        else {
          expect(Number.isInteger(r) && r >= 0 && r <= 0xffffffff).toBe(true);
          typedOrOk(() => formatGfp(r, v));
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("random text and random numbers", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), fc.constantFrom(...VERSIONS), (e, v) => {
        typedOrOk(() => parseGfp(e, v));
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("takes time linear in the expression length", () => {
    expectLinear((s) => parseGfp(s.slice(0, -1), "6.18"), "__GFP_ZERO|");
  });
});
