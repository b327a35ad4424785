import { parseGfp } from "@pagealloc/gfp";
import type { Kernel } from "@pagealloc/page-api";
import { WorkloadArgumentError } from "./errors";
import { type AllocFailure, explainAllocFailure } from "./explain";
import { allocatedOrder, managedPfn, takeBlockAt } from "./mem-map";
import { type FragmentationRow, fragmentation, renderState } from "./state";
import { KMEM_PAGE_EVENTS, type KmemPageEvent, SCAN_NONE, SCAN_OK, ScannedTraceRecord, type TraceRecord, parseTraceLineGeneral, scanTraceBytes, scanTraceLine } from "./trace";

// The platform's UTF-8 decoder (browsers, Node): lower layers compile without DOM or Node types.
declare const TextDecoder: { new (label: string, options: { ignoreBOM: boolean }): { decode(bytes: Uint8Array): string } };

/**
 * How a replay applies events: `recorded` puts each allocation at the pfn the trace recorded,
 * `simulate` asks our allocator for the same gfp and order and lets it choose.
 */
export type ReplayMode = "recorded" | "simulate";

/** Options of {@link TraceReplayer}. */
export interface ReplayOptions {
  readonly mode: ReplayMode;
  /** File name for error locations. */
  readonly file?: string;
  /** Orders the fragmentation indices are given for (default 0, 3, 4, pageblock order, max order). */
  readonly orders?: readonly number[];
  /** Keep at most this many explained failures (default 100; all are counted). */
  readonly maxFailures?: number;
}

/** The summary of a replay (the `--json` output of `pagealloc replay`). */
export interface ReplaySummary {
  readonly mode: ReplayMode;
  readonly lines: number;
  /** kmem page events read, by event name and order (`{ mm_page_alloc: { "0": 12 } }`). */
  readonly events: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Allocations and frees applied to the model. */
  readonly applied: { readonly allocs: number; readonly frees: number };
  /** Frees of pages the trace never saw allocated (allocated before it began): counted, not errors. */
  readonly preTraceFrees: number;
  /** recorded: allocations at a pfn our model holds as used (or on a per-cpu list), frees whose order disagrees. */
  readonly conflicts: number;
  /** recorded: events at pfns where the machine has no managed memory (beyond its zones, a hole, a boot reservation). */
  readonly outside: number;
  /** Events counted but not applied: mm_page_free_batched (it follows an mm_page_free), pcp refills and drains, extfrag. */
  readonly notApplied: number;
  /** Allocations the trace recorded as failed (page NULL). */
  readonly recordedFailures: number;
  /** simulate: allocations our allocator failed. */
  readonly failures: number;
  readonly failureDetails: readonly (AllocFailure & { line: number })[];
  readonly before: { readonly buddyinfo: string; readonly fragmentation: readonly FragmentationRow[] };
  readonly after: { readonly buddyinfo: string; readonly fragmentation: readonly FragmentationRow[] };
}

// What each event of KMEM_PAGE_EVENTS (by index) does to the model: allocate, free, or nothing (internal
// movements: pcp refill/drain, fallback; or a duplicate of an mm_page_free: 3.3+ batched frees).
const ALLOC = 0;
const FREE = 1;
const COUNT_ONLY = 2;
const EVENT_KIND: Readonly<Record<KmemPageEvent, number>> = {
  mm_page_alloc: ALLOC,
  mm_page_free: FREE,
  mm_page_free_batched: COUNT_ONLY,
  mm_page_free_direct: FREE,
  mm_pagevec_free: FREE,
  mm_page_alloc_zone_locked: COUNT_ONLY,
  mm_page_pcpu_drain: COUNT_ONLY,
  mm_page_alloc_extfrag: COUNT_ONLY,
};
const KIND_BY_INDEX = Uint8Array.from(KMEM_PAGE_EVENTS, (e) => EVENT_KIND[e]);
// Orders a record can carry (the parsers reject others).
const ORDERS = 32;

