import { type BootKernelOptions, type Kernel, bootKernel } from "@pagealloc/page-api";
import { formatGfp } from "@pagealloc/gfp";
import { formatKernelVersion, mulberry32, pickByVersion } from "@pagealloc/physmem";
import { type ReclaimTraceEvent, formatReclaimTraceLine } from "@pagealloc/reclaim";

import { type AllocFailure, explainAllocFailure } from "./explain";
import {
  type FragmentationRow,
  type PageblockMapZone,
  type ZoneWatermarkRow,
  fragmentation,
  migratetypeLegend,
  pageblockMap,
  renderState,
  zoneWatermarks,
} from "./state";

/** The kinds of memory the demo workload allocates. */
export type DemoKind = "kernel" | "slab-reclaimable" | "page-cache" | "anon" | "net-atomic" | "thp";

/** How each kind allocates: GFP expression and orders with weights. */
export const DEMO_KINDS: Readonly<Record<DemoKind, { gfp: string; orders: readonly (readonly [number, number])[]; what: string }>> = {
  kernel: { gfp: "GFP_KERNEL", orders: [[0, 8], [1, 2]], what: "kernel objects (GFP_KERNEL, order 0-1)" },
  "slab-reclaimable": { gfp: "GFP_KERNEL|__GFP_RECLAIMABLE", orders: [[0, 1]], what: "reclaimable slab: dentries, inodes (order 0)" },
  "page-cache": { gfp: "GFP_HIGHUSER_MOVABLE", orders: [[0, 5], [2, 3], [4, 2]], what: "page cache folios (GFP_HIGHUSER_MOVABLE, order 0/2/4)" },
  anon: { gfp: "GFP_HIGHUSER_MOVABLE", orders: [[0, 1]], what: "anonymous memory (GFP_HIGHUSER_MOVABLE, order 0)" },
  "net-atomic": { gfp: "GFP_ATOMIC", orders: [[2, 1], [3, 1]], what: "network buffers from interrupts (GFP_ATOMIC, order 2-3)" },
  thp: { gfp: "GFP_TRANSHUGE", orders: [[9, 1]], what: "transparent huge pages (GFP_TRANSHUGE, order 9)" },
};

// Share of fill-phase allocations per kind (per 1000).
const FILL_MIX: readonly (readonly [DemoKind, number])[] = [
  ["kernel", 150],
  ["slab-reclaimable", 60],
  ["page-cache", 480],
  ["anon", 270],
  ["net-atomic", 25],
  ["thp", 10],
];

// What the reclaim phase frees, per kind (fraction of live blocks). Mapped THPs stay: reclaim would split them first.
const FREE_SHARE: Readonly<Record<DemoKind, number>> = { kernel: 0.2, "slab-reclaimable": 0.5, "page-cache": 0.6, anon: 0.5, "net-atomic": 0.9, thp: 0 };

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Machine preset or description (default `pc-4g`). */
  readonly machine?: BootKernelOptions["machine"];
  /** Kernel version (default 6.18). */
  readonly version?: string;
  readonly seed?: number;
  readonly sysctls?: BootKernelOptions["sysctls"];
  /** THP allocations tried in the burst (default 64). */
  readonly thpBurst?: number;
  /** GFP_ATOMIC order-3 allocations tried in the network burst (default 512). */
  readonly atomicBurst?: number;
}

/** One phase of the demo workload. */
export interface DemoPhase {
  readonly name: string;
  readonly description: string;
  readonly allocations: number;
  readonly frees: number;
  readonly failures: number;
  /** Free pages (all zones) when the phase ended. */
  readonly freePagesAfter: number;
}

/** A snapshot of the allocator's state. */
export interface DemoSnapshot {
  readonly buddyinfo: string;
  readonly pagetypeinfo: string;
  readonly fragmentation: readonly FragmentationRow[];
}

/** Everything `pagealloc demo` shows (its `--json` output). */
export interface DemoReport {
  readonly machine: string;
  readonly version: string;
  readonly seed: number;
  readonly totalPages: number;
  readonly pageblockOrder: number;
  readonly maxOrder: number;
  /** The orders the fragmentation indices are given for. */
  readonly orders: readonly number[];
  readonly kinds: Readonly<Record<DemoKind, { gfp: string; what: string; live: number; pages: number }>>;
  readonly phases: readonly DemoPhase[];
  readonly before: DemoSnapshot;
  readonly after: DemoSnapshot;
  readonly watermarks: readonly ZoneWatermarkRow[];
  /** Every failed allocation, with the phase and kind, explained. */
  readonly failures: readonly (AllocFailure & { phase: string; kind: DemoKind })[];
  readonly legend: readonly { char: string; name: string }[];
  readonly pageblocks: readonly PageblockMapZone[];
  /** The slow-path phase on its own small machine (see {@link runSlowPathDemo}). */
  readonly slowPath: SlowPathReport;
}

