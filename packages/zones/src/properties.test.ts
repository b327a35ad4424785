import fc from "fast-check";
import { type MachineDescription, loadMachine } from "@pagealloc/physmem";
import { expect, it } from "vitest";
import { buildZonelists, zonelistFor } from "./zonelist";
import { lowmemReserve, zoneWatermarks } from "./watermarks";
import { buildZones } from "./zones";

const versions = ["2.6.24", "3.10", "4.19", "5.15", "6.1", "6.18"];

it("watermarks are ordered min <= low <= high (<= promo) for any sizes and settings", () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 1 << 26 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 128, max: 262144 }),
      fc.integer({ min: 1, max: 3000 }),
      fc.constantFrom(...versions),
      (pages, mfk, wsf, version) => {
        const names = ["DMA", "DMA32", "Normal", "Movable", "Device"] as const;
        const w = zoneWatermarks(pages.map((p, i) => ({ name: names[i], pages: p })), { minFreeKbytes: mfk, watermarkScaleFactor: wsf, version });
        for (const z of w) {
          expect(z.min <= z.low && z.low <= z.high).toBe(true);
          if (z.promo !== undefined) expect(z.high <= z.promo).toBe(true);
        }
      },
    ),
  );
});

it("lowmem_reserve rows never decrease towards higher zones", () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1 << 26 }), { minLength: 2, maxLength: 5 }), fc.array(fc.nat({ max: 512 }), { minLength: 5, maxLength: 5 }), fc.constantFrom(...versions), (pages, ratios, version) => {
      for (const row of lowmemReserve(pages, ratios, version)) for (let j = 1; j < row.length; j++) expect(row[j] >= row[j - 1]).toBe(true);
    }),
  );
});

it("every node's fallback zonelist holds each populated zone of the machine exactly once, its own first", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          dist: fc.array(fc.array(fc.integer({ min: 11, max: 40 }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
          cpus: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          version: fc.constantFrom("4.19", "5.15", "6.6", "6.18"),
        }),
      ),
      ({ n, dist, cpus, version }) => {
        const distance = dist.map((row, i) => row.map((d, j) => (i === j ? 10 : d)));
        const desc: MachineDescription = {
          name: "p",
          arch: "x86_64",
          distanceAsymmetric: true,
          nodes: Array.from({ length: n }, (_v, id) => ({
            id,
            ...(cpus[id] ? { cpus: [id] } : {}),
            memory: [{ start: `0x${(0x100000000 + id * 0x40000000).toString(16)}`, size: "1G" }],
          })),
          distance,
        };
        const zs = buildZones(loadMachine(desc), { version });
        const zl = buildZonelists(zs);
        const populated = zs.nodes.flatMap((node) => node.zones.filter((z) => z.populated).map((z) => `${z.nid}:${z.name}`)).sort();
        for (const node of zs.nodes) {
          const list = zonelistFor(zl, node.nid).map((z) => `${z.nid}:${z.name}`);
          expect([...list].sort()).toEqual(populated);
          expect(list[0].startsWith(`${node.nid}:`)).toBe(true);
        }
      },
    ),
    { numRuns: 60 },
  );
});
