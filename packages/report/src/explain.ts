import {
  type AllocFlagBits,
  type BuddyVersionFacts,
  type WatermarkZoneView,
  allocFlagBits,
  buddyVersionFacts,
  gfpToAllocFlags,
  zoneWatermarkOk,
} from "@pagealloc/buddy";
import {
  decodeModeFragment,
  gfpAllowsDirectReclaim,
  gfpBitNames,
  gfpFlagNames,
  gfpAllowsKswapd,
  gfpFlags,
  gfpIsHighPriority,
  gfpMigratetype,
  gfpNoFail,
  gfpNoWarn,
  gfpNoRetry,
  gfpRetryMayFail,
  gfpTest,
  gfpZone,
} from "@pagealloc/gfp";
import { type ArchName, type KernelVersion, PageallocError, archFacts, formatKernelVersion, parseKernelVersion, pickByVersion } from "@pagealloc/physmem";
import { ReportExplainError } from "./errors";
import type { FailureReport, ReportZone } from "./report-types";

/**
 * What the report shows, in one word:
 * - `watermark`: every zone of the walk was below its watermark (+ lowmem reserve) for this request;
 * - `fragmentation`: some zone had enough free pages but no free block of the order on a list the request may use;
 * - `highatomic-reserve`: a zone would have passed but for the highatomic reserve (subtracted, or its blocks not usable);
 * - `no-eligible-zone`: no zone of the report is allowed by the mask (gfp_zone) — nothing to walk;
 * - `not-explained`: by the kernel's rules some zone could serve the request in the printed snapshot
 *   (the counters were read after the failure; the state changed in between);
 * - `insufficient-data`: the report lacks what the check needs (no Mem-Info, no zone lines, no kernel version).
 */
export type DiagnosisKind = "watermark" | "fragmentation" | "highatomic-reserve" | "no-eligible-zone" | "not-explained" | "insufficient-data";

/** The kinds, in the order documented. */
export const DIAGNOSIS_KINDS: readonly DiagnosisKind[] = [
  "watermark",
  "fragmentation",
  "highatomic-reserve",
  "no-eligible-zone",
  "not-explained",
  "insufficient-data",
];

/** Why one zone's check failed (or `ok`). */
export type ZoneCheckOutcome = "ok" | "below-watermark" | "no-suitable-block" | "highatomic-reserve" | "missing-data";

/** One watermark check of one zone, with the kernel's arithmetic. */
export interface WatermarkCheck {
  readonly path: "fast" | "slow";
  /** Which watermark: `low` (fast path, ALLOC_WMARK_LOW) or `min` (slow path, ALLOC_WMARK_MIN). */
  readonly markName: "low" | "min";
  /** The mark in pages as printed (the kernel prints the mark with the boost included). */
  readonly mark: number;
  readonly boost: number;
  /** NR_FREE_PAGES (`free:`). */
  readonly freePages: number;
  /** Pages the check does not count: (1 << order) − 1 (4.4+; 2.6.24–4.3: (1 << order) − 1 too, as free − 2^order + 1). */
  readonly orderPages: number;
  /** Highatomic pages subtracted (0 when the flags give reserve access). */
  readonly highatomic: number;
  /** Whether the highatomic figure was printed (4.8 and older do not print it). */
  readonly highatomicKnown: boolean;
  /** NR_FREE_CMA_PAGES subtracted (0 with ALLOC_CMA). */
  readonly cma: number;
  /** free − unusable. */
  readonly usable: number;
  /** The mark after the ALLOC_HIGH/MIN_RESERVE, HARDER/NON_BLOCK reductions. */
  readonly minAfterFlags: number;
  readonly lowmemReserve: number;
  /** Pass needs usable > minAfterFlags + lowmemReserve. */
  readonly passesFreeTest: boolean;
  /** Per-order part: 4.4+ the orders ≥ request with a block on a usable list; ≤ 4.3 the loop below the order. */
  readonly orders: readonly { readonly order: number; readonly count: number; readonly letters: string; readonly usable: boolean }[];
  readonly outcome: ZoneCheckOutcome;
  readonly ok: boolean;
  /** The arithmetic, one step a line. */
  readonly steps: readonly string[];
  /** 5.9+ order-0 __GFP_HIGH (6.3+: ALLOC_MIN_RESERVE) retry with the boost removed, when it applies. */
  readonly boostRetry: WatermarkCheck | null;
}

/** One zone of the zonelist walk. */
export interface ZoneWalkEntry {
  readonly nid: number | null;
  readonly name: string;
  readonly zoneIdx: number;
  /** Line of the zone in the report. */
  readonly line: number;
  readonly fast: WatermarkCheck | null;
  readonly slow: WatermarkCheck | null;
  /** The buddy layer's zoneWatermarkOk on the same numbers (slow path), for cross-checking. */
  readonly buddyVerdict: boolean | null;
}

/** A change that would have let the allocation succeed, with the numbers that show it. */
export interface Suggestion {
  readonly kind: "compaction" | "min_free_kbytes" | "lower-order" | "different-mask" | "watermark-boost";
  readonly text: string;
}

