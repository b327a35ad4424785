import { describe, expect, it, vi } from "vitest";
import { F48, F619, fixture } from "./__fixtures__/fixtures";
import { InvalidReportError } from "./errors";
import { parseFailureReports } from "./parse-report";
import type { FailureReport } from "./report-types";
import { whatIf } from "./what-if";

// each whatIf boots a simulated machine of several GiB (typed arrays per page): seconds, not milliseconds
vi.setConfig({ testTimeout: 60_000 });

const r48 = parseFailureReports(fixture(F48)).reports[0] as FailureReport;
const r619 = parseFailureReports(fixture(F619)).reports[0] as FailureReport;
const live = {
  zoneinfo: fixture("live-6.18/zoneinfo.txt"),
  buddyinfo: fixture("live-6.18/buddyinfo.txt"),
  pagetypeinfo: fixture("live-6.18/pagetypeinfo.txt"),
};

describe("whatIf runs the real allocation on a machine booted from the Mem-Info", () => {
  it("4.8: order-4 GFP_ATOMIC fails for fragmentation", () => {
    // 4.8 rules: the walk for GFP_ATOMIC (highest zone Normal) is Normal, DMA32, DMA.
    // Normal: largest printed free block is 2*16kB (order 2): no block of order ≥ 4 → __zone_watermark_ok's
    //   per-order loop finds nothing.
    // DMA32: largest is 10*32kB (order 3): same.
    // DMA: has 2*64kB (order 4) but free 15908kB = 3977 pages, minus 2^4 − 1 = 3962; the slow path's mark
    //   min 136kB = 34 → ALLOC_HIGH halves it (17) → ALLOC_HARDER takes a quarter off (13) → + lowmem_reserve[Normal]
    //   7621 = 7634 > 3962: fails.
    // GFP_ATOMIC cannot reclaim directly, so after the slow path's retry at min the allocation fails: the rest of
    // the slow path (run by default) ends there, without direct compaction or reclaim.
    const w = whatIf(r48, { order: 4, gfp: "GFP_ATOMIC" });
    const s = w.simulation!;
    expect(s.succeeded).toBe(false);
    expect(w.wouldSucceed).toBe(false);
    expect(s.zones.map((z) => z.name)).toEqual(["Normal", "DMA32", "DMA"]);
    expect(s.zones.map((z) => z.slowOk)).toEqual([false, false, false]);
    // no free block of order ≥ 4 in Normal and DMA32; DMA has them (2 order-4 U, … 3 order-10 M)
    expect(s.zones[0]!.freeBlocks).toEqual({});
    expect(s.zones[1]!.freeBlocks).toEqual({});
    expect(s.zones[2]!.freeBlocks.Unmovable?.[4]).toBe(2);
    expect(s.slowPath?.result).toBe("nopage");
    expect(s.slowPath?.steps.some((x) => x.startsWith("compact") || x.startsWith("direct_reclaim"))).toBe(false);
    expect(s.reason).toMatch(/cannot reclaim directly/);
    // compact: false stops after the first retry at min and says why each zone failed
    const first = whatIf(r48, { order: 4, gfp: "GFP_ATOMIC", compact: false }).simulation!;
    expect(first.slowPath).toBeNull();
    expect(first.reason).toMatch(/Normal: fails the min watermark check, no free block of order ≥ 4; DMA32: .*no free block of order ≥ 4/);
    expect(first.reason).toMatch(/cannot reclaim directly/);
  });

  it("4.8: order-3 GFP_ATOMIC is served on the fast path from one of DMA32's order-3 Unmovable blocks", () => {
    // Fast path (4.8: ALLOC_WMARK_LOW, no ALLOC_HIGH/HARDER yet). Normal: no block of order ≥ 3 → fails.
    // DMA32: free 133192kB = 33298 pages − (2^3 − 1) = 33291 > low 29052kB = 7263 + lowmem_reserve[Normal] 4994
    //   = 12257, and order 3 has blocks (10*32kB (U)) → passes. GFP_ATOMIC is MIGRATE_UNMOVABLE: the U list has one.
    const w = whatIf(r48, { order: 3, gfp: "GFP_ATOMIC" });
    const s = w.simulation!;
    expect(s.succeeded).toBe(true);
    expect(s.path).toBe("fast");
    expect(s.zone).toEqual({ nid: 0, name: "DMA32" });
    expect(s.fromBlock).toMatchObject({ order: 3, migratetype: "Unmovable", pfn: s.pfn });
    expect(w.servedBy).toEqual({ nid: 0, zone: "DMA32", path: "fast" });
  });

  it("6.19: GFP_KERNEL order 0 fails like the report (NR_FREE_PAGES as printed, not the free-area sum)", () => {
    // DMA32: printed free 52184kB = 13046 pages; min 15860kB = 3965 + lowmem_reserve[Normal] 9127 = 13092 > 13046:
    // fails (the free-area line sums to 13105 and would pass: the kernel checks the counter).
    // Normal: free 79392kB = 19848 < min 80308kB = 20077 (+ boost already in min): fails. DMA: reserve 11990 > free.
    // GFP_KERNEL may reclaim, so the rest of the slow path runs (the default): the simulated machine's allocated pages
    // are kernel memory or, as many as the LRU lists printed, anonymous pages without swap, so direct reclaim frees
    // nothing; order 0 never compacts; should_reclaim_retry() gives up after MAX_RECLAIM_RETRIES (16) rounds without
    // progress (at least 17 rounds: it retries while no_progress_loops <= 16), and the OOM killer finds no task.
    const s = whatIf(r619, { order: 0, gfp: 0xcc0 }).simulation!;
    expect(s.succeeded).toBe(false);
    expect(s.zones.find((z) => z.name === "DMA32")!.freePages).toBe(13046);
    const steps = s.slowPath!.steps;
    expect(steps.filter((x) => x.startsWith("direct_reclaim")).length).toBeGreaterThanOrEqual(17);
    expect(steps.filter((x) => x.startsWith("direct_reclaim") && x !== "direct_reclaim:0")).toEqual([]);
    expect(steps.some((x) => x.startsWith("compact"))).toBe(false);
    expect(s.slowPath!.result).toBe("oom");
    // compact: false: the first retry only
    expect(whatIf(r619, { order: 0, gfp: 0xcc0, compact: false }).simulation!.reason).toMatch(/reclaim and compact, which is not simulated/);
  });
});

