import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";

/** The slow path's control flow: 2.6.24's __alloc_pages (rebalance / do_retry) or the 4.7+ __alloc_pages_slowpath. */
export type SlowPathFlow = "2.6.24" | "modern";
/** How warn_alloc's first line looks: 2.6.x `failure. order:%d, mode:0x%x`, ≈3.0 `failure: order:`, 4.6+ with flag names. */
export type FailureLineForm = "dot-hex" | "colon-hex" | "colon-named";
/** Which show_mem layout the report uses. */
export type ShowMemLayout = "2.6.24" | "modern";

/** The slow-path facts of one kernel version. */
export interface ReclaimVersionFacts {
  readonly flow: SlowPathFlow;
  /** CONFIG_COMPACTION exists (2.6.35+): direct compaction, kcompactd (4.6+), deferral. */
  readonly compaction: boolean;
  /** kcompactd exists (4.6+). */
  readonly kcompactd: boolean;
  readonly failureLine: FailureLineForm;
  /** 4.10+: the failure line ends with `, nodemask=…` and (CONFIG_CPUSETS) `,cpuset=…,mems_allowed=…`. */
  readonly failureLineNodemask: boolean;
  readonly showMem: ShowMemLayout;
  /** ALLOCSTALL is counted per zone (`allocstall_normal` …), ≈4.8 (node-based LRU); one `allocstall` before. */
  readonly allocstallPerZone: boolean;
  /** mm_vmscan_* trace events exist (2.6.36+). */
  readonly vmscanTrace: boolean;
  /** Per-zone line fields of show_free_areas (modern layout only). */
  readonly zoneLine: { readonly boost: boolean; readonly freeHighatomic: boolean; readonly zspages: boolean };
  /** Per-node line tail: `writeback_tmp:` (≤ 6.16) and `Balloon:` (6.15+). */
  readonly nodeLine: { readonly writebackTmp: boolean; readonly balloon: boolean };
}

const BOOK: ReclaimVersionFacts = {
  flow: "2.6.24",
  compaction: false,
  kcompactd: false,
  failureLine: "dot-hex",
  failureLineNodemask: false,
  showMem: "2.6.24",
  allocstallPerZone: false,
  vmscanTrace: false,
  zoneLine: { boost: false, freeHighatomic: false, zspages: false },
  nodeLine: { writebackTmp: false, balloon: false },
};

const MODERN: ReclaimVersionFacts = {
  flow: "modern",
  compaction: true,
  kcompactd: true,
  failureLine: "colon-named",
  failureLineNodemask: false,
  showMem: "modern",
  allocstallPerZone: false,
  vmscanTrace: true,
  zoneLine: { boost: false, freeHighatomic: false, zspages: false },
  nodeLine: { writebackTmp: true, balloon: false },
};
const V4_8: ReclaimVersionFacts = { ...MODERN, allocstallPerZone: true };
const V4_10: ReclaimVersionFacts = { ...V4_8, failureLineNodemask: true };
const V5_0: ReclaimVersionFacts = { ...V4_10, zoneLine: { boost: true, freeHighatomic: false, zspages: false } };
const V6_15: ReclaimVersionFacts = { ...V5_0, zoneLine: { boost: true, freeHighatomic: true, zspages: false }, nodeLine: { writebackTmp: true, balloon: true } };
const V6_17: ReclaimVersionFacts = { ...V6_15, nodeLine: { writebackTmp: false, balloon: true } };

// Boundaries: 2.6.35 compaction (Mel Gorman), 2.6.36 vmscan tracepoints, ≈3.0 warn_alloc_failed ("failure:"),
// 4.6 %pGg names and kcompactd, 4.7 the OOM-detection rework (should_reclaim_retry, MAX_RECLAIM_RETRIES),
// 4.10 nodemask/cpuset on the failure line, 5.0 boost, 6.15 free_highatomic / Balloon, 6.17 writeback_tmp removed,
// 6.18 zspages (kernel-facts §9.5). Versions 2.6.25–4.6 use the 2.6.24 flow (with compaction from 2.6.35) and the
// modern show_mem layout is not reproduced for them.
const ROWS: readonly (readonly [string, ReclaimVersionFacts])[] = [
  ["2.6.24", BOOK],
  ["2.6.35", { ...BOOK, compaction: true }],
  ["2.6.36", { ...BOOK, compaction: true, vmscanTrace: true }],
  ["3.0", { ...BOOK, compaction: true, vmscanTrace: true, failureLine: "colon-hex" }],
  ["4.6", { ...BOOK, compaction: true, kcompactd: true, vmscanTrace: true, failureLine: "colon-named" }],
  ["4.7", MODERN],
  ["4.8", V4_8],
  ["4.10", V4_10],
  ["5.0", V5_0],
  ["6.15", V6_15],
  ["6.17", V6_17],
  ["6.18", { ...V6_17, zoneLine: { boost: true, freeHighatomic: true, zspages: true } }],
];

/**
 * The slow-path facts of `version`.
 *
 * @param version - kernel version (2.6.24 or later)
 * @returns the row that applies
 * @example
 * ```ts
 * import { reclaimVersionFacts } from "@pagealloc/reclaim";
 * console.log(reclaimVersionFacts("2.6.24").flow, reclaimVersionFacts("6.18").flow); // => 2.6.24 modern
 * ```
 */
export function reclaimVersionFacts(version: KernelVersion | string): ReclaimVersionFacts {
  return pickByVersion(ROWS, version);
}
