import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidReportError } from "./errors";
import { memInfoFromProc } from "./proc-state";
import { whatIf } from "./what-if";

const read = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");
const files = { zoneinfo: read("proc_zoneinfo.txt"), buddyinfo: read("proc_buddyinfo.txt"), pagetypeinfo: read("proc_pagetypeinfo.txt") };

describe("memInfoFromProc (6.18 /proc samples)", () => {
  it("reads zones, watermarks, protection and free areas with migratetype letters", () => {
    const mi = memInfoFromProc(files);
    // Populated zones: DMA, DMA32, Normal (Movable and Device are empty and left out).
    expect(mi.zones.map((z) => z.name)).toEqual(["DMA", "DMA32", "Normal"]);
    const normal = mi.zones[2];
    // /proc/zoneinfo: pages free 173663, min 9150, low 11437, high 13724, protection: (0, 0, 0, 0, 0)
    expect(normal?.fields.free?.pages).toBe(173663);
    expect([normal?.fields.min?.pages, normal?.fields.low?.pages, normal?.fields.high?.pages]).toEqual([9150, 11437, 13724]);
    expect(normal?.lowmemReserve).toEqual([0, 0, 0, 0, 0]);
    expect(mi.zones[0]?.lowmemReserve).toEqual([0, 3018, 6602, 6602, 6602]);
    // buddyinfo Normal: 1564 851 602 407 10 34 269 214 145 55 52
    expect(normal?.freeArea?.orders.map((o) => o.count)).toEqual([1564, 851, 602, 407, 10, 34, 269, 214, 145, 55, 52]);
    // pagetypeinfo Normal order 0: Unmovable 1, Movable 1354, Reclaimable 210 → "UME"; order 4: Movable 1, Reclaimable 10 → "ME"
    expect(normal?.freeArea?.orders[0]?.letters).toBe("UME");
    expect(normal?.freeArea?.orders[4]?.letters).toBe("ME");
    expect(normal?.freeArea?.orders[10]?.letters).toBe("M");
  });

  it("whatIf on the live state: order-4 GFP_KERNEL is served from Normal on the fast path", () => {
    // 6.18 fast path, low mark: Normal 173663 − (2^4 − 1) = 173648 > low 11437 + protection[Normal] 0, and order-4
    // blocks exist on the Movable and Reclaimable lists → pass in the first zone of the walk.
    const w = whatIf(memInfoFromProc(files), { order: 4, gfp: "GFP_KERNEL", version: "6.18" });
    expect(w.servedBy).toEqual({ nid: 0, zone: "Normal", path: "fast" });
    expect(w.explanation.zonelist[0]?.fast).toMatchObject({ usable: 173648, minAfterFlags: 11437, lowmemReserve: 0, ok: true, highatomicKnown: false });
  });

  it("without buddyinfo an order > 0 request cannot be decided", () => {
    const w = whatIf(memInfoFromProc({ zoneinfo: files.zoneinfo }), { order: 2, gfp: "GFP_KERNEL", version: "6.18" });
    expect(w.wouldSucceed).toBeNull();
    expect(w.explanation.kind).toBe("insufficient-data");
  });

  it("a broken file is a typed error naming the file and line", () => {
    expect(() => memInfoFromProc({ zoneinfo: files.zoneinfo, buddyinfo: "Node 0, zone Normal x\n" })).toThrow(InvalidReportError);
  });

  it("the running machine's /proc (when readable) gives a decided answer for an order-0 GFP_KERNEL", () => {
    const live = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined);
    const zoneinfo = live("/proc/zoneinfo");
    const buddyinfo = live("/proc/buddyinfo");
    if (!zoneinfo || !buddyinfo) return;
    const w = whatIf(memInfoFromProc({ zoneinfo, buddyinfo }), { order: 0, gfp: "GFP_KERNEL", version: "6.18" });
    expect(w.wouldSucceed).not.toBeNull();
  });
});

describe("memInfoFromProc on old kernels' /proc files", () => {
  const old = (name: string) => fs.readFileSync(path.join(__dirname, "..", "..", "zones", "src", "__fixtures__", name), "utf8");
  it("2.6.15 two-node zoneinfo (no managed, no boost, node 1 first): zones with free, min, protection", () => {
    const mi = memInfoFromProc({ zoneinfo: old("zoneinfo-2.6.15-rc2-x86_64-numa.txt") });
    // "Node 1, zone Normal / pages free 1809 / min 1423"; "Node 0, zone DMA … protection: (0, 3944, 3944, 3944)"
    expect(mi.zones.map((z) => [z.nid, z.name, z.fields.free?.pages, z.fields.min?.pages])).toEqual([
      [1, "Normal", 1809, 1423],
      [0, "DMA", 2855, 3],
      [0, "DMA32", 2912, 1418],
    ]);
    expect(mi.zones[1]?.lowmemReserve).toEqual([0, 3944, 3944, 3944]);
    expect(mi.zones[0]?.fields.managed).toBeUndefined();
    // order 0 needs no free-area line: Normal on node 1 has 1809 > low 1778 + 0 → served on the fast path
    const w = whatIf(mi, { order: 0, gfp: "GFP_KERNEL", version: "2.6.24" });
    expect(w.wouldSucceed).toBe(true);
  });
  it("a zoneinfo with a zone name no kernel had: a typed error naming the file and line", () => {
    expect(() => memInfoFromProc({ zoneinfo: old("zoneinfo-2.6.3x-custom-zone.txt") })).toThrow(InvalidReportError);
    try {
      memInfoFromProc({ zoneinfo: old("zoneinfo-2.6.3x-custom-zone.txt") });
    } catch (e) {
      expect((e as InvalidReportError).location).toBe("zoneinfo:1");
    }
  });
  it("a wrapped 4.14 arm32 pagetypeinfo gives the letters", () => {
    const zoneinfo = "Node 0, zone      DMA\n  pages free     1000\n        min      10\n        low      12\n        high     14\n        spanned  4096\n        present  4096\n        protection: (0, 0, 0)\n";
    const buddyinfo = "Node 0, zone      DMA     71    236    139     32     18      7      2      1      1      2      2      1      9 \n";
    const pagetypeinfo = fs.readFileSync(path.join(__dirname, "__fixtures__", "pagetypeinfo-4.14-arm32-wrapped.txt"), "utf8");
    const dma = memInfoFromProc({ zoneinfo, buddyinfo, pagetypeinfo }).zones[0];
    // pagetypeinfo DMA order 0: Unmovable 71 only → "U"; order 12: Movable 9 → "M"; order 2: Unmovable 137, Movable 1, Reclaimable 1 → "UME"
    expect(dma?.freeArea?.orders[0]?.letters).toBe("U");
    expect(dma?.freeArea?.orders[2]?.letters).toBe("UME");
    expect(dma?.freeArea?.orders[12]?.letters).toBe("M");
  });
});