/** What `explainReport` returns (the `--json` output of `pagealloc explain`). */
export interface ReportExplanation {
  readonly kind: DiagnosisKind;
  /** One sentence. */
  readonly summary: string;
  /** Kernel version used (`major.minor.patch`), and where it came from. */
  readonly version: string | null;
  readonly versionFrom: "option" | "report" | null;
  readonly comm: string;
  readonly order: number;
  readonly gfp: {
    readonly mask: number;
    readonly hex: string;
    readonly printed: string | null;
    /** The names this version's tables give for the mask (%pGg from 4.6; before, the tracepoint table, 2.6.32+). */
    readonly decoded: string;
    /** The single-bit flags set, in bit order (unknown bits as one hex item). */
    readonly bits: readonly string[];
    readonly matchesPrinted: boolean | null;
    readonly migratetype: string | null;
  } | null;
  /** gfp_zone(): the highest zone allowed, its index, and the zone layout assumed. */
  readonly zone: { readonly name: string; readonly index: number; readonly arch: ArchName; readonly layout: readonly string[] } | null;
  readonly allows: {
    readonly directReclaim: boolean;
    readonly kswapd: boolean;
    readonly compaction: boolean;
    readonly highPriority: boolean;
    readonly highatomic: boolean;
    readonly noMemalloc: boolean;
    readonly noFail: boolean;
    readonly noRetry: boolean;
    readonly retryMayFail: boolean;
    readonly costly: boolean;
    readonly retries: string;
  } | null;
  /** ALLOC_* flags of the fast and slow path (kernel names of that era). */
  readonly allocFlags: { readonly fast: readonly string[]; readonly slow: readonly string[] } | null;
  readonly zonelist: readonly ZoneWalkEntry[];
  readonly suggestions: readonly Suggestion[];
  readonly notes: readonly string[];
}

/** Options of `explainReport`. */
export interface ExplainOptions {
  /** Kernel version to use instead of the one the report names (`6.8`, `4.18.0-80.el8.x86_64`). */
  readonly version?: string;
  /** Zone layout (enum zone_type order); default: x86_64 when the report shows DMA32, else the 32-bit layout (i386). */
  readonly arch?: ArchName;
}

/** The slow-path facts of one kernel version that the explanation needs (kernel-facts §5.3–§5.7). */
interface SlowPathFacts {
  /** The fast path passes ALLOC_CPUSET unconditionally (2.6.24 `ALLOC_WMARK_LOW|ALLOC_CPUSET`). */
  readonly fastCpuset: boolean;
  /** Direct compaction exists (CONFIG_COMPACTION, 2.6.35). */
  readonly compaction: boolean;
  /** The gfp bits direct compaction needs (try_to_compact_pages / can_compact). */
  readonly compactionNeeds: readonly string[];
  /** should_reclaim_retry() with MAX_RECLAIM_RETRIES (≈4.7, the OOM-detection rework). */
  readonly reclaimRetries: boolean;
  /** The "try hard" flag name: __GFP_REPEAT, renamed __GFP_RETRY_MAYFAIL in 4.13. */
  readonly retryFlag: string;
  /** zone_watermark_fast()'s order-0 high-priority retry with the boost removed (≈5.9). */
  readonly boostRetry: boolean;
}

// Rows patch the row before them; a new kernel version with a change is a new row.
const SLOW_PATH_ERAS: readonly (readonly [string, SlowPathFacts])[] = (() => {
  const rows: [string, Partial<SlowPathFacts>][] = [
    ["2.6.24", { fastCpuset: true, compaction: false, compactionNeeds: [], reclaimRetries: false, retryFlag: "__GFP_REPEAT", boostRetry: false }],
    ["2.6.35", { compaction: true, compactionNeeds: ["__GFP_IO", "__GFP_FS"] }],
    ["4.4", { fastCpuset: false }],
    // ≈4.7: compaction allowed for GFP_NOFS requests; should_reclaim_retry with 16 no-progress loops.
    ["4.7", { compactionNeeds: ["__GFP_IO"], reclaimRetries: true }],
    ["4.13", { retryFlag: "__GFP_RETRY_MAYFAIL" }],
    ["5.9", { boostRetry: true }],
  ];
  let acc = rows[0]?.[1] as SlowPathFacts;
  return rows.map(([since, patch]) => {
    acc = { ...acc, ...patch };
    return [since, acc] as const;
  });
})();
const COSTLY_ORDER = 3;
/** show_mem skips zones above gfp_zone(mask) and unpopulated zones in warn_alloc (6.1, "mm: reduce noise in show_mem for lowmem allocations"). */
const SHOW_MEM_ZONE_FILTER: readonly (readonly [string, boolean])[] = [
  ["2.6.24", false],
  ["6.1", true],
];

const LETTER_TO_TYPE: Readonly<Record<string, keyof BuddyVersionFacts["mt"]>> = {
  U: "UNMOVABLE",
  M: "MOVABLE",
  E: "RECLAIMABLE",
  H: "HIGHATOMIC",
  R: "RESERVE",
  C: "CMA",
  I: "ISOLATE",
};

interface Flags {
  bits: AllocFlagBits;
  value: number;
  names: string[];
}

function flagNames(bits: AllocFlagBits, value: number, era: BuddyVersionFacts["allocFlagsEra"]): string[] {
  const names: string[] = [];
  if (bits.wmarkIsIndex) names.push(["ALLOC_WMARK_MIN", "ALLOC_WMARK_LOW", "ALLOC_WMARK_HIGH"][value & bits.WMARK_MASK] as string);
  else if (value & bits.WMARK_MIN) names.push("ALLOC_WMARK_MIN");
  else if (value & bits.WMARK_LOW) names.push("ALLOC_WMARK_LOW");
  const modern = era === "non-block";
  const table: [number, string][] = [
    [bits.NON_BLOCK, modern ? "ALLOC_NON_BLOCK" : "ALLOC_HARDER"],
    [bits.MIN_RESERVE, modern ? "ALLOC_MIN_RESERVE" : "ALLOC_HIGH"],
    [bits.CPUSET, "ALLOC_CPUSET"],
    [bits.CMA, "ALLOC_CMA"],
    [bits.HIGHATOMIC, "ALLOC_HIGHATOMIC"],
    [bits.KSWAPD, "ALLOC_KSWAPD"],
  ];
  for (const [bit, name] of table) if (bit !== 0 && (value & bit) !== 0) names.push(name);
  return names;
}