function pickWeighted<T>(rand: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of items) {
    r -= w;
    if (r < 0) return v;
  }
  return items[items.length - 1]![0];
}

function snapshot(k: Kernel, orders: readonly number[]): DemoSnapshot {
  return { buddyinfo: renderState(k, "buddyinfo"), pagetypeinfo: renderState(k, "pagetypeinfo"), fragmentation: fragmentation(k, orders) };
}

/**
 * The `pagealloc demo` workload: boot a machine, fill memory with a seeded mix of kernel, reclaimable
 * slab, page-cache, anonymous, atomic network and THP allocations (with churn) until the fast path
 * fails at the low watermark, free a share of the movable memory as reclaim would, then try a THP
 * burst and a GFP_ATOMIC order-3 burst. Reports the state before and after, the watermarks, the
 * fragmentation indices and every failure explained.
 *
 * @param options - machine, version, seed, burst sizes
 * @returns the report (see {@link renderDemo} for the text)
 * @example
 * ```ts
 * import { runDemo } from "@pagealloc/workload";
 * const r = runDemo({ machine: "tiny-16m", seed: 1 });
 * console.log(r.phases.map((p) => p.name).join(",")); // => fill,reclaim,thp-burst,atomic-burst
 * ```
 */
export function runDemo(options: DemoOptions = {}): DemoReport {
  const seed = options.seed ?? 1;
  // The workload phases show the fast path alone (fill until an allocation meets the low watermark, fragmentation
  // without compaction): the slow path, on by default, is turned off here; runSlowPathDemo() shows it.
  const k = bootKernel({ machine: options.machine ?? "pc-4g", version: options.version, seed, sysctls: options.sysctls, reclaim: false });
  const rand = mulberry32(seed);
  const orders = [...new Set([0, 2, 3, 4, k.buddy.pageblockOrder, k.maxOrder])].filter((o) => o <= k.maxOrder).sort((a, b) => a - b);
  const before = snapshot(k, orders);
  const live: Record<DemoKind, { pfn: number; order: number }[]> = { kernel: [], "slab-reclaimable": [], "page-cache": [], anon: [], "net-atomic": [], thp: [] };
  // No THPs (and no GFP_TRANSHUGE) before 2.6.38: the fill has no THP share and the THP burst tries nothing.
  const hasThp = pickByVersion(HAS_THP, k.version);
  const fillMix = hasThp ? FILL_MIX : FILL_MIX.filter(([kind]) => kind !== "thp");
  const gfp = Object.fromEntries(Object.entries(DEMO_KINDS).map(([kind, d]) => [kind, kind === "thp" && !hasThp ? 0 : k.gfp(d.gfp)])) as Record<DemoKind, number>;
  const failures: (AllocFailure & { phase: string; kind: DemoKind })[] = [];
  const phases: DemoPhase[] = [];
  const cpus = k.buddy.cpus;
  const freePages = () => k.buddy.zones.reduce((s, z) => s + z.nrFreePages, 0);
  let counts = { allocations: 0, frees: 0, failures: 0 };

  // The buddy allocator directly (what alloc_pages()/__free_pages() end in): the demo needs no page
  // contents or compound-page bookkeeping, and makes ~10^5 calls.
  const alloc = (phase: string, kind: DemoKind, order = pickWeighted(rand, DEMO_KINDS[kind].orders)): boolean => {
    const cpu = Math.floor(rand() * cpus);
    const nid = k.buddy.cpuToNode[cpu]!;
    counts.allocations++;
    const pfn = k.buddy.allocPages(gfp[kind], order, { cpu, nid });
    if (pfn >= 0) {
      live[kind].push({ pfn, order });
      return true;
    }
    counts.failures++;
    failures.push({ ...explainAllocFailure(k, gfp[kind], order, nid), phase, kind });
    return false;
  };
  const freeRandom = (kind: DemoKind) => {
    const list = live[kind];
    if (list.length === 0) return;
    const i = Math.floor(rand() * list.length);
    const b = list[i]!;
    list[i] = list[list.length - 1]!;
    list.pop();
    k.buddy.freePages(b.pfn, b.order, { cpu: Math.floor(rand() * cpus) });
    counts.frees++;
  };
  const endPhase = (name: string, description: string) => {
    phases.push({ name, description, ...counts, freePagesAfter: freePages() });
    counts = { allocations: 0, frees: 0, failures: 0 };
  };

  // 1. Fill with churn until the fast path meets the low watermark.
  for (;;) {
    const kind = pickWeighted(rand, fillMix);
    if (!alloc("fill", kind)) {
      if (kind === "thp" || kind === "net-atomic") continue; // high orders fail first; keep filling
      break;
    }
    // Churn: a third of the time something short-lived goes away again.
    if (rand() < 0.33) freeRandom(pickWeighted(rand, [["page-cache", 5], ["anon", 3], ["kernel", 1], ["net-atomic", 1]] as const));
  }
  endPhase("fill", "a mixed workload fills memory (with churn) until an allocation meets the low watermark");

  // 2. Reclaim frees page cache and anonymous memory scattered across the pageblocks; kernel memory stays.
  for (const kind of Object.keys(live) as DemoKind[]) {
    const n = Math.floor(live[kind].length * FREE_SHARE[kind]);
    for (let i = 0; i < n; i++) freeRandom(kind);
  }
  k.drain_all_pages();
  endPhase("reclaim", "reclaim frees part of the page cache, anonymous memory and slab, at random places");

  // 3. THP burst: order-9 needs a whole free pageblock; without compaction only freed THPs provide one.
  for (let i = 0; hasThp && i < (options.thpBurst ?? 64); i++) alloc("thp-burst", "thp", 9);
  endPhase("thp-burst", hasThp ? "a burst of THP faults (order 9)" : "no THPs before 2.6.38: nothing to try");

  // 4. Network burst: GFP_ATOMIC order-3 buffers.
  for (let i = 0; i < (options.atomicBurst ?? 512); i++) alloc("atomic-burst", "net-atomic", 3);
  endPhase("atomic-burst", "a burst of GFP_ATOMIC order-3 network buffers");

  const kinds = Object.fromEntries(
    (Object.keys(DEMO_KINDS) as DemoKind[]).map((kind) => [
      kind,
      { gfp: DEMO_KINDS[kind].gfp, what: DEMO_KINDS[kind].what, live: live[kind].length, pages: live[kind].reduce((s, b) => s + 2 ** b.order, 0) },
    ]),
  ) as DemoReport["kinds"];
  return {
    machine: k.machine.name,
    version: formatKernelVersion(k.version),
    seed,
    totalPages: k.machine.totalPages,
    pageblockOrder: k.buddy.pageblockOrder,
    maxOrder: k.maxOrder,
    orders,
    kinds,
    phases,
    before,
    after: snapshot(k, orders),
    watermarks: zoneWatermarks(k),
    failures,
    legend: migratetypeLegend(k),
    pageblocks: pageblockMap(k),
    slowPath: runSlowPathDemo({ version: options.version }),
  };
}

