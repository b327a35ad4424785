import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { freeLists, zoneSpec } from "./test-helpers";
import type { BuddyTraceEvent } from "./trace";
import { gfpDecoder } from "./zoneset";

const zone = zoneSpec({ startPfn: 0, spannedPages: 4096 });

describe("gfp_to_alloc_flags per era (kernel-facts §5.3, §5.7)", () => {
  const flagsFor = (version: string, gfp: number, order: number, ctx = {}) =>
    bootBuddy([zone], { version }).gfpToAllocFlags(gfpDecoder(version, "x86_64")(gfp), order, ctx);

  it("6.18", () => {
    // GFP_KERNEL 0xcc0: WMARK_MIN 0 | CPUSET 0x40 | KSWAPD 0x800 (direct reclaim allowed)
    expect(flagsFor("6.18", 0xcc0, 0)).toBe(0x840);
    // GFP_ATOMIC 0x820 (__GFP_HIGH | __GFP_KSWAPD_RECLAIM), order 1: MIN_RESERVE 0x20 | KSWAPD 0x800 | NON_BLOCK 0x10 |
    // HIGHATOMIC 0x200 (order > 0 with MIN_RESERVE); CPUSET cleared for MIN_RESERVE without reclaim → 0xa30
    expect(flagsFor("6.18", 0x820, 1)).toBe(0xa30);
    expect(flagsFor("6.18", 0x820, 0)).toBe(0x830);
    // GFP_NOWAIT 0x2800 (KSWAPD | NOWARN): NON_BLOCK but no reserve → CPUSET stays: 0x40 | 0x800 | 0x10
    expect(flagsFor("6.18", 0x2800, 0)).toBe(0x850);
    // a realtime task in task context with GFP_KERNEL gets MIN_RESERVE
    expect(flagsFor("6.18", 0xcc0, 0, { rtTask: true })).toBe(0x860);
  });

  it("6.3–6.16 give ALLOC_HIGHATOMIC to every non-blocking order > 0 request; 6.17 only with __GFP_HIGH", () => {
    // 1ebbb21811b7 (6.3): `if (order > 0) alloc_flags |= ALLOC_HIGHATOMIC` for !__GFP_DIRECT_RECLAIM;
    // 6a204d4b14c9 (6.17): `order > 0 && (alloc_flags & ALLOC_MIN_RESERVE)`.
    // GFP_NOWAIT 0x2800 order 2 on 6.8: CPUSET 0x40 | KSWAPD 0x800 | NON_BLOCK 0x10 | HIGHATOMIC 0x200 = 0xa50
    expect(flagsFor("6.8", 0x2800, 2)).toBe(0xa50);
    // ...and on 6.17 the same request gets no HIGHATOMIC: 0x850
    expect(flagsFor("6.17", 0x2800, 2)).toBe(0x850);
    // GFP_ATOMIC keeps it in both (MIN_RESERVE set): 0xa30
    expect(flagsFor("6.8", 0x820, 2)).toBe(0xa30);
    expect(flagsFor("6.17", 0x820, 2)).toBe(0xa30);
  });

  it("6.2 (ALLOC_HARDER era)", () => {
    // GFP_ATOMIC = __GFP_HIGH 0x20 | __GFP_ATOMIC 0x200 | __GFP_KSWAPD_RECLAIM 0x800: HIGH 0x20 | KSWAPD 0x800 |
    // HARDER 0x10, CPUSET cleared
    expect(flagsFor("6.2", 0xa20, 0)).toBe(0x830);
    expect(flagsFor("6.2", 0xcc0, 0)).toBe(0x840);
  });

  it("2.6.24", () => {
    // GFP_ATOMIC = __GFP_HIGH 0x20: WMARK_MIN 0x02 | HARDER 0x10 (cannot wait) | HIGH 0x20 = 0x32
    expect(flagsFor("2.6.24", 0x20, 0)).toBe(0x32);
    // GFP_KERNEL = WAIT | IO | FS (0xd0): WMARK_MIN 0x02 | CPUSET 0x40
    expect(flagsFor("2.6.24", 0xd0, 0)).toBe(0x42);
  });
});

describe("classzone_idx: the preferred zone before 5.8, highest_zoneidx from 5.8", () => {
  // A node whose only zone is DMA32 (idx 1); lowmem_reserve[Normal] = 5000 > its 4096 free pages.
  const dma32 = zoneSpec({ name: "DMA32", zoneIdx: 1, startPfn: 0, spannedPages: 4096, watermark: { min: 50, low: 100, high: 150 }, lowmemReserve: [0, 0, 5000] });
  it.each([
    ["5.7", true], // classzone = DMA32 → reserve[1] = 0: 4096 − 15 > 100
    ["5.8", false], // classzone = Normal → reserve[2] = 5000: 4096 − 15 ≤ 100 + 5000
  ])("%s", (version, ok) => {
    const a = bootBuddy([dma32], { version });
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 4) >= 0).toBe(ok);
  });
});

describe("watermark boost on fallbacks below a pageblock (5.0+)", () => {
  const z = zoneSpec({ startPfn: 0, spannedPages: 4096, watermark: { min: 10, low: 50, high: 100 } });
  it.each([
    ["6.18", 512], // boost = min(0 + 512, max(512, 100·15000/10000 = 150)) = 512
    ["4.19", 0], // no watermark boosting before 5.0
  ])("%s", (version, boost) => {
    const a = bootBuddy([z], { version });
    const zone = a.zone(0, 2);
    const { UNMOVABLE: U, MOVABLE: M } = a.facts.mt;
    // leave only a half-used UNMOVABLE pageblock, then make a MOVABLE request fall back into it
    // (boot list order differs: ascending from 5.10, descending before — the pfns are not asserted here)
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: U }, 8)).toBeGreaterThanOrEqual(0);
    for (let k = 0; k < 3; k++) expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: M }, 10)).toBeGreaterThanOrEqual(0);
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: U }, 9)).toBeGreaterThanOrEqual(0);
    expect(zone.watermarkBoost).toBe(0);
    expect(a.rmqueue(zone, 0, M, a.bits.WMARK_LOW)).toBeGreaterThan(0);
    expect(zone.watermarkBoost).toBe(boost);
  });
});

it("freePagesBatched traces every mm_page_free first, then mm_page_free_batched (live 6.18 pattern)", () => {
  const events: BuddyTraceEvent[] = [];
  const a = bootBuddy([zone], { trace: (e) => events.push(e), checkInvariants: true });
  const pfns = [0, 1, 2].map(() => a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 0));
  events.length = 0;
  a.freePagesBatched(pfns);
  expect(events.filter((e) => e.event.startsWith("mm_page_free")).map((e) => `${e.event}:${e.pfn}`)).toEqual(["mm_page_free:0", "mm_page_free:1", "mm_page_free:2", "mm_page_free_batched:0", "mm_page_free_batched:1", "mm_page_free_batched:2"]);
  expect(() => a.freePagesBatched([0])).toThrow("not an allocated order-0 page");
  expect(Object.keys(freeLists(a)).length).toBeGreaterThan(0);
});
