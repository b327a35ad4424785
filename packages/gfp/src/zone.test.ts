import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BadGfpMigratetypeError, BadGfpZoneError } from "./errors";
import { parseGfp } from "./format";
import { type ArchName, archFacts } from "@pagealloc/physmem";
import { gfpMigratetype, gfpMigratetypeIndex, gfpZone, gfpZoneIdx, gfpZonelist, isGfpZoneBad } from "./zone";

/**
 * GFP_ZONE_TABLE and GFP_ZONE_BAD exactly as include/linux/gfp.h defines them (2.6.31+): a word of
 * 2-bit fields (GFP_ZONES_SHIFT = 2 for these configs), field i = the zone for the modifier
 * combination i (bit0 DMA, bit1 HIGHMEM, bit2 DMA32, bit3 MOVABLE). Entries the definition does not
 * set are 0; GFP_ZONE_BAD has bit i set for each invalid combination.
 */
function kernelZoneTable(zones: readonly string[]): { table: number; bad: number } {
  const zone = (name: string) => zones.indexOf(name);
  const NORMAL = zone("Normal");
  const MOVABLE = zone("Movable");
  const OPT_DMA = zones.includes("DMA") ? zone("DMA") : NORMAL;
  const OPT_HIGHMEM = zones.includes("HighMem") ? zone("HighMem") : NORMAL;
  const OPT_DMA32 = zones.includes("DMA32") ? zone("DMA32") : NORMAL;
  const [DMA, HIGHMEM, DMA32, MOV] = [1, 2, 4, 8];
  const field = (zoneIdx: number, index: number) => zoneIdx * 2 ** (index * 2);
  const table =
    field(NORMAL, 0) + field(OPT_DMA, DMA) + field(OPT_HIGHMEM, HIGHMEM) + field(OPT_DMA32, DMA32) + field(NORMAL, MOV) +
    field(OPT_DMA, MOV | DMA) + field(MOVABLE, MOV | HIGHMEM) + field(OPT_DMA32, MOV | DMA32);
  const bad = [DMA | HIGHMEM, DMA | DMA32, DMA32 | HIGHMEM, DMA | DMA32 | HIGHMEM, MOV | HIGHMEM | DMA, MOV | DMA32 | DMA,
    MOV | DMA32 | HIGHMEM, MOV | DMA32 | DMA | HIGHMEM].reduce((acc, i) => acc | (1 << i), 0);
  return { table, bad };
}

const MODIFIERS = ["__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE"];

