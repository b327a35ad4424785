// Round trip: a failure simulated by @pagealloc/reclaim, printed as the kernel's warn_alloc report, read back by
// @pagealloc/report and explained — the diagnosis must be the one the simulation knows to be true.
import { bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { createReclaim } from "@pagealloc/reclaim";
import { explainReport, parseFailureReports } from "@pagealloc/report";
import { describe, expect, it } from "vitest";

function zone(version: string, pages: number, wm: { min: number; low: number; high: number }) {
  const r = createReclaim();
  const a = bootBuddy(
    [{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: pages, presentPages: pages, managedPages: pages, watermark: wm, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } }],
    { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath },
  );
  r.attach(a);
  return { a, r, gfp: (e: string) => parseGfp(e, version) };
}

function explained(text: string, version: string) {
  const parsed = parseFailureReports(text);
  expect(parsed.reports.length).toBe(1);
  expect(parsed.problems).toEqual([]);
  return explainReport(parsed.reports[0]!, { version });
}

describe("simulated warn_alloc reports explain to the simulation's own diagnosis", () => {
  it("6.18 GFP_NOFS order 0 below min with only kernel memory: watermark", () => {
    const { a, r, gfp } = zone("6.18", 4096, { min: 128, low: 160, high: 192 });
    const req = { highestZoneIdx: 2, migratetype: a.facts.mt.UNMOVABLE };
    while (a.zone(0, 2).nrFreePages > 100) a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
    expect(a.allocPages(gfp("GFP_NOFS|__GFP_NORETRY"), 0)).toBe(-1);
    const e = explained(r.lastOutcome!.report!, "6.18");
    // the simulation: 100 free pages ≤ min 128 in the only zone
    expect(e.kind).toBe("watermark");
    expect(e.order).toBe(0);
    expect(e.gfp!.mask).toBe(gfp("GFP_NOFS|__GFP_NORETRY"));
  });

  it("6.18 order-3 request with plenty of free order-0 pages and unmovable memory: fragmentation", () => {
    const { a, r, gfp } = zone("6.18", 4096, { min: 128, low: 160, high: 192 });
    const req = { highestZoneIdx: 2, migratetype: a.facts.mt.UNMOVABLE };
    const pfns: number[] = [];
    while (a.zone(0, 2).nrFreePages > 0) pfns.push(a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req));
    // free every other page: 2048 free pages, none with a free buddy — no block of order ≥ 1 anywhere
    for (const pfn of pfns) if (pfn % 2 === 1) a.freePages(pfn, 0, { bypassPcp: true });
    expect(a.allocPages(gfp("GFP_KERNEL|__GFP_NORETRY"), 3)).toBe(-1);
    const e = explained(r.lastOutcome!.report!, "6.18");
    expect(e.kind).toBe("fragmentation");
  });

  it("6.18 GFP_ATOMIC order-3 burst: watermark (the reserve is usable by the request, the zone is at 3/8 of min)", () => {
    const { a, r, gfp } = zone("6.18", 65536, { min: 1024, low: 1280, high: 1536 });
    for (let k = 0; k < 125; k++) a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 9);
    while (a.allocPages(gfp("GFP_ATOMIC"), 3) >= 0);
    const e = explained(r.lastOutcome!.report!, "6.18");
    expect(e.kind).toBe("watermark");
  });

  it("2.6.24 GFP_ATOMIC order 0 with no reclaim possible: the book kernel's report, watermark", () => {
    const { a, r, gfp } = zone("2.6.24", 4096, { min: 128, low: 160, high: 192 });
    const req = { highestZoneIdx: 2, migratetype: a.facts.mt.UNMOVABLE };
    while (a.zone(0, 2).nrFreePages > 40) a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
    expect(a.allocPages(gfp("GFP_ATOMIC"), 0)).toBe(-1);
    const text = r.lastOutcome!.report!;
    expect(text.split("\n")[0]).toBe("sim: page allocation failure. order:0, mode:0x20");
    const e = explained(text, "2.6.24");
    expect(e.kind).toBe("watermark");
  });
});
