import { describe, expect, it } from "vitest";
import { archFacts } from "./arch";
import { PageallocError } from "./errors";
import { loadMachine, nodeDistance } from "./machine";
import { getPreset, listPresets, presets } from "./presets";
import { formatMemRange } from "./units";

describe("presets", () => {
  it("lists the six contract presets, each validating and described", () => {
    expect(listPresets().map((p) => p.name)).toEqual(["tiny-16m", "pc-4g", "server-2s-256g", "numa-4node", "i386-1g-highmem", "book-i386"]);
    for (const { name, summary } of listPresets()) {
      expect(summary.length).toBeGreaterThan(40);
      expect(() => loadMachine(presets[name].description)).not.toThrow();
      expect(getPreset(name).name).toBe(name);
    }
  });

  it("tiny-16m: 4096 pages, all below MAX_DMA_PFN (ZONE_DMA only)", () => {
    const m = getPreset("tiny-16m");
    expect(m.totalPages).toBe(4096);
    expect(m.maxPfn).toBeLessThanOrEqual(archFacts(m.arch).zoneLimitsPfn.DMA!);
  });

  it("pc-4g: the live machine's low layout (kernel-facts 2.2) and 4 GiB of address space minus the holes", () => {
    const n = getPreset("pc-4g").nodes[0];
    expect(n.ranges.map((r) => formatMemRange(r.startPfn, r.endPfn))).toEqual([
      "[mem 0x0000000000001000-0x000000000009efff]",
      "[mem 0x0000000000100000-0x00000000bfffffff]",
      "[mem 0x0000000100000000-0x000000013fffffff]",
    ]);
    // 158 pages below 640K, 0xc0000 - 0x100 pages up to 3 GiB, 1 GiB = 262144 pages above 4 GiB
    expect(n.presentPages).toBe(158 + (0xc0000 - 0x100) + 262144);
    // the DMA zone's present pages match the live zoneinfo: 3998 (pfn 1..0x9e and 0x100..0xfff)
    const dmaEnd = archFacts("x86_64").zoneLimitsPfn.DMA!;
    const dmaPresent = n.ranges.reduce((s, r) => s + Math.max(0, Math.min(r.endPfn, dmaEnd) - r.startPfn), 0);
    expect(dmaPresent).toBe(3998);
  });

  it("server-2s-256g: 2 x 128 GiB (node 0 minus its holes), SLIT 21, 64 CPUs", () => {
    const m = getPreset("server-2s-256g");
    const GiBpages = 262144;
    expect(m.nodes[1].presentPages).toBe(128 * GiBpages);
    // node 0: 158 + (2 GiB - 1 MiB) + 126 GiB above 4 GiB
    expect(m.nodes[0].presentPages).toBe(158 + (2 * GiBpages - 256) + 126 * GiBpages);
    expect(nodeDistance(m, 1, 0)).toBe(21);
    expect(m.nodes.flatMap((n) => n.cpus).length).toBe(64);
  });

  it("numa-4node: 4 x 16 GiB spans, ring SLIT", () => {
    const m = getPreset("numa-4node");
    expect(m.nodes.map((n) => n.spannedEndPfn - n.spannedStartPfn).slice(1)).toEqual([4194304, 4194304, 4194304]);
    expect(m.distance).toEqual([[10, 16, 16, 22], [16, 10, 22, 16], [16, 22, 10, 16], [22, 16, 16, 10]]);
  });

  it("i386-1g-highmem: 128 MiB HighMem on 2.6.24 (262144 - 229376 pages)", () => {
    const m = getPreset("i386-1g-highmem");
    expect(m.maxPfn - archFacts("i386", "2.6.24").lowmemLimitPfn!).toBe(32768);
    expect(m.maxPfn - archFacts("i386", "6.18").lowmemLimitPfn!).toBe(262144 - 0x377fe);
  });

  it("book-i386: the real 2.6.22 boot log's zone PFN ranges follow with 2.6.24's limits", () => {
    // "Zone PFN ranges: DMA 0 -> 4096, Normal 4096 -> 229376, HighMem 229376 -> 522192"
    const m = getPreset("book-i386");
    const f = archFacts("i386", "2.6.24");
    expect([0, f.zoneLimitsPfn.DMA, f.lowmemLimitPfn, m.maxPfn]).toEqual([m.nodes[0].spannedStartPfn, 4096, 229376, 522192]);
    // "On node 0 totalpages: 522192"; "Memory: 2059276k/2088768k available" (522192 pages * 4 KiB = 2088768 KiB)
    expect(m.totalPages).toBe(522192);
    expect(m.totalPages * 4).toBe(2088768);
    expect(m.nodes[0].reservedPfns).toEqual([{ startPfn: 0, endPfn: 1 }, { startPfn: 0x9f, endPfn: 0x100 }]);
  });

  it("unknown preset is a typed error", () => {
    expect(() => getPreset("cray")).toThrow(PageallocError);
    expect(() => getPreset("toString")).toThrow(/unknown preset/);
  });
});
