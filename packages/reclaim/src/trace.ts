import { type KernelVersion, pickByVersion, versionAtLeast } from "@pagealloc/physmem";
import type { CompactResult } from "./constants";

/** A trace event of the slow path (include/trace/events/vmscan.h, compaction.h), with the fields the kernel records. */
export type ReclaimTraceEvent =
  | { event: "mm_vmscan_wakeup_kswapd"; nid: number; zid: number; order: number; gfp: number }
  | { event: "mm_vmscan_kswapd_wake"; nid: number; zid: number; order: number }
  | { event: "mm_vmscan_kswapd_sleep"; nid: number }
  | { event: "mm_vmscan_direct_reclaim_begin"; order: number; gfp: number }
  | { event: "mm_vmscan_direct_reclaim_end"; nrReclaimed: number }
  | { event: "mm_compaction_begin"; zoneStart: number; migratePfn: number; freePfn: number; zoneEnd: number; sync: boolean }
  | { event: "mm_compaction_end"; zoneStart: number; migratePfn: number; freePfn: number; zoneEnd: number; sync: boolean; status: CompactResult }
  | { event: "mm_compaction_migratepages"; nrMigrated: number; nrFailed: number }
  | { event: "mm_compaction_deferred" | "mm_compaction_defer_compaction" | "mm_compaction_defer_reset"; nid: number; zone: string; order: number; orderFailed: number; considered: number; deferShift: number }
  | { event: "mm_compaction_wakeup_kcompactd" | "mm_compaction_kcompactd_wake"; nid: number; order: number; zone: string }
  | {
      event: "mm_vmscan_lru_shrink_inactive";
      nid: number;
      /** zone_idx of the scanned lruvec (printed before 4.8; the model's LRU is per node: the reclaim's highest zone). */
      zid: number;
      nrScanned: number;
      nrReclaimed: number;
      nrDirty: number;
      nrWriteback: number;
      nrCongested: number;
      nrImmediate: number;
      nrActivateAnon: number;
      nrActivateFile: number;
      nrRefKeep: number;
      nrUnmapFail: number;
      priority: number;
      /** The file LRU (RECLAIM_WB_FILE) or the anon LRU (RECLAIM_WB_ANON); always RECLAIM_WB_ASYNC. */
      file: boolean;
    }
  | {
      event: "mm_shrink_slab_start";
      /** The shrinker's scan function as %pS / %pF prints it (`super_cache_scan+0x0/0x1b0`). */
      shrinker: string;
      /** The struct shrinker pointer as %p prints it (16 hex digits; the raw address before 4.15, a hash after). */
      shr: string;
      nid: number;
      nrObjectsToShrink: number;
      gfp: number;
      /** ≤ 4.15: LRU pages scanned and LRU pages (the old slab pressure ratio). */
      pgsScanned: number;
      lruPgs: number;
      cacheItems: number;
      delta: number;
      totalScan: number;
      priority: number;
    }
  | { event: "mm_shrink_slab_end"; shrinker: string; shr: string; nid: number; unusedScan: number; newScan: number; totalScan: number; retval: number };

/**
 * Which TP_printk format a version uses for the vmscan events whose format changed.
 * - `lruShrinkInactive`: none (< 2.6.37); `zid` (2.6.37–4.7, per-zone LRU); `node` (4.8, node-based LRU); `stat`
 *   (4.11, reclaim_stat counters, one nr_activate); `stat-split` (≈5.2, nr_activate_anon / nr_activate_file).
 * - `shrinkSlab`: none (< 3.1); `3.1` (no nid, pgs_scanned / lru_pgs); `3.12` (`nid:` with the per-node shrinkers);
 *   `4.16` (priority instead of pgs_scanned / lru_pgs).
 * Boundaries from the version-guarded copies of include/trace/events/vmscan.h in lttng-modules (2.6.37, 3.1, 3.12)
 * and the mainline header (6.x); 4.8, 4.11, 4.16, 5.2 from the commits that changed the formats [≈].
 */
