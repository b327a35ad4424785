// /proc/zoneinfo of other machines and kernel versions (2.6.14–3.x; i386, x86_64 NUMA, ppc64 NUMA). Sources in
// __fixtures__/SOURCES.md. Every expected number is read off the fixture text by hand.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ZoneinfoParseError } from "./errors";
import { machineFromZoneinfo, parseZoneinfo } from "./zoneinfo";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");

describe("2.6.14 i386 (linux-mm, Oct 2005): pcp `low:` marks, temp_priority, active/inactive lines", () => {
  const p = parseZoneinfo(fixture("zoneinfo-2.6.14-i386.txt"));
  it("reads the three zones", () => {
    expect(p.layout).toBe("old");
    expect(p.zones.map((z) => z.name)).toEqual(["DMA", "Normal", "HighMem"]);
    // "Node 0, zone   Normal / pages free 11121 / min 939 / … / protection: (0, 0, 948)"
    const n = p.zones[1];
    expect(n).toMatchObject({ freePages: 11121, min: 939, low: 1173, high: 1408, spanned: 225280, present: 225280, startPfn: 4096 });
    expect(n?.protection).toEqual([0, 0, 948]);
    // "cpu: 0 pcp: 0 / count: 121 / low: 62 / high: 186 / batch: 31"
    expect(n?.pagesets[0]).toEqual({ cpu: 0, pcp: 0, count: 121, low: 62, high: 186, batch: 31 });
    // "active 151351" and the patched "tscanned" line are kept as counters
    expect(n?.stats).toEqual([["active", 151351], ["inactive", 38572], ["tscanned", 3480599]]);
    expect(p.zones[2]?.startPfn).toBe(229376);
  });
  it("imports as an i386 machine whose lowmem ends where HighMem starts", () => {
    const m = machineFromZoneinfo(fixture("zoneinfo-2.6.14-i386.txt"));
    expect(m.arch).toBe("i386");
    expect(m.archOptions?.lowmemLimitPfn).toBe(229376);
    // HighMem ends at pfn 229376 + 30342 = 259718 = 0x3f686
    expect(m.nodes[0]?.memory.at(-1)?.end).toBe("0x3f686000");
  });
});

describe("2.6.15-rc2 x86_64, two nodes (LKML, Nov 2005): node 1 printed first, NUMA counters inside the pagesets", () => {
  const p = parseZoneinfo(fixture("zoneinfo-2.6.15-rc2-x86_64-numa.txt"));
  it("keeps the printed order and the per-CPU NUMA counters", () => {
    expect(p.zones.map((z) => `${z.nid}/${z.name}`)).toEqual(["1/Normal", "0/DMA", "0/DMA32"]);
    expect(p.zones[0]).toMatchObject({ freePages: 1809, min: 1423, present: 1013647, startPfn: 1048576 });
    // "cpu: 0 pcp: 1 … batch: 32 / numa_hit: 2155 / numa_miss: 26392398 / … / other_node: 26394553"
    expect(p.zones[0]?.pagesets[1]?.numaStats).toEqual([
      ["numa_hit", 2155],
      ["numa_miss", 26392398],
      ["numa_foreign", 150],
      ["interleave_hit", 2070],
      ["local_node", 0],
      ["other_node", 26394553],
    ]);
    // the DMA zone shows only CPU 1 (this kernel skipped CPUs whose lists were all empty)
    expect(p.zones[1]?.pagesets.map((s) => s.cpu)).toEqual([1, 1]);
    expect(p.zones[1]?.protection).toEqual([0, 3944, 3944, 3944]);
    expect(p.cpus).toEqual([0, 1]);
  });
  it("imports two nodes, node 1 above 4 GiB", () => {
    const m = machineFromZoneinfo(fixture("zoneinfo-2.6.15-rc2-x86_64-numa.txt"));
    expect(m.nodes.map((n) => n.id)).toEqual([0, 1]);
    // start_pfn 1048576 = 0x100000 → 0x100000000
    expect(m.nodes[1]?.memory[0]?.start).toBe("0x100000000");
  });
});

describe("2.6.18-128.el5 x86_64 (RHEL 5, article fragment): a zone with no pageset printed", () => {
  it("accepts an empty pagesets section (CPUs with empty lists were not printed)", () => {
    const p = parseZoneinfo(fixture("zoneinfo-2.6.18-128.el5-x86_64-fragment.txt"));
    expect(p.zones[0]).toMatchObject({ name: "DMA", freePages: 1208, min: 28, present: 4096, startPfn: 0 });
    expect(p.zones[0]?.pagesets).toEqual([]);
    expect(p.zones[0]?.protection).toEqual([0, 0, 296, 296]);
    expect(p.zones[0]?.stats.find(([k]) => k === "nr_slab")).toEqual(["nr_slab", 253]);
  });
});

describe("2.6.20-rc5 ppc64, two nodes (linux-mm, Jan 2007): every page in ZONE_DMA", () => {
  it("reads both nodes' DMA zones, the vm stats threshold and the numa_* counters as zone counters", () => {
    const p = parseZoneinfo(fixture("zoneinfo-2.6.20-rc5-ppc64-numa.txt"));
    expect(p.zones.map((z) => [z.nid, z.name, z.freePages, z.present])).toEqual([
      [0, "DMA", 130474, 145440],
      [1, "DMA", 109610, 113120],
    ]);
    expect(p.zones[0]?.vmStatThreshold).toBe(16);
    expect(p.zones[0]?.protection).toEqual([0, 0]);
    expect(p.zones[1]?.pagesets).toEqual([]);
    expect(p.zones[1]?.stats.find(([k]) => k === "numa_miss")).toEqual(["numa_miss", 1048457]);
  });
});

describe("3.x x86_64 Chromebook (ChromiumOS memd test data): managed, all_unreclaimable, inactive_ratio", () => {
  it("reads the 3.x tail lines", () => {
    const p = parseZoneinfo(fixture("zoneinfo-3.x-chromeos-x86_64.txt"));
    expect(p.zones[0]).toMatchObject({ name: "DMA", freePages: 1756, min: 179, managed: 3977, startPfn: 1, vmStatThreshold: 4 });
    expect(p.zones[0]?.protection).toEqual([0, 1928, 1928, 1928]);
    expect(p.zones[1]?.pagesets.map((s) => s.count)).toEqual([135, 166]);
    expect(p.zones[1]?.stats.find(([k]) => k === "nr_alloc_batch")).toEqual(["nr_alloc_batch", 3023]);
  });
});

describe("what is not supported is said with a location", () => {
  it("a zone name the kernel never had (an out-of-tree 'Non-volatile' zone, linux-mm 2011)", () => {
    const text = fixture("zoneinfo-2.6.3x-custom-zone.txt");
    expect(() => parseZoneinfo(text)).toThrow(ZoneinfoParseError);
    try {
      parseZoneinfo(text);
    } catch (e) {
      expect((e as ZoneinfoParseError).location).toBe("zoneinfo:1");
      expect((e as Error).message).toContain("Non-volatile");
    }
  });
});