/** The zone's number of a printed field in pages, or null. */
function pages(z: ReportZone, key: string): number | null {
  return z.fields[key]?.pages ?? null;
}

interface ZoneNumbers {
  free: number;
  min: number;
  low: number | null;
  boost: number;
  reservedHighatomic: number | null;
  freeHighatomic: number | null;
  freeCma: number;
  reserve: number;
  nrFree: number[];
  letters: string[];
}

function zoneNumbers(z: ReportZone, highestIdx: number): ZoneNumbers | null {
  const free = pages(z, "free");
  const min = pages(z, "min");
  if (free === null || min === null || z.lowmemReserve === null) return null;
  const reserve = z.lowmemReserve[highestIdx];
  if (reserve === undefined) return null;
  return {
    free,
    min,
    low: pages(z, "low"),
    boost: pages(z, "boost") ?? 0,
    reservedHighatomic: pages(z, "reserved_highatomic"),
    freeHighatomic: pages(z, "free_highatomic"),
    freeCma: pages(z, "free_cma") ?? 0,
    reserve,
    nrFree: z.freeArea ? z.freeArea.orders.map((o) => o.count) : [],
    letters: z.freeArea ? z.freeArea.orders.map((o) => o.letters) : [],
  };
}

function usableLetters(facts: BuddyVersionFacts, bits: AllocFlagBits, flags: number): (letter: string) => boolean {
  const highatomicOk =
    facts.allocFlagsEra === "non-block" ? (flags & (bits.HIGHATOMIC | bits.OOM)) !== 0 : (flags & (bits.NON_BLOCK | bits.OOM)) !== 0;
  return (letter) => {
    const type = LETTER_TO_TYPE[letter];
    if (type === undefined) return false;
    const mt = facts.mt[type];
    if (mt < 0) return false;
    if (mt < facts.pcpTypes) return true;
    if (type === "HIGHATOMIC") return highatomicOk;
    if (type === "CMA") return (flags & bits.CMA) !== 0;
    return false;
  };
}

// kernel: mm/page_alloc.c __zone_watermark_ok() (4.4+), zone_watermark_ok() with the per-order loop (2.6.24–4.3)
function watermarkArithmetic(
  facts: BuddyVersionFacts,
  f: Flags,
  n: ZoneNumbers,
  order: number,
  path: "fast" | "slow",
  mark: number,
  markName: "low" | "min",
): Omit<WatermarkCheck, "boostRetry"> {
  const steps: string[] = [];
  const bits = f.bits;
  const flags = f.value;
  const orderPages = 2 ** order - 1;
  let min = mark;
  let highatomic = 0;
  let highatomicKnown = true;
  let cma = 0;
  const hasReserves = (flags & bits.RESERVES) !== 0;
  steps.push(`mark = ${markName} ${mark} pages${n.boost ? ` (includes boost ${n.boost})` : ""}`);
  if (facts.watermarkAlgorithm === "per-order-loop") {
    if (flags & bits.MIN_RESERVE) {
      steps.push(`ALLOC_HIGH: min = ${min} − ${min}/2 = ${min - Math.floor(min / 2)}`);
      min -= Math.floor(min / 2);
    }
    if (flags & bits.NON_BLOCK) {
      steps.push(`ALLOC_HARDER: min = ${min} − ${min}/4 = ${min - Math.floor(min / 4)}`);
      min -= Math.floor(min / 4);
    }
  } else {
    const era = facts.allocFlagsEra;
    const harder = era === "non-block" ? hasReserves : (flags & (bits.NON_BLOCK | bits.OOM)) !== 0;
    if (era === "non-block" && hasReserves) {
      if (flags & bits.MIN_RESERVE) {
        steps.push(`ALLOC_MIN_RESERVE: min = ${min} − ${min}/2 = ${min - Math.floor(min / 2)}`);
        min -= Math.floor(min / 2);
        if (flags & bits.NON_BLOCK) {
          steps.push(`ALLOC_NON_BLOCK: min = ${min} − ${min}/4 = ${min - Math.floor(min / 4)}`);
          min -= Math.floor(min / 4);
        }
      }
    } else if (era !== "non-block") {
      if (flags & bits.MIN_RESERVE) {
        steps.push(`ALLOC_HIGH: min = ${min} − ${min}/2 = ${min - Math.floor(min / 2)}`);
        min -= Math.floor(min / 2);
      }
      if (harder) {
        steps.push(`ALLOC_HARDER: min = ${min} − ${min}/4 = ${min - Math.floor(min / 4)}`);
        min -= Math.floor(min / 4);
      }
    }
    if (!harder) {
      const useFree = facts.subtractFreeHighatomic;
      const value = useFree ? n.freeHighatomic : n.reservedHighatomic;
      highatomicKnown = value !== null;
      highatomic = value ?? 0;
      steps.push(
        value === null
          ? `highatomic reserve (${useFree ? "free_highatomic" : "reserved_highatomic"}) not printed by this kernel: counted as 0 (a reserve would only lower the usable free pages)`
          : `no reserve access: subtract ${useFree ? "free_highatomic" : "reserved_highatomic"} ${highatomic}`,
      );
    }
    if (!(flags & bits.CMA)) cma = n.freeCma;
  }
  const usable = n.free - orderPages - highatomic - cma;
  steps.push(
    `usable = free ${n.free} − (2^${order} − 1 = ${orderPages})${highatomic ? ` − highatomic ${highatomic}` : ""}${cma ? ` − free_cma ${cma}` : ""} = ${usable}`,
  );
  const threshold = min + n.reserve;
  const passesFreeTest = usable > threshold;
  steps.push(
    `${usable} ${passesFreeTest ? ">" : "≤"} ${markName} ${min} + lowmem_reserve ${n.reserve} = ${threshold}: ${passesFreeTest ? "enough free pages" : "below the watermark"}`,
  );
  const orders: { order: number; count: number; letters: string; usable: boolean }[] = [];
  let outcome: ZoneCheckOutcome = passesFreeTest ? "ok" : "below-watermark";
  if (passesFreeTest && order > 0) {
    if (n.nrFree.length === 0) {
      outcome = "missing-data";
      steps.push("no free-area line for this zone: the per-order part cannot be checked");
    } else if (facts.watermarkAlgorithm === "per-order-loop") {
      let free = usable;
      let m = min;
      for (let o = 0; o < order; o++) {
        const count = n.nrFree[o] ?? 0;
        const before = free;
        free -= count * 2 ** o;
        m >>= 1;
        const ok = free > m;
        orders.push({ order: o, count, letters: n.letters[o] ?? "", usable: ok });
        steps.push(`order ${o}: free ${before} − ${count}×${2 ** o} = ${free} ${ok ? ">" : "≤"} min/2^${o + 1} = ${m}`);
        if (!ok) {
          outcome = "no-suitable-block";
          break;
        }
      }
    } else {
      const usableLetter = usableLetters(facts, bits, flags);
      let found = false;
      let onlyHighatomic = false;
      for (let o = order; o < n.nrFree.length; o++) {
        const count = n.nrFree[o] ?? 0;
        const letters = n.letters[o] ?? "";
        const ok = count > 0 && (letters === "" ? true : [...letters].some(usableLetter));
        if (count > 0 && !ok && letters.includes("H")) onlyHighatomic = true;
        orders.push({ order: o, count, letters, usable: ok });
        if (ok) found = true;
      }
      const shown = orders.map((o) => `${o.count}${o.letters ? `(${o.letters})` : ""}`).join(" ");
      steps.push(`free blocks at orders ${order}..${n.nrFree.length - 1}: ${shown} → ${found ? "a block on a usable list exists" : "no block on a usable list"}`);
      if (!found) outcome = onlyHighatomic ? "highatomic-reserve" : "no-suitable-block";
    }
  }
  if (!passesFreeTest && highatomic > 0 && usable + highatomic > threshold) outcome = "highatomic-reserve";
  return {
    path,
    markName,
    mark,
    boost: n.boost,
    freePages: n.free,
    orderPages,
    highatomic,
    highatomicKnown,
    cma,
    usable,
    minAfterFlags: min,
    lowmemReserve: n.reserve,
    passesFreeTest,
    orders,
    outcome,
    ok: outcome === "ok",
    steps,
  };
}