describe("gfp_zone() from GFP_ZONE_TABLE (6.18)", () => {
  it("the definition gives the packed words and bad mask of kernel-facts §1.4", () => {
    expect(kernelZoneTable(["DMA", "DMA32", "Normal", "Movable"]).table).toBe(0x1320122);
    expect(kernelZoneTable(["DMA", "Normal", "HighMem", "Movable"]).table).toBe(0x1310121);
    expect(kernelZoneTable(["DMA", "DMA32", "Normal", "Movable"]).bad).toBe(0xe8e8);
  });

  for (const [arch, zones] of [
    ["x86_64", ["DMA", "DMA32", "Normal", "Movable"]],
    ["i386", ["DMA", "Normal", "HighMem", "Movable"]],
    ["arm64", ["DMA", "DMA32", "Normal", "Movable"]],
  ] as const) {
    it(`${arch}: all 16 combinations of the zone modifiers`, () => {
      // The arch's configured zones (physmem); ZONE_DEVICE, where configured, comes after Movable.
      expect(archFacts(arch, "6.18").zoneTypes.slice(0, 4)).toEqual(zones);
      const { table, bad } = kernelZoneTable(zones);
      for (let i = 0; i < 16; i++) {
        if ((bad >> i) & 1) {
          const names = MODIFIERS.filter((_, b) => (i >> b) & 1);
          expect(() => gfpZone(i, { arch, version: "6.18" }), `0x${i.toString(16)}`).toThrow(
            expect.objectContaining({ code: "GFP_ZONE_BAD", modifiers: names, message: expect.stringContaining(names.join("|")) }),
          );
          expect(isGfpZoneBad(i, "6.18")).toBe(true);
        } else {
          const idx = Math.floor(table / 2 ** (i * 2)) & 3;
          expect(gfpZone(i, { arch, version: "6.18" }), `0x${i.toString(16)}`).toBe(zones[idx]);
          expect(gfpZoneIdx(i, { arch, version: "6.18" })).toBe(idx);
          expect(isGfpZoneBad(i, "6.18")).toBe(false);
        }
      }
    });
  }

  it("kernel-facts §11.3 zone vectors (x86_64) and the other bits being ignored", () => {
    const x86 = { arch: "x86_64" as ArchName };
    expect([0xcc0, 0x1, 0x4, 0x100cc2, 0x100cca, 0x8].map((m) => `${gfpZone(m, x86)}(${gfpZoneIdx(m, x86)})`)).toEqual([
      "Normal(2)", "DMA(0)", "DMA32(1)", "Normal(2)", "Movable(3)", "Normal(2)",
    ]);
    expect(gfpZone(0x100cc2, { arch: "i386-pae" })).toBe("HighMem");
    const err = (() => {
      try {
        gfpZone(0xcc3, { arch: "x86_64" });
      } catch (e) {
        return e as BadGfpZoneError;
      }
    })();
    expect(err).toBeInstanceOf(BadGfpZoneError);
    expect(err?.message).toContain("__GFP_DMA|__GFP_HIGHMEM");
  });

  it("older arm64 configurations (physmem: 3.7–4.15 ZONE_DMA only, 4.16–5.4 ZONE_DMA32 only)", () => {
    // OPT_ZONE_DMA32 falls back to ZONE_NORMAL when ZONE_DMA32 is not configured, and vice versa.
    expect(archFacts("arm64", "4.15").zoneTypes).toEqual(["DMA", "Normal", "Movable"]);
    expect(gfpZone(0x4, { arch: "arm64", version: "4.15" })).toBe("Normal");
    expect(gfpZoneIdx(0x1, { arch: "arm64", version: "4.15" })).toBe(0);
    expect(gfpZone(0x1, { arch: "arm64", version: "5.4" })).toBe("Normal");
    expect(gfpZone(0x4, { arch: "arm64", version: "5.4" })).toBe("DMA32");
    expect(() => gfpZone(0, { arch: "arm64", version: "3.6" })).toThrow(expect.objectContaining({ code: "INVALID_KERNEL_VERSION" }));
  });
});

describe("gfp_zone() in 2.6.24: an if-chain, first match wins, nothing invalid", () => {
  // 2.6.24 include/linux/gfp.h: DMA bit -> ZONE_DMA (CONFIG_ZONE_DMA); DMA32 bit -> ZONE_DMA32
  // (CONFIG_ZONE_DMA32, x86_64 only); HIGHMEM and MOVABLE both -> ZONE_MOVABLE; HIGHMEM -> ZONE_HIGHMEM
  // (CONFIG_HIGHMEM, i386 only); else ZONE_NORMAL. __GFP_MOVABLE is 0x100000 in 2.6.24.
  // Combination i: bit0 DMA, bit1 HIGHMEM, bit2 DMA32, bit3 MOVABLE; expected values worked by hand.
  const expected: Record<"x86_64" | "i386", string[]> = {
    x86_64: ["Normal", "DMA", "Normal", "DMA", "DMA32", "DMA", "DMA32", "DMA",
      "Normal", "DMA", "Movable", "DMA", "DMA32", "DMA", "DMA32", "DMA"],
    i386: ["Normal", "DMA", "HighMem", "DMA", "Normal", "DMA", "HighMem", "DMA",
      "Normal", "DMA", "Movable", "DMA", "Normal", "DMA", "Movable", "DMA"],
  };
  for (const arch of ["x86_64", "i386"] as const) {
    it(`${arch}: all 16 combinations`, () => {
      for (let i = 0; i < 16; i++) {
        const mask = (i & 7) | (i & 8 ? 0x100000 : 0);
        expect(gfpZone(mask, { arch, version: "2.6.24" }), `combination ${i}`).toBe(expected[arch][i]);
        expect(isGfpZoneBad(mask, "2.6.24")).toBe(false);
      }
    });
  }
  it("0x8 is no zone modifier in 2.6.24, and GFP_HIGHUSER_MOVABLE (0x1200d2) selects Movable", () => {
    expect(gfpZone(0x8, { arch: "i386", version: "2.6.24" })).toBe("Normal");
    expect(gfpZone(0x1200d2, { arch: "i386", version: "2.6.24" })).toBe("Movable");
    expect(gfpZoneIdx(0x200d2, { arch: "i386", version: "2.6.24" })).toBe(2);
  });
});

