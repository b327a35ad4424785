import { type BuddyinfoZone, extfragIndex, parseBuddyinfo, renderBuddyinfo } from "@pagealloc/buddy";
import { bootKernel } from "@pagealloc/page-api";
import { beforeAll, describe, expect, it } from "vitest";
import { type DemoReport, renderDemo, runDemo } from "./demo";

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