function buddyView(n: ZoneNumbers, facts: BuddyVersionFacts): WatermarkZoneView {
  const lowmemReserve: number[] = [];
  return {
    lowmemReserve,
    nrReservedHighatomic: n.reservedHighatomic ?? 0,
    nrFreeHighatomic: n.freeHighatomic ?? 0,
    nrFreeCma: n.freeCma,
    nrFree: n.nrFree,
    hasFree(order: number, mt: number): boolean {
      const letters = n.letters[order] ?? "";
      if ((n.nrFree[order] ?? 0) === 0) return false;
      if (letters === "") return mt < facts.pcpTypes;
      return [...letters].some((l) => {
        const t = LETTER_TO_TYPE[l];
        return t !== undefined && facts.mt[t] === mt;
      });
    },
  };
}

/**
 * The zone layout a report implies: DMA32 printed → x86_64; HighMem printed → the 32-bit layout; five
 * lowmem_reserve[] entries (DMA, DMA32, Normal, Movable, Device: ZONE_DEVICE is 64-bit only) → x86_64;
 * otherwise the 32-bit layout DMA, Normal, HighMem, Movable (i386, ppc32), flagged as an assumption.
 */
function inferArch(report: FailureReport): { arch: ArchName; sure: boolean } {
  const zones = report.memInfo?.zones ?? [];
  if (zones.some((z) => z.name === "DMA32")) return { arch: "x86_64", sure: true };
  if (zones.some((z) => z.name === "HighMem")) return { arch: "i386", sure: true };
  if (zones.some((z) => (z.lowmemReserve?.length ?? 0) >= 5)) return { arch: "x86_64", sure: true };
  return { arch: "i386", sure: false };
}

function resolveVersion(report: FailureReport, options: ExplainOptions): { v: KernelVersion; from: "option" | "report" } | null {
  const text = options.version ?? report.kernelRelease;
  if (text === undefined || text === null) return null;
  try {
    return { v: parseKernelVersion(text), from: options.version !== undefined ? "option" : "report" };
  } catch (e) {
    if (e instanceof PageallocError) throw new ReportExplainError(`cannot use kernel version ${JSON.stringify(text)}: ${e.message}`, options.version !== undefined ? "--kernel" : `line ${report.task?.line ?? report.line}`);
    throw e;
  }
}

/** ≤ 4.8: the report was printed by vmalloc (the line before it says how much of the area it got). */
function vmallocNote(report: FailureReport): string[] {
  const v = report.vmalloc;
  if (!v) return [];
  const pct = v.requestedBytes > 0 ? Math.floor((v.allocatedBytes * 100) / v.requestedBytes) : 0;
  return [
    `vmalloc failure (line ${v.line}): it got ${v.allocatedBytes} of the ${v.requestedBytes} bytes asked for (${pct}%); the order-${report.order} request is one of the pages it allocates one by one, so the buddy allocator's state explains only why that page could not be had, not the size of the area`,
  ];
}

