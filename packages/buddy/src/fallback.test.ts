import { describe, expect, it } from "vitest";
import { allocFlagBits } from "./alloc-flags";
import { bootBuddy } from "./allocator";
import { freeLists, zoneSpec } from "./test-helpers";
import type { BuddyTraceEvent } from "./trace";

// 6.18 migratetypes: UNMOVABLE 0, MOVABLE 1, RECLAIMABLE 2, HIGHATOMIC 3, ISOLATE 4. pageblock_order 9.
const U = 0;
const M = 1;
const HA = 3;
const bits = allocFlagBits("non-block");

describe("6.15+ fallback: __rmqueue_claim / __rmqueue_steal (kernel-facts §6.5)", () => {
  it("an unmovable request claims a whole order-10 movable block (both pageblocks change type)", () => {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 2048 })], { checkInvariants: true, trace: (e) => events.push(e) });
    const z = a.zone(0, 2);
    // __rmqueue_smallest(UNMOVABLE) finds nothing; claim walks orders 10 → 0: order 10, fallbacks[UNMOVABLE] =
    // RECLAIMABLE (empty), MOVABLE (block 0) → try_to_claim_block with current_order 10 ≥ pageblock_order: delete,
    // change_pageblock_range to UNMOVABLE (pageblocks 0 and 512), expand(0, order 0, 10, UNMOVABLE).
    expect(a.rmqueue(z, 0, U, bits.WMARK_LOW)).toBe(0);
    const expected: Record<string, number[]> = { [`10/${M}`]: [1024] };
    for (let j = 0; j < 10; j++) expected[`${j}/${U}`] = [2 ** j];
    expect(freeLists(a)).toEqual(expected);
    expect([z.pageblockMt(0), z.pageblockMt(512), z.pageblockMt(1024), z.pageblockMt(1536)]).toEqual([U, U, M, M]);
    // Whole-block claims emit mm_page_alloc_extfrag only (no mm_page_alloc_zone_locked).
    expect(events).toEqual([
      { event: "mm_page_alloc_extfrag", pfn: 0, allocOrder: 0, fallbackOrder: 10, pageblockOrder: 9, allocMigratetype: U, fallbackMigratetype: M, changeOwnership: true },
    ]);
  });

  // Zones of 4096 pages: vm_total_pages ≥ pageblock_nr_pages × MIGRATE_TYPES (2560), so grouping by mobility is on
  // (smaller zones set page_group_by_mobility_disabled and every claim succeeds).
  it("a movable request claims a mostly-free unmovable pageblock (free + alike ≥ half a block)", () => {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { trace: (e) => events.push(e) });
    const z = a.zone(0, 2);
    // UNMOVABLE order 0 claims order-10 block 0 (pageblocks 0 and 512 → UNMOVABLE); leftovers 1, 2, …, 512 on
    // UNMOVABLE lists. Then the three MOVABLE order-10 blocks and the UNMOVABLE order-9 block 512 are taken away.
    expect(a.rmqueue(z, 0, U, bits.WMARK_LOW)).toBe(0);
    for (const pfn of [1024, 2048, 3072]) expect(a.rmqueue(z, 10, M, bits.WMARK_LOW)).toBe(pfn);
    expect(a.rmqueue(z, 9, U, bits.WMARK_LOW)).toBe(512);
    events.length = 0;
    // MOVABLE order 0: no MOVABLE block; claim walks 10 → 0; order 8 has UNMOVABLE 256 and should_try_claim_block(8,
    // MOVABLE) holds (8 ≥ pageblock_order/2 = 4). try_to_claim_block: free_pages = 511 (pfn 0 is in use),
    // movable_pages = 0, alike = movable_pages = 0 → 511 ≥ 256: move all free pages to MOVABLE, set the block
    // MOVABLE, then __rmqueue_smallest(MOVABLE) takes the order-0 list head, pfn 1 (this one traces zone_locked).
    expect(a.rmqueue(z, 0, M, bits.WMARK_LOW)).toBe(1);
    expect(z.pageblockMt(0)).toBe(M);
    expect(events.map((e) => e.event)).toEqual(["mm_page_alloc_zone_locked", "mm_page_alloc_extfrag"]);
    expect(events[1]).toMatchObject({ pfn: 1, fallbackOrder: 8, allocMigratetype: M, fallbackMigratetype: U, changeOwnership: true });
  });

  function mostlyUsedUnmovableBlock() {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { trace: (e) => events.push(e) });
    const z = a.zone(0, 2);
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: U }, 8)).toBe(0); // claims block 0 (order 10)
    for (const pfn of [1024, 2048, 3072]) expect(a.rmqueue(z, 10, M, bits.WMARK_LOW)).toBe(pfn);
    expect(a.rmqueue(z, 9, U, bits.WMARK_LOW)).toBe(512);
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: U }, 7)).toBe(256); // 384 (o7) left
    events.length = 0;
    return { a, z, events };
  }

  it("a movable request steals a single block when the pageblock is mostly in unmovable use", () => {
    const { a, z, events } = mostlyUsedUnmovableBlock();
    // MOVABLE order 0: claim finds UNMOVABLE 384 at order 7 (7 ≥ 4 may claim) but free = 128, movable = 0 →
    // 128 < 256: no claim; orders 6..4 are empty, order 3 may not be claimed for MOVABLE (−2) → stop.
    // __rmqueue_steal from order 0 up: order 7 UNMOVABLE → take 384, expand on the UNMOVABLE lists.
    expect(a.rmqueue(z, 0, M, bits.WMARK_LOW)).toBe(384);
    expect(z.pageblockMt(0)).toBe(U);
    expect(freeLists(a)).toEqual({ [`0/${U}`]: [385], [`1/${U}`]: [386], [`2/${U}`]: [388], [`3/${U}`]: [392], [`4/${U}`]: [400], [`5/${U}`]: [416], [`6/${U}`]: [448] });
    expect(events).toEqual([
      { event: "mm_page_alloc_extfrag", pfn: 384, allocOrder: 0, fallbackOrder: 7, pageblockOrder: 9, allocMigratetype: M, fallbackMigratetype: U, changeOwnership: false },
    ]);
  });

  it("ALLOC_NOFRAGMENT refuses to steal and only claims whole pageblocks", () => {
    const { a, z } = mostlyUsedUnmovableBlock();
    // With NOFRAGMENT min_order = pageblock_order: nothing ≥ order 9 is free, and no steal → fail.
    expect(a.rmqueue(z, 0, M, bits.WMARK_LOW | bits.NOFRAGMENT)).toBe(-1);
  });

  it("get_page_from_freelist prefers a lower zone over fragmenting Normal while ALLOC_NOFRAGMENT is set", () => {
    const a = bootBuddy([
      zoneSpec({ name: "DMA32", zoneIdx: 1, startPfn: 0, spannedPages: 4096 }),
      zoneSpec({ name: "Normal", zoneIdx: 2, startPfn: 4096, spannedPages: 4096 }),
    ]);
    const normal = a.zone(0, "Normal");
    expect(a.rmqueue(normal, 8, U, bits.WMARK_LOW)).toBe(4096);
    for (const pfn of [5120, 6144, 7168]) expect(a.rmqueue(normal, 10, M, bits.WMARK_LOW)).toBe(pfn);
    expect(a.rmqueue(normal, 9, U, bits.WMARK_LOW)).toBe(4608);
    expect(a.rmqueue(normal, 7, U, bits.WMARK_LOW)).toBe(4352);
    // Preferred zone Normal on a one-node machine with DMA32 → the fast path sets ALLOC_NOFRAGMENT.
    expect(a.fastPathAllocFlags({ highestZoneIdx: 2, migratetype: M })).toBe(bits.WMARK_LOW | bits.NOFRAGMENT);
    // Walk Normal → DMA32 with NOFRAGMENT: Normal has no MOVABLE block and nothing claimable ≥ pageblock_order, and
    // may not steal → DMA32 serves the order-4 request from its own MOVABLE list (block 0).
    expect(a.getPageFromFreelist(4, bits.WMARK_LOW | bits.NOFRAGMENT, { highestZoneIdx: 2, migratetype: M })).toBe(0);
    // A GFP_DMA32-style request (highest zone DMA32) walks only DMA32.
    expect(a.candidateZones(0, 1).map((z) => z.spec.name)).toEqual(["DMA32"]);
  });
});

