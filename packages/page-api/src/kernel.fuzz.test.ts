// Fuzzing of the page API's arguments (issue 11): a call the model rejects throws a PageallocError with a code and a
// location and changes no state (the /proc text and the kernel log are compared before and after).
import { renderPagetypeinfo, renderVmstat, renderZoneinfo } from "@pagealloc/buddy";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Kernel, Page, bootKernel } from "./kernel";
import { FUZZ_RUNS, fuzzHelpers, SOAK } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk } = fuzzHelpers(PageallocError);

const stateText = (k: Kernel) =>
  [k.buddyinfo(), renderPagetypeinfo(k.buddy), renderZoneinfo(k.buddy, k.zones as never), renderVmstat(k.buddy), JSON.stringify(k.dmesg()), k.smp_processor_id()].join("\n");
const junkNumber = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom(-1, 0.5, 2 ** 53, NaN, Infinity, 1e308, 0x1000, 0x3fff));
const junkGfp = fc.oneof(fc.constantFrom("GFP_KERNEL", "GFP_DMA|__GFP_HIGHMEM", "GFP_KERNEL|", "__GFP_BOGUS", "0xzz", "", "GFP_ATOMIC|__GFP_COMP"), junkNumber);
const call = fc.oneof(
  fc.tuple(fc.constant("alloc_pages"), junkGfp, junkNumber),
  fc.tuple(fc.constant("alloc_pages_node"), junkNumber, junkGfp, junkNumber),
  fc.tuple(fc.constant("__free_pages"), junkNumber, junkNumber),
  fc.tuple(fc.constant("free_pages"), junkNumber, junkNumber),
  fc.tuple(fc.constant("put_page"), junkNumber),
  fc.tuple(fc.constant("get_page"), junkNumber),
  fc.tuple(fc.constant("set_cpu"), junkNumber),
  fc.tuple(fc.constant("kmap"), junkNumber),
  fc.tuple(fc.constant("alloc_pages_exact"), junkNumber, junkGfp),
);

function invoke(k: Kernel, c: readonly unknown[]): unknown {
  const [fn, a, b, d] = c as [string, never, never, never];
  const page = (x: number) => new Page(x);
  switch (fn) {
    case "alloc_pages":
      return k.alloc_pages(a, b);
    case "alloc_pages_node":
      return k.alloc_pages_node(a, b, d);
    case "__free_pages":
      return k.__free_pages(page(a), b);
    case "free_pages":
      return k.free_pages(typeof a === "number" && Number.isSafeInteger(a) ? BigInt(a) : (a as never), b);
    case "put_page":
      return k.put_page(page(a));
    case "get_page":
      return k.get_page(page(a));
    case "set_cpu":
      return k.set_cpu(a);
    case "kmap":
      return k.kmap(page(a));
    default:
      return k.alloc_pages_exact(a, b);
  }
}

describe.each(["2.6.24", "6.18"])("fuzz: page API arguments, %s", (version) => {
  it("a rejected call throws a typed error and leaves the state text unchanged", () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        const k = bootKernel({ machine: "tiny-16m", version });
        k.alloc_pages("GFP_KERNEL", 2);
        k.alloc_pages("GFP_KERNEL|__GFP_COMP", 1);
        for (const c of calls) {
          const before = stateText(k);
          const r = typedOrOk(() => invoke(k, c), JSON.stringify(c));
          if (r instanceof PageallocError) expect(stateText(k), `${r.code} from ${JSON.stringify(c)} changed the state`).toBe(before);
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  }, 30_000 * SOAK);
});

describe("regressions found by the fuzzer above", () => {
  it("kmap of a non-integer pfn is INVALID_ADDRESS (was a RangeError from BigInt)", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    expect(() => k.kmap(new Page(0.5))).toThrow(expect.objectContaining({ code: "INVALID_ADDRESS", location: "kmap(page)" }));
  });

  it("alloc_pages_exact with invalid zone modifiers throws GFP_ZONE_BAD before logging its __GFP_HIGHMEM warning", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "6.18" });
    // 16383 = 0x3fff: __GFP_DMA|__GFP_HIGHMEM|__GFP_DMA32|__GFP_MOVABLE|... (bits 0-13 of the 6.18 layout)
    expect(() => k.alloc_pages_exact(4096, 16383)).toThrow(expect.objectContaining({ code: "GFP_ZONE_BAD" }));
    expect(k.dmesg()).toEqual([]);
  });
});
