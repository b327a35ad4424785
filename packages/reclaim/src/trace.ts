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
  | { event: "mm_compaction_wakeup_kcompactd" | "mm_compaction_kcompactd_wake"; nid: number; order: number; zone: string };

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The TP_printk text of a slow-path event (the part after `event_name: `).
 * kernel: include/trace/events/vmscan.h and compaction.h TP_printk formats
 *
 * @param e - the event
 * @param formatGfp - prints a gfp mask as the tracepoint does (`@pagealloc/gfp` formatGfp(mask, version, "trace"))
 * @returns the text
 * @example
 * ```ts
 * import { formatReclaimTraceEvent } from "@pagealloc/reclaim";
 * console.log(formatReclaimTraceEvent({ event: "mm_vmscan_kswapd_wake", nid: 0, zid: 2, order: 3 })); // => nid=0 order=3
 * ```
 */
export function formatReclaimTraceEvent(e: ReclaimTraceEvent, formatGfp: (gfp: number) => string = hex): string {
  switch (e.event) {
    case "mm_vmscan_wakeup_kswapd":
      return `nid=${e.nid} order=${e.order} gfp_flags=${formatGfp(e.gfp)}`;
    case "mm_vmscan_kswapd_wake":
      return `nid=${e.nid} order=${e.order}`;
    case "mm_vmscan_kswapd_sleep":
      return `nid=${e.nid}`;
    case "mm_vmscan_direct_reclaim_begin":
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
export function formatReclaimTraceLine(ctx: ReclaimTraceLineContext, e: ReclaimTraceEvent, formatGfp?: (gfp: number) => string): string {
  const secs = Math.floor(ctx.timestampUs / 1e6);
  const us = String(ctx.timestampUs % 1e6).padStart(6, "0");
  const head = `${ctx.comm.padStart(16)}-${String(ctx.pid).padEnd(7)} [${String(ctx.cpu).padStart(3, "0")}] ${ctx.flags ?? "....."} ${String(secs).padStart(5)}.${us}: `;
  return `${head}${e.event}: ${formatReclaimTraceEvent(e, formatGfp)}`;
}