export interface VmscanTraceFormats {
  readonly lruShrinkInactive: "none" | "zid" | "node" | "stat" | "stat-split";
  readonly shrinkSlab: "none" | "3.1" | "3.12" | "4.16";
  /** mm_vmscan_wakeup_kswapd: `nid=%d zid=%d order=%d` (2.6.36) or `nid=%d order=%d gfp_flags=%s` (≈4.16, with the gfp mask). */
  readonly wakeupKswapd: "zid" | "gfp";
  /** mm_vmscan_direct_reclaim_begin: `order=%d may_writepage=%d gfp_flags=%s` (2.6.36) or `order=%d gfp_flags=%s` (≈5.2). */
  readonly directReclaimBegin: "may-writepage" | "gfp";
}

const F_OLD = { wakeupKswapd: "zid", directReclaimBegin: "may-writepage" } as const;
const FORMAT_ROWS: readonly (readonly [string, VmscanTraceFormats])[] = [
  ["2.6.24", { lruShrinkInactive: "none", shrinkSlab: "none", ...F_OLD }],
  ["2.6.37", { lruShrinkInactive: "zid", shrinkSlab: "none", ...F_OLD }],
  ["3.1", { lruShrinkInactive: "zid", shrinkSlab: "3.1", ...F_OLD }],
  ["3.12", { lruShrinkInactive: "zid", shrinkSlab: "3.12", ...F_OLD }],
  ["4.8", { lruShrinkInactive: "node", shrinkSlab: "3.12", ...F_OLD }],
  ["4.11", { lruShrinkInactive: "stat", shrinkSlab: "3.12", ...F_OLD }],
  ["4.16", { lruShrinkInactive: "stat", shrinkSlab: "4.16", wakeupKswapd: "gfp", directReclaimBegin: "may-writepage" }],
  ["5.2", { lruShrinkInactive: "stat-split", shrinkSlab: "4.16", wakeupKswapd: "gfp", directReclaimBegin: "gfp" }],
];

/**
 * The vmscan trace formats of `version` (see {@link VmscanTraceFormats}).
 *
 * @example
 * ```ts
 * import { vmscanTraceFormats } from "@pagealloc/reclaim";
 * console.log(vmscanTraceFormats("3.10").lruShrinkInactive, vmscanTraceFormats("6.18").shrinkSlab); // => zid 4.16
 * ```
 */
export function vmscanTraceFormats(version: KernelVersion | string): VmscanTraceFormats {
  return pickByVersion(FORMAT_ROWS, version);
}


const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The first release that has each tracepoint: the mm_vmscan_* events of Mel Gorman's 2.6.36 series, the
 * compaction migratepages event of 2.6.37 (the isolate events came with it), mm_compaction_begin / _end and the
 * deferral events of Joonsoo Kim's 2015 series (4.1 [≈]; begin printed decimal pfns before it), kcompactd's events
 * with kcompactd (4.6), and the per-batch events of {@link vmscanTraceFormats}.
 */
const EVENT_SINCE: Readonly<Record<ReclaimTraceEvent["event"], string>> = {
  mm_vmscan_wakeup_kswapd: "2.6.36",
  mm_vmscan_kswapd_wake: "2.6.36",
  mm_vmscan_kswapd_sleep: "2.6.36",
  mm_vmscan_direct_reclaim_begin: "2.6.36",
  mm_vmscan_direct_reclaim_end: "2.6.36",
  mm_compaction_migratepages: "2.6.37",
  mm_compaction_begin: "4.1",
  mm_compaction_end: "4.1",
  mm_compaction_deferred: "4.1",
  mm_compaction_defer_compaction: "4.1",
  mm_compaction_defer_reset: "4.1",
  mm_compaction_wakeup_kcompactd: "4.6",
  mm_compaction_kcompactd_wake: "4.6",
  mm_vmscan_lru_shrink_inactive: "2.6.37",
  mm_shrink_slab_start: "3.1",
  mm_shrink_slab_end: "3.1",
};