/**
 * Replays kmem page events line by line into a booted kernel: feed lines with {@link TraceReplayer.line}
 * (memory stays flat however long the trace), then {@link TraceReplayer.finish}.
 *
 * - `recorded`: mm_page_alloc takes the block at its recorded pfn off the free lists (`takeBlockAt`);
 *   mm_page_free frees it. A free of a page that is free in the model was allocated before the trace
 *   began: counted in `preTraceFrees`.
 * - `simulate`: mm_page_alloc asks the allocator for the recorded gfp (or, when the flags do not parse
 *   for this version, the recorded migratetype's typical mask) and order; the recorded pfn is mapped to
 *   ours so that the matching free releases our block.
 *
 * Lines come as text ({@link TraceReplayer.line}, one call per line) or as the file's bytes
 * ({@link TraceReplayer.write}, chunks of any size: the standard ftrace layout is then read from the bytes
 * without a string per line, which is several times faster); use one or the other for one trace.
 *
 * mm_page_free_batched (3.3+: every batched free also emits mm_page_free), mm_page_alloc_zone_locked,
 * mm_page_pcpu_drain and mm_page_alloc_extfrag describe the kernel's own pcp and fallback moves: counted,
 * not applied. mm_pagevec_free (2.6.32–3.2) is a free of its own.
 *
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { TraceReplayer } from "@pagealloc/workload";
 * const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
 * r.line("  a-1 [000] .....  1.000000: mm_page_alloc: page=0000000000000001 pfn=0x800 order=2 migratetype=0 gfp_flags=GFP_KERNEL");
 * r.line("  a-1 [000] .....  1.000001: mm_page_free: page=0000000000000001 pfn=0x800 order=2");
 * r.line("  a-1 [000] .....  1.000002: mm_page_free: page=0000000000000002 pfn=0x900 order=0");
 * const s = r.finish();
 * console.log(s.applied.allocs, s.applied.frees, s.preTraceFrees); // => 1 1 1
 * ```
 */
export class TraceReplayer {
  private readonly k: Kernel;
  private readonly mode: ReplayMode;
  private readonly file: string;
  private readonly orders: readonly number[];
  private readonly maxFailures: number;
  private readonly before: ReplaySummary["before"];
  /** Events read, indexed by event index × ORDERS + order; `seen` keeps the events' first-seen order. */
  private readonly counts = new Float64Array(KMEM_PAGE_EVENTS.length * ORDERS);
  private readonly seen: number[] = [];
  /** The record the scanner fills for every line (no record object per line). */
  private readonly rec = new ScannedTraceRecord();
  /** simulate: recorded pfn (or page pointer) → our pfn and order. */
  private readonly mapped = new Map<number | string, { pfn: number; order: number }>();
  private readonly gfpCache = new Map<string, number>();
  private lines = 0;
  private allocs = 0;
  private frees = 0;
  private preTraceFrees = 0;
  private conflicts = 0;
  private outside = 0;
  private notApplied = 0;
  private recordedFailures = 0;
  private failures = 0;
  private readonly failureDetails: (AllocFailure & { line: number })[] = [];
  /** write(): the start of a line the last chunk cut off, and whether that chunk ended with its "\r". */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private carryCr = false;
  private decoder: { decode(bytes: Uint8Array): string } | undefined;

  constructor(kernel: Kernel, options: ReplayOptions) {
    if (options.mode !== "recorded" && options.mode !== "simulate") throw new WorkloadArgumentError(`mode ${String(options.mode)}: expected recorded or simulate`, "mode");
    this.k = kernel;
    this.mode = options.mode;
    this.file = options.file ?? "trace";
    const a = kernel.buddy;
    this.orders = options.orders ?? [...new Set([0, 3, 4, a.pageblockOrder, kernel.maxOrder])].sort((x, y) => x - y);
    this.maxFailures = options.maxFailures ?? 100;
    this.before = { buddyinfo: renderState(kernel, "buddyinfo"), fragmentation: fragmentation(kernel, this.orders) };
  }

  /** Lines read so far (by {@link TraceReplayer.line} or {@link TraceReplayer.write}; a line a chunk cut off counts once it ends). */
  get linesRead(): number {
    return this.lines;
  }

  /**
   * Feed one line of the trace (any line: headers and other events are skipped).
   * @throws {TraceParseError} for a kmem page event whose fields cannot be read
   */
  line(text: string): void {
    this.textLine(text, ++this.lines);
  }

  private textLine(text: string, line: number): void {
    const s = scanTraceLine(text, line, this.rec);
    if (s === SCAN_OK) this.apply(this.rec, this.rec.eventIndex);
    else if (s !== SCAN_NONE) {
      const r = parseTraceLineGeneral(text, line, this.file);
      if (r) this.apply(r, KMEM_PAGE_EVENTS.indexOf(r.event));
    }
  }