describe("highatomic reserve (kernel-facts §6.6, 6.18 rules)", () => {
  // managed 65536: managed/100 = 655 ≥ 512; max = ALIGN(655, 512) = 1024 pages = two pageblocks.
  const spec = zoneSpec({ startPfn: 0, spannedPages: 65536 });
  const atomic = bits.WMARK_MIN | bits.NON_BLOCK | bits.MIN_RESERVE | bits.HIGHATOMIC; // GFP_ATOMIC, order > 0
  it("order-1 atomic allocations reserve up to ALIGN(managed/100, pageblock) pages", () => {
    const a = bootBuddy([spec], { checkInvariants: true });
    const z = a.zone(0, 2);
    const req = { highestZoneIdx: 2, migratetype: U };
    // 1st: claims order-10 block 0 for UNMOVABLE (blocks 0 and 1), returns 0; then reserve_highatomic_pageblock:
    // block 0 is UNMOVABLE (mergeable) → its 510 free pages move to HIGHATOMIC, nr_reserved_highatomic = 512.
    expect(a.getPageFromFreelist(1, atomic, req)).toBe(0);
    expect(z.pageblockMt(0)).toBe(HA);
    expect(z.nrReservedHighatomic).toBe(512);
    expect(z.nrFreeHighatomic).toBe(510);
    // 2nd: the pcp refill's __rmqueue(UNMOVABLE) finds 512 (o9, block 1) → split → 512; block 1 reserved too.
    expect(a.getPageFromFreelist(1, atomic, req)).toBe(512);
    expect(z.pageblockMt(512)).toBe(HA);
    expect(z.nrReservedHighatomic).toBe(1024);
    // 3rd: the reserve is full (1024 ≥ 1024): the new block stays UNMOVABLE. No UNMOVABLE blocks remain → claim of
    // order-10 block 1024.
    expect(a.getPageFromFreelist(1, atomic, req)).toBe(1024);
    expect(z.pageblockMt(1024)).toBe(U);
    expect(z.nrReservedHighatomic).toBe(1024);
    // unreserve (force): the first zone's lowest-order HIGHATOMIC block (order 1 at pfn 2) → block 0 back to MOVABLE.
    expect(a.unreserveHighatomicPageblock(0, 2, M, true)).toBe(true);
    expect(z.pageblockMt(0)).toBe(M);
    expect(z.nrReservedHighatomic).toBe(512);
    // not forced: keeps the last block (nr_reserved ≤ pageblock_nr_pages)
    expect(a.unreserveHighatomicPageblock(0, 2, M, false)).toBe(false);
  });
  it("a zone under 100 pageblocks keeps no highatomic reserve (6.18: managed/100 < pageblock_nr_pages)", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    expect(a.getPageFromFreelist(1, atomic, { highestZoneIdx: 2, migratetype: U })).toBe(0);
    expect(a.zone(0, 2).nrReservedHighatomic).toBe(0);
  });
});

