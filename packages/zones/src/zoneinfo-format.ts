import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";

/** The shape of /proc/zoneinfo in one kernel version range (mm/vmstat.c zoneinfo_show_print()). */
export interface ZoneinfoFormat {
  /**
   * "old": stats between present and protection with a 4-space indent, all_unreclaimable/prev_priority tail
   * (2.6.24–4.7); "node": per-node stats before the first populated zone, stats after protection with a
   * 6-space indent, node_unreclaimable tail (4.8+, node-based LRU).
   */
  readonly layout: "old" | "node";
  /** `scanned  %lu (a: %lu i: %lu)` line (2.6.24–4.7). */
  readonly scanned: boolean;
  /** `managed  %lu` line (≈3.8). */
  readonly managed: boolean;
  /** `cma      %lu` line (≈5.12). */
  readonly cma: boolean;
  /** `boost    %lu` line (≈5.16). */
  readonly boost: boolean;
  /** `promo    %lu` line (≈5.18). */
  readonly promo: boolean;
  /** Unpopulated zones are printed (up to protection) (≈4.12); before, they are skipped. */
  readonly unpopulated: boolean;
  /** Per-CPU part: "hotCold" (`cpu: %i pcp: %i`, 2.6.24), "single" (count/high/batch), "autotune" (+high_min/high_max, ≈6.7). */
  readonly pagesets: "hotCold" | "single" | "autotune";
}

const rows: (readonly [string, ZoneinfoFormat])[] = [];
const add = (since: string, change: Partial<ZoneinfoFormat>) => {
  const prev: ZoneinfoFormat = rows.length
    ? rows[rows.length - 1][1]
    : { layout: "old", scanned: true, managed: false, cma: false, boost: false, promo: false, unpopulated: false, pagesets: "hotCold" };
  rows.push([since, { ...prev, ...change }]);
};
// kernel: mm/vmstat.c zoneinfo_show_print() across versions ("≈" = release from the patch date)
add("2.6.24", {});
add("2.6.25", { pagesets: "single" }); // cold per-CPU list removed
add("3.8", { managed: true }); // ≈ managed_pages
add("4.8", { layout: "node", scanned: false }); // node-based LRU: per-node stats, node_unreclaimable
add("4.12", { unpopulated: true }); // "mm, vmstat: print non-populated zones in zoneinfo"
add("5.12", { cma: true }); // ≈ "mm: add cma to zoneinfo"
add("5.16", { boost: true }); // ≈ "mm: Show watermark_boost of zone in zoneinfo" (Sep 2021)
add("5.18", { promo: true }); // ≈ WMARK_PROMO (memory tiering)
add("6.7", { pagesets: "autotune" }); // ≈ pcp high auto-tuning

/**
 * The /proc/zoneinfo layout of a kernel version.
 *
 * @param version - kernel version
 * @returns the format facts
 * @example
 * ```ts
 * import { zoneinfoFormat } from "@pagealloc/zones";
 * console.log(zoneinfoFormat("6.18").pagesets, zoneinfoFormat("2.6.24").layout); // => autotune old
 * ```
 */
export function zoneinfoFormat(version: KernelVersion | string): ZoneinfoFormat {
  return pickByVersion(rows, version);
}

/** Per-zone counter names printed by 6.18 (`enum zone_stat_item`, mm/vmstat.c vmstat_text). */
export const ZONE_STAT_NAMES_6_18 = [
  "nr_free_pages",
  "nr_free_pages_blocks",
  "nr_zone_inactive_anon",
  "nr_zone_active_anon",
  "nr_zone_inactive_file",
  "nr_zone_active_file",
  "nr_zone_unevictable",
  "nr_zone_write_pending",
  "nr_mlock",
  "nr_zspages",
  "nr_free_cma",
] as const;

/** NUMA event counters printed per zone (CONFIG_NUMA). */
export const NUMA_STAT_NAMES = ["numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other"] as const;

/** Per-node counter names printed by 6.18 (`enum node_stat_item`), as in the live /proc/zoneinfo. */
export const NODE_STAT_NAMES_6_18 = [
  "nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file", "nr_unevictable", "nr_slab_reclaimable",
  "nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file", "workingset_nodes", "workingset_refault_anon",
  "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
  "workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty",
  "nr_writeback", "nr_shmem", "nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped",
  "nr_anon_transparent_hugepages", "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written",
  "nr_throttled_written", "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack",
  "nr_page_table_pages", "nr_sec_page_table_pages", "nr_iommu_pages", "nr_swapcached", "pgpromote_success",
  "pgpromote_candidate", "pgpromote_candidate_nrl", "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged",
  "pgdemote_proactive", "nr_hugetlb", "nr_balloon_pages", "nr_kernel_file_pages",
] as const;

/** Zone counter names printed by 2.6.24 (vmstat_text's zoned items). */
export const ZONE_STAT_NAMES_2_6_24 = [
  "nr_free_pages", "nr_inactive", "nr_active", "nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback",
  "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_page_table_pages", "nr_unstable", "nr_bounce", "nr_vmscan_write",
] as const;
