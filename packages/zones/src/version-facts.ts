import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";

/**
 * What the zone layer's formulas look like in one kernel version range. Each field names the
 * kernel fact it models; the rows below say in which version it changed ("≈" where the release
 * rests on a patch date rather than a tree of that release).
 */
export interface ZoneVersionFacts {
  /** Which page count sizes watermarks, reserves and pcp batches: present (2.6.24–3.7) or managed (3.8+, ≈). */
  readonly sizeBy: "present" | "managed";
  /** Upper clamp of the default min_free_kbytes: 65536 until 5.6, 262144 from 5.7 (≈). */
  readonly minFreeKbytesMax: number;
  /** vm.watermark_scale_factor exists (4.6): delta = max(tmp/4, managed*wsf/10000). Else low = min+tmp/4, high = min+tmp/2. */
  readonly watermarkScaleFactor: boolean;
  /** WMARK_PROMO (memory tiering, ≈5.18). */
  readonly promo: boolean;
  /**
   * How ZONE_MOVABLE is treated by __setup_per_zone_wmarks: "ifHighmem" (only when ZONE_MOVABLE is
   * carved from HighMem, is_highmem() → zone_movable_is_highmem(); 2.6.24–5.19) or "always" (≈6.0).
   */
  readonly movableLikeHighmem: "ifHighmem" | "always";
  /** watermark_boost_factor / zone->watermark_boost (5.0). */
  readonly boost: boolean;
  /**
   * lowmem_reserve ratio semantics: "forceOne" (ratio < 1 becomes 1; 2.6.24–4.15), "zeroMeansNone"
   * (ratio < 1 is stored as 0 and gives no reserve; 4.16), "clearEmpty" (also no reserve for a zone
   * with no managed pages; ≈5.9).
   */
  readonly lowmemReserveRule: "forceOne" | "zeroMeansNone" | "clearEmpty";
  /**
   * The lowmem_reserve_ratio default: "positional" = {256 (if DMA), 256 (if DMA32), 32 (if HIGHMEM), 32}
   * over the configured zones (2.6.24–4.15), "named" = DMA 256, DMA32 256, Normal 32, others 0 (4.16).
   */
  readonly lowmemReserveRatioDefault: "positional" | "named";
  /**
   * Per-CPU pageset shape: "hotCold" (two lists, 2.6.24), "single" (one list, high = 6×batch; 2.6.25–5.13),
   * "highsize" (high from zone_highsize(); 5.14–6.6), "autotune" (high_min/high_max; 6.7+, ≈).
   */
  readonly pcp: "hotCold" | "single" | "highsize" | "autotune";
  /** zone_batchsize() cap in bytes: 512 KiB until 4.18, 1 MiB from 4.19. */
  readonly batchCapBytes: number;
  /** Sysctl that sizes pcp high: percpu_pagelist_fraction (2.6.24–5.13) or percpu_pagelist_high_fraction (5.14+). */
  readonly pcpFractionSysctl: "percpu_pagelist_fraction" | "percpu_pagelist_high_fraction";
  /** ZONELIST ordering: "nodeOrZone" (2.6.24–4.13, numa_zonelist_order) or "node" (4.14+, zone order removed). */
  readonly zonelistOrder: "nodeOrZone" | "node";
  /** 2.6.24's zonelists are one list per zone type (gfp_zone() picks the list); modern: one list filtered by highest_zoneidx. */
  readonly zonelistPerZoneType: boolean;
  /** RECLAIM_DISTANCE (include/linux/topology.h): 20 in 2.6.x, 30 from ≈2.6.36. */
  readonly reclaimDistance: number;
}

const BASE_2_6_24: ZoneVersionFacts = {
  sizeBy: "present",
  minFreeKbytesMax: 65536,
  watermarkScaleFactor: false,
  promo: false,
  movableLikeHighmem: "ifHighmem",
  boost: false,
  lowmemReserveRule: "forceOne",
  lowmemReserveRatioDefault: "positional",
  pcp: "hotCold",
  batchCapBytes: 512 * 1024,
  pcpFractionSysctl: "percpu_pagelist_fraction",
  zonelistOrder: "nodeOrZone",
  zonelistPerZoneType: true,
  reclaimDistance: 20,
};

function row(since: string, prev: ZoneVersionFacts, change: Partial<ZoneVersionFacts>): readonly [string, ZoneVersionFacts] {
  return [since, { ...prev, ...change }];
}

// kernel: the versions where mm/page_alloc.c / mm/vmstat.c changed the facts above (see kernel-facts §2–§4).
const ROWS: (readonly [string, ZoneVersionFacts])[] = [["2.6.24", BASE_2_6_24]];
const add = (since: string, change: Partial<ZoneVersionFacts>) => {
  ROWS.push(row(since, ROWS[ROWS.length - 1][1], change));
};
add("2.6.25", { pcp: "single" }); // cold list removed (Christoph Lameter, Nov 2007)
add("2.6.26", { zonelistPerZoneType: false }); // Mel Gorman's "one zonelist" series (filtered by zone index)
add("2.6.36", { reclaimDistance: 30 }); // ≈ RECLAIM_DISTANCE 20 -> 30
add("3.8", { sizeBy: "managed" }); // ≈ Jiang Liu's managed_pages series
add("4.6", { watermarkScaleFactor: true }); // commit 795ae7a0de6b
add("4.14", { zonelistOrder: "node" }); // zone ordering of zonelists removed
add("4.16", { lowmemReserveRule: "zeroMeansNone", lowmemReserveRatioDefault: "named" }); // ≈ "don't reserve ZONE_HIGHMEM for ZONE_MOVABLE request"
add("4.19", { batchCapBytes: 1024 * 1024 }); // commit d8a759b57035 "double zone's batchsize"
add("5.0", { boost: true }); // watermark boosting (Mel Gorman)
add("5.7", { minFreeKbytesMax: 262144 }); // ≈ "increase default min_free_kbytes bound"
add("5.9", { lowmemReserveRule: "clearEmpty" }); // ≈ "clear out zone->lowmem_reserve[] if the zone is empty"
add("5.14", { pcp: "highsize", pcpFractionSysctl: "percpu_pagelist_high_fraction" }); // Mel Gorman's pcp->high series
add("5.18", { promo: true }); // ≈ WMARK_PROMO (memory tiering)
add("6.0", { movableLikeHighmem: "always" }); // ≈ "fix min_free_kbytes calculation regarding ZONE_MOVABLE"
add("6.7", { pcp: "autotune" }); // ≈ pcp high auto-tuning (high_min / high_max)

/** The version rows of {@link zoneVersionFacts}, oldest first (exported for documentation and tests). */
export const ZONE_VERSION_ROWS: readonly (readonly [string, ZoneVersionFacts])[] = ROWS;

/**
 * The zone layer's version-dependent facts for a kernel version.
 *
 * @param version - kernel version (2.6.24 or later)
 * @returns the facts row that applies
 * @throws {InvalidKernelVersionError} for versions before 2.6.24
 * @example
 * ```ts
 * import { zoneVersionFacts } from "@pagealloc/zones";
 * console.log(zoneVersionFacts("2.6.24").pcp, zoneVersionFacts("6.18").pcp); // => hotCold autotune
 * ```
 */
export function zoneVersionFacts(version: KernelVersion | string): ZoneVersionFacts {
  return pickByVersion(ROWS, version);
}