  /**
   * Feed the next chunk of the trace file's bytes (UTF-8 text, chunks of any size; the chunk is not kept). Lines end at
   * "\n", "\r\n" or a lone "\r", as Node's readline splits them, so the lines, their numbers and the summary are
   * those of feeding each line to {@link TraceReplayer.line}; a line the chunk cuts off waits for the next chunk (or
   * {@link TraceReplayer.finish}). Lines in the kernel's standard layout are read from the bytes; any other line is
   * decoded and read as text.
   * @throws {TraceParseError} for a kmem page event whose fields cannot be read
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * import { TraceReplayer } from "@pagealloc/workload";
   * const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
   * const text = "  a-1 [000] .....  1.000000: mm_page_alloc: page=0000000000000001 pfn=0x800 order=2 migratetype=0 gfp_flags=GFP_KERNEL\n" +
   *   "  a-1 [000] .....  1.000001: mm_page_free: page=0000000000000001 pfn=0x800 order=2\n";
   * const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
   * r.write(bytes.subarray(0, 50)); // a chunk may end inside a line
   * r.write(bytes.subarray(50));
   * const s = r.finish();
   * console.log(s.lines, s.applied.allocs, s.applied.frees); // => 2 1 1
   * ```
   */
  write(chunk: Uint8Array): void {
    const n = chunk.length;
    let p = 0;
    if (this.carryCr) {
      // the last chunk ended with "\r": that line has ended; a "\n" here belongs to it
      this.carryCr = false;
      this.carriedLine();
      if (n > 0 && chunk[0] === 10) p = 1;
    } else if (this.carryLen > 0) {
      let e = 0;
      while (e < n && chunk[e] !== 10 && chunk[e] !== 13) e++;
      this.keep(chunk, 0, e);
      if (e === n) return;
      if (chunk[e] === 13 && e + 1 === n) {
        this.carryCr = true;
        return;
      }
      this.carriedLine();
      p = e + (chunk[e] === 13 && chunk[e + 1] === 10 ? 2 : 1);
    }
    const out = this.rec;
    const strings = this.mode === "simulate";
    let cr = p - 1;
    while (p < n) {
      let nl = chunk.indexOf(10, p);
      if (nl < 0) nl = n;
      if (cr < p) {
        cr = chunk.indexOf(13, p);
        if (cr < 0) cr = n;
      }
      let end = nl;
      let next = nl + 1;
      if (cr < nl) {
        end = cr;
        if (cr + 1 === n) {
          this.keep(chunk, p, cr);
          this.carryCr = true;
          return;
        }
        next = chunk[cr + 1] === 10 ? cr + 2 : cr + 1;
      } else if (nl === n) {
        this.keep(chunk, p, n);
        return;
      }
      const line = ++this.lines;
      const s = scanTraceBytes(chunk, p, end, line, out, strings);
      if (s === SCAN_OK) this.apply(out, out.eventIndex);
      else if (s !== SCAN_NONE) this.textLine(this.decode(chunk, p, end), line);
      p = next;
    }
  }

