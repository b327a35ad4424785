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
 * A reusable, mutable {@link TraceRecord} that {@link scanTraceLine} fills in place (one per replayer,
 * so that the hot path allocates no record per line). `eventIndex` is the event's index in
 * {@link KMEM_PAGE_EVENTS}.
 */
export class ScannedTraceRecord implements TraceRecord {
  event: KmemPageEvent = "mm_page_alloc";
  eventIndex = 0;
  line = 0;
  comm: string | undefined = undefined;
  pid: number | undefined = undefined;
  cpu: number | undefined = undefined;
  // A number from the start (the scanners always set one): V8 then keeps the field a double updated in place
  // instead of allocating a heap number for every line's timestamp.
  timestamp: number | undefined = 0;
  pfn: number | undefined = undefined;
  page: string | undefined = undefined;
  order = 0;
  migratetype: number | undefined = undefined;
  gfp: string | undefined = undefined;
  failed = false;

  /** A plain record with the general parser's shape. */
  toRecord(): TraceRecord {
    return {
      event: this.event,
      line: this.line,
      comm: this.comm,
      pid: this.pid,
      cpu: this.cpu,
      timestamp: this.timestamp,
      pfn: this.pfn,
      page: this.page,
      order: this.order,
      migratetype: this.migratetype,
      gfp: this.gfp,
      failed: this.failed,
    };
  }
}

/** {@link scanTraceLine}: the line is not a kmem page event. */
export const SCAN_NONE = 0;
/** {@link scanTraceLine}: the record was filled. */
export const SCAN_OK = 1;
/** {@link scanTraceLine}: not the standard layout (or an error to report): ask {@link parseTraceLineGeneral}. */
export const SCAN_FALLBACK = 2;

const C_TAB = 9;
const C_SPACE = 32;
const C_HASH = 35;
const C_DOT = 46;
const C_0 = 48;
const C_9 = 57;
const C_COLON = 58;
const C_EQ = 61;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_DASH = 45;

const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;
const isBlank = (c: number): boolean => c === C_SPACE || c === C_TAB;
// \w of a regular expression.
const isWord = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= C_0 && c <= C_9) || c === 95;
// Printable ASCII other than the space: what \S surely matches (anything else goes to the general parser).
const isPrintable = (c: number): boolean => c > C_SPACE && c < 127;


// Field keys the scanner reads, and the length of "key=" for each.
const KEY_PAGE = 0;
const KEY_PFN = 1;
const KEY_ORDER = 2;
const KEY_MT = 3;
const KEY_GFP = 4;
const KEY_ALLOC_ORDER = 5;
const KEY_ALLOC_MT = 6;
const KEY_OTHER = 7;
const KEY_LENGTH = [5, 4, 6, 12, 10, 12, 18];

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** scanTraceLine()'s ASCII copy of a line (grown as needed). */
let lineBytes = new Uint8Array(256);

/**
 * The fast path of {@link parseTraceLine}: a scanner (no regular expression; {@link scanTraceBytes} on an ASCII
 * copy of the line) for the kernel's standard `trace` layout, `TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: key=value ...`,
 * that fills `out` in place. It accepts a line only where it gives exactly what {@link parseTraceLineGeneral} gives
 * (a property test checks this on the real sample and on mutated lines); anything else (trace-cmd and
 * perf layouts, `kmem:` prefixes, odd fields, bad numbers that must raise a TraceParseError) is
 * {@link SCAN_FALLBACK}.
 *
 * @param text - the line
 * @param line - its number (stored in the record)
 * @param out - the record to fill
 * @returns {@link SCAN_NONE}, {@link SCAN_OK} or {@link SCAN_FALLBACK}
 * @example
 * ```ts
 * import { parseTraceLine } from "@pagealloc/workload";
 * // parseTraceLine() runs the scanner first and the general parser only on SCAN_FALLBACK.
 * const r = parseTraceLine("  python3-19204   [001] .n...   963.863731: mm_page_free: page=000000005607aae3 pfn=0x1db80e order=0", 3);
 * console.log(r.comm, r.pid, r.cpu, r.timestamp, r.pfn); // => python3 19204 1 963.863731 1947662
 * ```
 */