/**
 * Does `version` have the tracepoint `event`?
 *
 * @example
 * ```ts
 * import { traceEventExists } from "@pagealloc/reclaim";
 * console.log(traceEventExists("mm_compaction_begin", "3.10"), traceEventExists("mm_compaction_migratepages", "3.10")); // => false true
 * ```
 */
export function traceEventExists(event: ReclaimTraceEvent["event"], version: KernelVersion | string): boolean {
  return versionAtLeast(version, EVENT_SINCE[event]);
}

/**
 * The TP_printk text of a slow-path event (the part after `event_name: `).
 * kernel: include/trace/events/vmscan.h and compaction.h TP_printk formats
 *
 * @param e - the event
 * @param formatGfp - prints a gfp mask as the tracepoint does (`@pagealloc/gfp` formatGfp(mask, version, "trace"))
 * @param version - the kernel whose TP_printk format is used for the events whose format changed (default 6.18)
 * @returns the text
 * @example
 * ```ts
 * import { formatReclaimTraceEvent } from "@pagealloc/reclaim";
 * console.log(formatReclaimTraceEvent({ event: "mm_vmscan_kswapd_wake", nid: 0, zid: 2, order: 3 })); // => nid=0 order=3
 * ```
 */
export function formatReclaimTraceEvent(e: ReclaimTraceEvent, formatGfp: (gfp: number) => string = hex, version: KernelVersion | string = "6.18"): string {
  switch (e.event) {
    case "mm_vmscan_wakeup_kswapd":
      if (vmscanTraceFormats(version).wakeupKswapd === "zid") return `nid=${e.nid} zid=${e.zid} order=${e.order}`;
      return `nid=${e.nid} order=${e.order} gfp_flags=${formatGfp(e.gfp)}`;
    case "mm_vmscan_kswapd_wake":
      return `nid=${e.nid} order=${e.order}`;
    case "mm_vmscan_kswapd_sleep":
      return `nid=${e.nid}`;
    case "mm_vmscan_direct_reclaim_begin":
      // may_writepage = !laptop_mode: 1 on the model's machine
      if (vmscanTraceFormats(version).directReclaimBegin === "may-writepage") return `order=${e.order} may_writepage=1 gfp_flags=${formatGfp(e.gfp)}`;
      return `order=${e.order} gfp_flags=${formatGfp(e.gfp)}`;
    case "mm_vmscan_direct_reclaim_end":
      return `nr_reclaimed=${e.nrReclaimed}`;
    case "mm_compaction_begin":
      return `zone_start=${hex(e.zoneStart)} migrate_pfn=${hex(e.migratePfn)} free_pfn=${hex(e.freePfn)} zone_end=${hex(e.zoneEnd)}, mode=${e.sync ? "sync" : "async"}`;
    case "mm_compaction_end":
      return `zone_start=${hex(e.zoneStart)} migrate_pfn=${hex(e.migratePfn)} free_pfn=${hex(e.freePfn)} zone_end=${hex(e.zoneEnd)}, mode=${e.sync ? "sync" : "async"} status=${e.status}`;
    case "mm_compaction_migratepages":
      return `nr_migrated=${e.nrMigrated} nr_failed=${e.nrFailed}`;
    case "mm_compaction_deferred":
    case "mm_compaction_defer_compaction":
    case "mm_compaction_defer_reset":
      return `node=${e.nid} zone=${e.zone.padEnd(8)} order=${e.order} order_failed=${e.orderFailed} consider=${e.considered} limit=${2 ** e.deferShift}`;
    case "mm_compaction_wakeup_kcompactd":
    case "mm_compaction_kcompactd_wake":
      return `nid=${e.nid} order=${e.order} classzone_idx=${e.zone.padEnd(8)}`;
    case "mm_vmscan_lru_shrink_inactive": {
      // show_reclaim_flags(): __print_flags in table order (ANON, FILE, MIXED, SYNC, ASYNC) joined by "|"
      const flags = `${e.file ? "RECLAIM_WB_FILE" : "RECLAIM_WB_ANON"}|RECLAIM_WB_ASYNC`;
      const f = vmscanTraceFormats(version).lruShrinkInactive;
      const head = f === "zid" ? `nid=${e.nid} zid=${e.zid}` : `nid=${e.nid}`;
      const counts = `nr_scanned=${e.nrScanned} nr_reclaimed=${e.nrReclaimed}`;
      if (f === "zid" || f === "node" || f === "none") return `${head} ${counts} priority=${e.priority} flags=${flags}`;
      const activate = f === "stat" ? `nr_activate=${e.nrActivateAnon + e.nrActivateFile}` : `nr_activate_anon=${e.nrActivateAnon} nr_activate_file=${e.nrActivateFile}`;
      return `${head} ${counts} nr_dirty=${e.nrDirty} nr_writeback=${e.nrWriteback} nr_congested=${e.nrCongested} nr_immediate=${e.nrImmediate} ${activate} nr_ref_keep=${e.nrRefKeep} nr_unmap_fail=${e.nrUnmapFail} priority=${e.priority} flags=${flags}`;
    }
    case "mm_shrink_slab_start": {
      const f = vmscanTraceFormats(version).shrinkSlab;
      const nid = f === "3.1" ? "" : ` nid: ${e.nid}`;
      const tail = f === "4.16" ? `cache items ${e.cacheItems} delta ${e.delta} total_scan ${e.totalScan} priority ${e.priority}` : `pgs_scanned ${e.pgsScanned} lru_pgs ${e.lruPgs} cache items ${e.cacheItems} delta ${e.delta} total_scan ${e.totalScan}`;
      return `${e.shrinker} ${e.shr}:${nid} objects to shrink ${e.nrObjectsToShrink} gfp_flags ${formatGfp(e.gfp)} ${tail}`;
    }
    case "mm_shrink_slab_end": {
      const nid = vmscanTraceFormats(version).shrinkSlab === "3.1" ? "" : ` nid: ${e.nid}`;
      return `${e.shrinker} ${e.shr}:${nid} unused scan count ${e.unusedScan} new scan count ${e.newScan} total_scan ${e.totalScan} last shrinker return val ${e.retval}`;
    }
  }
}

