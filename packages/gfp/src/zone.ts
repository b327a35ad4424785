import { type ArchName, type KernelVersion, archFacts, pickByVersion } from "@pagealloc/physmem";
import { BadGfpMigratetypeError, BadGfpZoneError } from "./errors";
import { type GfpConfig, type GfpLayout, gfpLayout, perLayout } from "./layout";
import type { ZoneName } from "./zone-type";

/** What one combination of the zone modifiers selects: a zone, an `OPT_ZONE_*` (the zone if configured, else Normal) or BAD. */
type ZoneTableEntry = "NORMAL" | "OPT_DMA" | "OPT_HIGHMEM" | "OPT_DMA32" | "MOVABLE" | "BAD";

/**
 * gfp_zone() by era. 2.6.24–2.6.30: a chain of tests, first match wins, no invalid combination
 * (__GFP_MOVABLE was 0x100000 then). 2.6.31+: GFP_ZONE_TABLE indexed by the four low bits
 * DMA|HIGHMEM|DMA32|MOVABLE, with GFP_ZONE_BAD (0xe8e8) marking the invalid combinations.
 */
const GFP_ZONE_ERAS: readonly (readonly [string, ZoneRule])[] = [
  [
    "2.6.24",
    {
      kind: "chain",
      // [flags that must all be set, zone]; a rule for a zone the arch does not configure is skipped (#ifdef).
      rules: [
        [["__GFP_DMA"], "DMA"],
        [["__GFP_DMA32"], "DMA32"],
        [["__GFP_HIGHMEM", "__GFP_MOVABLE"], "Movable"],
        [["__GFP_HIGHMEM"], "HighMem"],
        [[], "Normal"],
      ],
    },
  ],
  [
    "2.6.31",
    {
      kind: "table",
      entries: [
        "NORMAL", "OPT_DMA", "OPT_HIGHMEM", "BAD", "OPT_DMA32", "BAD", "BAD", "BAD",
        "NORMAL", "OPT_DMA", "MOVABLE", "BAD", "OPT_DMA32", "BAD", "BAD", "BAD",
      ],
    },
  ],
];

type ZoneRule =
  | { readonly kind: "chain"; readonly rules: readonly (readonly [readonly string[], ZoneName])[] }
  | { readonly kind: "table"; readonly entries: readonly ZoneTableEntry[] };

/** The four zone modifiers, in bit order of the GFP_ZONE_TABLE index. */
export const GFP_ZONE_MODIFIERS = ["__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE"] as const;

/** Where to evaluate gfp_zone(). */
export interface GfpZoneOptions {
  /** Architecture (decides which zones exist, through physmem's `archFacts().zoneTypes`). */
  readonly arch: ArchName;
  /** Kernel release; default 6.18. */
  readonly version?: KernelVersion | string;
  /** Config options (see {@link GfpConfig}). */
  readonly config?: GfpConfig;
}

/** The zones of the arch in enum zone_type order (physmem's archFacts: DMA/DMA32/HighMem/Device by arch and version). */
function archZones(arch: ArchName, layout: GfpLayout): readonly ZoneName[] {
  return perLayout(layout, `zones:${arch}`, () => archFacts(arch, layout.version).zoneTypes);
}

/** The gfp_zone() rule of the layout's version. */
function zoneRule(layout: GfpLayout): ZoneRule {
  return perLayout(layout, "zoneRule", () => pickByVersion(GFP_ZONE_ERAS, layout.version));
}

/** The GFP_ZONE_TABLE index: bit i set when zone modifier i is set in the mask. */
function zoneModifierIndex(mask: number, layout: GfpLayout): number {
  return GFP_ZONE_MODIFIERS.reduce((acc, name, bit) => ((mask & layout.flags[name]) !== 0 ? acc | (1 << bit) : acc), 0);
}

/**
 * The highest zone an allocation with this mask may use, as gfp_zone() computes it.
 *
 * @param mask - the gfp mask
 * @param options - arch, version, config
 * @returns the zone's name
 * @throws {BadGfpZoneError} (code `GFP_ZONE_BAD`) for a combination GFP_ZONE_BAD marks, e.g. `__GFP_DMA|__GFP_HIGHMEM`
 * @throws {InvalidKernelVersionError} for a version before the arch existed (arm64: 3.7)
 * @example
 * ```ts
 * import { gfpZone } from "@pagealloc/gfp";
 * console.log(gfpZone(0x100cca, { arch: "x86_64" }), gfpZone(0x100cc2, { arch: "i386" })); // => Movable HighMem
 * ```
 */