describe("the printed marks include the boost", () => {
  it("the simulated zone's mark is the printed low, not low + boost again", () => {
    // min_wmark_pages()/low_wmark_pages() = _watermark[] + watermark_boost: the printed low 500kB = 125 pages already
    // holds the boost 400kB = 100. Fast path for order 0: free 800kB = 200 pages > 125 + lowmem_reserve 0 → pass
    // (counting the boost twice would give 225 and fail).
    const log = "a: page allocation failure: order:3, mode:0xcc0(GFP_KERNEL)\nCPU: 0 PID: 1 Comm: a Not tainted 6.18.0 #1\n" +
      "Mem-Info:\nNode 0 Normal free:800kB boost:400kB min:440kB low:500kB high:560kB\nlowmem_reserve[]: 0 0 0 0 0\n" +
      "Node 0 Normal: 200*4kB (M) 0*8kB 0*16kB 0*32kB = 800kB\n";
    const w = whatIf(parseFailureReports(log).reports[0]!, { order: 0, gfp: "GFP_KERNEL" });
    expect(w.simulation!.zones[0]!.fastOk).toBe(true);
    expect(w.servedBy).toEqual({ nid: 0, zone: "Normal", path: "fast" });
  });
});

describe("whatIf with other sysctls", () => {
  it("6.19: with min_free_kbytes=16384 the GFP_KERNEL order-0 request that failed passes the fast path in Normal", () => {
    // __setup_per_zone_wmarks: pages_min = 16384 / 4 = 4096; lowmem pages = managed DMA 3841 + DMA32 732854 +
    // Normal 2336697 = 3073392. Normal: tmp = 4096 × 2336697 / 3073392 = 3114 = min; delta = max(3114 / 4 = 778,
    // 2336697 × 10 / 10000 = 2336) = 2336; low = 5450, high = 7786. The fast path's mark is low + boost
    // (28672kB = 7168) = 12618 < free 19848 − free_highatomic 8: passes, lowmem_reserve[Normal] = 0.
    const w = whatIf(r619, { order: 0, gfp: 0xcc0, sysctls: { min_free_kbytes: 16384 } });
    expect(w.simulation!.notes.join(" ")).toContain("Normal 3114/5450/7786");
    expect(w.servedBy).toEqual({ nid: 0, zone: "Normal", path: "fast" });
    // lowmem_reserve_ratio: DMA32's reserve for a Normal request = Normal managed 2336697 / 256 = 9127 (as printed)
    const r = whatIf(r619, { order: 0, gfp: 0xcc0, sysctls: { lowmem_reserve_ratio: [256, 256, 32, 0, 0] } });
    expect(r.simulation!.notes.join(" ")).toContain("DMA32 [0 0 9127 9127 9127]");
  });
});