/** Who and when, for one line of the ftrace `trace` file. */
export interface ReclaimTraceLineContext {
  readonly comm: string;
  readonly pid: number;
  readonly cpu: number;
  /** The five flag characters (irqs-off, need-resched, hardirq/softirq, preempt-depth, migrate-disable). */
  readonly flags?: string;
  readonly timestampUs: number;
}

/**
 * One line of the ftrace `trace` file: `"%16s-%-7d [%03d] <flags> %5lu.%06lu: <event>: <fields>"` (5.10+ pid width).
 * kernel: kernel/trace/trace_output.c trace_print_context()
 *
 * @example
 * ```ts
 * import { formatReclaimTraceLine } from "@pagealloc/reclaim";
 * const line = formatReclaimTraceLine({ comm: "kswapd0", pid: 93, cpu: 1, timestampUs: 1500250 }, { event: "mm_vmscan_kswapd_sleep", nid: 0 });
 * console.log(line.trim()); // => kswapd0-93      [001] .....     1.500250: mm_vmscan_kswapd_sleep: nid=0
 * ```
 */
export function formatReclaimTraceLine(ctx: ReclaimTraceLineContext, e: ReclaimTraceEvent, formatGfp?: (gfp: number) => string, version?: KernelVersion | string): string {
  const secs = Math.floor(ctx.timestampUs / 1e6);
  const us = String(ctx.timestampUs % 1e6).padStart(6, "0");
  const head = `${ctx.comm.padStart(16)}-${String(ctx.pid).padEnd(7)} [${String(ctx.cpu).padStart(3, "0")}] ${ctx.flags ?? "....."} ${String(secs).padStart(5)}.${us}: `;
  return `${head}${e.event}: ${formatReclaimTraceEvent(e, formatGfp, version)}`;
}
