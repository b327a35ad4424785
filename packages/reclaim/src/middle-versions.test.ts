import { bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { describe, expect, it } from "vitest";
import { PageUse } from "./memory-use";
import { createReclaim } from "./reclaim";
import { consumeTo, oneZone } from "./test-helpers";
import { reclaimVersionFacts } from "./version";

// The 2.6.31–4.6 __alloc_pages_slowpath, read in mm/page_alloc.c of 2.6.32, 2.6.36, 3.10 and 4.4. Expected steps and
// counters follow those functions line by line (the reasoning is in each test).

/** 8192 pages, watermarks 64/80/96; anon pages everywhere but 200 free pages, then every odd pfn below 2048 freed. */
function fragmented(version: string) {
  const s = oneZone(8192, { min: 64, low: 80, high: 96 }, { version });
  const pfns = consumeTo(s.a, 200);
  for (const p of pfns) s.r.markPage(p, 0, PageUse.ANON);
  for (const p of pfns) {
    if (p < 2048 && p % 2 === 1) {
      s.r.memory.forget(p);
      s.a.freePages(p, 0, { bypassPcp: true });
    }
  }
  return s;
}

const nonZero = (v: Record<string, number | undefined>) => Object.fromEntries(Object.entries(v).filter(([, x]) => x));

describe("version rows", () => {
  it("every version from 2.6.24 to 6.18 has its flow", () => {
    expect(reclaimVersionFacts("2.6.24").flow).toBe("2.6.24");
    for (const v of ["2.6.31", "2.6.32", "2.6.35", "3.10", "4.4", "4.6"]) expect(reclaimVersionFacts(v).flow).toBe("2.6.31");
    expect(reclaimVersionFacts("4.7").flow).toBe("modern");
    expect(reclaimVersionFacts("2.6.34").compaction).toBe(false);
    expect(reclaimVersionFacts("2.6.35").compaction).toBe(true);
    expect(reclaimVersionFacts("2.6.37").classic!.asyncFirst).toBe(false);
    expect(reclaimVersionFacts("2.6.38").classic!.kswapdGate).toBe("no-kswapd");
    expect(reclaimVersionFacts("4.4").classic!.kswapdGate).toBe("kswapd-reclaim");
    expect(reclaimVersionFacts("3.10").classic!.syncMode).toBe("sync-light");
  });
});

describe("3.10: an order-9 THP fault on a fragmented movable zone", () => {
  it("succeeds after asynchronous direct compaction without waking kswapd", () => {
    const { a, r, gfp, events } = fragmented("3.10");
    // GFP_TRANSHUGE of 3.10 carries __GFP_NO_KSWAPD: `if (!(gfp_mask & __GFP_NO_KSWAPD)) wake_all_kswapd(...)` skips it.
    const mask = gfp("GFP_TRANSHUGE");
    expect(mask & gfp("__GFP_NO_KSWAPD")).not.toBe(0);
    // Free: 1024 odd pfns + 200 = 1224 pages, no block of order ≥ 1 below pfn 2048 → the fast path fails.
    const pfn = a.allocPages(mask, 9);
    expect(pfn).toBeGreaterThanOrEqual(0);
    // rebalance: get_page_from_freelist (min) fails; __alloc_pages_direct_compact with sync_migration = false.
    // compaction_suitable(): 1224 free ≥ low 80 + 2 << 9 = 1104 at order 0; fragmentation index of order 9 with
    // 1224 free pages in ~1000 blocks is ≈ 997 > extfrag_threshold 500 → COMPACT_CONTINUE.
    expect(r.lastOutcome!.steps).toEqual(["get_page_from_freelist:min", "compact:async"]);
    expect(events.some((e) => e.event === "mm_vmscan_wakeup_kswapd")).toBe(false);
    expect(r.kswapdWoken(0)).toBe(false);
    // COMPACTSTALL in try_to_compact_pages(), COMPACTSUCCESS after the allocation; compaction_defer_reset of the
    // preferred zone: compact_considered = 0, compact_defer_shift = 0, compact_order_failed = 9 + 1.
    expect(r.vmstat.compact_stall).toBe(1);
    expect(r.vmstat.compact_success).toBe(1);
    expect(r.vmstat.compact_fail).toBe(0);
    expect(r.compactionDeferInfo(a.zone(0, 2))).toEqual({ considered: 0, deferShift: 0, orderFailed: 10 });
    // an order-9 block is whole: its migrated anon pages moved elsewhere
    expect(a.allocatedOrder(pfn)).toBe(9);
  });

  it("2.6.36 has no __GFP_NO_KSWAPD and compacts synchronously (async arrives in 2.6.38)", () => {
    const { a, r, gfp } = fragmented("2.6.36");
    const pfn = a.allocPages(gfp("GFP_HIGHUSER_MOVABLE|__GFP_COMP"), 9);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:sync"]);
  });

  it("2.6.32 has no compaction: reclaim finds nothing (anon, no swap) and the costly order gives up before the OOM killer", () => {
    const { a, r, gfp } = fragmented("2.6.32");
    const pfn = a.allocPages(gfp("GFP_HIGHUSER_MOVABLE|__GFP_COMP"), 9);
    expect(pfn).toBe(-1);
    // restart: wake_all_kswapd; get_page_from_freelist; no ALLOC_NO_WATERMARKS; __GFP_WAIT → direct reclaim: anon
    // pages without swap are not reclaimable → did_some_progress = 0 → __GFP_FS && !__GFP_NORETRY →
    // __alloc_pages_may_oom() (high watermark try fails; order 9 > PAGE_ALLOC_COSTLY_ORDER: no out_of_memory) →
    // `if (order > PAGE_ALLOC_COSTLY_ORDER) goto nopage`.
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "direct_reclaim:0"]);
    expect(r.lastOutcome!.oom).toBeUndefined();
    for (const k of Object.keys(r.vmstat)) if (k.startsWith("compact_")) expect(r.vmstat[k as keyof typeof r.vmstat]).toBe(0);
    expect(nonZero(r.vmstat)).toEqual({ allocstall: 1 });
    // the 2.6.x failure line: a full stop and plain hex
    expect(r.lastOutcome!.report!.split("\n")[0]).toBe(`sim: page allocation failure. order:9, mode:0x${gfp("GFP_HIGHUSER_MOVABLE|__GFP_COMP").toString(16)}`);
  });
});