describe("zonelist index", () => {
  it("2.6.24: one zonelist per zone type, THISNODE adds MAX_NR_ZONES (4) on NUMA; 2.6.26+: 0 or 1", () => {
    // 2.6.24 x86_64 zones DMA, DMA32, Normal, Movable: GFP_KERNEL (0xd0) -> Normal = 2; |__GFP_THISNODE (0x40000) -> 2 + 4.
    expect(gfpZonelist(0xd0, { arch: "x86_64", version: "2.6.24" })).toBe(2);
    expect(gfpZonelist(0x400d0, { arch: "x86_64", version: "2.6.24" })).toBe(6);
    expect(gfpZonelist(0x400d0, { arch: "x86_64", version: "2.6.24", numa: false })).toBe(2);
    expect(gfpZonelist(0x1200d2 | 0x40000, { arch: "i386", version: "2.6.24" })).toBe(3 + 4);
    expect(gfpZonelist(0xcc0, { arch: "x86_64" })).toBe(0);
    expect(gfpZonelist(0x200cc0, { arch: "x86_64" })).toBe(1);
    expect(gfpZonelist(0x200cc0, { arch: "x86_64", numa: false })).toBe(0);
  });
});

describe("gfp_migratetype()", () => {
  it("kernel-facts §11.3 / §1.5", () => {
    expect([0xcc0, 0x100cca, 0x10].map((m) => gfpMigratetypeIndex(m))).toEqual([0, 1, 2]);
    expect([0xcc0, 0x100cca, 0xcd0].map((m) => gfpMigratetype(m))).toEqual(["Unmovable", "Movable", "Reclaimable"]);
    // 2.6.24: (MOVABLE ? 2 : 0) | (RECLAIMABLE ? 1 : 0); MIGRATE_RECLAIMABLE = 1, MIGRATE_MOVABLE = 2.
    expect([0xd0, 0x1200d2, 0x800d0].map((m) => gfpMigratetypeIndex(m, "2.6.24"))).toEqual([0, 2, 1]);
    expect(gfpMigratetype(0x1200d2, "2.6.24")).toBe("Movable");
    expect(gfpMigratetype(0x800d0, "2.6.24")).toBe("Reclaimable");
    expect(gfpMigratetypeIndex(0x100cca, "6.18", { mobilityDisabled: true })).toBe(0);
  });

  it("both mobility bits: index 3 and a typed error for the name", () => {
    expect(gfpMigratetypeIndex(0x18)).toBe(3);
    expect(() => gfpMigratetype(0x18)).toThrow(BadGfpMigratetypeError);
  });

  it("agrees with the migratetype= of every mm_page_alloc line in the live 6.18 sample", () => {
    const text = fs.readFileSync(path.join(__dirname, "__fixtures__", "tracefs-trace-sample-6.18.txt"), "utf8");
    const lines = text.split("\n").filter((l) => l.includes("mm_page_alloc:"));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const m = /migratetype=(\d+) gfp_flags=(\S+)/.exec(line) as RegExpExecArray;
      expect(gfpMigratetypeIndex(parseGfp(m[2], "6.18", { style: "trace" }), "6.18")).toBe(Number(m[1]));
    }
  });
});
