// Round trip: the warn_alloc reports @pagealloc/reclaim prints for kernels of every era parse with the same parser as
// real reports, give back the numbers of the simulated machine, and explain to the diagnosis the simulation knows
// (a zone below min → "watermark"; enough free pages but none in a block of the order → "fragmentation").
import { bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { createReclaim } from "@pagealloc/reclaim";
import { describe, expect, it } from "vitest";
import { explainReport } from "./explain";
import { parseFailureReports } from "./parse-report";
import type { FailureReport } from "./report-types";

const VERSIONS = ["2.6.24", "2.6.28", "2.6.32", "3.3", "3.10", "4.1", "4.4", "4.8", "5.4", "6.18"] as const;

/** One x86_64 Normal zone (index 2) of 4096 pages, min 128 / low 160 / high 192; all of it unmovable kernel memory. */
function failing(version: string, gfpExpr: string, order: number, freeEvery: number, freeCount: number) {
  const r = createReclaim();
  const a = bootBuddy(
    [{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096, managedPages: 4096, watermark: { min: 128, low: 160, high: 192 }, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } }],
    { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath },
  );
  r.attach(a);
  const z = a.zones[0]!;
  const got: number[] = [];
  for (;;) {
    const pfn = a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, { highestZoneIdx: 2, migratetype: a.facts.mt.UNMOVABLE });
    if (pfn < 0) break;
    got.push(pfn);
  }
  got.sort((x, y) => x - y);
  for (let k = 0; k < freeCount; k++) a.freePages(got[k * freeEvery]!, 0, { bypassPcp: true });
  const gfp = parseGfp(gfpExpr, version);
  expect(a.allocPages(gfp, order)).toBe(-1);
  return { text: r.lastOutcome!.report!, gfp, free: z.nrFreePages };
}

function parseOne(text: string): FailureReport {
  const { reports, problems } = parseFailureReports(text);
  expect(problems).toEqual([]);
  expect(reports).toHaveLength(1);
  return reports[0]!;
}

describe.each(VERSIONS)("reports of %s", (version) => {
  it("100 free pages below min 128: parses back and explains as a watermark failure", () => {
    // 100 single free pages (every page of the first 100 even slots): below min = 128 with lowmem_reserve 0, so
    // the slow path's min check fails in every version and nothing is reclaimable or movable.
    const { text, gfp, free } = failing(version, "GFP_KERNEL|__GFP_NORETRY", 0, 2, 100);
    expect(free).toBe(100);
    const rep = parseOne(text);
    expect(rep.order).toBe(0);
    expect(rep.gfpMask).toBe(gfp);
    const zone = rep.memInfo!.zones.find((z) => z.name === "Normal")!;
    expect(zone.fields.free!.pages).toBe(100);
    expect(zone.fields.min!.pages).toBe(128);
    expect(zone.freeArea!.totalKb).toBe(400);
    const e = explainReport(rep);
    expect(e.version).toBe(version.split(".").length === 3 ? version : `${version}.0`);
    expect(e.kind).toBe("watermark");
  });

  it("400 free pages, none in a block of order 3: parses back and explains as fragmentation", () => {
    // every other page of the first 800 is free: 400 order-0 blocks whose buddies are allocated. 400 > min 128 +
    // the order-3 requirement, but no block of order ≥ 3 exists (and nothing is movable for compaction).
    const { text, free } = failing(version, "GFP_KERNEL|__GFP_NORETRY", 3, 2, 400);
    expect(free).toBe(400);
    const rep = parseOne(text);
    expect(rep.order).toBe(3);
    const area = rep.memInfo!.zones.find((z) => z.name === "Normal")!.freeArea!;
    expect(area.orders.map((o) => o.count)).toEqual([400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(explainReport(rep).kind).toBe("fragmentation");
  });
});