  /** Append chunk[start, end) to the carried line. */
  private keep(chunk: Uint8Array, start: number, end: number): void {
    const need = this.carryLen + end - start;
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.max(need, 2 * this.carry.length, 256));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(chunk.subarray(start, end), this.carryLen);
    this.carryLen = need;
  }

  /** Replay the carried line (complete now) and empty the carry. */
  private carriedLine(): void {
    const len = this.carryLen;
    this.carryLen = 0;
    const line = ++this.lines;
    const s = scanTraceBytes(this.carry, 0, len, line, this.rec, this.mode === "simulate");
    if (s === SCAN_OK) this.apply(this.rec, this.rec.eventIndex);
    else if (s !== SCAN_NONE) this.textLine(this.decode(this.carry, 0, len), line);
  }

  private decode(bytes: Uint8Array, start: number, end: number): string {
    // ignoreBOM: a byte order mark stays in the text, as readline's stream decoding keeps it
    this.decoder ??= new TextDecoder("utf-8", { ignoreBOM: true });
    return this.decoder.decode(bytes.subarray(start, end));
  }

  private count(ev: number, order: number): void {
    const i = ev * ORDERS + order;
    if (this.counts[i] === 0 && !this.seen.includes(ev)) this.seen.push(ev);
    this.counts[i]!++;
  }

  /** The event counts by name and order, events in first-seen order (`{ mm_page_alloc: { "0": 12 } }`). */
  private eventCounts(): Record<string, Record<string, number>> {
    const events: Record<string, Record<string, number>> = {};
    for (const ev of this.seen) {
      const byOrder: Record<string, number> = {};
      for (let o = 0; o < ORDERS; o++) if (this.counts[ev * ORDERS + o]! > 0) byOrder[o] = this.counts[ev * ORDERS + o]!;
      events[KMEM_PAGE_EVENTS[ev]!] = byOrder;
    }
    return events;
  }

  private cpuOf(r: TraceRecord): number {
    return (r.cpu ?? 0) % this.k.buddy.cpus;
  }

  private gfpOf(r: TraceRecord): number {
    const key = `${r.gfp ?? ""}/${r.migratetype ?? ""}`;
    let g = this.gfpCache.get(key);
    if (g !== undefined) return g;
    try {
      g = r.gfp === undefined || r.gfp === "none" ? NaN : parseGfp(r.gfp, this.k.version);
    } catch {
      g = NaN;
    }
    if (Number.isNaN(g)) {
      // The flags of another version (or none): the typical mask of the recorded migratetype.
      const name = this.k.buddy.facts.migratetypeNames[r.migratetype ?? 0] ?? "Unmovable";
      g = this.k.gfp(name === "Movable" ? "GFP_HIGHUSER_MOVABLE" : name === "Reclaimable" ? "GFP_KERNEL|__GFP_RECLAIMABLE" : "GFP_KERNEL");
    }
    this.gfpCache.set(key, g);
    return g;
  }

  private apply(r: TraceRecord, ev: number): void {
    this.count(ev, r.order);
    const kind = KIND_BY_INDEX[ev]!;
    if (kind === COUNT_ONLY) {
      this.notApplied++;
      return;
    }
    const a = this.k.buddy;
    if (kind === ALLOC) {
      if (r.failed) {
        // The kernel found no page: there is nothing to place, and nothing will free it.
        this.recordedFailures++;
        return;
      }
      if (this.mode === "recorded") {
        if (r.pfn === undefined) {
          this.conflicts++;
          return;
        }
        let got = takeBlockAt(a, r.pfn, r.order);
        if (got === "busy") {
          // The model may hold the page on a per-cpu list: drain and try once more.
          a.drainPages();
          got = takeBlockAt(a, r.pfn, r.order);
        }
        if (got === "taken") this.allocs++;
        else if (got === "outside") this.outside++;
        else this.conflicts++;
        return;
      }
      const gfp = this.gfpOf(r);
      const cpu = this.cpuOf(r);
      const pfn = r.order > this.k.maxOrder ? -1 : a.allocPages(gfp, r.order, { cpu, nid: a.cpuToNode[cpu] });
      this.allocs++;
      if (pfn < 0) {
        this.failures++;
        if (this.failureDetails.length < this.maxFailures && r.order <= this.k.maxOrder) {
          this.failureDetails.push({ ...explainAllocFailure(this.k, gfp, r.order, a.cpuToNode[cpu]), line: r.line });
        }
        return;
      }
      this.mapped.set(r.pfn ?? r.page!, { pfn, order: r.order });
      return;
    }
    if (kind === FREE) {
      if (this.mode === "recorded") {
        if (r.pfn === undefined) {
          this.conflicts++;
          return;
        }
        if (!managedPfn(a, r.pfn)) {
          this.outside++;
          return;
        }
        const order = allocatedOrder(a, r.pfn);
        if (order === r.order) {
          // an order-0 free takes buddy's fused path (the same result as freePages)
          const cpu = this.cpuOf(r);
          if (order !== 0 || !a.freeOrder0Fast(r.pfn, cpu)) a.freePages(r.pfn, r.order, { cpu });
          this.frees++;
        } else if (order < 0) this.preTraceFrees++;
        else this.conflicts++;
        return;
      }
      const key = r.pfn ?? r.page!;
      const ours = this.mapped.get(key);
      if (!ours) {
        this.preTraceFrees++;
        return;
      }
      this.mapped.delete(key);
      a.freePages(ours.pfn, ours.order, { cpu: this.cpuOf(r) });
      this.frees++;
    }
  }

  /**
   * Replay a last line that {@link TraceReplayer.write} holds (no line end after it), drain the per-cpu lists and summarise.
   * @param options - `partial: "drop"` when the input stopped early (Ctrl-C): the held bytes are the start of a line, not a line
   */
  finish(options: { readonly partial?: "replay" | "drop" } = {}): ReplaySummary {
    if (options.partial === "drop" && !this.carryCr) this.carryLen = 0;
    if (this.carryLen > 0 || this.carryCr) {
      this.carryCr = false;
      this.carriedLine();
    }
    this.k.buddy.drainPages();
    return {
      mode: this.mode,
      lines: this.lines,
      events: this.eventCounts(),
      applied: { allocs: this.allocs, frees: this.frees },
      preTraceFrees: this.preTraceFrees,
      conflicts: this.conflicts,
      outside: this.outside,
      notApplied: this.notApplied,
      recordedFailures: this.recordedFailures,
      failures: this.failures,
      failureDetails: this.failureDetails,
      before: this.before,
      after: { buddyinfo: renderState(this.k, "buddyinfo"), fragmentation: fragmentation(this.k, this.orders) },
    };
  }
}
