import { describe, expect, it } from "vitest";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";

// 8192 pages = 16 pageblocks of 512, all MOVABLE. Every page is taken by movable anon memory (no swap, so reclaim
// cannot help), then every other page of the lowest 2048 pfns is freed: 1024 free order-0 holes whose buddies are
// all allocated, plus the 200 pages left at the top. No free block of order 9 exists.
function fragmented(migrated: [number, number][] = []) {
  const s = oneZone(8192, { min: 64, low: 80, high: 96 }, { reclaim: { onMigrate: (from, to) => migrated.push([from, to]) } });
  const pfns = consumeTo(s.a, 200);
  for (const pfn of pfns) s.r.markPage(pfn, 0, PageUse.ANON, pfn);
  for (const pfn of pfns) {
    if (pfn < 2048 && pfn % 2 === 1) {
      s.r.memory.forget(pfn);
      s.a.freePages(pfn, 0, { bypassPcp: true });
    }
  }
  return s;
}

describe("order-9 THP on a fragmented, mostly movable zone (6.18)", () => {
  it("fails without compaction, succeeds after direct compaction migrates one pageblock", () => {
    const migrated: [number, number][] = [];
    const { a, r, events, gfp } = fragmented(migrated);
    const z = a.zone(0, 2);
    expect(z.nrFreePages).toBe(1224);
    expect(Array.from(z.nrFree).slice(9)).toEqual([0, 0]);
    // Not even ALLOC_NO_WATERMARKS finds an order-9 block: only compaction can make one.
    expect(a.getPageFromFreelist(9, a.bits.NO_WATERMARKS, { highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE })).toBe(-1);
    // GFP_TRANSHUGE (madvised THP fault): direct reclaim and IO, no kswapd, order 9 > PAGE_ALLOC_COSTLY_ORDER, so
    // __alloc_pages_slowpath compacts first (INIT_COMPACT_PRIORITY = async).
    // compaction_suitable: order-0 check at low + compact_gap = 80 + 1024 = 1104 < 1224 free; extfrag_index(9) =
    // 1000 − (1000 + 1224·1000/512) / 1028 free blocks ≈ 997 > extfrag_threshold 500 → fragmentation, compact.
    // The migration scanner starts at pfn 0: pageblock 0 holds 256 allocated anon pages (the even pfns); the free
    // scanner takes free pages from the top pageblock down (200), then pageblock 3's odd pfns. Once the 256 pages are
    // migrated, pageblock 0 merges into one free order-9 block and compact_finished reports success.
    const pfn = a.allocPages(gfp("GFP_TRANSHUGE"), 9);
    expect(pfn).toBe(0);
    const out = r.lastOutcome!;
    expect(out.steps).toEqual(["get_page_from_freelist:min", "compact:async"]);
    expect(r.vmstat.compact_stall).toBe(1);
    expect(r.vmstat.compact_success).toBe(1);
    expect(r.vmstat.compact_fail).toBe(0);
    expect(r.vmstat.pgmigrate_success).toBe(256);
    expect(r.vmstat.compact_isolated).toBe(512); // 256 sources + 256 targets
    expect(migrated.length).toBe(256);
    expect(migrated[0]![0]).toBe(0);
    // the owner of the page that was at pfn 0 now finds it at its new pfn
    expect(r.memory.ownerOfPfn(migrated[0]![1])).toBe(0);
    expect(r.memory.pagesByUse[PageUse.ANON]).toBe(8192 - 200 - 1024);
    const begin = events.find((e) => e.event === "mm_compaction_begin");
    expect(begin).toEqual({ event: "mm_compaction_begin", zoneStart: 0, migratePfn: 0, freePfn: 7680, zoneEnd: 8192, sync: false });
    expect(events.find((e) => e.event === "mm_compaction_end")).toMatchObject({ status: "success", sync: false });
    // migration in batches of COMPACT_CLUSTER_MAX = 32: 256 / 32 = 8 mm_compaction_migratepages events
    const batches = events.filter((e) => e.event === "mm_compaction_migratepages");
    expect(batches).toEqual(Array.from({ length: 8 }, () => ({ event: "mm_compaction_migratepages", nrMigrated: 32, nrFailed: 0 })));
  });

  it("with compaction deferred, GFP_TRANSHUGE|__GFP_NORETRY fails at once; the next attempt is let through", () => {
    const { a, r, gfp } = fragmented();
    const z = a.zone(0, 2);
    // defer_compaction() after a failed sync compaction: considered 0, defer_shift 1 (skip 1 << 1 = 2 attempts).
    r.deferCompaction(z, 9);
    // compaction_deferred(): ++considered = 1 < 2 → deferred; a costly __GFP_NORETRY request gives up (COMPACT_DEFERRED).
    expect(a.allocPages(gfp("GFP_TRANSHUGE|__GFP_NORETRY"), 9)).toBe(-1);
    expect(r.lastOutcome!.reason).toBe("costly __GFP_NORETRY request: compaction deferred");
    expect(r.lastOutcome!.report).toBeUndefined(); // GFP_TRANSHUGE has __GFP_NOWARN
    expect(r.vmstat.compact_stall).toBe(0);
    expect(r.vmstat.pgmigrate_success).toBe(0);
    // ++considered = 2 ≥ 2 → not deferred: compaction runs and succeeds; compaction_defer_reset(success) clears the shift.
    expect(a.allocPages(gfp("GFP_TRANSHUGE|__GFP_NORETRY"), 9)).toBe(0);
    expect(r.compactionDeferInfo(z)).toEqual({ considered: 0, deferShift: 0, orderFailed: 10 });
  });

  it("GFP_TRANSHUGE_LIGHT (no direct reclaim) cannot compact and fails; kcompactd is woken by kswapd only", () => {
    const { a, r, gfp } = fragmented();
    expect(a.allocPages(gfp("GFP_TRANSHUGE_LIGHT"), 9)).toBe(-1);
    expect(r.lastOutcome!.reason).toMatch(/__GFP_DIRECT_RECLAIM/);
    expect(r.vmstat.compact_stall).toBe(0);
  });
});