export function scanTraceLine(text: string, line: number, out: ScannedTraceRecord): number {
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === C_HASH) return SCAN_NONE;
  // Every event name starts with "mm_pag": a line without it is no kmem page event in any layout.
  if (text.indexOf("mm_pag") < 0) return SCAN_NONE;
  // The scan of a file's bytes (scanTraceBytes) on an ASCII copy of the line. A line with another character or a
  // line terminator goes to the general parser, which gives what a scanner accepting it would have given.
  if (lineBytes.length < n) lineBytes = new Uint8Array(Math.max(n, 2 * lineBytes.length));
  const b = lineBytes;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x80 || c === 10 || c === 13) return SCAN_FALLBACK;
    b[k] = c;
  }
  return scanTraceBytes(b, 0, n, line, out, true, text);
}

/** The index in KMEM_PAGE_EVENTS of the event name b[e, e + len), or −1 (the eight names have eight lengths). */
function eventIndexAtBytes(b: Uint8Array, e: number, len: number): number {
  let i: number;
  switch (len) {
    case 13: i = 0; break;
    case 12: i = 1; break;
    case 20: i = 2; break;
    case 19: i = 3; break;
    case 15: i = 4; break;
    case 25: i = 5; break;
    case 18: i = 6; break;
    case 21: i = 7; break;
    default: return -1;
  }
  // the caller found "mm_pag" at e: the rest of the name decides
  const name = EVENT_NAME_BYTES[i]!;
  for (let k = 6; k < len; k++) if (b[e + k] !== name[k]) return -1;
  return i;
}

const asciiBytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const EVENT_NAME_BYTES = KMEM_PAGE_EVENTS.map(asciiBytes);
const B_PAGE = asciiBytes("page=");
const B_ORDER = asciiBytes("order=");
const B_MT = asciiBytes("migratetype=");
const B_GFP = asciiBytes("gfp_flags=");
const B_ALLOC_ORDER = asciiBytes("alloc_order");
const B_ALLOC_MT = asciiBytes("alloc_migratetype");
const B_NULL = asciiBytes("(null)");

/** b[at, at + s.length) is s (the caller knows the first byte matches, and that the line holds s.length bytes). */
function bytesStartWith(b: Uint8Array, at: number, s: Uint8Array): boolean {
  // the "=" (or last byte) first: most mismatches end there
  const last = s.length - 1;
  if (b[at + last] !== s[last]) return false;
  for (let k = 1; k < last; k++) if (b[at + k] !== s[k]) return false;
  return true;
}

/** ASCII bytes b[start, end) as a string (the scanner checked them: every one is below 0x80). */
function asciiText(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let k = start; k < end; k++) s += String.fromCharCode(b[k]!);
  return s;
}

/**
 * The scanner of {@link scanTraceLine}, on the bytes of a line, `b[start, end)` (UTF-8 text without its line
 * terminator): a replay that reads a file in chunks calls it directly, with no string per line. It accepts a line
 * only where it gives exactly what {@link parseTraceLineGeneral} gives (the property tests of scanTraceLine); a line
 * with a byte outside ASCII is {@link SCAN_FALLBACK}, for the caller to decode and read as text. With `strings` false the record's text fields
 * (`comm`, `page`, `gfp`) are left undefined: the numbers, the event and `failed` are all a recorded replay reads.
 *
 * @param b - the bytes
 * @param start - first byte of the line
 * @param end - the line's end (exclusive)
 * @param line - its number (stored in the record)
 * @param out - the record to fill
 * @param strings - fill comm, page and gfp too
 * @param text - the line as text, when the caller has it (`b[start + k]` is its k-th character): the text fields are
 *   sliced from it
 * @returns {@link SCAN_NONE}, {@link SCAN_OK} or {@link SCAN_FALLBACK}
 */
