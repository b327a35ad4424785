import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { gfpToAllocFlags } from "./gfp-to-alloc-flags";
import { zoneSpec } from "./test-helpers";
import { gfpDecoder } from "./zoneset";

// Expected values: the kernel's gfp_to_alloc_flags() (2.6.24: __alloc_pages()) applied by hand to the masks of
// include/linux/gfp.h of each version, with the ALLOC_* values of mm/internal.h (2.6.24: mm/page_alloc.c).
describe("gfp_to_alloc_flags(), 2.6.24 (__alloc_pages() second attempt, kernel-facts §5.7)", () => {
  // ALLOC_WMARK_MIN 0x02, ALLOC_HARDER 0x10, ALLOC_HIGH 0x20, ALLOC_CPUSET 0x40
  it("GFP_ATOMIC (__GFP_HIGH 0x20): cannot wait → WMARK_MIN|HARDER|HIGH, no CPUSET", () => {
    expect(gfpToAllocFlags(0x20, 0, "2.6.24")).toBe(0x02 | 0x10 | 0x20);
  });
  it("GFP_KERNEL (__GFP_WAIT|__GFP_IO|__GFP_FS = 0xd0): WMARK_MIN|CPUSET; an rt task in task context adds HARDER", () => {
    expect(gfpToAllocFlags(0xd0, 0, "2.6.24")).toBe(0x02 | 0x40);
    expect(gfpToAllocFlags(0xd0, 0, "2.6.24", { rtTask: true })).toBe(0x02 | 0x10 | 0x40);
    expect(gfpToAllocFlags(0xd0, 0, "2.6.24", { rtTask: true, inInterrupt: true })).toBe(0x02 | 0x40);
  });
  it("__GFP_NOMEMALLOC (0x10000) does not stop ALLOC_HARDER in 2.6.24; it does from 2.6.31 (gfp_to_alloc_flags())", () => {
    expect(gfpToAllocFlags(0x10020, 0, "2.6.24")).toBe(0x02 | 0x10 | 0x20);
    // 3.10: atomic && __GFP_NOMEMALLOC → no HARDER, CPUSET cleared: WMARK_MIN|HIGH
    expect(gfpToAllocFlags(0x10020, 0, "3.10")).toBe(0x02 | 0x20);
    expect(gfpToAllocFlags(0x20, 0, "3.10")).toBe(0x02 | 0x10 | 0x20);
  });
});

describe("gfp_to_alloc_flags(), 4.4–6.2 (__GFP_ATOMIC decides ALLOC_HARDER)", () => {
  // ALLOC_WMARK_MIN 0 (index), ALLOC_HARDER 0x10, ALLOC_HIGH 0x20, ALLOC_CPUSET 0x40, ALLOC_CMA 0x80, ALLOC_KSWAPD 0x800 (5.0+)
  it("4.19 GFP_ATOMIC (__GFP_HIGH 0x20|__GFP_ATOMIC 0x80000|__GFP_KSWAPD_RECLAIM 0x400000): HIGH|HARDER, CPUSET cleared, no ALLOC_KSWAPD before 5.0", () => {
    expect(gfpToAllocFlags(0x480020, 0, "4.19")).toBe(0x20 | 0x10);
  });
  it("4.19 GFP_KERNEL (0x6000c0): CPUSET; rt task: HARDER", () => {
    expect(gfpToAllocFlags(0x6000c0, 0, "4.19")).toBe(0x40);
    expect(gfpToAllocFlags(0x6000c0, 0, "4.19", { rtTask: true })).toBe(0x40 | 0x10);
  });
  it("4.19 GFP_NOWAIT (0x400000): no __GFP_ATOMIC → no HARDER, CPUSET kept", () => {
    expect(gfpToAllocFlags(0x400000, 0, "4.19")).toBe(0x40);
  });
  it("5.4 GFP_ATOMIC (0xa20) gets ALLOC_KSWAPD; GFP_HIGHUSER_MOVABLE (0x100cca) gets ALLOC_CMA with CONFIG_CMA", () => {
    expect(gfpToAllocFlags(0xa20, 0, "5.4")).toBe(0x20 | 0x10 | 0x800);
    expect(gfpToAllocFlags(0x100cca, 0, "5.4", { cma: true })).toBe(0x40 | 0x800 | 0x80);
    expect(gfpToAllocFlags(0x100cca, 0, "5.4")).toBe(0x40 | 0x800);
    // GFP_ATOMIC | __GFP_NOMEMALLOC (0x80000): no HARDER, CPUSET still cleared
    expect(gfpToAllocFlags(0x80a20, 0, "5.4")).toBe(0x20 | 0x800);
  });
});