// kernel: include/linux/gfp.h gfp_zone() (table since 2.6.31, if-chain before)
export function gfpZone(mask: number, options: GfpZoneOptions): ZoneName {
  const layout = gfpLayout(options.version, options.config);
  const zones = archZones(options.arch, layout);
  const rule = zoneRule(layout);
  if (rule.kind === "chain") {
    for (const [needs, zone] of rule.rules) {
      if (zones.includes(zone) && needs.every((n) => (mask & layout.flags[n]) !== 0)) return zone;
    }
    return "Normal";
  }
  const idx = zoneModifierIndex(mask, layout);
  const entry = rule.entries[idx];
  if (entry === "BAD") {
    throw new BadGfpZoneError(mask >>> 0, GFP_ZONE_MODIFIERS.filter((_, bit) => (idx & (1 << bit)) !== 0));
  }
  const resolved: Record<Exclude<ZoneTableEntry, "BAD">, ZoneName> = {
    NORMAL: "Normal",
    MOVABLE: "Movable",
    OPT_DMA: zones.includes("DMA") ? "DMA" : "Normal",
    OPT_HIGHMEM: zones.includes("HighMem") ? "HighMem" : "Normal",
    OPT_DMA32: zones.includes("DMA32") ? "DMA32" : "Normal",
  };
  return resolved[entry];
}

/**
 * gfp_zone() as a number: the zone's index among the zones the arch configures (zone_idx()).
 *
 * @param mask - the gfp mask
 * @param options - arch, version, config
 * @returns the index (x86_64: DMA 0, DMA32 1, Normal 2, Movable 3)
 * @throws {BadGfpZoneError} as {@link gfpZone}
 * @example
 * ```ts
 * import { gfpZoneIdx } from "@pagealloc/gfp";
 * console.log(gfpZoneIdx(0xcc0, { arch: "x86_64" }), gfpZoneIdx(0x100cca, { arch: "x86_64" })); // => 2 3
 * ```
 */
export function gfpZoneIdx(mask: number, options: GfpZoneOptions): number {
  return archZones(options.arch, gfpLayout(options.version, options.config)).indexOf(gfpZone(mask, options));
}

/** Options of {@link gfpZonelist}. */
export interface GfpZonelistOptions extends GfpZoneOptions {
  /** CONFIG_NUMA (default true): only NUMA kernels have the __GFP_THISNODE zonelists. */
  readonly numa?: boolean;
}

/**
 * Which of a node's zonelists (`node_zonelists[]`) an allocation walks, by era: 2.6.24–2.6.25 one
 * zonelist per zone type, indexed by gfp_zone() plus MAX_NR_ZONES for __GFP_THISNODE on NUMA;
 * 2.6.26+ ("use two zonelist that are filtered by GFP mask", ≈) ZONELIST_FALLBACK 0 or, for
 * __GFP_THISNODE on NUMA, ZONELIST_NOFALLBACK 1.
 */
const ZONELIST_ERAS: readonly (readonly [string, "perZone" | "two"])[] = [
  ["2.6.24", "perZone"],
  ["2.6.26", "two"],
];

/**
 * The index into the node's `node_zonelists[]` for a mask.
 *
 * @param mask - the gfp mask
 * @param options - arch, version, config, numa
 * @returns 2.6.24: zone index (+ MAX_NR_ZONES with __GFP_THISNODE); 2.6.26+: 0 or 1
 * @throws {BadGfpZoneError} as {@link gfpZone} (2.6.24 has no invalid combination)
 * @example
 * ```ts
 * import { gfpZonelist } from "@pagealloc/gfp";
 * console.log(gfpZonelist(0x200cc0, { arch: "x86_64" }), gfpZonelist(0x400d0, { arch: "x86_64", version: "2.6.24" })); // => 1 6
 * ```
 */
// kernel: include/linux/gfp.h gfp_zonelist() (2.6.26+); 2.6.24 gfp_zone() with the THISNODE base
export function gfpZonelist(mask: number, options: GfpZonelistOptions): number {
  const layout = gfpLayout(options.version, options.config);
  const thisNode = (options.numa ?? true) && (mask & layout.flags.__GFP_THISNODE) !== 0;
  if (pickByVersion(ZONELIST_ERAS, layout.version) === "two") return thisNode ? 1 : 0;
  const zones = archZones(options.arch, layout);
  return gfpZoneIdx(mask, options) + (thisNode ? zones.length : 0);
}