export function scanTraceBytes(b: Uint8Array, start: number, end: number, line: number, out: ScannedTraceRecord, strings: boolean, text?: string): number {
  const n = end;
  if (n > start && b[start] === C_HASH) return SCAN_NONE;
  // The first "mm_pag" of the line (every event name starts with it); on the way, the first "[" and any non-ASCII
  // byte (then the text, not the bytes, decides).
  let e = -1;
  let firstBracket = -1;
  for (let k = start; k < n; k++) {
    const c = b[k]!;
    if (c >= 0x80) return SCAN_FALLBACK;
    if (c === 109 && b[k + 1] === 109 && b[k + 2] === 95 && b[k + 3] === 112 && b[k + 4] === 97 && b[k + 5] === 103 && k + 6 <= n) {
      e = k;
      break;
    }
    if (c === C_LBRACKET && firstBracket < 0) firstBracket = k;
  }
  if (e < 0) return SCAN_NONE;
  if (e - start < 2 || b[e - 1] !== C_SPACE) return SCAN_FALLBACK;
  let nameEnd = -1;
  for (let k = e + 6; k < n; k++) {
    if (b[k] === C_COLON) {
      nameEnd = k;
      break;
    }
  }
  if (nameEnd < 0) return SCAN_FALLBACK;
  const ev = eventIndexAtBytes(b, e, nameEnd - e);
  if (ev < 0) return SCAN_FALLBACK;

  // ---- context, right to left from the event (as scanTraceLine)
  let i = e - 2;
  let c = 0;
  while (i >= start && isBlank((c = b[i]!))) i--;
  if (i < start || c !== C_COLON) return SCAN_FALLBACK;
  const tsEnd = i;
  let tsInt = 0;
  let mul = 1;
  i--;
  while (i >= start && isDigit((c = b[i]!))) {
    tsInt += (c - C_0) * mul;
    mul *= 10;
    i--;
  }
  const fracDigits = tsEnd - 1 - i;
  if (fracDigits === 0 || c !== C_DOT) return SCAN_FALLBACK;
  const dot = i;
  i--;
  while (i >= start && isDigit((c = b[i]!))) {
    tsInt += (c - C_0) * mul;
    mul *= 10;
    i--;
  }
  const tsStart = i + 1;
  if (tsStart === dot || i < start || !isBlank(c)) return SCAN_FALLBACK;
  while (i >= start && isBlank((c = b[i]!))) i--;
  const flagsEnd = i;
  while (i >= start && isPrintable((c = b[i]!))) i--;
  const flagsLen = flagsEnd - i;
  if ((flagsLen !== 4 && flagsLen !== 5) || i < start || !isBlank(c)) return SCAN_FALLBACK;
  while (i >= start && isBlank((c = b[i]!))) i--;
  if (i < start || c !== C_RBRACKET) return SCAN_FALLBACK;
  const cpuEnd = i;
  let cpu = 0;
  mul = 1;
  i--;
  while (i >= start && isDigit((c = b[i]!))) {
    cpu += (c - C_0) * mul;
    mul *= 10;
    i--;
  }
  if (i === cpuEnd - 1 || cpuEnd - i > 16 || c !== C_LBRACKET || firstBracket !== i) return SCAN_FALLBACK;
  i--;
  if (i < start || !isBlank(b[i]!)) return SCAN_FALLBACK;
  while (i >= start && isBlank((c = b[i]!))) i--;
  const pidEnd = i;
  let pid = 0;
  mul = 1;
  while (i >= start && isDigit((c = b[i]!))) {
    pid += (c - C_0) * mul;
    mul *= 10;
    i--;
  }
  if (i === pidEnd || pidEnd - i > 15 || i < start || c !== C_DASH) return SCAN_FALLBACK;
  const commEnd = i;
  let commStart = start;
  while (commStart < commEnd && isBlank(b[commStart]!)) commStart++;
  // (no line terminator can be in the comm: the bytes are ASCII and the caller split the lines at \n and \r)
  const timestamp = tsEnd - tsStart <= 16 ? tsInt / POW10[fracDigits]! : Number(asciiText(b, tsStart, tsEnd));

  // ---- fields (as scanTraceLine)
  let pfn = -1;
  let order = -1;
  let pageStart = -1;
  let pageEnd = -1;
  let pageZeros = true;
  let mt = -1;
  let mtStart = -1;
  let mtEnd = -1;
  let gfpStart = -1;
  let gfpEnd = -1;
  let altOrder = -1;
  let altMtStart = -1;
  let altMtEnd = -1;
  let p = nameEnd + 1;
  while (p < n && isBlank(b[p]!)) p++;
  while (p < n) {
    const k0 = b[p]!;
    let key = KEY_OTHER;
    if (k0 === 112) {
      if (b[p + 1] === 102) {
        if (b[p + 2] === 110 && b[p + 3] === C_EQ && p + 4 <= n) key = KEY_PFN;
      } else if (p + 5 <= n && bytesStartWith(b, p, B_PAGE)) key = KEY_PAGE;
    } else if (k0 === 111) {
      if (p + 6 <= n && bytesStartWith(b, p, B_ORDER)) key = KEY_ORDER;
    } else if (k0 === 109) {
      if (p + 12 <= n && bytesStartWith(b, p, B_MT)) key = KEY_MT;
    } else if (k0 === 103) {
      if (p + 10 <= n && bytesStartWith(b, p, B_GFP)) key = KEY_GFP;
    }
    if (key === KEY_OTHER) {
      const keyStart = p;
      while (p < n && isWord(b[p]!)) p++;
      if (p === keyStart || p >= n || b[p] !== C_EQ) return SCAN_FALLBACK;
      key = k0 !== 97 ? KEY_OTHER : p - keyStart === 11 && bytesStartWith(b, keyStart, B_ALLOC_ORDER) ? KEY_ALLOC_ORDER : p - keyStart === 17 && bytesStartWith(b, keyStart, B_ALLOC_MT) ? KEY_ALLOC_MT : KEY_OTHER;
      p = key === KEY_OTHER ? p + 1 : keyStart + KEY_LENGTH[key]!;
    } else {
      p += KEY_LENGTH[key]!;
    }
    const valStart = p;
    if (key === KEY_PFN || key === KEY_ORDER || key === KEY_ALLOC_ORDER || (key === KEY_MT && mtStart < 0)) {
      let v = 0;
      if (key === KEY_PFN && b[p] === C_0 && p + 1 < n && ((c = b[p + 1]!) === 120 || c === 88)) {
        p += 2;
        for (; p < n && !isBlank((c = b[p]!)); p++) {
          const d = c >= C_0 && c <= C_9 ? c - C_0 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (d < 0) return SCAN_FALLBACK;
          v = v * 16 + d;
        }
        if (p - valStart < 3 || p - valStart > 15) return SCAN_FALLBACK;
      } else {
        for (; p < n && !isBlank((c = b[p]!)); p++) {
          if (!isDigit(c)) {
            if (key !== KEY_MT) return SCAN_FALLBACK;
            v = -1;
            while (p < n && !isBlank((c = b[p]!))) {
              if (!isPrintable(c)) return SCAN_FALLBACK;
              p++;
            }
            break;
          }
          v = v * 10 + (c - C_0);
        }
        if (p === valStart || p - valStart > 15) return SCAN_FALLBACK;
      }
      if (key === KEY_PFN) {
        if (pfn < 0) pfn = v;
      } else if (key === KEY_ORDER) {
        if (order < 0) {
          if (v > 31) return SCAN_FALLBACK;
          order = v;
        }
      } else if (key === KEY_ALLOC_ORDER) {
        if (altOrder < 0) {
          if (v > 31) return SCAN_FALLBACK;
          altOrder = v;
        }
      } else {
        mt = v;
        mtStart = valStart;
        mtEnd = p;
      }
    } else {
      let zeros = true;
      for (; p < n && !isBlank((c = b[p]!)); p++) {
        if (!isPrintable(c)) return SCAN_FALLBACK;
        if (c !== C_0) zeros = false;
      }
      if (p === valStart) return SCAN_FALLBACK;
      if (key === KEY_PAGE) {
        if (pageStart < 0) {
          pageStart = valStart;
          pageEnd = p;
          pageZeros = zeros;
        }
      } else if (key === KEY_GFP) {
        if (gfpStart < 0) {
          gfpStart = valStart;
          gfpEnd = p;
        }
      } else if (key === KEY_ALLOC_MT && altMtStart < 0) {
        altMtStart = valStart;
        altMtEnd = p;
      }
    }
    while (p < n && isBlank(b[p]!)) p++;
  }
  if (order < 0) order = altOrder;
  if (order < 0) {
    if (ev !== 2 && ev !== 4) return SCAN_FALLBACK;
    order = 0;
  }
  if (pfn < 0 && pageStart < 0) return SCAN_FALLBACK;
  let failed = false;
  if (ev === 0) {
    if (pageStart >= 0) failed = pageZeros || (pageEnd - pageStart === 6 && b[pageStart] === 40 && bytesStartWith(b, pageStart, B_NULL)) || (pageEnd - pageStart === 3 && b[pageStart] === C_0 && b[pageStart + 1] === 120 && b[pageStart + 2] === C_0);
    else failed = pfn === 0;
  }
  out.event = KMEM_PAGE_EVENTS[ev]!;
  out.eventIndex = ev;
  out.line = line;
  const str = (from: number, to: number): string => (text !== undefined ? text.slice(from - start, to - start) : asciiText(b, from, to));
  out.comm = strings ? str(commStart, commEnd).trim() || undefined : undefined;
  out.pid = pid;
  out.cpu = cpu;
  out.timestamp = timestamp;
  out.pfn = pfn < 0 ? undefined : pfn;
  out.page = strings && pageStart >= 0 ? str(pageStart, pageEnd) : undefined;
  out.order = order;
  if (mtStart < 0 && altMtStart >= 0) out.migratetype = Number(asciiText(b, altMtStart, altMtEnd));
  else if (mtStart < 0) out.migratetype = undefined;
  else out.migratetype = mt >= 0 ? mt : Number(asciiText(b, mtStart, mtEnd));
  out.gfp = strings && gfpStart >= 0 ? str(gfpStart, gfpEnd) : undefined;
  out.failed = failed;
  return SCAN_OK;
}

