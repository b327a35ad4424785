import { getPreset } from "@pagealloc/physmem";
import { buildZones } from "@pagealloc/zones";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "./invariants";
import { renderBuddyinfo } from "./render";
import { bootBuddyFromZoneSet, buddyZonesFromZoneSet, gfpDecoder } from "./zoneset";

describe("booting on a ZoneSet from @pagealloc/zones", () => {
  it.each(["pc-4g", "book-i386", "tiny-16m", "numa-4node"])("%s, 6.18 and 2.6.24: free pages = managed pages, invariants hold", (name) => {
    const m = getPreset(name);
    for (const version of ["6.18", "2.6.24"]) {
      const zs = buildZones(m, { version });
      const a = bootBuddyFromZoneSet(zs, m);
      checkInvariants(a);
      for (const node of zs.nodes) {
        for (const z of node.zones) {
          if (!z.populated) continue;
          expect(a.zone(z.nid, z.zoneIdx).nrFreePages).toBeLessThanOrEqual(z.managedPages);
          if (version === "6.18") expect(a.zone(z.nid, z.zoneIdx).nrFreePages).toBe(z.managedPages);
        }
      }
      // one buddyinfo line per populated zone
      expect(renderBuddyinfo(a).split("\n").filter(Boolean)).toHaveLength(zs.nodes.flatMap((n) => n.zones).filter((z) => z.populated).length);
    }
  });

  it("reservations: machine ranges, then the x86 low 1 MiB, then the top of the zone (memblock top-down)", () => {
    const m = getPreset("pc-4g");
    const specs = buddyZonesFromZoneSet(buildZones(m, { version: "6.18" }), m);
    const normal = specs.find((s) => s.name === "Normal")!;
    // present 262144, managed 245760: the 16384 pages of the difference come off the top of the zone
    expect(normal.reserved).toEqual([{ startPfn: 1310720 - 16384, endPfn: 1310720 }]);
    const i386 = getPreset("book-i386");
    const dma = buddyZonesFromZoneSet(buildZones(i386, { version: "6.18" }), i386)[0]!;
    // machine reservations pfn 0 and 159–255, then pfns 1–158 (the rest of the first 1 MiB): 256 pages, managed 3840
    expect(dma.reserved).toEqual([
      { startPfn: 0, endPfn: 1 },
      { startPfn: 159, endPfn: 256 },
      { startPfn: 1, endPfn: 159 },
    ]);
    expect(dma.managedPages).toBe(3840);
  });

  it("pc-4g 6.18: the DMA line is the live kernel's boot layout (256 o8, 512 o9, three o10)", () => {
    const m = getPreset("pc-4g");
    const a = bootBuddyFromZoneSet(buildZones(m, { version: "6.18" }), m);
    expect(renderBuddyinfo(a).split("\n")[0]).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ");
  });

  it("allocPages(gfp) decodes the mask: GFP_KERNEL from Normal, GFP_DMA32 from DMA32, GFP_DMA from DMA", () => {
    const m = getPreset("pc-4g");
    const zs = buildZones(m, { version: "6.18" });
    const a = bootBuddyFromZoneSet(zs, m, { checkInvariants: true });
    const zoneOf = (pfn: number) => a.zoneOfPfn(pfn)?.spec.name;
    expect(zoneOf(a.allocPages(0xcc0, 0))).toBe("Normal"); // GFP_KERNEL
    expect(zoneOf(a.allocPages(0xcc4, 0))).toBe("DMA32"); // GFP_KERNEL | __GFP_DMA32
    expect(zoneOf(a.allocPages(0xcc1, 0))).toBe("DMA"); // GFP_KERNEL | __GFP_DMA
    // GFP_HIGHUSER_MOVABLE: gfp_zone = Movable (3), migratetype MOVABLE, kswapd reclaim
    expect(gfpDecoder("6.18", "x86_64")(0x100cca)).toEqual({ highestZoneIdx: 3, migratetype: 1, kswapdReclaim: true, cold: false, directReclaim: true, high: false, atomic: false, noMemalloc: false });
  });
});