/** Colours for {@link renderDemo} (identity by default; the CLI passes picocolors on a TTY). */
export interface DemoStyle {
  heading(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

const plain: DemoStyle = { heading: (s) => s, bad: (s) => s, dim: (s) => s };

/** Columns padded to their widest cell: the first `textColumns` left-aligned, the numbers right-aligned. */
function table(rows: readonly (readonly string[])[], textColumns = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < textColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd()).join("\n");
}

function fragTable(rows: readonly FragmentationRow[], orders: readonly number[]): string {
  const head = ["zone", ...orders.map((o) => `unusable@${o}`), ...orders.map((o) => `extfrag@${o}`)];
  const fmt = (v: number) => (v < 0 ? "-1.000" : (v / 1000).toFixed(3));
  return table([head, ...rows.map((r) => [`${r.nid}/${r.zone}`, ...orders.map((o) => fmt(r.unusable[o]!)), ...orders.map((o) => fmt(r.extfrag[o]!))])]);
}

/** A few sentences a reader should take away, computed from the report. */
function readingLines(report: DemoReport): string[] {
  const out: string[] = [];
  const po = report.pageblockOrder;
  for (const row of report.after.fragmentation) {
    const free = row.nrFree.reduce((n, c, o) => n + c * 2 ** o, 0);
    if (free === 0 || !row.nrFree.some((c) => c > 0)) continue;
    const largest = row.nrFree.reduce((m, c, o) => (c > 0 ? o : m), -1);
    const ef = row.extfrag[po]!;
    if (ef < 0) continue;
    out.push(
      `- ${row.nid}/${row.zone}: ${free} pages free, but the largest free block is order ${largest}: an order-${po} request fails; ` +
        `extfrag ${(ef / 1000).toFixed(3)} ${ef > 500 ? "(towards 1: fragmentation, not lack of memory; above vm.extfrag_threshold 500 the kernel compacts rather than reclaims)" : "(towards 0: lack of memory; reclaim would help more than compaction)"}.`,
    );
  }
  const legend = new Map(report.legend.map((l) => [l.char, l.name]));
  for (const z of report.pageblocks) {
    const pinned = [...z.map].filter((c) => c === "U" || c === "R").length;
    const movable = [...z.map].filter((c) => c.toUpperCase() === "M").length;
    if (pinned === 0 || movable === 0) continue;
    out.push(
      `- ${z.nid}/${z.zone}: ${pinned} of ${pinned + movable} ${z.blocksPerChar > 1 ? "map cells" : "pageblocks"} are ${legend.get("U")}/${legend.get("R")} blocks holding kernel memory (U/R): ` +
        "it cannot move, so those blocks never become free again; in the Movable ones compaction (the slow path, not run here) could gather free pages.",
    );
  }
  if (out.length === 0) out.push("- every zone can still serve every order: run longer (--seed) or on a smaller machine to see fragmentation.");
  return out;
}

/** One line per kind of failure (same phase, kind, order and per-zone reasons), with its count. */
function failureLines(report: DemoReport, style: DemoStyle): string[] {
  if (report.failures.length === 0) return ["none"];
  const groups = new Map<string, (typeof report.failures)[number][]>();
  for (const f of report.failures) {
    const key = `${f.phase} ${f.kind} ${f.order} ${f.zones.map((z) => z.reason).join()}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((list) => {
    const f = list[0]!;
    return `${style.bad("FAIL")} [${f.phase}, ${f.kind}${list.length > 1 ? `, x${list.length}` : ""}] ${f.explanation}`;
  });
}

/**
 * The text of `pagealloc demo` for a report of {@link runDemo}.
 * @param report - the report
 * @param style - colour functions (default: none)
 * @param options - `brief`: only the workload summary and the failures
 * @example
 * ```ts
 * import { renderDemo, runDemo } from "@pagealloc/workload";
 * const text = renderDemo(runDemo({ machine: "tiny-16m" }), undefined, { brief: true });
 * console.log(text.split("\n")[0]); // => pagealloc demo: machine tiny-16m (16 MiB), Linux 6.18.0, seed 1
 * ```
 */
export function renderDemo(report: DemoReport, style: DemoStyle = plain, options: { brief?: boolean } = {}): string {
  const out: string[] = [];
  const h = (s: string) => out.push("", style.heading(`== ${s} ==`));
  // 4 KiB pages on every modelled architecture.
  const size = (pages: number) => (pages * 4096 >= 2 ** 30 ? `${((pages * 4096) / 2 ** 30).toFixed(1)} GiB` : `${Math.round((pages * 4096) / 2 ** 20)} MiB`);
  out.push(`pagealloc demo: machine ${report.machine} (${size(report.totalPages)}), Linux ${report.version}, seed ${report.seed}`);
  out.push(style.dim("The workload phases run the fast path only (no kswapd, no direct reclaim, no compaction: an allocation fails where the kernel would start reclaiming); the slow-path phase below runs them on its own small machine."));
  h("Workload");
  for (const p of report.phases) {
    out.push(`${p.name.padEnd(13)} ${p.description}: ${p.allocations} allocations, ${p.frees} frees, ${p.failures ? style.bad(`${p.failures} failed`) : "0 failed"}; ${p.freePagesAfter} pages free after`);
  }
  if (options.brief) {
    h(`Allocation failures (${report.failures.length})`);
    for (const line of failureLines(report, style)) out.push(line);
    slowPathLines(report.slowPath, h, out, true);
    return `${out.join("\n")}\n`;
  }
  out.push("");
  out.push(table([["kind", "gfp", "live blocks", "pages"], ...Object.values(report.kinds).map((k) => [k.what, k.gfp, String(k.live), String(k.pages)])], 2));
  h("/proc/buddyinfo before");
  out.push(report.before.buddyinfo.trimEnd());
  h("/proc/buddyinfo after");
  out.push(report.after.buddyinfo.trimEnd());
  h("/proc/pagetypeinfo before");
  out.push(report.before.pagetypeinfo.trimEnd());
  h("/proc/pagetypeinfo after");
  out.push(report.after.pagetypeinfo.trimEnd());
  h("Watermarks (pages; the fast path needs free > low + protection[highest zone of the request])");
  out.push(
    table([
      ["zone", "free", "min", "low", "high", "managed", "protection"],
      ...report.watermarks.map((w) => [`${w.nid}/${w.zone}`, String(w.free), String(w.min), String(w.low), String(w.high), String(w.managed), `(${w.lowmemReserve.join(", ")})`]),
    ]),
  );
  h("Fragmentation indices before (unusable: share of free memory too small for the order; extfrag: -1 = order available, towards 1 = failure from fragmentation)");
  out.push(fragTable(report.before.fragmentation, report.orders));
  h("Fragmentation indices after");
  out.push(fragTable(report.after.fragmentation, report.orders));
  h(`Allocation failures (${report.failures.length})`);
  for (const line of failureLines(report, style)) out.push(line);
  slowPathLines(report.slowPath, h, out, false);
  h("What this shows");
  for (const line of readingLines(report)) out.push(line);
  h(`Memory map: one character per ${2 ** report.pageblockOrder}-page pageblock (upper case: holds allocated pages, lower case: entirely free)`);
  out.push(`legend: ${report.legend.map((l) => `${l.char}=${l.name}`).join(" ")} #=reserved at boot .=no memory`);
  for (const z of report.pageblocks) {
    out.push(`Node ${z.nid}, zone ${z.zone}${z.blocksPerChar > 1 ? ` (${z.blocksPerChar} pageblocks per character)` : ""}:`);
    // Rows without any memory (the PCI hole below 4 GiB) are summarised in one line.
    let holeChars = 0;
    const flushHole = () => {
      if (holeChars) out.push(style.dim(`  (${holeChars * z.blocksPerChar} pageblocks without memory)`));
      holeChars = 0;
    };
    for (let i = 0; i < z.map.length; i += 64) {
      const row = z.map.slice(i, i + 64);
      if (/^\.+$/.test(row)) {
        holeChars += row.length;
        continue;
      }
      flushHole();
      out.push(`  ${row}`);
    }
    flushHole();
  }
  return `${out.join("\n")}\n`;
}

// ------------------------------------------------------------------ the slow path phase

/** One request (or burst of identical requests) of a slow-path step. */
export interface SlowPathRequest {
  readonly label: string;
  /** The GFP mask as the tracepoints print it. */
  readonly gfp: string;
  readonly order: number;
  readonly count: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The last slow-path call of the burst: `success`, `nopage`, `oom`, `livelock`; null when only the fast path ran. */
  readonly result: string | null;
  /** The steps that slow-path call took (`wake_kswapd`, `get_page_from_freelist:min`, `compact:async`, `direct_reclaim:N` …). */
  readonly steps: readonly string[];
}

/** One step of the slow-path phase: what was asked, what happened, the vmstat deltas and the first trace lines. */
export interface SlowPathStep {
  /** `kswapd`, `compaction` or `nofs`. */
  readonly name: string;
  readonly description: string;
  readonly requests: readonly SlowPathRequest[];
  /** Sentences computed from the counters and outcomes. */
  readonly happened: readonly string[];
  /** /proc/vmstat event counters that changed during the step (name → delta), in /proc/vmstat order. */
  readonly vmstat: Readonly<Record<string, number>>;
  /** mm_vmscan_kswapd_wake events (kswapd woke up and ran balance_pgdat). */
  readonly kswapdWakeups: number;
  /** Number of mm_vmscan_* / mm_compaction_* events the step produced. */
  readonly traceEvents: number;
  /** The first 8 of them, and the first 3 of each background thread (kswapd0, kcompactd0), as lines of the ftrace `trace` file. */
  readonly trace: readonly string[];
  readonly freePagesAfter: number;
}

/** The slow-path phase of the demo (`slowPath` in `--json`). */
export interface SlowPathReport {
  readonly machine: string;
  readonly zone: { readonly name: string; readonly managed: number; readonly min: number; readonly low: number; readonly high: number };
  /** Pages the fill left of each use, and the free pages after it. */
  readonly fill: { readonly kernel: number; readonly slab: number; readonly pageCache: number; readonly dirty: number; readonly anon: number; readonly freePagesAfter: number };
  readonly steps: readonly SlowPathStep[];
}

type Use = "kernel" | "slab" | "cache" | "dirty" | "anon";

/** Transparent huge pages (GFP_TRANSHUGE) exist from 2.6.38 (mm/huge_memory.c); before, the demo has no THP step. */
const HAS_THP: readonly (readonly [string, boolean])[] = [
  ["2.6.0", false],
  ["2.6.38", true],
];

/** The GFP bit that lets a request reclaim directly: __GFP_WAIT until 4.4 split it into __GFP_DIRECT_RECLAIM and __GFP_KSWAPD_RECLAIM. */
const DIRECT_RECLAIM_FLAG: readonly (readonly [string, string])[] = [
  ["2.6.0", "__GFP_WAIT"],
  ["4.4", "__GFP_DIRECT_RECLAIM"],
];
const TRACE_LINES = 8;

/**
 * The slow-path phase of `pagealloc demo`: on tiny-16m (4096 pages, one DMA zone) booted with the slow path
 * (@pagealloc/reclaim; kswapd runs when the demo ticks it), fill memory with kernel memory, reclaimable slab,
 * page cache (a fifth of it dirty) and anonymous memory (no swap), then (a) a GFP_KERNEL order-0 burst below the
 * low watermark until a request finds free ≤ min and reclaims directly, then kswapd runs; (b) free every other
 * page of movable memory and ask for an order-9 THP (GFP_TRANSHUGE, from 2.6.38), which direct compaction makes possible;
 * (c) drop the clean caches and slab (`echo 3 > drop_caches` leaves dirty pages), use the memory up to min with
 * GFP_NOWAIT, and ask with GFP_NOFS (which cannot write dirty page cache back) and then GFP_KERNEL.
 *
 * @param options - kernel version (default 6.18)
 * @returns the steps with their counters and trace lines
 * @example
 * ```ts
 * import { runSlowPathDemo } from "@pagealloc/workload";
 * const s = runSlowPathDemo();
 * console.log(s.steps.map((x) => x.name).join(",")); // => kswapd,compaction,nofs
 * ```
 */
export function runSlowPathDemo(options: { version?: string } = {}): SlowPathReport {
  const events: { e: ReclaimTraceEvent; comm: string; pid: number }[] = [];
  let comm = "pagealloc-demo";
  let pid = 1000;
  const live = new Map<number, Use>();
  const k = bootKernel({
    machine: "tiny-16m",
    version: options.version,
    seed: 1,
    reclaim: {
      background: "tick",
      trace: (e) => {
        // kcompactd runs after kswapd on the same tick
        if (e.event === "mm_compaction_kcompactd_wake") [comm, pid] = ["kcompactd0", 94];
        events.push({ e, comm, pid });
      },
      onEvict: (pfn) => live.delete(pfn),
      onMigrate: (from, to) => {
        const use = live.get(from);
        live.delete(from);
        if (use) live.set(to, use);
      },
    },
  });
  const r = k.reclaim!;
  const zone = k.buddy.zones.find((z) => z.nrFreePages > 0)!;
  const wm = zone.spec.watermark;
  const free = () => zone.nrFreePages;
  const fmtGfp = (mask: number) => formatGfp(mask, k.version, "trace");
  const tick = () => {
    [comm, pid] = ["kswapd0", 93];
    k.kswapd_tick();
    [comm, pid] = ["pagealloc-demo", 1000];
  };
  // The fill must not reclaim what it just filled in: without __GFP_DIRECT_RECLAIM a request that misses the fast
  // path (on this small zone ALLOC_NOFRAGMENT refuses to steal part of a pageblock) retries at min and only wakes kswapd.
  const noReclaim = ~k.gfp(pickByVersion(DIRECT_RECLAIM_FLAG, k.version));
  const allocUse = (gfp: string, use: Use): boolean => {
    const page = k.alloc_page(k.gfp(gfp) & noReclaim);
    if (!page) return false;
    if (use === "cache" || use === "dirty") k.mark_page_cache(page, { dirty: use === "dirty" });
    else if (use === "anon") k.mark_anon(page);
    else if (use === "slab") k.mark_slab_reclaimable(page);
    live.set(page.pfn, use);
    return true;
  };
  const count = (use: Use) => [...live.values()].filter((u) => u === use).length;

  // Fill: kernel memory and slab first (their own pageblocks), then page cache and anon, stopping above high.
  for (let i = 0; i < 128; i++) allocUse("GFP_KERNEL", "kernel");
  for (let i = 0; i < 256; i++) allocUse("GFP_KERNEL|__GFP_RECLAIMABLE", "slab");
  const mix: readonly Use[] = ["cache", "cache", "dirty", "anon", "cache", "anon", "cache", "dirty", "anon", "cache"];
  for (let i = 0; free() > wm.high + 8 && allocUse("GFP_HIGHUSER_MOVABLE", mix[i % mix.length]!); i++);
  const fill = { kernel: count("kernel"), slab: count("slab"), pageCache: count("cache"), dirty: count("dirty"), anon: count("anon"), freePagesAfter: free() };

  tick(); // kswapd woken by the fill finds the zone balanced and sleeps
  const steps: SlowPathStep[] = [];
  let vm0: Record<string, number> = {};
  let ev0 = 0;
  let requests: SlowPathRequest[] = [];
  const begin = () => {
    vm0 = { ...r.vmstat } as Record<string, number>;
    ev0 = events.length;
    requests = [];
  };
  const burst = (label: string, gfp: string, order: number, n: number, stop: (ok: boolean, direct: boolean) => boolean = () => false, use: Use = "kernel") => {
    const mask = k.gfp(gfp);
    const seen = r.lastOutcome;
    let ok = 0;
    let i = 0;
    while (i < n) {
      i++;
      const before = r.lastOutcome;
      const page = k.alloc_pages(mask, order);
      if (page) {
        ok++;
        if (order === 0) live.set(page.pfn, use);
      }
      if (stop(page !== null, page !== null && r.lastOutcome !== before && r.lastOutcome!.steps.some((s) => s.startsWith("direct_reclaim")))) break;
    }
    const out = r.lastOutcome !== seen ? r.lastOutcome : null;
    requests.push({ label, gfp: fmtGfp(mask), order, count: i, succeeded: ok, failed: i - ok, result: out?.result ?? null, steps: out ? [...out.steps] : [] });
  };
  const end = (name: string, description: string, happened: (d: Record<string, number>, wakeups: number) => string[]) => {
    const vm: Record<string, number> = {};
    for (const [n, v] of Object.entries(r.vmstat)) if (v !== undefined && v !== (vm0[n] ?? 0)) vm[n] = v - (vm0[n] ?? 0);
    const evs = events.slice(ev0);
    const wakeups = evs.filter((x) => x.e.event === "mm_vmscan_kswapd_wake").length;
    // the first TRACE_LINES events, plus the first few of each background thread (kswapd0, kcompactd0) that ran later
    const shown = evs.map((x, i) => ({ ...x, i })).filter((x, _, all) => x.i < TRACE_LINES || all.filter((y) => y.comm === x.comm && y.i <= x.i).length <= 3);
    const trace = shown.map((x) => formatReclaimTraceLine({ comm: x.comm, pid: x.pid, cpu: 0, timestampUs: 1_000_000 + (ev0 + x.i) * 25 }, x.e, fmtGfp, k.version));
    steps.push({ name, description, requests, happened: happened(vm, wakeups), vmstat: vm, kswapdWakeups: wakeups, traceEvents: evs.length, trace, freePagesAfter: free() });
  };
  const n = (d: Record<string, number>, name: string) => d[name] ?? 0;
  const allocstall = (d: Record<string, number>) => Object.entries(d).filter(([name]) => name.startsWith("allocstall")).reduce((s, [, v]) => s + v, 0);

  // (a) kswapd and direct reclaim
  begin();
  burst("GFP_KERNEL order-0 burst", "GFP_KERNEL", 0, 4 * wm.high, (_ok, direct) => direct);
  tick();
  end("kswapd", `order-0 GFP_KERNEL requests take free pages below low (${wm.low}): the slow path wakes kswapd and serves them at min (${wm.min}); the first one that finds free <= min reclaims directly; then kswapd runs until free > high (${wm.high})`, (d, w) => [
    `kswapd ${w ? `woke ${w} time(s)` : "ran (this version has no mm_vmscan tracepoints to count wakeups)"}: scanned ${n(d, "pgscan_kswapd")} pages, reclaimed ${n(d, "pgsteal_kswapd")}`,
    `direct reclaim (allocstall ${allocstall(d)}): scanned ${n(d, "pgscan_direct")} pages, reclaimed ${n(d, "pgsteal_direct")}`,
  ]);

  // (b) fragmentation, then THP via compaction
  if (pickByVersion(HAS_THP, k.version)) {
    begin();
    const movable = [...live].filter(([, u]) => u === "cache" || u === "dirty" || u === "anon").map(([pfn]) => pfn).sort((x, y) => x - y);
    for (const pfn of movable) {
      if (pfn % 2 === 1) {
        k.__free_pages(k.pfn_to_page(pfn), 0);
        live.delete(pfn);
      }
    }
    k.drain_all_pages();
    const largest = () => zone.nrFree.reduce((m, c, o) => (c > 0 ? o : m), -1);
    const largestBefore = largest();
    burst("THP fault", "GFP_TRANSHUGE", 9, 1);
    end("compaction", `every other page of movable memory is freed (free ${free() + (requests[0]!.succeeded ? 512 : 0)} pages, largest free block order ${largestBefore}); an order-9 THP (GFP_TRANSHUGE) needs a free pageblock: direct compaction migrates movable pages to the top of the zone`, (d) => [
      `compaction stalled ${n(d, "compact_stall")} time(s): migrate scanner ${n(d, "compact_migrate_scanned")} pages, free scanner ${n(d, "compact_free_scanned")}, migrated ${n(d, "pgmigrate_success")}`,
      `THP ${requests[0]!.succeeded ? "allocated" : "failed"} (compact_success ${n(d, "compact_success")}, compact_fail ${n(d, "compact_fail")})`,
    ]);
  }

  // (c) only dirty page cache is reclaimable: GFP_NOFS cannot write it back
  begin();
  for (const [pfn, use] of [...live]) {
    if (use === "cache" || use === "slab") {
      k.__free_pages(k.pfn_to_page(pfn), 0);
      live.delete(pfn);
    }
  }
  k.drain_all_pages();
  burst("use the memory up to min", "GFP_NOWAIT|__GFP_NOWARN", 0, zone.spec.managedPages, (ok) => !ok);
  const nowait = requests.pop()!;
  burst("filesystem allocation", "GFP_NOFS|__GFP_NORETRY", 0, 1);
  burst("the same with __GFP_FS", "GFP_KERNEL|__GFP_NORETRY", 0, 1);
  requests.unshift(nowait);
  end("nofs", `drop_caches frees the clean page cache and the slab, leaving ${count("dirty")} dirty pages and ${count("anon")} anon (no swap); GFP_NOWAIT takes free pages down to min; GFP_NOFS cannot write dirty pages back (no __GFP_FS), GFP_KERNEL can`, (d) => {
    const [, nofs, kernel] = requests;
    return [
      `GFP_NOFS|__GFP_NORETRY: ${nofs!.failed ? "failed" : "succeeded"} (${nofs!.result}: ${nofs!.steps.join(" ")}); without __GFP_NORETRY the kernel would keep retrying (an order-0 GFP_NOFS never OOM-kills)`,
      `GFP_KERNEL|__GFP_NORETRY: ${kernel!.failed ? "failed" : "succeeded"} (${kernel!.result}: ${kernel!.steps.join(" ")}): direct reclaim wrote back and reclaimed ${n(d, "pgsteal_direct")} dirty pages`,
    ];
  });
  return { machine: k.machine.name, zone: { name: zone.spec.name, managed: zone.spec.managedPages, min: wm.min, low: wm.low, high: wm.high }, fill, steps };
}

/** The slow-path phase as text: per step what happened, the vmstat deltas and the first trace lines. */
function slowPathLines(s: SlowPathReport, h: (title: string) => void, out: string[], brief: boolean): void {
  h(`Slow path: ${s.machine}, zone ${s.zone.name} (${s.zone.managed} pages; min ${s.zone.min}, low ${s.zone.low}, high ${s.zone.high}), booted with @pagealloc/reclaim`);
  const f = s.fill;
  out.push(`fill: ${f.kernel} kernel, ${f.slab} reclaimable slab, ${f.pageCache} clean + ${f.dirty} dirty page cache, ${f.anon} anon (no swap) pages; ${f.freePagesAfter} free`);
  for (const step of s.steps) {
    out.push("", `[${step.name}] ${step.description}`);
    for (const q of step.requests) {
      out.push(`  ${q.label}: ${q.count} x ${q.gfp} order ${q.order}: ${q.succeeded} succeeded, ${q.failed} failed${q.result ? `; last slow path: ${q.result} (${q.steps.join(" ")})` : ""}`);
    }
    for (const line of step.happened) out.push(`  - ${line}`);
    out.push(`  /proc/vmstat deltas: ${Object.entries(step.vmstat).map(([n, v]) => `${n} +${v}`).join(", ") || "none"}; kswapd wakeups ${step.kswapdWakeups}`);
    if (brief) continue;
    out.push(`  trace (${step.trace.length} of ${step.traceEvents} mm_vmscan_*/mm_compaction_* events):`);
    for (const line of step.trace) out.push(`  ${line}`);
  }
}