describe("an order-4 GFP_KERNEL request that reclaim cannot help (unmovable kernel memory, 100 free < min 128)", () => {
  const setup = (version: string) => {
    const s = oneZone(4096, { min: 128, low: 160, high: 192 }, { version, reclaim: { tasks: [{ pid: 5, comm: "victim", rssPages: 100 }] } });
    consumeTo(s.a, 100, s.a.facts.mt.UNMOVABLE);
    return s;
  };

  it("3.10 fails without the OOM killer and prints a report", () => {
    const { a, r, gfp } = setup("3.10");
    expect(a.allocPages(gfp("GFP_KERNEL"), 4)).toBe(-1);
    const out = r.lastOutcome!;
    // wake_all_kswapd; min fails; direct compaction (order 4, __GFP_FS|__GFP_IO): try_to_compact_pages() counts
    // COMPACTSTALL, then every zone is skipped (100 free < low 160 + 2 << 4), so no COMPACTSUCCESS/FAIL and no
    // deferral; direct reclaim frees nothing → __alloc_pages_may_oom() returns without out_of_memory() for
    // order 4 > PAGE_ALLOC_COSTLY_ORDER → `if (order > PAGE_ALLOC_COSTLY_ORDER) goto nopage` (should_alloc_retry()
    // would say no too: no __GFP_REPEAT).
    expect(out.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:async", "direct_reclaim:0"]);
    expect(out.result).toBe("nopage");
    expect(out.oom).toBeUndefined();
    expect(nonZero(r.vmstat)).toEqual({ compact_stall: 1, allocstall: 1 });
    // warn_alloc_failed() of 3.10: "%s: page allocation failure: order:%d, mode:0x%x"; GFP_KERNEL of 3.10 = 0xd0
    expect(out.report!.split("\n")[0]).toBe("sim: page allocation failure: order:4, mode:0xd0");
  });

  it("4.4 retries nothing, skips the OOM killer for the costly order, and compacts once more at `noretry:`", () => {
    const { a, r, gfp } = setup("4.4");
    expect(a.allocPages(gfp("GFP_KERNEL"), 4)).toBe(-1);
    // 4.4: no progress and order > 3 → no retry; __alloc_pages_may_oom() bails out for the costly order without
    // progress → noretry: __alloc_pages_direct_compact() with migration_mode MIGRATE_SYNC_LIGHT (not THP).
    // COMPACTSTALL counts only a compaction that was not skipped (4.4 __alloc_pages_direct_compact).
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:async", "direct_reclaim:0", "compact:sync-light"]);
    expect(nonZero(r.vmstat)).toEqual({ allocstall: 1 });
    expect(r.lastOutcome!.report!.split("\n")[0]).toBe(`sim: page allocation failure: order:4, mode:0x${gfp("GFP_KERNEL").toString(16)}`);
  });

  it("order 0 reaches the OOM killer on 2.6.32, 3.10 and 4.4", () => {
    for (const v of ["2.6.32", "3.10", "4.4"]) {
      const { a, r, gfp } = setup(v);
      expect(a.allocPages(gfp("GFP_KERNEL"), 0)).toBe(-1);
      // order 0: no compaction; reclaim 0 → out_of_memory() picks the only task; the model frees nothing
      expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "direct_reclaim:0", "oom:victim"]);
      expect(r.lastOutcome!.result).toBe("oom");
    }
  });
});

