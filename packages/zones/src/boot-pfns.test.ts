import { getPreset, type PfnRange } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { zoneBootPfns } from "./boot-pfns";
import { buildZones } from "./zones";

const dmaOf = (preset: string, version: string) => {
  const m = getPreset(preset);
  const zs = buildZones(m, { version });
  return { zone: zs.nodes[0]!.zones[0]!, pfns: zoneBootPfns(zs.nodes[0]!.zones[0]!, m, zs.version) };
};

describe("zoneBootPfns: the pfns memblock keeps at boot", () => {
  // pc-4g's e820 map: usable RAM from pfn 1 to 159 (0x9f000), the legacy hole 640K–1M, RAM again from pfn 256.
  it("6.18: x86 keeps all of the first 1 MiB (\"x86/setup: always reserve the first 1M of RAM\", 5.13)", () => {
    const { pfns } = dmaOf("pc-4g", "6.18");
    expect(pfns.holes).toEqual([{ startPfn: 159, endPfn: 256 }]);
    expect(pfns.reserved).toEqual([{ startPfn: 1, endPfn: 159 }]);
    // 4096 − 1 (pfn 0 absent) − 97 (hole) = 3998 present; − 158 reserved = 3840 managed
    expect([pfns.presentPages, pfns.managedPages]).toEqual([3998, 3840]);
  });

  it("4.19: the first 64 KiB (CONFIG_X86_RESERVE_LOW default, 2.6.36–5.12): pfns 1–15", () => {
    const { pfns } = dmaOf("pc-4g", "4.19");
    expect(pfns.reserved).toEqual([{ startPfn: 1, endPfn: 16 }]);
    expect(pfns.managedPages).toBe(3998 - 15);
  });

  it("the machine's own reservations come first and are not counted twice (book-i386: pfn 0 and 159–255)", () => {
    const { pfns } = dmaOf("book-i386", "6.18");
    expect(pfns.reserved).toEqual([
      { startPfn: 0, endPfn: 1 },
      { startPfn: 159, endPfn: 256 },
      { startPfn: 1, endPfn: 159 },
    ]);
    // the whole first MiB, 256 pages, once
    expect(pfns.managedPages).toBe(4096 - 256);
  });

  it("the rest of present − managed comes off the top of the zone (memblock allocates top-down): pc-4g Normal, 6.18", () => {
    const m = getPreset("pc-4g");
    const zs = buildZones(m, { version: "6.18" });
    const normal = zs.nodes[0]!.zones.find((z) => z.name === "Normal")!;
    const pfns = zoneBootPfns(normal, m, zs.version);
    const end = normal.startPfn + normal.spannedPages;
    const n = normal.presentPages - normal.managedPages;
    expect(pfns.reserved).toEqual([{ startPfn: end - n, endPfn: end }]);
  });

  it.each(["tiny-16m", "pc-4g", "server-2s-256g", "numa-4node", "i386-1g-highmem", "book-i386"])("%s: reserved pfns are present memory, disjoint, and leave the zone's managed pages (3.8+)", (preset) => {
    const m = getPreset(preset);
    for (const version of ["3.8", "4.19", "6.18"]) {
      const zs = buildZones(m, { version });
      for (const node of zs.nodes) {
        for (const z of node.zones) {
          const p = zoneBootPfns(z, m, zs.version);
          const inHole = (r: PfnRange) => p.holes.some((h) => r.startPfn < h.endPfn && h.startPfn < r.endPfn);
          expect(p.reserved.filter(inHole)).toEqual([]);
          const sorted = [...p.reserved].sort((a, b) => a.startPfn - b.startPfn);
          for (let k = 1; k < sorted.length; k++) expect(sorted[k]!.startPfn).toBeGreaterThanOrEqual(sorted[k - 1]!.endPfn);
          expect(p.presentPages).toBe(z.presentPages);
          expect(p.managedPages).toBe(z.managedPages);
        }
      }
    }
  });
});
