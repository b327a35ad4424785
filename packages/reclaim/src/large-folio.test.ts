import { describe, expect, it } from "vitest";
import { PageUse } from "./memory-use";
import { oneZone } from "./test-helpers";
import { reclaimVersionFacts } from "./version";

// Compaction of large folios: from 6.9 (Zi Yan, "mm/compaction: add support for >0 order folio memory compaction")
// isolate_migratepages_block() isolates a compound page whose order is below the target order
// (skip_isolation_on_order()) and compaction_alloc() hands it a free block of the folio's order; before, compound
// pages are stepped over and only order-0 pages move.

/**
 * 4096 pages (eight MOVABLE pageblocks: at least pageblock_nr_pages × MIGRATE_TYPES = 512 × 5 = 2560, so grouping
 * by mobility is on), min 16 / low 20 / high 24. The whole zone is allocated as 1024 order-2 anon blocks; then the
 * blocks at pfn ≡ 4 (mod 8) are freed: 512 free order-2 blocks (2048 pages), each one's buddy allocated, so no free
 * block of order ≥ 3 exists.
 */
function order2Checkerboard(version: string) {
  const s = oneZone(4096, { min: 16, low: 20, high: 24 }, { version });
  const { a, r } = s;
  const blocks: number[] = [];
  for (;;) {
    const pfn = a.getPageFromFreelist(2, a.bits.NO_WATERMARKS, { highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE });
    if (pfn < 0) break;
    blocks.push(pfn);
  }
  expect(blocks).toHaveLength(1024);
  for (const pfn of blocks) r.markPage(pfn, 2, PageUse.ANON, pfn);
  for (const pfn of blocks) {
    if (pfn % 8 === 4) {
      r.memory.forget(pfn);
      a.freePages(pfn, 2, { bypassPcp: true });
    }
  }
  const z = a.zone(0, 2);
  expect(z.nrFreePages).toBe(2048);
  expect(Array.from(z.nrFree).slice(0, 4)).toEqual([0, 0, 512, 0]);
  return s;
}

describe("compaction of large folios", () => {
  it("the version table: 6.9+", () => {
    expect(reclaimVersionFacts("6.8").compactLargeFolios).toBe(false);
    expect(reclaimVersionFacts("6.9").compactLargeFolios).toBe(true);
    expect(reclaimVersionFacts("6.18").compactLargeFolios).toBe(true);
    expect(reclaimVersionFacts("4.4").compactLargeFolios).toBe(false);
  });

  it("6.18: order-2 anon folios move whole to free order-2 blocks and an order-3 block forms", () => {
    const moves: [number, number, number][] = [];
    const s = order2Checkerboard("6.18");
    const { a, r, gfp } = s;
    (r.options as { onMigrate?: (f: number, t: number, o: number) => void }).onMigrate = (f, t, o) => moves.push([f, t, o]);
    const pfn = a.allocPages(gfp("GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NORETRY"), 3);
    // 6.18 slow path, order 3 (not costly) MOVABLE: no compaction before reclaim; wake kswapd; the min check fails
    // at order 3 (no free block ≥ 3); direct reclaim frees nothing (anon, no swap); compaction at
    // DEF_COMPACT_PRIORITY (MIGRATE_SYNC_LIGHT). (`retry:` tries the freelist once more before reclaim.)
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "get_page_from_freelist:min", "direct_reclaim:0", "compact:sync-light"]);
    // The migration scanner starts at pfn 0: folios at 0, 8, 16, … 56 (free buddies at 4, 12, … are stepped over)
    // until the batch holds COMPACT_CLUSTER_MAX = 32 pages = 8 folios. Each needs a free order-2 block: the free
    // scanner starts in the last pageblock (3584) and isolates the free order-2 blocks at 3588, 3596, … 3644 in turn.
    expect(moves).toEqual([0, 8, 16, 24, 32, 40, 48, 56].map((from, k) => [from, 3588 + 8 * k, from]));
    // after the batch, 0..63 is free (each moved folio's buddy was free): compact_finished() finds an order-3+ block
    expect(r.vmstat.compact_success).toBe(1);
    expect(r.vmstat.pgmigrate_success).toBe(32);
    // isolated: 32 pages on the migration side + 8 × 4 on the free side
    expect(r.vmstat.compact_isolated).toBe(64);
    // the allocation takes the smallest free block of order ≥ 3: the order-6 block 0..63 → pfn 0
    expect(pfn).toBe(0);
    // the folios are order-2 allocated blocks at their new place, still recorded as anon with their owner
    for (let k = 0; k < 8; k++) {
      expect(a.allocatedOrder(3588 + 8 * k)).toBe(2);
      expect(r.memory.orderOfPfn(3588 + 8 * k)).toBe(2);
      expect(r.memory.useOfPfn(3588 + 8 * k)).toBe(PageUse.ANON);
    }
  });

  it("6.8: compound pages are stepped over, nothing moves, the request fails", () => {
    const { a, r, gfp } = order2Checkerboard("6.8");
    expect(a.allocPages(gfp("GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_NORETRY"), 3)).toBe(-1);
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "get_page_from_freelist:min", "direct_reclaim:0", "compact:sync-light"]);
    expect(r.vmstat.pgmigrate_success).toBe(0);
    expect(r.vmstat.compact_fail).toBe(1);
  });
});
