import { type BuddyinfoZone, extfragIndex, parseBuddyinfo, renderBuddyinfo } from "@pagealloc/buddy";
import { bootKernel } from "@pagealloc/page-api";
import { beforeAll, describe, expect, it } from "vitest";
import { type DemoReport, renderDemo, runDemo, runSlowPathDemo } from "./demo";

let report: DemoReport;
beforeAll(() => {
  report = runDemo();
}, 60_000);

describe("runDemo (pc-4g, 6.18, seed 1)", () => {
  it("starts from the booted state", () => {
    expect(report.before.buddyinfo).toBe(renderBuddyinfo(bootKernel({ machine: "pc-4g" }).buddy));
    expect(report.phases.map((p) => p.name)).toEqual(["fill", "reclaim", "thp-burst", "atomic-burst"]);
  });

  it("the fill phase ends at the low watermark: free - (2^order - 1) <= low + lowmem_reserve in every zone", () => {
    // kernel: __zone_watermark_ok(): free_pages -= (1 << order) - 1; fail when free_pages <= min + lowmem_reserve[highest_zoneidx]
    const fill = report.failures.filter((f) => f.phase === "fill" && f.kind !== "thp" && f.kind !== "net-atomic");
    expect(fill).toHaveLength(1);
    for (const z of fill[0]!.zones) {
      expect(z.reason).toBe("watermark");
      expect(z.free - (2 ** fill[0]!.order - 1)).toBeLessThanOrEqual(z.low + z.boost + z.reserve);
    }
  });

  it("the THP burst fails from fragmentation: enough free pages, no free block of order >= 9", () => {
    const thp = report.failures.filter((f) => f.phase === "thp-burst");
    expect(thp.length).toBeGreaterThan(0);
    const normal = thp[0]!.zones.find((z) => z.zone === "Normal")!;
    expect(normal.reason).toBe("order");
    expect(normal.free - 511).toBeGreaterThan(normal.low + normal.reserve);
    expect(normal.largestFreeOrder).toBeLessThan(9);
    // Once the burst failed, /proc/buddyinfo after shows no order-9 or order-10 block in Normal.
    const after = parseBuddyinfo(report.after.buddyinfo);
    const n = after.find((z: BuddyinfoZone) => z.zone === "Normal")!;
    expect(n.nrFree[9]).toBe(0);
    expect(n.nrFree[10]).toBe(0);
  });

  it("fragmentation indices follow the kernel's formula on the buddyinfo after", () => {
    // kernel: __fragmentation_index(): 1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total,
    // −1000 when a suitable block exists. Worked here from the text of /proc/buddyinfo.
    for (const z of parseBuddyinfo(report.after.buddyinfo)) {
      const row = report.after.fragmentation.find((r) => r.zone === z.zone)!;
      const free = z.nrFree.reduce((s, n, o) => s + n * 2 ** o, 0);
      const blocks = z.nrFree.reduce((s, n) => s + n, 0);
      const suitable9 = z.nrFree.slice(9).reduce((s, n, k) => s + n * 2 ** k, 0);
      const expected = suitable9 > 0 ? -1000 : 1000 - Math.floor((1000 + Math.floor((free * 1000) / 512)) / blocks);
      expect(row.extfrag[9]).toBe(expected);
      expect(row.extfrag[9]).toBe(extfragIndex(z.nrFree, 9));
    }
  });

  it("the memory map shows one character per pageblock of Normal, typed as /proc/pagetypeinfo counts them", () => {
    const normal = report.pageblocks.find((z) => z.zone === "Normal")!;
    expect(normal.blocksPerChar).toBe(1);
    // pc-4g Normal: 1 GiB = 262144 pages = 512 pageblocks of 512 pages.
    expect(normal.map).toHaveLength(512);
    const line = report.after.pagetypeinfo.split("\n").find((l) => /^Node 0, zone\s+Normal\s+\d/.test(l))!;
    // Columns in the version's migratetype order (6.18: Unmovable Movable Reclaimable HighAtomic Isolate).
    const counts = line.trim().split(/\s+/).slice(4).map(Number);
    const count = (c: string) => [...normal.map].filter((x) => x.toUpperCase() === c).length;
    // Boot-reserved pageblocks (#) keep the type memmap_init_range() gave every pageblock: MIGRATE_MOVABLE.
    const mapped = report.legend.map((l) => count(l.char) + (l.name === "Movable" ? count("#") : 0));
    expect(mapped).toEqual(counts);

  });

  it("renders every section and is deterministic", () => {
    const text = renderDemo(report);
    for (const h of ["/proc/buddyinfo before", "/proc/pagetypeinfo after", "Watermarks", "Fragmentation indices after", "Allocation failures", "Memory map"]) {
      expect(text).toContain(h);
    }
    expect(text).toMatch(/FAIL \[thp-burst, thp, x\d+\] order-9 GFP_TRANSHUGE/);
    const again = runDemo({ machine: "tiny-16m", seed: 5 });
    expect(JSON.stringify(runDemo({ machine: "tiny-16m", seed: 5 }))).toBe(JSON.stringify(again));
  });
});

