import { describe, expect, it } from "vitest";
import { NofailStallError } from "./errors";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";

// Every scenario uses one Normal zone with hand-chosen watermarks; expected values are worked out from the
// kernel's rules (mm/page_alloc.c, mm/vmscan.c, mm/compaction.c) in the comments.

describe("order-0 GFP_KERNEL below the low watermark (6.18)", () => {
  it("wakes kswapd, succeeds from the min reserve, and kswapd reclaims back above high", () => {
    const { a, r, events, gfp } = oneZone(4096, { min: 128, low: 160, high: 192 });
    const z = a.zone(0, 2);
    const GFP_KERNEL = gfp("GFP_KERNEL");
    // Fast path: ALLOC_WMARK_LOW; zone_watermark_fast at order 0 passes while free > low + lowmem_reserve = 160,
    // so 4096 − 160 = 3936 allocations succeed without the slow path.
    for (let k = 0; k < 3936; k++) {
      const pfn = a.allocPages(GFP_KERNEL, 0);
      r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    }
    expect(z.nrFreePages).toBe(160);
    expect(r.lastOutcome).toBeNull();
    expect(r.kswapdWoken(0)).toBe(false);
    // The next one fails the fast path (160 is not > 160). Slow path: wake_all_kswapds (ALLOC_KSWAPD), then
    // get_page_from_freelist with gfp_to_alloc_flags = ALLOC_WMARK_MIN|ALLOC_CPUSET|ALLOC_KSWAPD: 160 > 128 passes.
    const pfn = a.allocPages(GFP_KERNEL, 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min"]);
    expect(r.lastOutcome!.allocFlags).toBe(a.bits.WMARK_MIN | a.bits.CPUSET | a.bits.KSWAPD);
    expect(z.nrFreePages).toBe(159);
    expect(r.kswapdWoken(0)).toBe(true);
    expect(events).toContainEqual({ event: "mm_vmscan_wakeup_kswapd", nid: 0, zid: 2, order: 0, gfp: GFP_KERNEL });
    // kswapd (balance_pgdat) scans lru_size >> priority pages per pass, from DEF_PRIORITY 12, until the zone is above
    // high (free > 192). 3936 clean page-cache pages: prio 12 → 0, 11 → 1, 10 → 3, 9 → 7, 8 → 15 (free 185),
    // 7 → 30 (free 215 > 192, balanced): 56 pages.
    expect(r.tick()).toBe(56);
    expect(z.nrFreePages).toBe(215);
    expect(r.vmstat.pgscan_kswapd).toBe(56);
    expect(r.vmstat.pgsteal_kswapd).toBe(56);
    expect(r.vmstat.pageoutrun).toBe(6); // passes at priorities 12..7
    expect(r.kswapdWoken(0)).toBe(false);
    expect(events.map((e) => e.event)).toContain("mm_vmscan_kswapd_sleep");
  });
});

describe("GFP_NOFS and dirty page cache", () => {
  // 4096 pages, 100 left free, the rest dirty page cache: below min (128), so the slow path must reclaim.
  const setup = () => {
    const s = oneZone(4096, { min: 128, low: 160, high: 192 });
    for (const pfn of consumeTo(s.a, 100)) s.r.markPage(pfn, 0, PageUse.FILE_DIRTY);
    return s;
  };

  it("GFP_NOFS cannot write dirty file pages back, so direct reclaim frees nothing and NORETRY fails", () => {
    const { a, r, gfp } = setup();
    // shrink_folio_list(): a dirty page needs pageout(), which may_enter_fs() forbids without __GFP_FS.
    const pfn = a.allocPages(gfp("GFP_NOFS|__GFP_NORETRY"), 0);
    expect(pfn).toBe(-1);
    const out = r.lastOutcome!;
    expect(out.steps).toContain("direct_reclaim:0");
    expect(out.reason).toMatch(/__GFP_NORETRY/);
    expect(r.memory.pagesByUse[PageUse.FILE_DIRTY]).toBe(3996);
    // warn_alloc (no __GFP_NOWARN): the 6.18 failure line with the flag names and the 4.10+ nodemask tail;
    // GFP_NOFS = __GFP_RECLAIM|__GFP_IO = 0xc40, __GFP_NORETRY = bit 16 (6.10+ layout)
    expect(out.report!.split("\n")[0]).toBe("sim: page allocation failure: order:0, mode:0x10c40(GFP_NOFS|__GFP_NORETRY), nodemask=(null),cpuset=/,mems_allowed=0");
  });

  it("GFP_KERNEL reclaims them (writeback allowed) and succeeds", () => {
    const { a, r, gfp } = setup();
    // do_try_to_free_pages: nr_to_reclaim = SWAP_CLUSTER_MAX (32). 3996 pages scanned size >> priority per pass:
    // 12 → 0, 11 → 1, 10 → 3, 9 → 7, 8 → 15 (26), 7 → 31 in one batch (57 ≥ 32, stop).
    const pfn = a.allocPages(gfp("GFP_KERNEL|__GFP_NORETRY"), 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toContain("direct_reclaim:57");
    expect(r.vmstat.pgsteal_direct).toBe(57);
    expect(r.vmstat.allocstall_normal).toBe(1); // the per-zone counter of reclaim_idx = gfp_zone(GFP_KERNEL)
    // 100 + 57 free, one page handed out
    expect(a.zone(0, 2).nrFreePages).toBe(156);
  });
});

describe("__GFP_NOFAIL and the OOM decision", () => {
  // 100 free pages below min 128; the rest unmovable kernel memory: nothing to reclaim.
  const setup = (tasks = [{ pid: 10, comm: "small", rssPages: 100 }, { pid: 11, comm: "big", rssPages: 3000 }, { pid: 12, comm: "db", rssPages: 3000, oomScoreAdj: -1000 }]) => {
    const s = oneZone(4096, { min: 128, low: 160, high: 192 }, { reclaim: { tasks } });
    consumeTo(s.a, 100);
    return s;
  };

  it("GFP_KERNEL without NOFAIL ends in the OOM decision (the largest task not exempt), memory not freed", () => {
    const { a, r, gfp } = setup();
    // should_reclaim_retry: no reclaimable pages, 100 ≤ min → no retry; __alloc_pages_may_oom: order 0, Normal, __GFP_FS.
    // oom_badness: small 100, big 3000, db exempt (oom_score_adj −1000).
    expect(a.allocPages(gfp("GFP_KERNEL"), 0)).toBe(-1);
    const out = r.lastOutcome!;
    expect(out.result).toBe("oom");
    expect(out.oom!.victim!.comm).toBe("big");
    expect(out.oom!.points).toBe(3000);
    expect(out.oom!.candidates.find((c) => c.comm === "db")!.points).toBeNull();
    expect(r.vmstat.oom_kill).toBe(1);
    expect(a.zone(0, 2).nrFreePages).toBe(100);
  });

  it("GFP_KERNEL|__GFP_NOFAIL gets a page from below the min watermark (ALLOC_NO_WATERMARKS after the OOM step)", () => {
    const { a, r, gfp } = setup();
    const pfn = a.allocPages(gfp("GFP_KERNEL|__GFP_NOFAIL"), 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.result).toBe("success");
    expect(a.zone(0, 2).nrFreePages).toBe(99);
  });

  it("GFP_NOFS|__GFP_NOFAIL: out_of_memory pretends progress for !__GFP_FS, NOFAIL still takes the reserves", () => {
    const { a, r, gfp } = setup();
    const pfn = a.allocPages(gfp("GFP_NOFS|__GFP_NOFAIL"), 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toContain("oom:skipped-nofs");
  });

  it("never returns -1 for __GFP_NOFAIL: with no memory at all the model throws instead of looping forever", () => {
    const { a, gfp } = setup();
    consumeTo(a, 0);
    expect(() => a.allocPages(gfp("GFP_KERNEL|__GFP_NOFAIL"), 0)).toThrow(NofailStallError);
  });

  it("__GFP_MEMALLOC gives ALLOC_NO_WATERMARKS on the retry, without reclaim", () => {
    const { a, r, gfp } = setup();
    // GFP_ATOMIC alone may go down to 3/8 of min (ALLOC_MIN_RESERVE halves 128 to 64, ALLOC_NON_BLOCK takes a quarter
    // more: 48); with 40 free that fails, and only __gfp_pfmemalloc_flags' ALLOC_NO_WATERMARKS gets a page.
    consumeTo(a, 40);
    expect(a.allocPages(gfp("GFP_ATOMIC"), 0)).toBe(-1);
    expect(a.allocPages(gfp("GFP_ATOMIC|__GFP_MEMALLOC"), 0)).toBeGreaterThanOrEqual(0);
    expect(r.lastOutcome!.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "get_page_from_freelist:no_watermarks"]);
  });
});