describe("2.6.24 __rmqueue_fallback", () => {
  // 2.6.24: UNMOVABLE 0, RECLAIMABLE 1, MOVABLE 2, RESERVE 3.
  it("an unmovable request takes the largest movable block, moving the pageblock when ≥ half is free", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 2048 })], { version: "2.6.24", checkInvariants: true });
    const z = a.zone(0, 2);
    // Boot lists: order 10 [1024, 0] (head insertion). Fallback walks orders 10 → 0 and takes the list head 1024;
    // 10 ≥ pageblock_order/2 → move_freepages_block(pageblock of 1024 = 1024..1535) moves the order-10 block
    // (1024 pages ≥ 256) → pageblock 1024 becomes UNMOVABLE; the split uses UNMOVABLE lists. current_order (10) ≠
    // pageblock_order (9), so pageblock 1536 keeps MOVABLE.
    expect(a.rmqueue(z, 0, 0, 0)).toBe(1024);
    expect([z.pageblockMt(1024), z.pageblockMt(1536), z.pageblockMt(0)]).toEqual([0, 2, 2]);
    expect(freeLists(a)["9/0"]).toEqual([1536]);
    expect(freeLists(a)["10/2"]).toEqual([0]);
  });
  it("MIGRATE_RESERVE: setup_zone_migrate_reserve marks roundup(pages_min, 512)/512 blocks from the zone start", () => {
    // pages_min 600 → 2 blocks: pageblocks 0 and 512 become RESERVE (their free pages move to RESERVE lists).
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 2048, watermark: { min: 600, low: 750, high: 900 } })], { version: "2.6.24", checkInvariants: true });
    const z = a.zone(0, 2);
    expect([0, 512, 1024, 1536].map((p) => z.pageblockMt(p))).toEqual([3, 3, 2, 2]);
    expect(freeLists(a)).toEqual({ "10/2": [1024], "10/3": [0] });
  });
});

