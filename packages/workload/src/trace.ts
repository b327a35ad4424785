import { TraceParseError } from "./errors";

/** The kmem page events a replay understands (any kernel version's names). */
export const KMEM_PAGE_EVENTS = [
  "mm_page_alloc",
  "mm_page_free",
  "mm_page_free_batched",
  "mm_page_free_direct",
  "mm_pagevec_free",
  "mm_page_alloc_zone_locked",
  "mm_page_pcpu_drain",
  "mm_page_alloc_extfrag",
] as const;
/** One of {@link KMEM_PAGE_EVENTS}. */
export type KmemPageEvent = (typeof KMEM_PAGE_EVENTS)[number];

/** A kmem page event read from a trace line. */
export interface TraceRecord {
  readonly event: KmemPageEvent;
  /** Line number in the input (1-based). */
  readonly line: number;
  readonly comm?: string;
  readonly pid?: number;
  readonly cpu?: number;
  /** Seconds. */
  readonly timestamp?: number;
  /** The page frame number, or undefined when the line has none (very old formats print only page=). */
  readonly pfn?: number;
  /** The `page=` pointer text (hashed on modern kernels), a key when there is no pfn. */
  readonly page?: string;
  readonly order: number;
  readonly migratetype?: number;
  /** gfp_flags as printed (`GFP_KERNEL|__GFP_ZERO`, `0xcc0`, `none`). */
  readonly gfp?: string;
  /** mm_page_alloc with page NULL (the allocation failed). */
  readonly failed: boolean;
}

const EVENT_RE = /(?:^|\s)(?:kmem:)?(mm_page_alloc_zone_locked|mm_page_alloc_extfrag|mm_page_alloc|mm_page_free_batched|mm_page_free_direct|mm_page_free|mm_pagevec_free|mm_page_pcpu_drain):\s*(.*)$/;
// Context before the event: ftrace `comm-pid [cpu] flags ts:`, trace-cmd `comm-pid [cpu] ts:`, perf script `comm pid [cpu] ts:`.
// perf script may print the sample period after the timestamp (`963.863731:          1 kmem:mm_page_free:`).
const CONTEXT_RE = /^\s*(.*?)[-\s](\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(?:\S{4,5}\s+)?(\d+\.\d+):(?:\s+\d+)?\s*$/;
const FIELD_RE = /(\w+)=(\S+)/g;

/**
 * Read one line of ftrace text (`trace`, `trace_pipe`), `trace-cmd report` or `perf script` output.
 * Field layouts of every version are accepted: `pfn=0x1db80e` (5.14+) or decimal (2.6.32–5.13), old event
 * names (`mm_page_free_direct`, `mm_pagevec_free`), `kmem:` prefixes, with or without the flags column.
 *
 * @param text - the line
 * @param line - its number (for errors and the record)
 * @param file - the file name (for errors)
 * @returns the record, or null for a line that is not a kmem page event (headers, other events)
 * @throws {TraceParseError} for a kmem page event whose order or pfn cannot be read
 * @example
 * ```ts
 * import { parseTraceLine } from "@pagealloc/workload";
 * const r = parseTraceLine("  python3-19204   [000] .....   963.863731: mm_page_free: page=000000005607aae3 pfn=0x1db80e order=0", 1);
 * console.log(r.event, r.pfn, r.order, r.cpu); // => mm_page_free 1947662 0 0
 * ```
 */
export function parseTraceLine(text: string, line: number, file = "trace"): TraceRecord | null {
  if (text.startsWith("#")) return null;
  const m = EVENT_RE.exec(text);
  if (!m) return null;
  const event = m[1] as KmemPageEvent;
  const fields = new Map<string, string>();
  for (const f of m[2]!.matchAll(FIELD_RE)) if (!fields.has(f[1]!)) fields.set(f[1]!, f[2]!);
  const ctx = CONTEXT_RE.exec(text.slice(0, m.index + (m[0].startsWith(" ") || m[0].startsWith("\t") ? 1 : 0)));
  const orderText = fields.get("order") ?? fields.get("alloc_order");
  const order = orderText === undefined ? (event === "mm_page_free_batched" || event === "mm_pagevec_free" ? 0 : NaN) : Number(orderText);
  if (!Number.isInteger(order) || order < 0 || order > 31) throw new TraceParseError(`${event}: no valid order= field`, file, line);
  const pfnText = fields.get("pfn");
  let pfn: number | undefined;
  if (pfnText !== undefined) {
    pfn = /^0x[0-9a-f]+$/i.test(pfnText) ? parseInt(pfnText, 16) : /^\d+$/.test(pfnText) ? Number(pfnText) : NaN;
    if (!Number.isSafeInteger(pfn)) throw new TraceParseError(`${event}: pfn=${pfnText} is not a number`, file, line);
  }
  const page = fields.get("page");
  const failed = event === "mm_page_alloc" && ((page !== undefined && /^(0+|\(null\)|0x0)$/.test(page)) || (page === undefined && pfn === 0));
  if (pfn === undefined && page === undefined) throw new TraceParseError(`${event}: neither pfn= nor page=`, file, line);
  const mtText = fields.get("migratetype") ?? fields.get("alloc_migratetype");
  return {
    event,
    line,
    comm: ctx?.[1]?.trim() || undefined,
    pid: ctx ? Number(ctx[2]) : undefined,
    cpu: ctx ? Number(ctx[3]) : undefined,
    timestamp: ctx ? Number(ctx[4]) : undefined,
    pfn,
    page,
    order,
    migratetype: mtText === undefined ? undefined : Number(mtText),
    gfp: fields.get("gfp_flags"),
    failed,
  };
}