/**
 * Read one line of ftrace text (`trace`, `trace_pipe`), `trace-cmd report` or `perf script` output.
 * Field layouts of every version are accepted: `pfn=0x1db80e` (5.14+) or decimal (2.6.32–5.13), old event
 * names (`mm_page_free_direct`, `mm_pagevec_free`), `kmem:` prefixes, with or without the flags column.
 * The kernel's standard `trace` layout is read by a scanner ({@link scanTraceLine}); other layouts by
 * the general parser ({@link parseTraceLineGeneral}), with the same result.
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
  const out = new ScannedTraceRecord();
  const s = scanTraceLine(text, line, out);
  if (s === SCAN_OK) return out.toRecord();
  if (s === SCAN_NONE) return null;
  return parseTraceLineGeneral(text, line, file);
}

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
 * The general parser (three regular expressions): {@link parseTraceLine} uses it for every line the
 * fast scanner ({@link scanTraceLine}) hands back.
 *
 * @example
 * ```ts
 * import { parseTraceLine } from "@pagealloc/workload";
 * // A perf script line: the scanner hands it to the general parser.
 * const r = parseTraceLine("         python3 19204 [000]   963.863731: kmem:mm_page_free: page=0x5607aae3 pfn=0x1db80e order=0", 1);
 * console.log(r.comm, r.pid, r.pfn); // => python3 19204 1947662
 * ```
 */
export function parseTraceLineGeneral(text: string, line: number, file = "trace"): TraceRecord | null {
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
