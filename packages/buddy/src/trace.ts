import { cInt } from "./c-format";

/** A kmem page trace event (include/trace/events/kmem.h), with the fields the kernel records. */
export type BuddyTraceEvent =
  | { event: "mm_page_alloc"; pfn: number; order: number; gfp: number; migratetype: number }
  | { event: "mm_page_free"; pfn: number; order: number }
  | { event: "mm_page_free_batched"; pfn: number }
  | { event: "mm_page_alloc_zone_locked"; pfn: number; order: number; migratetype: number; percpuRefill: boolean }
  | { event: "mm_page_pcpu_drain"; pfn: number; order: number; migratetype: number }
  | {
      event: "mm_page_alloc_extfrag";
      pfn: number;
      allocOrder: number;
      fallbackOrder: number;
      pageblockOrder: number;
      allocMigratetype: number;
      fallbackMigratetype: number;
      changeOwnership: boolean;
    };

/** How to print what the kernel prints through %p and the gfp flag table. */
export interface TraceFormatOptions {
  /** The hashed `page=%p` value for a pfn (default: a stable 32-bit mix of the pfn). */
  pagePointer?: (pfn: number) => number;
  /** gfp_flags as printed (default: hex). `@pagealloc/gfp` formatGfp(mask, version, "trace") fits. */
  formatGfp?: (gfp: number) => string;
  /** `pfn=0x%lx` (5.14+, default) or decimal (2.6.32–5.13). */
  pfnHex?: boolean;
}

function defaultPointer(pfn: number): number {
  // A deterministic stand-in for the per-boot pointer hash (the kernel's value is random per boot).
  let h = (pfn ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The TP_printk text of an event (the part after `event_name: `).
 * kernel: include/trace/events/kmem.h TP_printk formats
 *
 * @example
 * ```ts
 * import { formatTraceEvent } from "@pagealloc/buddy";
 * const text = formatTraceEvent({ event: "mm_page_free", pfn: 0x1db80e, order: 0 }, { pagePointer: () => 0x5607aae3 });
 * console.log(text); // => page=000000005607aae3 pfn=0x1db80e order=0
 * ```
 */
export function formatTraceEvent(e: BuddyTraceEvent, o: TraceFormatOptions = {}): string {
  const ptr = (pfn: number) => (pfn < 0 ? 0 : (o.pagePointer ?? defaultPointer)(pfn)).toString(16).padStart(16, "0");
  const pfnText = (pfn: number) => (o.pfnHex === false ? String(pfn) : `0x${pfn.toString(16)}`);
  const head = (pfn: number) => `page=${ptr(pfn)} pfn=${pfnText(Math.max(pfn, 0))}`;
  switch (e.event) {
    case "mm_page_alloc": {
      const gfp = e.gfp === 0 ? "none" : o.formatGfp ? o.formatGfp(e.gfp) : `0x${e.gfp.toString(16)}`;
      return `${head(e.pfn)} order=${e.order} migratetype=${e.migratetype} gfp_flags=${gfp}`;
    }
    case "mm_page_free":
      return `${head(e.pfn)} order=${e.order}`;
    case "mm_page_free_batched":
      return `${head(e.pfn)} order=0`;
    case "mm_page_alloc_zone_locked":
      return `${head(e.pfn)} order=${e.order} migratetype=${e.migratetype} percpu_refill=${e.percpuRefill ? 1 : 0}`;
    case "mm_page_pcpu_drain":
      return `${head(e.pfn)} order=${e.order} migratetype=${e.migratetype}`;
    case "mm_page_alloc_extfrag":
      return (
        `${head(e.pfn)} alloc_order=${e.allocOrder} fallback_order=${e.fallbackOrder} pageblock_order=${e.pageblockOrder} ` +
        `alloc_migratetype=${e.allocMigratetype} fallback_migratetype=${e.fallbackMigratetype} ` +
        `fragmenting=${e.fallbackOrder < e.pageblockOrder ? 1 : 0} change_ownership=${e.changeOwnership ? 1 : 0}`
      );
  }
}

/** The context columns of one trace line. */
export interface TraceLineContext {
  comm: string;
  pid: number;
  cpu: number;
  /** Five flag characters, e.g. `.....` or `d..2.`. */
  flags?: string;
  /** Timestamp in microseconds. */
  timestampUs: number;
}

/**
 * One line of the `trace` file: `"%16s-%-7d [%03d] FLAGS %5lu.%06lu: name: fields"` (5.10+ layout).
 * kernel: kernel/trace/trace_output.c
 *
 * @example
 * ```ts
 * import { formatTraceLine } from "@pagealloc/buddy";
 * const line = formatTraceLine({ comm: "python3", pid: 19204, cpu: 0, timestampUs: 963863731000 / 1000 },
 *   { event: "mm_page_free", pfn: 0x1db80e, order: 0 }, { pagePointer: () => 0x5607aae3 });
 * console.log(JSON.stringify(line)); // => "         python3-19204   [000] .....   963.863731: mm_page_free: page=000000005607aae3 pfn=0x1db80e order=0"
 * ```
 */
export function formatTraceLine(ctx: TraceLineContext, e: BuddyTraceEvent, o: TraceFormatOptions = {}): string {
  const comm = ctx.comm.padStart(16, " ");
  const pid = String(ctx.pid).padEnd(7, " ");
  const secs = Math.floor(ctx.timestampUs / 1e6);
  const usecs = Math.round(ctx.timestampUs - secs * 1e6);
  return `${comm}-${pid} [${cInt(ctx.cpu, 3, "zero")}] ${ctx.flags ?? "....."} ${cInt(secs, 5)}.${cInt(usecs, 6, "zero")}: ${e.event}: ${formatTraceEvent(e, o)}`;
}