describe("renderDemo's reading", () => {
  it("says why order-9 fails in Normal, from the fragmentation index after", () => {
    const row = report.after.fragmentation.find((r) => r.zone === "Normal")!;
    const text = renderDemo(report);
    // extfrag > vm.extfrag_threshold (500, mm/compaction.c): the kernel would compact.
    expect(row.extfrag[9]).toBeGreaterThan(500);
    expect(text).toContain(`0/Normal: ${row.nrFree.reduce((n, c, o) => n + c * 2 ** o, 0)} pages free, but the largest free block is order`);
    expect(text).toContain("above vm.extfrag_threshold 500");
  });
});

describe("the slow-path phase (tiny-16m booted with @pagealloc/reclaim)", () => {
  const s = runSlowPathDemo();
  const step = (name: string) => s.steps.find((x) => x.name === name)!;

  it("kswapd wakes and reclaims; direct reclaim runs once free <= min", () => {
    const a = step("kswapd");
    // kernel: wakeup_kswapd() from __alloc_pages_slowpath() once the fast path fails at low; kswapd_wake when it runs
    expect(a.kswapdWakeups).toBeGreaterThan(0);
    // here the first wakeup comes from rmqueue(): a GFP_KERNEL fallback steal boosted the watermark (ALLOC_KSWAPD sets
    // ZONE_BOOSTED_WATERMARK) and rmqueue() calls wakeup_kswapd(zone, 0, 0, zone_idx): gfp_flags 0 prints "none"
    // (show_gfp_flags); the slow path's later wake finds kswapd already awake and traces nothing.
    expect(a.trace.some((l) => l.includes("mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=none"))).toBe(true);
    expect(a.vmstat.pgscan_kswapd).toBeGreaterThan(0);
    expect(a.vmstat.pgsteal_kswapd).toBeGreaterThan(0);
    // __perform_reclaim() counts one allocstall per try_to_free_pages() (zone of the request's reclaim_idx: Normal)
    expect(a.vmstat.allocstall_normal).toBeGreaterThan(0);
    expect(a.vmstat.pgsteal_direct).toBeGreaterThan(0);
    expect(a.requests[0]!.steps).toContain("wake_kswapd");
    expect(a.requests[0]!.steps.some((x) => x.startsWith("direct_reclaim:"))).toBe(true);
  });

  // kernel: PGSTEAL counts LRU folios freed by shrink_inactive_list() out of the PGSCAN ones isolated by the same
  // call, so pgsteal <= pgscan; slab freed by shrinkers is not counted in pgsteal.
  it("pgsteal <= pgscan (kswapd and direct)", () => {
    const a = step("kswapd");
    expect(a.vmstat.pgsteal_kswapd!).toBeLessThanOrEqual(a.vmstat.pgscan_kswapd!);
    expect(a.vmstat.pgsteal_direct!).toBeLessThanOrEqual(a.vmstat.pgscan_direct!);
  });

  it("the order-9 THP succeeds only after direct compaction migrated pages", () => {
    const b = step("compaction");
    const thp = b.requests[0]!;
    // the fast path fails (no free pageblock), the costly order compacts first (INIT_COMPACT_PRIORITY, async)
    expect(thp.succeeded).toBe(1);
    expect(thp.steps).toContain("compact:async");
    expect(b.vmstat.compact_stall).toBe(1);
    expect(b.vmstat.compact_success).toBe(1);
    expect(b.vmstat.compact_fail ?? 0).toBe(0);
    expect(b.vmstat.pgmigrate_success).toBeGreaterThan(0);
    // isolate_migratepages_block() counts every pfn it scans; a migrated page was scanned, and isolated on both sides
    expect(b.vmstat.compact_migrate_scanned!).toBeGreaterThanOrEqual(b.vmstat.pgmigrate_success!);
    expect(b.vmstat.compact_isolated).toBe(2 * b.vmstat.pgmigrate_success!);
    expect(b.trace.some((l) => /mm_compaction_end: .* status=success$/.test(l))).toBe(true);
  });

  it("GFP_NOFS cannot reclaim dirty page cache and fails; GFP_KERNEL writes it back", () => {
    const c = step("nofs");
    const [, nofs, kernel] = c.requests;
    // shrink_folio_list(): a dirty file folio is written back only with __GFP_FS (may_enter_fs); nothing else is reclaimable
    expect(nofs!.failed).toBe(1);
    expect(nofs!.result).toBe("nopage");
    expect(nofs!.steps).toContain("direct_reclaim:0");
    expect(kernel!.succeeded).toBe(1);
    expect(c.vmstat.pgsteal_direct).toBeGreaterThan(0);
  });

  it("renderDemo prints the steps, the counters and the trace lines", () => {
    const text = renderDemo({ ...report, slowPath: s });
    expect(text).toContain("== Slow path: tiny-16m");
    expect(text).toMatch(/\/proc\/vmstat deltas: .*pgscan_kswapd \+\d+/);
    expect(text).toMatch(/pagealloc-demo-1000 +\[000\] \.{5} +1\.\d{6}: mm_vmscan_wakeup_kswapd/);
    expect(text).not.toContain("Fast path only");
  });
});