describe("gfp_to_alloc_flags(), 6.18 (kernel-facts §5.3)", () => {
  // ALLOC_NON_BLOCK 0x10, ALLOC_MIN_RESERVE 0x20, ALLOC_CPUSET 0x40, ALLOC_CMA 0x80, ALLOC_HIGHATOMIC 0x200, ALLOC_KSWAPD 0x800
  it("GFP_ATOMIC (0x820): MIN_RESERVE|KSWAPD|NON_BLOCK, CPUSET cleared; HIGHATOMIC for order > 0", () => {
    expect(gfpToAllocFlags(0x820, 0, "6.18")).toBe(0x20 | 0x800 | 0x10);
    expect(gfpToAllocFlags(0x820, 3, "6.18")).toBe(0x20 | 0x800 | 0x10 | 0x200);
  });
  it("GFP_NOWAIT (0x2800) order 2: NON_BLOCK, CPUSET kept, no HIGHATOMIC without __GFP_HIGH (6.17+)", () => {
    expect(gfpToAllocFlags(0x2800, 2, "6.18")).toBe(0x40 | 0x800 | 0x10);
    // 6.3–6.16: `if (order > 0) alloc_flags |= ALLOC_HIGHATOMIC`
    expect(gfpToAllocFlags(0x2800, 2, "6.8")).toBe(0x40 | 0x800 | 0x10 | 0x200);
  });
  it("GFP_ATOMIC | __GFP_NOMEMALLOC (0x80820): no NON_BLOCK, but MIN_RESERVE still clears CPUSET", () => {
    expect(gfpToAllocFlags(0x80820, 1, "6.18")).toBe(0x20 | 0x800);
  });
  it("GFP_KERNEL (0xcc0): CPUSET|KSWAPD; rt_or_dl_task in task context adds MIN_RESERVE, not in interrupt", () => {
    expect(gfpToAllocFlags(0xcc0, 0, "6.18")).toBe(0x40 | 0x800);
    expect(gfpToAllocFlags(0xcc0, 0, "6.18", { rtTask: true })).toBe(0x40 | 0x800 | 0x20);
    expect(gfpToAllocFlags(0xcc0, 0, "6.18", { rtTask: true, inInterrupt: true })).toBe(0x40 | 0x800);
  });
  it("takes the decoded bits too", () => {
    expect(gfpToAllocFlags({ high: true, kswapdReclaim: true }, 1, "6.18")).toBe(0xa30);
  });
});

describe("BuddyAllocator.gfpToAllocFlags() is the same rule", () => {
  const versions = ["2.6.24", "3.10", "4.19", "5.4", "6.2", "6.8", "6.18"];
  it.each(versions)("%s: the method on the decoded request equals the function on the mask", (version) => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 1024 })], { version });
    const decode = gfpDecoder(version, "x86_64");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 10 }), fc.boolean(), fc.boolean(), (raw, order, rtTask, cma) => {
        // only masks whose zone modifiers are valid can be decoded into a request
        const mask = raw & ~0x0f;
        const ctx = { rtTask, cma };
        expect(a.gfpToAllocFlags(decode(mask), order, ctx)).toBe(gfpToAllocFlags(mask, order, version, ctx));
      }),
      { numRuns: 300 },
    );
  });
});
