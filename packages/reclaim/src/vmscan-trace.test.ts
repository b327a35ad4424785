import { formatGfp, parseGfp } from "@pagealloc/gfp";
import { describe, expect, it } from "vitest";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";
import { type ReclaimTraceEvent, formatReclaimTraceEvent, vmscanTraceFormats } from "./trace";

// mm_vmscan_lru_shrink_inactive and mm_shrink_slab_start/end: TP_printk formats of include/trace/events/vmscan.h by
// version (mainline 6.x; the version-guarded copy in lttng-modules for 2.6.37, 3.1 and 3.12), and when the model
// emits them (shrink_inactive_list() once per batch of SWAP_CLUSTER_MAX, do_shrink_slab() once per shrinker call).

const inactive: ReclaimTraceEvent = {
  event: "mm_vmscan_lru_shrink_inactive",
  nid: 0,
  zid: 2,
  nrScanned: 31,
  nrReclaimed: 30,
  nrDirty: 31,
  nrWriteback: 0,
  nrCongested: 0,
  nrImmediate: 0,
  nrActivateAnon: 0,
  nrActivateFile: 1,
  nrRefKeep: 0,
  nrUnmapFail: 0,
  priority: 7,
  file: true,
};

describe("formats by version", () => {
  it("mm_vmscan_lru_shrink_inactive", () => {
    expect(vmscanTraceFormats("2.6.36").lruShrinkInactive).toBe("none");
    // 2.6.37–4.7: "nid=%d zid=%d nr_scanned=%ld nr_reclaimed=%ld priority=%d flags=%s"
    expect(formatReclaimTraceEvent(inactive, undefined, "3.10")).toBe("nid=0 zid=2 nr_scanned=31 nr_reclaimed=30 priority=7 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
    // 4.8 (node-based LRU): zid dropped
    expect(formatReclaimTraceEvent(inactive, undefined, "4.8")).toBe("nid=0 nr_scanned=31 nr_reclaimed=30 priority=7 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
    // 4.11: the reclaim_stat counters with one nr_activate
    expect(formatReclaimTraceEvent(inactive, undefined, "4.14")).toBe(
      "nid=0 nr_scanned=31 nr_reclaimed=30 nr_dirty=31 nr_writeback=0 nr_congested=0 nr_immediate=0 nr_activate=1 nr_ref_keep=0 nr_unmap_fail=0 priority=7 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC",
    );
    // 6.x: nr_activate_anon / nr_activate_file (stat->nr_activate[0], [1])
    expect(formatReclaimTraceEvent({ ...inactive, file: false }, undefined, "6.18")).toBe(
      "nid=0 nr_scanned=31 nr_reclaimed=30 nr_dirty=31 nr_writeback=0 nr_congested=0 nr_immediate=0 nr_activate_anon=0 nr_activate_file=1 nr_ref_keep=0 nr_unmap_fail=0 priority=7 flags=RECLAIM_WB_ANON|RECLAIM_WB_ASYNC",
    );
  });

  it("mm_shrink_slab_start / mm_shrink_slab_end", () => {
    const start: ReclaimTraceEvent = { event: "mm_shrink_slab_start", shrinker: "super_cache_scan+0x0/0x1b0", shr: "ffff888003a4c0c0", nid: 0, nrObjectsToShrink: 0, gfp: 0xd0, pgsScanned: 57, lruPgs: 3996, cacheItems: 3996, delta: 2, totalScan: 2, priority: 11 };
    const end: ReclaimTraceEvent = { event: "mm_shrink_slab_end", shrinker: "super_cache_scan+0x0/0x1b0", shr: "ffff888003a4c0c0", nid: 0, unusedScan: 0, newScan: 0, totalScan: 0, retval: 2 };
    const g = (v: string) => (m: number) => formatGfp(m, v, "trace");
    expect(vmscanTraceFormats("3.0").shrinkSlab).toBe("none");
    // 3.1: "%pF %p: objects to shrink %ld gfp_flags %s pgs_scanned %ld lru_pgs %ld cache items %ld delta %lld total_scan %ld"
    expect(formatReclaimTraceEvent(start, g("3.4"), "3.4")).toBe(
      "super_cache_scan+0x0/0x1b0 ffff888003a4c0c0: objects to shrink 0 gfp_flags GFP_KERNEL pgs_scanned 57 lru_pgs 3996 cache items 3996 delta 2 total_scan 2",
    );
    expect(formatReclaimTraceEvent(end, undefined, "3.4")).toBe("super_cache_scan+0x0/0x1b0 ffff888003a4c0c0: unused scan count 0 new scan count 0 total_scan 0 last shrinker return val 2");
    // 3.12: "nid: %d" after the pointer
    expect(formatReclaimTraceEvent({ ...start, gfp: parseGfp("GFP_KERNEL", "4.4") }, g("4.4"), "4.4")).toBe(
      "super_cache_scan+0x0/0x1b0 ffff888003a4c0c0: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL pgs_scanned 57 lru_pgs 3996 cache items 3996 delta 2 total_scan 2",
    );
    // 4.16+: priority instead of pgs_scanned / lru_pgs
    expect(formatReclaimTraceEvent({ ...start, gfp: 0xcc0 }, g("6.18"), "6.18")).toBe(
      "super_cache_scan+0x0/0x1b0 ffff888003a4c0c0: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL cache items 3996 delta 2 total_scan 2 priority 11",
    );
    expect(formatReclaimTraceEvent(end, undefined, "6.18")).toBe("super_cache_scan+0x0/0x1b0 ffff888003a4c0c0: nid: 0 unused scan count 0 new scan count 0 total_scan 0 last shrinker return val 2");
  });
});

describe("formats of the older vmscan events", () => {
  it("mm_vmscan_wakeup_kswapd and mm_vmscan_direct_reclaim_begin", () => {
    const wake: ReclaimTraceEvent = { event: "mm_vmscan_wakeup_kswapd", nid: 0, zid: 2, order: 3, gfp: 0xd0 };
    const begin: ReclaimTraceEvent = { event: "mm_vmscan_direct_reclaim_begin", order: 0, gfp: 0xd0 };
    const g = (m: number) => formatGfp(m, "3.10", "trace");
    // 2.6.36–4.15: TP_printk("nid=%d zid=%d order=%d"); "order=%d may_writepage=%d gfp_flags=%s" (lttng-modules' 3.x copy)
    expect(formatReclaimTraceEvent(wake, g, "3.10")).toBe("nid=0 zid=2 order=3");
    expect(formatReclaimTraceEvent(begin, g, "3.10")).toBe("order=0 may_writepage=1 gfp_flags=GFP_KERNEL");
    // 6.x: "nid=%d order=%d gfp_flags=%s"; "order=%d gfp_flags=%s"
    const g6 = (m: number) => formatGfp(m, "6.18", "trace");
    expect(formatReclaimTraceEvent({ ...wake, gfp: 0xcc0 }, g6, "6.18")).toBe("nid=0 order=3 gfp_flags=GFP_KERNEL");
    expect(formatReclaimTraceEvent({ ...begin, gfp: 0xcc0 }, g6, "6.18")).toBe("order=0 gfp_flags=GFP_KERNEL");
  });
});

describe("emitted by reclaim (traceDetail)", () => {
  it("direct reclaim of dirty page cache: one mm_vmscan_lru_shrink_inactive per batch", () => {
    const { a, r, gfp, events } = oneZone(4096, { min: 128, low: 160, high: 192 }, { reclaim: { traceDetail: true } });
    for (const pfn of consumeTo(a, 100)) r.markPage(pfn, 0, PageUse.FILE_DIRTY);
    expect(a.allocPages(gfp("GFP_KERNEL|__GFP_NORETRY"), 0)).toBeGreaterThanOrEqual(0);
    // 3996 dirty file pages on the inactive list, no swap: get_scan_count scans file only, size >> priority per
    // priority: 12 → 0 (no call), 11 → 1, 10 → 3, 9 → 7, 8 → 15, 7 → 31 (57 ≥ 32: stop). Each is one batch
    // (≤ SWAP_CLUSTER_MAX), so one event per priority; __GFP_FS writes every page back: reclaimed = scanned = dirty.
    const ev = events.filter((e) => e.event === "mm_vmscan_lru_shrink_inactive");
    expect(ev.map((e) => (e.event === "mm_vmscan_lru_shrink_inactive" ? [e.priority, e.nrScanned, e.nrReclaimed, e.nrDirty, e.file] : []))).toEqual([
      [11, 1, 1, 1, true],
      [10, 3, 3, 3, true],
      [9, 7, 7, 7, true],
      [8, 15, 15, 15, true],
      [7, 31, 31, 31, true],
    ]);
    // the events sit between direct_reclaim_begin and _end
    const names = events.map((e) => e.event);
    expect(names.indexOf("mm_vmscan_direct_reclaim_begin")).toBeLessThan(names.indexOf("mm_vmscan_lru_shrink_inactive"));
    expect(names.lastIndexOf("mm_vmscan_lru_shrink_inactive")).toBeLessThan(names.indexOf("mm_vmscan_direct_reclaim_end"));
  });

  it("direct reclaim of reclaimable slab: mm_shrink_slab_start/end per priority", () => {
    const { a, r, gfp, events } = oneZone(4096, { min: 128, low: 160, high: 192 }, { reclaim: { traceDetail: true } });
    for (const pfn of consumeTo(a, 100)) r.markPage(pfn, 0, PageUse.SLAB_RECLAIMABLE);
    const mask = gfp("GFP_KERNEL|__GFP_NORETRY");
    expect(a.allocPages(mask, 0)).toBeGreaterThanOrEqual(0);
    // do_shrink_slab(): delta = (freeable >> priority) × 4 / DEFAULT_SEEKS (2). Freeable 3996: priority 12 → 0 (no
    // call); 11 → 1 × 2 = 2 (3994 left); 10 → 3994 >> 10 = 3 → 6 (3988); 9 → 7 → 14 (3974); 8 → 15 → 30 (3944):
    // 52 ≥ 32 → stop.
    const starts = events.filter((e) => e.event === "mm_shrink_slab_start");
    expect(starts.map((e) => (e.event === "mm_shrink_slab_start" ? [e.priority, e.cacheItems, e.delta, e.totalScan, e.gfp] : []))).toEqual([
      [11, 3996, 2, 2, mask],
      [10, 3994, 6, 6, mask],
      [9, 3988, 14, 14, mask],
      [8, 3974, 30, 30, mask],
    ]);
    expect(events.filter((e) => e.event === "mm_shrink_slab_end").map((e) => (e.event === "mm_shrink_slab_end" ? e.retval : -1))).toEqual([2, 6, 14, 30]);
    // no LRU pages: no mm_vmscan_lru_shrink_inactive
    expect(events.some((e) => e.event === "mm_vmscan_lru_shrink_inactive")).toBe(false);
  });

  it("nothing without traceDetail, and no shrink_slab events before 3.1", () => {
    const plain = oneZone(4096, { min: 128, low: 160, high: 192 });
    for (const pfn of consumeTo(plain.a, 100)) plain.r.markPage(pfn, 0, PageUse.SLAB_RECLAIMABLE);
    plain.a.allocPages(plain.gfp("GFP_KERNEL|__GFP_NORETRY"), 0);
    expect(plain.events.some((e) => e.event === "mm_shrink_slab_start")).toBe(false);
    const old = oneZone(4096, { min: 128, low: 160, high: 192 }, { version: "2.6.38", reclaim: { traceDetail: true } });
    for (const pfn of consumeTo(old.a, 100)) old.r.markPage(pfn, 0, PageUse.SLAB_RECLAIMABLE);
    old.a.allocPages(old.gfp("GFP_KERNEL|__GFP_NORETRY"), 0);
    expect(old.r.vmstat.allocstall).toBe(1);
    expect(old.events.some((e) => e.event === "mm_shrink_slab_start")).toBe(false);
  });
});
