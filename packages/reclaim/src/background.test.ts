import { describe, expect, it } from "vitest";
import { formatReclaimTraceEvent } from "./trace";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";
import { formatGfp } from "@pagealloc/gfp";

describe("kswapd after a fallback steal boosted the watermark (6.18)", () => {
  it("wakes for the boost, reclaims to high + boost, resets the boost and wakes kcompactd at pageblock order", () => {
    // 8192 pages, min 64 / low 80 / high 96. boost_watermark(): max_boost = high × 15000 / 10000 = 144, at least
    // pageblock_nr_pages 512 → boost = min(0 + 512, 512) = 512 (kernel-facts §4.3).
    const { a, r, events } = oneZone(8192, { min: 64, low: 80, high: 96 });
    const z = a.zone(0, 2);
    // Movable page cache everywhere except 1000 free pages left in small blocks, then an UNMOVABLE order-0 request
    // that must fall back to a MOVABLE block smaller than a pageblock: try_to_claim_block → boost_watermark.
    for (const pfn of consumeTo(a, 0)) r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    for (let pfn = 0; pfn < 2000; pfn += 2) {
      r.memory.forget(pfn);
      a.freePages(pfn, 0, { bypassPcp: true });
    }
    const pfn = a.allocPages(0xcc0, 0); // GFP_KERNEL: Unmovable, ALLOC_KSWAPD
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(z.watermarkBoost).toBe(512);
    // rmqueue(): ALLOC_KSWAPD and ZONE_BOOSTED_WATERMARK → wakeup_kswapd(zone, 0, 0, zone_idx)
    expect(r.takeBoostWake()).toBe(true);
    expect(r.kswapdWoken(0)).toBe(true);
    // kswapd (balance_pgdat): free 999 > high + boost = 608, so the node is balanced, but boosted reclaim still frees
    // nr_boost_reclaim = 512 pages, without writeback or swap. 7191 clean pages on the inactive list, scanned
    // size >> priority with the list shrinking: 1, 3, 7, 14, 27, 55, 110, 217 (434 < 512), then 6757 >> 4 = 422:
    // 856 pages, after which the boost is reset and kcompactd woken at pageblock_order.
    expect(r.tick()).toBe(856);
    expect(z.watermarkBoost).toBe(0);
    expect(r.vmstat.compact_daemon_wake).toBe(1);
    const wake = events.find((e) => e.event === "mm_compaction_kcompactd_wake");
    expect(wake).toEqual({ event: "mm_compaction_kcompactd_wake", nid: 0, order: 9, zone: "Normal" });
    expect(formatReclaimTraceEvent(wake!)).toBe("nid=0 order=9 classzone_idx=Normal  ");
  });
});

describe("trace text (include/trace/events/vmscan.h, compaction.h)", () => {
  it("prints the kernel's TP_printk formats", () => {
    const g = (m: number) => formatGfp(m, "6.18", "trace");
    expect(formatReclaimTraceEvent({ event: "mm_vmscan_wakeup_kswapd", nid: 0, zid: 2, order: 3, gfp: 0x820 }, g)).toBe("nid=0 order=3 gfp_flags=GFP_ATOMIC");
    expect(formatReclaimTraceEvent({ event: "mm_vmscan_direct_reclaim_begin", order: 0, gfp: 0xcc0 }, g)).toBe("order=0 gfp_flags=GFP_KERNEL");
    expect(formatReclaimTraceEvent({ event: "mm_vmscan_direct_reclaim_end", nrReclaimed: 57 })).toBe("nr_reclaimed=57");
    expect(formatReclaimTraceEvent({ event: "mm_compaction_begin", zoneStart: 0x1000, migratePfn: 0x1000, freePfn: 0x3fe00, zoneEnd: 0x40000, sync: false })).toBe(
      "zone_start=0x1000 migrate_pfn=0x1000 free_pfn=0x3fe00 zone_end=0x40000, mode=async",
    );
    expect(formatReclaimTraceEvent({ event: "mm_compaction_end", zoneStart: 0, migratePfn: 0x200, freePfn: 0x1e00, zoneEnd: 0x2000, sync: true, status: "success" })).toBe(
      "zone_start=0x0 migrate_pfn=0x200 free_pfn=0x1e00 zone_end=0x2000, mode=sync status=success",
    );
    expect(formatReclaimTraceEvent({ event: "mm_compaction_deferred", nid: 0, zone: "Normal", order: 9, orderFailed: 0, considered: 1, deferShift: 1 })).toBe(
      "node=0 zone=Normal   order=9 order_failed=0 consider=1 limit=2",
    );
  });
});

describe("2.6.24 (the book's __alloc_pages flow)", () => {
  it("GFP_KERNEL below pages_min: try_to_free_pages, then the retry with ALLOC_WMARK_MIN|ALLOC_CPUSET succeeds", () => {
    const { a, r, gfp } = oneZone(4096, { min: 128, low: 160, high: 192 }, { version: "2.6.24" });
    for (const pfn of consumeTo(a, 100, a.facts.mt.MOVABLE)) r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    const pfn = a.allocPages(gfp("GFP_KERNEL"), 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    // 3996 clean pages: 1 + 3 + 7 + 15 + 31 = 57 reclaimed before nr_to_reclaim (32) is reached
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "direct_reclaim:57"]);
    expect(r.lastOutcome!.allocFlags).toBe(a.bits.WMARK_MIN | a.bits.CPUSET);
  });

  it("order 4 > PAGE_ALLOC_COSTLY_ORDER without progress: no OOM kill, nopage and the 2.6.24 report", () => {
    const { a, r, gfp } = oneZone(4096, { min: 128, low: 160, high: 192 }, { version: "2.6.24", reclaim: { tasks: [{ pid: 5, comm: "x", rssPages: 10 }] } });
    consumeTo(a, 100);
    expect(a.allocPages(gfp("GFP_KERNEL"), 4)).toBe(-1);
    expect(r.lastOutcome!.reason).toBe("order 4 > PAGE_ALLOC_COSTLY_ORDER: no OOM kill");
    expect(r.lastOutcome!.report!.split("\n")[0]).toBe("sim: page allocation failure. order:4, mode:0xd0");
  });
});