describe("kcompactd for atomic high-order requests when kswapd is hopeless (6.18)", () => {
  it("after MAX_RECLAIM_RETRIES kswapd runs without progress, wakeup_kswapd wakes kcompactd instead", () => {
    const { a, r, events, gfp } = fragmented();
    const z = a.zone(0, 2);
    const atomic = gfp("GFP_ATOMIC|__GFP_NOWARN");
    // Each failed GFP_ATOMIC order-9 request wakes kswapd (no zone is balanced at order 9). kswapd's priority loop
    // finds nothing it may reclaim (anon memory, no swap) and ends with kswapd_failures + 1; it is not balanced at
    // order 9, so it does not go to sleep handing over to kcompactd.
    for (let k = 1; k <= 16; k++) {
      expect(a.allocPages(atomic, 9)).toBe(-1);
      expect(r.kswapdWoken(0)).toBe(true);
      r.tick();
      expect(r.kswapdFailures(0)).toBe(k);
    }
    expect(r.vmstat.compact_daemon_wake).toBe(0);
    // kswapd_failures ≥ MAX_RECLAIM_RETRIES: wakeup_kswapd leaves the node alone and, the caller being unable to
    // reclaim directly, wakes kcompactd. The report of this failure says the node is all_unreclaimable.
    expect(a.allocPages(gfp("GFP_ATOMIC"), 9)).toBe(-1);
    expect(r.kswapdWoken(0)).toBe(false);
    expect(r.kcompactdWoken(0)).toBe(true);
    expect(r.lastOutcome!.report).toContain("all_unreclaimable? yes");
    expect(events).toContainEqual({ event: "mm_compaction_wakeup_kcompactd", nid: 0, order: 9, zone: "Normal" });
    // kcompactd_do_work (MIGRATE_SYNC_LIGHT) compacts pageblock 0 as direct compaction would: 256 pages moved.
    // isolate_migratepages_block() stops right after the page that fills a batch of COMPACT_CLUSTER_MAX (the last
    // used page, pfn 510) and compact_finished() then sees the free order-9 block: pfns 0..510 = 511 scanned.
    r.tick();
    expect(r.vmstat.compact_daemon_wake).toBe(1);
    expect(r.vmstat.compact_daemon_migrate_scanned).toBe(511);
    expect(r.vmstat.pgmigrate_success).toBe(256);
    expect(r.vmstat.compact_stall).toBe(0);
    // now the fast path finds the order-9 block
    expect(a.allocPages(atomic, 9)).toBe(0);
    expect(z.nrFreePages).toBe(1224 - 512);
  });
});
