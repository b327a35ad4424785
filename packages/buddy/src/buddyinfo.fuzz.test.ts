// Fuzzing of /proc/buddyinfo text (issue 11): parseBuddyinfo and the extfrag/unusable indexes built on it.
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBuddyinfo } from "./buddyinfo";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

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