function insufficient(report: FailureReport, why: string, version: string | null, from: ReportExplanation["versionFrom"]): ReportExplanation {
  return {
    kind: "insufficient-data",
    summary: `${report.comm}: order-${report.order} allocation failed; ${why}`,
    version,
    versionFrom: from,
    comm: report.comm,
    order: report.order,
    gfp: null,
    zone: null,
    allows: null,
    allocFlags: null,
    zonelist: [],
    suggestions: [],
    notes: [why, ...vmallocNote(report)],
  };
}

/** What the allocation-flag computation needs to know about the mask. */
interface GfpFacts {
  readonly directReclaim: boolean;
  readonly kswapd: boolean;
  readonly highPriority: boolean;
  readonly noMemalloc: boolean;
  readonly movable: boolean;
  /** __GFP_ATOMIC set (4.4–6.2). */
  readonly gfpAtomic: boolean;
}

// kernel: mm/page_alloc.c __alloc_pages() / prepare_alloc_pages() (the first get_page_from_freelist's flags)
function fastPathAllocFlags(facts: BuddyVersionFacts, sp: SlowPathFacts, bits: AllocFlagBits, g: GfpFacts): number {
  let flags = bits.WMARK_LOW | (g.movable ? bits.CMA : 0);
  // ALLOC_KSWAPD (and ALLOC_NOFRAGMENT) exist from 5.0.
  if (g.kswapd && facts.noFragment) flags |= bits.KSWAPD;
  if (sp.fastCpuset) flags |= bits.CPUSET;
  return flags;
}

/**
 * Explain a page allocation failure report with the kernel's own rules for its version: the GFP
 * mask decoded, gfp_zone() and the zonelist walked, and for every zone the watermark check with
 * its arithmetic (fast path at the low mark, slow path at the min mark after the ALLOC_* reductions,
 * lowmem_reserve, the highatomic and CMA adjustments, and the per-order part from the free-area
 * line), then a diagnosis `kind` and suggestions justified with the report's numbers.
 * kernel: mm/page_alloc.c get_page_from_freelist(), zone_watermark_fast(), __zone_watermark_ok(), gfp_to_alloc_flags()
 *
 * The check runs on the counters printed after the failure; an allocation that fails in the report's
 * own numbers is explained, one that would succeed is `not-explained`.
 *
 * @param report - one report from {@link parseFailureReports}
 * @param options - `version` to override the release named in the report; `arch` for the zone layout
 * @returns the explanation
 * @throws {ReportExplainError} when the version given cannot be parsed
 * @example
 * ```ts
 * import { parseFailureReports, explainReport } from "@pagealloc/report";
 * const { reports } = parseFailureReports("a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)\n");
 * console.log(explainReport(reports[0], { version: "6.18" }).kind); // => insufficient-data
 * ```
 */
