// /proc/pagetypeinfo of other machines and kernels (sources in __fixtures__/README.md); expected numbers are read off
// the text by hand.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidReportError } from "./errors";
import { parsePagetypeinfo } from "./pagetypeinfo";

const read = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");

describe("parsePagetypeinfo on real files", () => {
  it("2.6.25–3.4 x86_64 (kernel documentation example): Reserve and Isolate, no CMA", () => {
    const p = parsePagetypeinfo(read("pagetypeinfo-2.6.2x-x86_64-kerneldoc.txt"));
    expect([p.pageblockOrder, p.pagesPerBlock]).toEqual([9, 512]);
    expect(p.free.map((r) => r.type).slice(0, 5)).toEqual(["Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate"]);
    // "Node    0, zone    DMA32, type      Movable    169    152 … 452"
    expect(p.free[7]).toMatchObject({ zone: "DMA32", type: "Movable", line: 12 });
    expect(p.free[7]?.counts[10]).toBe(452);
    expect(p.blocks[1]).toMatchObject({ nid: 0, zone: "DMA32", blocks: { Unmovable: 41, Reclaimable: 6, Movable: 967, Reserve: 2, Isolate: 0 } });
  });
  it("3.16 arm (no header pasted): Reserve and CMA; the free blocks per order add up to the buddyinfo printed after it", () => {
    const p = parsePagetypeinfo(read("pagetypeinfo-3.16-arm-lg.txt"));
    expect(p.pageblockOrder).toBeNull();
    expect(p.free.find((r) => r.type === "Reserve")?.counts).toEqual([1, 4, 6, 6, 2, 1, 1, 1, 0, 1, 1]);
    // buddyinfo "Node 0, zone   Normal   9880 1489 647 332 177 64 24 10 1 1 1": order 4 = 129 + 3 + 43 + 2 + 0 + 0 = 177,
    // order 7 = 9 + 0 + 0 + 1 = 10 (orders 0–3 moved between the two reads).
    const sum = (o: number) => p.free.reduce((a, r) => a + (r.counts[o] ?? 0), 0);
    expect([4, 5, 6, 7, 8, 9, 10].map(sum)).toEqual([177, 64, 24, 10, 1, 1, 1]);
    expect(p.blocks[0]?.blocks).toEqual({ Unmovable: 135, Reclaimable: 3, Movable: 124, Reserve: 2, CMA: 0, Isolate: 0 });
  });
  it("3.5–4.3 x86_64, two nodes: the header repeats per node, trailing blanks", () => {
    const p = parsePagetypeinfo(read("pagetypeinfo-3.x-x86_64-2node.txt"));
    expect(p.free).toHaveLength(24);
    expect(p.free.filter((r) => r.nid === 1).map((r) => r.type)).toEqual(["Unmovable", "Reclaimable", "Movable", "Reserve", "CMA", "Isolate"]);
    expect(p.free.find((r) => r.nid === 1 && r.type === "Reclaimable")?.counts.slice(0, 6)).toEqual([33365, 27814, 4087, 439, 23, 1]);
    expect(p.blocks.map((b) => [b.nid, b.zone, b.blocks.Movable])).toEqual([
      [0, "DMA", 5],
      [0, "DMA32", 442],
      [0, "Normal", 4814],
      [1, "Normal", 6086],
    ]);
  });
  it("4.14 arm32 (13 orders, page block order 12), every row wrapped by the mail client: joined back", () => {
    const p = parsePagetypeinfo(read("pagetypeinfo-4.14-arm32-wrapped.txt"));
    expect([p.pageblockOrder, p.pagesPerBlock]).toEqual([12, 4096]);
    expect(p.free).toHaveLength(12);
    // "Node 0, zone DMA, type Unmovable 71 235 137 30" + "17 7 2 0 0 1 1 0 0"
    expect(p.free[0]?.counts).toEqual([71, 235, 137, 30, 17, 7, 2, 0, 0, 1, 1, 0, 0]);
    expect(p.free.find((r) => r.zone === "HighMem" && r.type === "CMA")?.counts).toEqual([261, 915, 778, 204, 48, 20, 5, 0, 0, 0, 0, 1, 13]);
    expect(p.blocks[1]?.blocks).toEqual({ Unmovable: 3, Movable: 32, Reclaimable: 0, HighAtomic: 0, CMA: 57, Isolate: 0 });
    expect(p.free[0]?.line).toBe(6);
  });
  it("5.3+ counts capped at >100000", () => {
    const p = parsePagetypeinfo("Free pages count per migrate type at order       0      1\nNode    0, zone   Normal, type      Movable >100000  12345 \n");
    expect(p.free[0]).toMatchObject({ counts: [100000, 12345], capped: [0] });
  });
  it("what it cannot read is an InvalidReportError at line:column", () => {
    const bad = "Free pages count per migrate type at order       0      1\nNode    0, zone   Normal, type      Movable      1      2\n   pages free 12\n";
    expect(() => parsePagetypeinfo(bad)).toThrow(InvalidReportError);
    try {
      parsePagetypeinfo(bad);
    } catch (e) {
      expect((e as InvalidReportError).location).toBe("pagetypeinfo:3:4");
    }
    expect(() => parsePagetypeinfo("Free pages count per migrate type at order  0  1  2\nNode 0, zone DMA, type Movable 1 2\n")).toThrow(/expected 3 order columns, found 2/);
    expect(() => parsePagetypeinfo("Node 0, zone DMA 1 2\n")).toThrow(/before its "Number of blocks type" header/);
  });
});