describe("whatIf with compact: the rest of the slow path (@pagealloc/reclaim)", () => {
  it("4.8: order-4 GFP_ATOMIC still fails: no __GFP_DIRECT_RECLAIM, so no direct compaction", () => {
    // __alloc_pages_slowpath: wake kswapd, retry at min (fails as above), then can_direct_reclaim is false → nopage.
    const s = whatIf(r48, { order: 4, gfp: "GFP_ATOMIC", compact: true }).simulation!;
    expect(s.succeeded).toBe(false);
    expect(s.slowPath?.result).toBe("nopage");
    expect(s.slowPath?.steps).not.toContain("compact:async");
  });

  it("4.8: order-4 GFP_KERNEL compacts before reclaiming (costly order)", () => {
    // order 4 > PAGE_ALLOC_COSTLY_ORDER 3 with __GFP_DIRECT_RECLAIM: after the retry at min the slow path runs
    // __alloc_pages_direct_compact at INIT_COMPACT_PRIORITY (async) before any direct reclaim.
    const s = whatIf(r48, { order: 4, gfp: "GFP_KERNEL", compact: true }).simulation!;
    expect(s.slowPath?.steps.slice(0, 3)).toEqual(["wake_kswapd", "get_page_from_freelist:min", "compact:async"]);
    expect(s.notes.join(" ")).toMatch(/LRU lists/);
  });
});

describe("whatIf on live /proc files of this machine (6.18)", () => {
  it("order-0 GFP_KERNEL succeeds on the fast path from Normal", () => {
    // zoneinfo: Normal pages free 1726555, low 15720, protection[Normal] 0 → 1726555 > 15720 and order 0 always has a
    // free page: the first zone of the walk (Normal, GFP_KERNEL's highest zone) serves it on the fast path.
    const w = whatIf(live, { order: 0, gfp: "GFP_KERNEL", version: "6.18" });
    expect(w.simulation!.succeeded).toBe(true);
    expect(w.servedBy).toEqual({ nid: 0, zone: "Normal", path: "fast" });
    expect(w.simulation!.notes.join(" ")).toMatch(/holes and reserved pages/);
  });

  it("the simulated free lists are the captured ones", () => {
    // order-10 GFP_KERNEL: pagetypeinfo lists 862 order-10 blocks in Normal, all Movable; GFP_KERNEL is Unmovable,
    // so on 6.18 __rmqueue falls back and claims a whole Movable max-order block.
    const s = whatIf(live, { order: 10, gfp: "GFP_KERNEL", version: "6.18" }).simulation!;
    const normal = s.zones.find((z) => z.name === "Normal")!;
    expect(normal.freeBlocks).toEqual({ Movable: { 10: 862 } });
    expect(s.succeeded).toBe(true);
    expect(s.fromBlock).toMatchObject({ order: 10, migratetype: "Movable" });
  });

  it("bad /proc text is a typed error", () => {
    expect(() => whatIf({ zoneinfo: "Node 0, zone Normal\n  pages free x\n" }, { order: 0, gfp: "GFP_KERNEL" })).toThrow(InvalidReportError);
  });
});