describe("4.1–4.11 __rmqueue_fallback (steal_suitable_fallback; the stored 4.4 mm/page_alloc.c)", () => {
  it("the split always feeds the requested type's lists; the pageblock changes only with ≥ half of it free", () => {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { version: "4.4", trace: (e) => events.push(e), checkInvariants: true });
    const z = a.zone(0, 2);
    // Before 5.10 boot frees to the list head: order-10 list [3072, 2048, 1024, 0].
    // UNMOVABLE order 8: largest first, MOVABLE 3072 at order 10, can_steal (10 ≥ pageblock_order) → both pageblocks
    // UNMOVABLE; expand(…, UNMOVABLE) leaves 3584 (o9) and 3328 (o8).
    expect(a.rmqueue(z, 8, U, 0)).toBe(3072);
    // __rmqueue_fallback traces mm_page_alloc_extfrag, then (before 5.19) __rmqueue traces mm_page_alloc_zone_locked
    expect(events.map((e) => e.event)).toEqual(["mm_page_alloc_extfrag", "mm_page_alloc_zone_locked"]);
    expect(events[0]).toMatchObject({ fallbackOrder: 10, fallbackMigratetype: M, changeOwnership: true });
    for (const pfn of [2048, 1024, 0]) expect(a.rmqueue(z, 10, M, 0)).toBe(pfn);
    expect(a.rmqueue(z, 9, U, 0)).toBe(3584);
    expect(a.rmqueue(z, 7, U, 0)).toBe(3328); // 3456 (o7, UNMOVABLE) left
    // MOVABLE order 0: UNMOVABLE 3456 at order 7; can_steal_fallback(7, MOVABLE) (7 ≥ 4) → move_freepages_block moves
    // 128 pages < 256: the block stays UNMOVABLE; the split goes to the MOVABLE lists anyway.
    expect(a.rmqueue(z, 0, M, 0)).toBe(3456);
    expect(z.pageblockMt(3456)).toBe(U);
    expect(freeLists(a)).toEqual({ [`0/${M}`]: [3457], [`1/${M}`]: [3458], [`2/${M}`]: [3460], [`3/${M}`]: [3464], [`4/${M}`]: [3472], [`5/${M}`]: [3488], [`6/${M}`]: [3520] });
    expect(events.at(-2)).toMatchObject({ event: "mm_page_alloc_extfrag", fallbackOrder: 7, allocMigratetype: M, fallbackMigratetype: U, changeOwnership: false });
  });
});