describe("compaction deferral by era", () => {
  const failCompaction = (version: string) => {
    // every page is unmovable kernel memory except 2000 scattered free pages: compaction finds nothing to migrate
    const s = oneZone(8192, { min: 64, low: 80, high: 96 }, { version });
    const pfns = consumeTo(s.a, 0, s.a.facts.mt.UNMOVABLE);
    for (const p of pfns) if (p % 4 === 1) s.a.freePages(p, 0, { bypassPcp: true });
    return s;
  };

  it("2.6.36 defers after any failed compaction; 3.10 only after a synchronous one", () => {
    const old = failCompaction("2.6.36");
    old.a.allocPages(old.gfp("GFP_KERNEL|__GFP_NORETRY"), 3);
    // one synchronous compaction (2.6.36 has no async) that fails → COMPACTFAIL and defer_compaction(): shift 1
    expect(old.r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:sync", "direct_reclaim:0"]);
    expect(old.r.vmstat.compact_fail).toBe(1);
    expect(old.r.compactionDeferInfo(old.a.zone(0, 2)).deferShift).toBe(1);
    const mid = failCompaction("3.10");
    mid.a.allocPages(mid.gfp("GFP_KERNEL|__GFP_NORETRY"), 3);
    // async first (fails, no deferral: `if (sync_migration) defer_compaction()`), reclaim 0, __GFP_NORETRY:
    // should_alloc_retry() says no → the last compaction is synchronous (sync_migration = true) and defers
    expect(mid.r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:async", "direct_reclaim:0", "compact:sync-light"]);
    expect(mid.r.vmstat.compact_fail).toBe(2);
    expect(mid.r.compactionDeferInfo(mid.a.zone(0, 2))).toEqual({ considered: 0, deferShift: 1, orderFailed: 0 });
  });

  it("4.4: a THP fault whose compaction is deferred fails without direct reclaim (is_thp_gfp_mask)", () => {
    const { a, r, gfp } = fragmented("4.4");
    r.deferCompaction(a.zone(0, 2), 9);
    const mask = gfp("GFP_TRANSHUGE");
    expect(a.allocPages(mask, 9)).toBe(-1);
    // GFP_TRANSHUGE of 4.4 has no __GFP_KSWAPD_RECLAIM: no wake. try_to_compact_pages(): the zone is deferred
    // (considered 1 < 1 << 1) → COMPACT_DEFERRED → `if (is_thp_gfp_mask(gfp_mask)) if (deferred_compaction) goto nopage`
    expect(r.lastOutcome!.steps).toEqual(["get_page_from_freelist:min", "compact:async"]);
    expect(r.lastOutcome!.reason).toMatch(/deferred/);
    expect(r.vmstat.allocstall ?? 0).toBe(0);
  });
});

describe("wakeup_kswapd of 2.6.24–4.6: the zone's low watermark at the order", () => {
  it("3.10: a request below low wakes kswapd (trace without gfp_flags), one at min succeeds", () => {
    const { a, r, gfp, events } = oneZone(4096, { min: 128, low: 160, high: 192 }, { version: "3.10" });
    for (const pfn of consumeTo(a, 150)) r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    // fast path: ALLOC_WMARK_LOW, 150 ≤ low 160 → slow path. wakeup_kswapd(): zone_watermark_ok_safe(order 0, low 160)
    // fails → wake; gfp_to_alloc_flags: ALLOC_WMARK_MIN, 150 > 128 → success.
    expect(a.allocPages(gfp("GFP_KERNEL"), 0)).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min"]);
    expect(r.kswapdWoken(0)).toBe(true);
    expect(events).toContainEqual({ event: "mm_vmscan_wakeup_kswapd", nid: 0, zid: 2, order: 0, gfp: gfp("GFP_KERNEL") });
    // 3.10 has no mm_compaction_begin/end tracepoints (≈4.1)
    expect(events.some((e) => e.event.startsWith("mm_compaction_"))).toBe(false);
  });
});

describe("the OOM killer and lowmem-only requests", () => {
  function dmaMachine(version: string) {
    const r = createReclaim({ tasks: [{ pid: 5, comm: "victim", rssPages: 100 }] });
    const a = bootBuddy(
      [
        { nid: 0, name: "DMA", zoneIdx: 0, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024, watermark: { min: 32, low: 40, high: 48 }, lowmemReserve: [0, 0, 0, 0], pcp: { batch: 1, high: 0 } },
        { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 1024, spannedPages: 4096, presentPages: 4096, managedPages: 4096, watermark: { min: 128, low: 160, high: 192 }, lowmemReserve: [0, 0, 0, 0], pcp: { batch: 1, high: 0 } },
      ],
      { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath },
    );
    r.attach(a);
    const dma = a.zone(0, 0);
    while (dma.nrFreePages > 20) a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, { highestZoneIdx: 0, migratetype: a.facts.mt.UNMOVABLE });
    return { a, r, mask: parseGfp("GFP_KERNEL|GFP_DMA", version) };
  }

  it("2.6.32 OOM-kills for a GFP_DMA request; 2.6.36 does not (high_zoneidx < ZONE_NORMAL)", () => {
    // DMA holds 20 free pages < min 32, nothing reclaimable: direct reclaim makes no progress, __GFP_FS and no
    // __GFP_NORETRY → __alloc_pages_may_oom(). 2.6.32 has no lowmem exception [SRC 2.6.32]: out_of_memory() picks the
    // task; 2.6.36 returns `if (high_zoneidx < ZONE_NORMAL) goto nopage` [SRC 2.6.36] without killing.
    const old = dmaMachine("2.6.32");
    expect(old.a.allocPages(old.mask, 0)).toBe(-1);
    expect(old.r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "direct_reclaim:0", "oom:victim"]);
    const mid = dmaMachine("2.6.36");
    expect(mid.a.allocPages(mid.mask, 0)).toBe(-1);
    expect(mid.r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "direct_reclaim:0"]);
    expect(mid.r.lastOutcome!.result).toBe("nopage");
    expect(mid.r.lastOutcome!.reason).toMatch(/lowmem/);
  });
});