/**
 * True when the zone modifiers of the mask are a combination GFP_ZONE_BAD marks (2.6.31+; the
 * 2.6.24 if-chain has none).
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether gfp_zone() would hit VM_BUG_ON on a CONFIG_DEBUG_VM kernel
 * @example
 * ```ts
 * import { isGfpZoneBad } from "@pagealloc/gfp";
 * console.log(isGfpZoneBad(0x5), isGfpZoneBad(0x5, "2.6.24")); // => true false
 * ```
 */
export function isGfpZoneBad(mask: number, version?: KernelVersion | string): boolean {
  const layout = gfpLayout(version);
  const rule = zoneRule(layout);
  return rule.kind === "table" && rule.entries[zoneModifierIndex(mask, layout)] === "BAD";
}

/** The migratetype an allocation goes to, as /proc/pagetypeinfo names it. */
export type GfpMigratetype = "Unmovable" | "Movable" | "Reclaimable";

/**
 * gfp -> migratetype by era: 2.6.24–4.3 allocflags_to_migratetype() = (MOVABLE ? 2 : 0) |
 * (RECLAIMABLE ? 1 : 0) with enum order Unmovable, Reclaimable, Movable, Reserve; 4.4+
 * (gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT with order Unmovable, Movable, Reclaimable, HighAtomic.
 */
const MIGRATETYPE_ERAS: readonly (readonly [string, { readonly movable: number; readonly reclaimable: number; readonly names: readonly string[] }])[] = [
  ["2.6.24", { movable: 2, reclaimable: 1, names: ["Unmovable", "Reclaimable", "Movable", "Reserve"] }],
  ["4.4", { movable: 1, reclaimable: 2, names: ["Unmovable", "Movable", "Reclaimable", "HighAtomic"] }],
];

function migratetypeEra(layout: GfpLayout) {
  return perLayout(layout, "migratetype", () => pickByVersion(MIGRATETYPE_ERAS, layout.version));
}

/** Options of the migratetype functions. */
export interface GfpMigratetypeOptions {
  /** page_group_by_mobility_disabled (too little memory for grouping): everything is Unmovable. */
  readonly mobilityDisabled?: boolean;
  /** Config options (see {@link GfpConfig}). */
  readonly config?: GfpConfig;
}

/**
 * The kernel's migratetype number for a mask: the index into free_area[order].free_list[] of that version.
 * Both mobility bits give 3 (HighAtomic from 4.4, Reserve before), which the kernel warns about.
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param options - `mobilityDisabled`, `config`
 * @returns 0..3
 * @example
 * ```ts
 * import { gfpMigratetypeIndex } from "@pagealloc/gfp";
 * console.log(gfpMigratetypeIndex(0x100cca), gfpMigratetypeIndex(0x1200d2, "2.6.24")); // => 1 2
 * ```
 */
// kernel: include/linux/gfp.h gfp_migratetype() (4.4+: gfpflags_to_migratetype, before: allocflags_to_migratetype)
export function gfpMigratetypeIndex(mask: number, version?: KernelVersion | string, options: GfpMigratetypeOptions = {}): number {
  if (options.mobilityDisabled) return 0;
  const layout = gfpLayout(version, options.config);
  const era = migratetypeEra(layout);
  const flags = layout.flags;
  return ((mask & flags.__GFP_MOVABLE) !== 0 ? era.movable : 0) | ((mask & flags.__GFP_RECLAIMABLE) !== 0 ? era.reclaimable : 0);
}

/**
 * The migratetype an allocation with this mask is served from.
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param options - `mobilityDisabled`, `config`
 * @returns `Unmovable`, `Movable` or `Reclaimable`
 * @throws {BadGfpMigratetypeError} when both __GFP_MOVABLE and __GFP_RECLAIMABLE are set
 * @example
 * ```ts
 * import { gfpMigratetype } from "@pagealloc/gfp";
 * console.log(gfpMigratetype(0xcc0), gfpMigratetype(0x100cca), gfpMigratetype(0xcd0)); // => Unmovable Movable Reclaimable
 * ```
 */
// kernel: include/linux/gfp.h gfp_migratetype()
export function gfpMigratetype(mask: number, version?: KernelVersion | string, options: GfpMigratetypeOptions = {}): GfpMigratetype {
  const idx = gfpMigratetypeIndex(mask, version, options);
  if (idx === 3) throw new BadGfpMigratetypeError(mask >>> 0);
  return migratetypeEra(gfpLayout(version, options.config)).names[idx] as GfpMigratetype;
}