export function explainReport(report: FailureReport, options: ExplainOptions = {}): ReportExplanation {
  const resolved = resolveVersion(report, options);
  if (resolved === null) return insufficient(report, "the report does not name its kernel release (no CPU/PID/Comm line); pass a version", null, null);
  const { v, from } = resolved;
  const version = formatKernelVersion(v);
  if (report.memInfo === null) return insufficient(report, "the report has no Mem-Info section, so the zones' free pages and watermarks are unknown", version, from);
  // 6.1+ warn_alloc's show_mem prints only the populated zones at or below gfp_zone(mask): a complete Mem-Info (its
  // "pages RAM" tail is there) without a zone line says no populated zone may serve the request. Older kernels print
  // every zone, so there (or with the tail missing) the zone lines were cut from the paste.
  const noZoneLines = report.memInfo.zones.length === 0;
  if (noZoneLines && !(pickByVersion(SHOW_MEM_ZONE_FILTER, v) && report.memInfo.totals["pages RAM"] !== undefined)) {
    return insufficient(report, "the Mem-Info section has no zone lines", version, from);
  }

  const notes: string[] = [];
  const mask = report.gfpMask;
  const inferred = inferArch(report);
  const arch = options.arch ?? inferred.arch;
  if (options.arch === undefined && !inferred.sure) {
    notes.push(`zone layout assumed from the zones printed: ${arch} (DMA, Normal, HighMem, Movable); give the arch if the machine differs`);
  }
  let facts: BuddyVersionFacts;
  let layout: readonly string[];
  let zoneName: string;
  let decoded: ReturnType<typeof decodeModeFragment>;
  try {
    facts = buddyVersionFacts(v);
    layout = archFacts(arch, v).zoneTypes;
    zoneName = gfpZone(mask, { arch, version: v });
    const fragment = `mode:0x${mask.toString(16)}${report.gfpNames === null ? "" : `(${report.gfpNames})`}`;
    decoded = decodeModeFragment(fragment, v);
  } catch (e) {
    if (e instanceof PageallocError) return insufficient(report, `the mask cannot be decoded for ${version}: ${e.message}`, version, from);
    throw e;
  }
  const highestIdx = layout.indexOf(zoneName);
  if (decoded.matches === false) {
    notes.push(`the kernel printed (${decoded.printed}) but ${version}'s tables give (${decoded.expected}): the layout of this build differs (vendor backport or config), the decoding below may be off`);
  }

  // What the mask allows.
  const directReclaim = gfpAllowsDirectReclaim(mask, v);
  const kswapd = gfpAllowsKswapd(mask, v);
  const highPriority = gfpIsHighPriority(mask, v);
  const noMemalloc = gfpTest("noMemalloc", mask, v);
  const noFail = gfpNoFail(mask, v);
  const noRetry = gfpNoRetry(mask, v);
  const retryMayFail = gfpRetryMayFail(mask, v);
  const costly = report.order > COSTLY_ORDER;
  const sp = pickByVersion(SLOW_PATH_ERAS, v);
  const compaction = sp.compaction && report.order > 0 && directReclaim && sp.compactionNeeds.every((f) => (mask & (gfpFlags(v)[f] ?? 0)) !== 0);
  let migratetype: string | null = null;
  try {
    migratetype = gfpMigratetype(mask, v);
  } catch (e) {
    if (!(e instanceof PageallocError)) throw e;
  }
  const gfpAtomicBit = gfpFlags(v).__GFP_ATOMIC ?? 0;
  const gfpInfo: GfpFacts = { directReclaim, kswapd, highPriority, noMemalloc, movable: migratetype === "Movable", gfpAtomic: (mask & gfpAtomicBit) !== 0 };

  // ALLOC_* flags of both paths.
  const bits = allocFlagBits(facts.allocFlagsEra);
  const fast = fastPathAllocFlags(facts, sp, bits, gfpInfo);
  // The task is assumed not to be realtime; CONFIG_CMA as distribution kernels build it (ALLOC_CMA for movable requests).
  const slow = gfpToAllocFlags(mask, report.order, v, { cma: true });
  const highatomicAccess = facts.allocFlagsEra === "non-block" ? (slow & bits.HIGHATOMIC) !== 0 : facts.mt.HIGHATOMIC >= 0 && (slow & bits.NON_BLOCK) !== 0;
  const fastFlags: Flags = { bits, value: fast, names: flagNames(bits, fast, facts.allocFlagsEra) };
  const slowFlags: Flags = { bits, value: slow, names: flagNames(bits, slow, facts.allocFlagsEra) };

  if (gfpNoWarn(mask, v)) notes.push("the mask has __GFP_NOWARN: warn_alloc() prints nothing for it, so a failure with this mask is silent (a report showing it was printed by a kernel whose flags differ)");
  notes.push(...vmallocNote(report));
  const pfMemalloc = /^kswapd\d*$/.test(report.comm);
  if (pfMemalloc) {
    notes.push(
      noMemalloc
        ? "the caller is kswapd, which runs with PF_MEMALLOC: the slow path never direct-reclaims for it (recursion guard), and __GFP_NOMEMALLOC denies it the memory reserves, so the allocation fails as soon as every zone is below its min watermark"
        : "the caller is kswapd (PF_MEMALLOC): in task context it would have had ALLOC_NO_WATERMARKS; a failure means the allocation ran in interrupt context on kswapd's CPU (no reserves), which the checks below assume",
    );
  }

  // The zonelist: zones of the report allowed by gfp_zone, highest first, node by node as printed.
  const zones = report.memInfo.zones.filter((z) => z.fields.free !== undefined);
  const nodeOrder: (number | null)[] = [];
  for (const z of zones) if (!nodeOrder.includes(z.nid)) nodeOrder.push(z.nid);
  if (nodeOrder.length > 1) notes.push("several nodes: the walk below takes nodes in the printed order; the kernel orders them by distance from the allocating CPU's node");
  const walk = zones
    .map((z) => ({ z, idx: layout.indexOf(z.name) }))
    .filter((e) => e.idx >= 0 && e.idx <= highestIdx)
    .sort((a, b) => nodeOrder.indexOf(a.z.nid) - nodeOrder.indexOf(b.z.nid) || b.idx - a.idx);
  for (const z of zones) if (layout.indexOf(z.name) < 0) notes.push(`zone ${z.name} is not in the ${arch} zone layout (${layout.join(", ")}); it is left out`);
  for (const { z } of walk) {
    if (z.fields.managed?.value === 0) notes.push(`zone ${z.name}${z.nid === null ? "" : ` of node ${z.nid}`} has no managed page (managed:0kB): all of it is reserved, it can never serve the request`);
  }

  const boostRetryApplies = (f: Flags) =>
    report.order === 0 &&
    sp.boostRetry &&
    (facts.allocFlagsEra === "non-block" ? (f.value & bits.MIN_RESERVE) !== 0 : gfpInfo.gfpAtomic);

  const check = (n: ZoneNumbers, f: Flags, path: "fast" | "slow", order: number): WatermarkCheck | null => {
    const mark = path === "fast" ? n.low : n.min;
    if (mark === null) return null;
    const main = watermarkArithmetic(facts, f, n, order, path, mark, path === "fast" ? "low" : "min");
    let boostRetry: WatermarkCheck | null = null;
    if (!main.ok && path === "slow" && n.boost > 0 && order === 0 && boostRetryApplies(f)) {
      const raw = watermarkArithmetic(facts, f, { ...n, boost: 0 }, order, path, n.min - n.boost, "min");
      boostRetry = { ...raw, steps: [`order-0 high-priority retry without the boost: min ${n.min} − boost ${n.boost} = ${n.min - n.boost}`, ...raw.steps], boostRetry: null };
    }
    const ok = main.ok || (boostRetry?.ok ?? false);
    return { ...main, ok, outcome: ok ? "ok" : main.outcome, boostRetry };
  };

  const entries: ZoneWalkEntry[] = [];
  const numbers = new Map<number, ZoneNumbers>();
  for (const { z, idx } of walk) {
    const n = zoneNumbers(z, highestIdx);
    if (n === null) {
      entries.push({ nid: z.nid, name: z.name, zoneIdx: idx, line: z.line, fast: null, slow: null, buddyVerdict: null });
      notes.push(`zone ${z.name} (line ${z.line}): free, min or lowmem_reserve[${highestIdx}] missing, not checked`);
      continue;
    }
    numbers.set(z.line, n);
    const slowCheck = check(n, slowFlags, "slow", report.order);
    let buddyVerdict: boolean | null = null;
    if (report.order === 0 || n.nrFree.length > 0) {
      const view = buddyView(n, facts);
      (view.lowmemReserve as number[])[highestIdx] = n.reserve;
      buddyVerdict = zoneWatermarkOk(facts, bits, view, report.order, n.min, highestIdx, slow, n.free);
      if (!buddyVerdict && slowCheck?.boostRetry) {
        buddyVerdict = zoneWatermarkOk(facts, bits, view, report.order, n.min - n.boost, highestIdx, slow, n.free);
      }
      if (slowCheck && slowCheck.outcome !== "missing-data" && buddyVerdict !== slowCheck.ok) {
        notes.push(`zone ${z.name}: the buddy layer's zoneWatermarkOk says ${buddyVerdict ? "pass" : "fail"}, the arithmetic below ${slowCheck.ok ? "pass" : "fail"}`);
      }
    }
    entries.push({ nid: z.nid, name: z.name, zoneIdx: idx, line: z.line, fast: check(n, fastFlags, "fast", report.order), slow: slowCheck, buddyVerdict });
  }

  // Diagnosis.
  const checked = entries.filter((e) => e.slow !== null);
  let kind: DiagnosisKind;
  let summary: string;
  const what = `${report.comm}: order-${report.order} ${gfpFlagNames(mask, v).join("|") || `0x${mask.toString(16)}`} allocation (highest zone ${zoneName})`;
  if (walk.length === 0) {
    kind = "no-eligible-zone";
    summary = noZoneLines
      ? `${what}: show_mem printed no zone (${version} prints only the populated zones at or below ${zoneName}): no populated zone may serve the mask`
      : `${what}: no zone of the report is at or below ${zoneName}`;
  } else if (checked.some((e) => e.slow?.ok)) {
    const okZone = checked.find((e) => e.slow?.ok) as ZoneWalkEntry;
    kind = "not-explained";
    summary = `${what}: in the printed snapshot zone ${okZone.name} passes the min watermark check (${describeMargin(okZone.slow as WatermarkCheck)}); memory changed between the failure and the report`;
  } else if (checked.length === 0 || checked.some((e) => e.slow?.outcome === "missing-data")) {
    kind = "insufficient-data";
    summary = `${what}: the report lacks the numbers the watermark check needs`;
  } else if (checked.some((e) => e.slow?.outcome === "highatomic-reserve")) {
    kind = "highatomic-reserve";
    summary = `${what}: the highatomic reserve is what the request may not use`;
  } else if (checked.some((e) => e.slow?.outcome === "no-suitable-block")) {
    kind = "fragmentation";
    const z = checked.find((e) => e.slow?.outcome === "no-suitable-block") as ZoneWalkEntry;
    const zs = z.slow as WatermarkCheck;
    const enough = `zone ${z.name} has enough free pages (${zs.usable} usable > ${zs.minAfterFlags + zs.lowmemReserve})`;
    // Before 4.4 the check is the per-order loop: it can fail with free blocks of the order present.
    const stop = facts.watermarkAlgorithm === "per-order-loop" ? zs.orders.find((o) => !o.usable) : undefined;
    summary = stop
      ? `${what}: ${enough} but too few of them in blocks of order ≥ ${report.order}: without the blocks of order ${stop.order} and below, the free pages fall to min/2^${stop.order + 1} or under`
      : `${what}: ${enough} but no free block of order ≥ ${report.order} the request may use`;
  } else {
    kind = "watermark";
    summary = `${what}: every zone of the walk is below its min watermark + lowmem_reserve (${checked.map((e) => `${e.name} ${describeMargin(e.slow as WatermarkCheck)}`).join("; ")})`;
  }
  if (facts.watermarkAlgorithm === "free-block" && checked.some((e) => e.slow?.orders.some((o) => o.count > 0 && o.letters === ""))) {
    notes.push("the migratetypes of the free blocks are not known (no letters printed): every free block is counted as usable");
  }
  for (const e of checked) {
    if (e.slow && !e.slow.highatomicKnown && e.slow.ok) notes.push(`zone ${e.name}: passes only if its (unprinted) highatomic reserve is small`);
  }
  if (report.memInfo.zones.some((z) => z.freeArea && z.freeArea.totalKb !== (pages(z, "free") ?? 0) * report.memInfo!.pageSizeKb)) {
    notes.push("free: and the free-area totals differ slightly: they were read at different moments");
  }

  // What would have helped.
  const suggestions: Suggestion[] = [];
  const retries = noFail
    ? "never fails (__GFP_NOFAIL): retries forever"
    : noRetry
      ? "no retry after one reclaim/compaction round (__GFP_NORETRY)"
      : !directReclaim
        ? "cannot reclaim or compact: fails right after the reserve-assisted check"
        : costly && !retryMayFail
          ? `costly order (> ${COSTLY_ORDER}) without ${sp.retryFlag}: gives up after one reclaim/compaction round, no OOM kill`
          : sp.reclaimRetries
            ? "retries reclaim up to 16 times without progress (MAX_RECLAIM_RETRIES), then may invoke the OOM killer"
            : "retries while reclaim makes progress, then may invoke the OOM killer";
  if (kind === "fragmentation") {
    const z = checked.find((e) => e.slow?.outcome === "no-suitable-block") as ZoneWalkEntry;
    const c = z.slow as WatermarkCheck;
    const area = report.memInfo.zones.find((x) => x.line === z.line)?.freeArea?.orders ?? [];
    const largest = area.reduce((a, o) => (o.count > 0 ? o.order : a), -1);
    const inBig = area.filter((o) => o.order >= report.order).reduce((a, o) => a + o.count * 2 ** o.order, 0);
    const shortage =
      facts.watermarkAlgorithm === "per-order-loop"
        ? `only ${inBig} of its ${c.freePages} free pages are in blocks of order ≥ ${report.order}, and the check wants more than min/2^${report.order} = ${c.minAfterFlags >> report.order} there`
        : `its largest free block is order ${largest}`;
    suggestions.push({
      kind: "compaction",
      text: `zone ${z.name} had ${c.freePages} free pages but ${shortage}; compaction moves movable pages together to build order-${report.order} blocks (${compaction ? "direct compaction was allowed for this mask and did not succeed in time; compacting ahead (vm.compaction_proactiveness, /proc/sys/vm/compact_memory) keeps blocks ready" : "this mask does not allow direct compaction"})`,
    });
  }
  if (kind === "fragmentation" || kind === "highatomic-reserve") {
    for (let o = report.order - 1; o >= 0; o--) {
      const passes = walk.find(({ z }) => {
        const n = numbers.get(z.line);
        return n !== undefined && (check(n, slowFlags, "slow", o)?.ok ?? false);
      });
      if (passes) {
        const n = numbers.get(passes.z.line) as ZoneNumbers;
        suggestions.push({
          kind: "lower-order",
          text: `an order-${o} request would have passed in zone ${passes.z.name} (${n.nrFree.slice(o).reduce((a, b) => a + b, 0)} free blocks of order ≥ ${o}); split the request or use a vmalloc-backed allocation`,
        });
        break;
      }
    }
  }
  if (kind === "not-explained" && !directReclaim) {
    const okZone = checked.find((e) => e.slow?.ok) as ZoneWalkEntry;
    const c = okZone.slow?.boostRetry?.ok ? okZone.slow.boostRetry : (okZone.slow as WatermarkCheck);
    const margin = c.usable - (c.minAfterFlags + c.lowmemReserve);
    suggestions.push({
      kind: "min_free_kbytes",
      text: `the request cannot reclaim and zone ${okZone.name} was only ${margin} pages (${margin * report.memInfo.pageSizeKb} kB) above its threshold ${c.minAfterFlags + c.lowmemReserve} when the report was printed; a larger vm.min_free_kbytes raises the marks so kswapd keeps more free pages ahead of atomic bursts`,
    });
  }
  if (kind === "watermark") {
    for (const e of checked) {
      const c = e.slow as WatermarkCheck;
      const n = numbers.get(e.line);
      if (c.boost === 0 || n === undefined) continue;
      const unboosted = watermarkArithmetic(facts, slowFlags, { ...n, boost: 0 }, report.order, "slow", c.mark - c.boost, "min");
      if (unboosted.ok) {
        suggestions.push({
          kind: "watermark-boost",
          text: `zone ${e.name}'s min watermark ${c.mark} includes a boost of ${c.boost} pages (vm.watermark_boost_factor, raised after fragmentation events); without it the check is usable ${unboosted.usable} > ${unboosted.minAfterFlags} + ${unboosted.lowmemReserve} and passes`,
        });
      }
    }
    if (pfMemalloc && noMemalloc) {
      const richest = checked.reduce((a, b) => ((b.slow as WatermarkCheck).freePages > (a.slow as WatermarkCheck).freePages ? b : a));
      suggestions.push({
        kind: "different-mask",
        text: `without __GFP_NOMEMALLOC, kswapd (PF_MEMALLOC) would allocate with ALLOC_NO_WATERMARKS and zone ${richest.name} had ${(richest.slow as WatermarkCheck).freePages} free pages`,
      });
    }
    if (!highPriority && !directReclaim) {
      const passing = checked.find((e) => {
        const n = numbers.get(e.line);
        if (!n) return false;
        const hi: Flags = { bits, value: slow | bits.MIN_RESERVE, names: [] };
        return watermarkArithmetic(facts, hi, n, report.order, "slow", n.min, "min").ok;
      });
      if (passing) suggestions.push({ kind: "different-mask", text: `with __GFP_HIGH (e.g. GFP_ATOMIC) the min watermark is halved and zone ${passing.name} would pass` });
    }
    if (!directReclaim) {
      const shortest = checked.reduce((a, b) => (shortfall(b.slow as WatermarkCheck) < shortfall(a.slow as WatermarkCheck) ? b : a));
      const s = shortfall(shortest.slow as WatermarkCheck);
      suggestions.push({
        kind: "min_free_kbytes",
        text: `the request cannot reclaim, so it lives on what kswapd keeps free: zone ${shortest.name} was ${s} pages (${s * report.memInfo.pageSizeKb} kB) short; a larger vm.min_free_kbytes raises the low/high marks so kswapd keeps more free pages ahead of atomic bursts`,
      });
    }
  }

  return {
    kind,
    summary,
    version,
    versionFrom: from,
    comm: report.comm,
    order: report.order,
    gfp: {
      mask,
      hex: `0x${mask.toString(16)}`,
      printed: report.gfpNames,
      decoded: gfpFlagNames(mask, v).join("|"),
      bits: gfpBitNames(mask, v),
      matchesPrinted: decoded.matches,
      migratetype,
    },
    zone: { name: zoneName, index: highestIdx, arch, layout },
    allows: {
      directReclaim,
      kswapd,
      compaction,
      highPriority,
      highatomic: highatomicAccess,
      noMemalloc,
      noFail,
      noRetry,
      retryMayFail,
      costly,
      retries,
    },
    allocFlags: { fast: fastFlags.names, slow: slowFlags.names },
    zonelist: entries,
    suggestions,
    notes,
  };
}

function shortfall(c: WatermarkCheck): number {
  return c.minAfterFlags + c.lowmemReserve - c.usable + 1;
}

function describeMargin(c: WatermarkCheck): string {
  const t = c.minAfterFlags + c.lowmemReserve;
  const final = c.boostRetry && c.boostRetry.ok ? c.boostRetry : c;
  const ft = final.minAfterFlags + final.lowmemReserve;
  if (c.outcome === "ok" || final.ok) return `usable ${final.usable} > ${ft}`;
  return `usable ${c.usable} ≤ ${t}`;
}

