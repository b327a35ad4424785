import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";

/**
 * The slow path's control flow: 2.6.24's __alloc_pages (rebalance / do_retry), the 2.6.31–4.6
 * __alloc_pages_slowpath (should_alloc_retry, direct compaction before reclaim; its variants are the
 * {@link ClassicSlowPathFacts} of the row) or the 4.7+ __alloc_pages_slowpath (should_reclaim_retry).
 */
export type SlowPathFlow = "2.6.24" | "2.6.31" | "modern";

/**
 * How the 2.6.31–4.6 __alloc_pages_slowpath varies. Each field names the release that changed it and whether the
 * text was read ([SRC x.y]: mm/page_alloc.c of that release) or dated from the commit history ([≈]).
 */
export interface ClassicSlowPathFacts {
  /**
   * What keeps wake_all_kswapd() from running: nothing (2.6.31–2.6.37), `__GFP_NO_KSWAPD` (2.6.38 THP – 4.3,
   * [SRC 3.10]), the absence of `__GFP_KSWAPD_RECLAIM` (4.4+, [SRC 4.4]).
   */
  readonly kswapdGate: "always" | "no-kswapd" | "kswapd-reclaim";
  /**
   * __alloc_pages_direct_reclaim(): after progress, try, and on failure drain the pcp lists and try once more
   * (≈2.6.35; [SRC 2.6.36]); before, drain first for order > 0 and try once ([SRC 2.6.32]).
   */
  readonly reclaimDrainRetry: boolean;
  /** No OOM kill for lowmem-only requests (high_zoneidx < ZONE_NORMAL) (≈2.6.35; [SRC 2.6.36]; not in [SRC 2.6.32]). */
  readonly oomSkipsLowmem: boolean;
  /** `rebalance:` tries get_page_from_freelist again on every retry (3.0, commit cfa54a0fcfc1 [SRC 3.10]); before, only after `restart:` [SRC 2.6.32]. */
  readonly rebalanceTriesFreelist: boolean;
  /** The first direct compaction is asynchronous, later ones synchronous (2.6.38); 2.6.35–2.6.37 compaction is always synchronous. */
  readonly asyncFirst: boolean;
  /** Migration mode of the synchronous passes: MIGRATE_SYNC (2.6.38–3.2), MIGRATE_SYNC_LIGHT (3.3+). */
  readonly syncMode: "sync" | "sync-light";
  /** Direct compaction once more when the retry rule gives up (2.6.38 reclaim/compaction; 4.0+ the `noretry:` label [SRC 3.10, 4.4]). */
  readonly compactAfterRetry: boolean;
  /**
   * THP bail-out after the first compaction: none (< 3.3); `(deferred || contended) && __GFP_NO_KSWAPD` → nopage
   * (3.3–4.3 [SRC 3.10]); `is_thp_gfp_mask()` and deferred → nopage (4.4+ [SRC 4.4]).
   */
  readonly thpBail: "none" | "no-kswapd" | "thp-mask";
  /** THP page faults stay asynchronous after reclaim (3.16, "avoid excessive compaction latency during fault" [≈]; [SRC 4.4]). */
  readonly thpAsyncOnly: boolean;
  /** Only a failed synchronous compaction defers (≈3.1 [SRC 3.10]); 2.6.35–2.6.38 every failure defers ([SRC 2.6.36]). */
  readonly deferAfterSyncOnly: boolean;
  /** compact_order_failed: deferral only for orders ≥ the failed one (3.4, commit aff622495c9a [≈]; [SRC 3.10]). */
  readonly deferOrderFailed: boolean;
  /**
   * Deferral per zone inside try_to_compact_pages() and COMPACTSTALL only for a compaction that ran (3.19 [≈];
   * [SRC 4.4]); before, only the preferred zone defers and COMPACTSTALL counts every try ([SRC 3.10]).
   */
  readonly deferPerZone: boolean;
  /**
   * The OOM path after the retry check: `__GFP_NORETRY` → noretry, retry while reclaim progresses (order ≤ 3) or
   * `__GFP_REPEAT` has not reclaimed 1 << order pages, then __alloc_pages_may_oom (which pretends progress for
   * !__GFP_FS) (4.0, "embed OOM killing naturally into allocation slowpath" [SRC 4.4]); before, OOM only when direct
   * reclaim made no progress, then should_alloc_retry() ([SRC 2.6.32, 3.10]).
   */
  readonly oomAfterRetry: boolean;
}
/** How warn_alloc's first line looks: 2.6.x `failure. order:%d, mode:0x%x`, ≈3.0 `failure: order:`, 4.6+ with flag names. */
export type FailureLineForm = "dot-hex" | "colon-hex" | "colon-named";
/** Which show_mem layout the report uses. */
export type ShowMemLayout = "2.6.24" | "modern";

/** The slow-path facts of one kernel version. */
export interface ReclaimVersionFacts {
  readonly flow: SlowPathFlow;
  /** The variant of the 2.6.31–4.6 flow (null for the other flows). */
  readonly classic: ClassicSlowPathFacts | null;
  /**
   * compaction_suitable() / compact_finished() rules: `classic` (2.6.35–4.6: order-0 room above low + 2 << order,
   * the fragmentation index for every order, finished at low + 1 << order) or `modern` (4.7+).
   */
  readonly compactionRules: "classic" | "modern";
  /** CONFIG_COMPACTION exists (2.6.35+): direct compaction, kcompactd (4.6+), deferral. */
  readonly compaction: boolean;
  /** kcompactd exists (4.6+). */
  readonly kcompactd: boolean;
  /**
   * Compaction isolates a movable compound block (a large folio, e.g. a THP) of an order below the request's and
   * migrates it whole to a free block of its order (6.9, Zi Yan's "add support for >0 order folio memory
   * compaction": isolate_migratepages_block() skip_isolation_on_order(), compaction_alloc() by folio order).
   * Before, isolate_migratepages_block() steps over compound pages (3.x: PageTransHuge; 4.x–6.8: PageCompound
   * unless alloc_contig) and only order-0 pages move.
   */
  readonly compactLargeFolios: boolean;
  readonly failureLine: FailureLineForm;
  /**
   * 5.17+: warn_alloc() skips the report of a __GFP_DMA request when no ZONE_DMA has managed pages
   * (`has_managed_dma()`, "mm/page_alloc.c: do not warn allocation failure on zone DMA if no managed pages").
   */
  readonly warnNeedsManagedDma: boolean;
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
  classic: null,
  compactionRules: "classic",
  compaction: false,
  kcompactd: false,
  compactLargeFolios: false,
  failureLine: "dot-hex",
  warnNeedsManagedDma: false,
  failureLineNodemask: false,
  showMem: "2.6.24",
  allocstallPerZone: false,
  vmscanTrace: false,
  zoneLine: { boost: false, freeHighatomic: false, zspages: false },
  nodeLine: { writebackTmp: false, balloon: false },
};

const MODERN: ReclaimVersionFacts = {
  flow: "modern",
  classic: null,
  compactionRules: "modern",
  compaction: true,
  kcompactd: true,
  compactLargeFolios: false,
  failureLine: "colon-named",
  warnNeedsManagedDma: false,
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
const V5_17: ReclaimVersionFacts = { ...V5_0, warnNeedsManagedDma: true };
const V6_9: ReclaimVersionFacts = { ...V5_17, compactLargeFolios: true };
const V6_15: ReclaimVersionFacts = { ...V6_9, zoneLine: { boost: true, freeHighatomic: true, zspages: false }, nodeLine: { writebackTmp: true, balloon: true } };
const V6_17: ReclaimVersionFacts = { ...V6_15, nodeLine: { writebackTmp: false, balloon: true } };

// Boundaries: 2.6.31 __alloc_pages_slowpath (Mel Gorman's split of __alloc_pages_nodemask), 2.6.35 compaction,
// 2.6.36 vmscan tracepoints, 2.6.38 async compaction and __GFP_NO_KSWAPD (THP), ≈3.0 warn_alloc_failed ("failure:"),
// 3.3 MIGRATE_SYNC_LIGHT and the THP bail-out, 3.4 compact_order_failed, 3.16 THP faults async only, 3.19 per-zone
// deferral, 4.0 OOM after the retry check, 4.4 __GFP_KSWAPD_RECLAIM / __GFP_DIRECT_RECLAIM and is_thp_gfp_mask,
// 4.6 %pGg names and kcompactd, 4.7 the OOM-detection rework (should_reclaim_retry, MAX_RECLAIM_RETRIES),
// 4.10 nodemask/cpuset on the failure line, 5.0 boost, 6.15 free_highatomic / Balloon, 6.17 writeback_tmp removed,
// 6.18 zspages (kernel-facts §9.5). Read in the source: 2.6.24 (book), 2.6.32, 2.6.36, 3.10 and 4.4 mm/page_alloc.c.
const C2_6_31: ClassicSlowPathFacts = {
  kswapdGate: "always",
  reclaimDrainRetry: false,
  oomSkipsLowmem: false,
  rebalanceTriesFreelist: false,
  asyncFirst: false,
  syncMode: "sync",
  compactAfterRetry: false,
  thpBail: "none",
  thpAsyncOnly: false,
  deferAfterSyncOnly: false,
  deferOrderFailed: false,
  deferPerZone: false,
  oomAfterRetry: false,
};
const C2_6_35: ClassicSlowPathFacts = { ...C2_6_31, reclaimDrainRetry: true, oomSkipsLowmem: true };
const C2_6_38: ClassicSlowPathFacts = { ...C2_6_35, kswapdGate: "no-kswapd", asyncFirst: true, compactAfterRetry: true };
const C3_0: ClassicSlowPathFacts = { ...C2_6_38, rebalanceTriesFreelist: true };
const C3_1: ClassicSlowPathFacts = { ...C3_0, deferAfterSyncOnly: true };
const C3_3: ClassicSlowPathFacts = { ...C3_1, syncMode: "sync-light", thpBail: "no-kswapd" };
const C3_4: ClassicSlowPathFacts = { ...C3_3, deferOrderFailed: true };
const C3_16: ClassicSlowPathFacts = { ...C3_4, thpAsyncOnly: true };
const C3_19: ClassicSlowPathFacts = { ...C3_16, deferPerZone: true };
const C4_0: ClassicSlowPathFacts = { ...C3_19, oomAfterRetry: true };
const C4_4: ClassicSlowPathFacts = { ...C4_0, kswapdGate: "kswapd-reclaim", thpBail: "thp-mask" };
const MID: ReclaimVersionFacts = { ...BOOK, flow: "2.6.31", classic: C2_6_31 };
const MID_C: ReclaimVersionFacts = { ...MID, compaction: true, classic: C2_6_35 };
const MID_T: ReclaimVersionFacts = { ...MID_C, vmscanTrace: true };
const MID_3: ReclaimVersionFacts = { ...MID_T, failureLine: "colon-hex" };

const ROWS: readonly (readonly [string, ReclaimVersionFacts])[] = [
  ["2.6.24", BOOK],
  ["2.6.31", MID],
  ["2.6.35", MID_C],
  ["2.6.36", MID_T],
  ["2.6.38", { ...MID_T, classic: C2_6_38 }],
  ["3.0", { ...MID_3, classic: C3_0 }],
  ["3.1", { ...MID_3, classic: C3_1 }],
  ["3.3", { ...MID_3, classic: C3_3 }],
  ["3.4", { ...MID_3, classic: C3_4 }],
  ["3.16", { ...MID_3, classic: C3_16 }],
  ["3.19", { ...MID_3, classic: C3_19 }],
  ["4.0", { ...MID_3, classic: C4_0 }],
  ["4.4", { ...MID_3, classic: C4_4 }],
  ["4.6", { ...MID_3, classic: C4_4, kcompactd: true, failureLine: "colon-named" }],
  ["4.7", MODERN],
  ["4.8", V4_8],
  ["4.10", V4_10],
  ["5.0", V5_0],
  ["5.17", V5_17],
  ["6.9", V6_9],
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
 * console.log(reclaimVersionFacts("2.6.24").flow, reclaimVersionFacts("3.10").flow, reclaimVersionFacts("6.18").flow); // => 2.6.24 2.6.31 modern
 * ```
 */
export function reclaimVersionFacts(version: KernelVersion | string): ReclaimVersionFacts {
  return pickByVersion(ROWS, version);
}

/**
 * How warn_alloc's reports are rate-limited in one kernel version, and what the rate limiter prints when it lets a
 * report through again after suppressing some.
 */
export interface WarnRatelimitFacts {
  /**
   * `token-bucket`: 2.6.24's printk_ratelimit() → __printk_ratelimit() (kernel/printk.c): a bucket of
   * burst × interval jiffies, full at boot, refilled one token per jiffy; each message takes `interval`.
   * `interval`: ___ratelimit() (lib/ratelimit.c): at most `burst` messages per window of `interval` jiffies,
   * the window starting at the first call and restarting at the first call after it ended.
   */
  readonly kind: "token-bucket" | "interval";
  /** The interval in milliseconds (the kernel's in jiffies: 5 * HZ, 10 * HZ). */
  readonly intervalMs: number;
  readonly burst: number;
  /**
   * The line printed (KERN_WARNING) when messages were suppressed: before the next message let through (token
   * bucket, `%d` the count) or when the next window starts (`%s` the caller the kernel names, `%d` the count).
   */
  readonly suppressedFormat: string;
  /** The `%s` of the interval form: the function name ___ratelimit() is given. */
  readonly func: string;
}

// [SRC 2.6.24 kernel/printk.c] __alloc_pages(): printk_ratelimit(), printk_ratelimit_jiffies = 5 * HZ,
// printk_ratelimit_burst = 10, "printk: %d messages suppressed.". ≈2.6.27 (Dave Young's "printk ratelimiting
// rewrite", the struct ratelimit_state of lib/ratelimit.c) a window of 5 * HZ / 10 and "%s: %d callbacks
// suppressed" with __func__ of __ratelimit itself [≈]; ≈2.6.35 ___ratelimit(rs, func) names the caller
// (printk_ratelimit() passes its caller, __alloc_pages_slowpath) [≈]; 3.0 warn_alloc_failed() with its own
// DEFINE_RATELIMIT_STATE(nopage_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST) [SRC 3.10]; 4.9 renamed
// warn_alloc() [SRC 4.9 patch mails]; 5.4 (Johannes Weiner, commit 1be334e5c088 "ratelimit allocation failure
// warnings more aggressively") nopage_rs = (10 * HZ, 1) [SRC 6.18 mm/page_alloc.c]. The suppressed line is printed
// unless RATELIMIT_MSG_ON_RELEASE, which nopage_rs does not set [SRC 6.18 lib/ratelimit.c].
const RL_CALLBACKS = "%s: %d callbacks suppressed";
const RATELIMIT_ROWS: readonly (readonly [string, WarnRatelimitFacts])[] = [
  ["2.6.24", { kind: "token-bucket", intervalMs: 5000, burst: 10, suppressedFormat: "printk: %d messages suppressed.", func: "" }],
  ["2.6.27", { kind: "interval", intervalMs: 5000, burst: 10, suppressedFormat: RL_CALLBACKS, func: "__ratelimit" }],
  ["2.6.35", { kind: "interval", intervalMs: 5000, burst: 10, suppressedFormat: RL_CALLBACKS, func: "__alloc_pages_slowpath" }],
  ["3.0", { kind: "interval", intervalMs: 5000, burst: 10, suppressedFormat: RL_CALLBACKS, func: "warn_alloc_failed" }],
  ["4.9", { kind: "interval", intervalMs: 5000, burst: 10, suppressedFormat: RL_CALLBACKS, func: "warn_alloc" }],
  ["5.4", { kind: "interval", intervalMs: 10000, burst: 1, suppressedFormat: RL_CALLBACKS, func: "warn_alloc" }],
];

/**
 * The warn_alloc rate limit of `version`.
 *
 * @param version - kernel version (2.6.24 or later)
 * @returns the row that applies
 * @example
 * ```ts
 * import { warnRatelimitFacts } from "@pagealloc/reclaim";
 * const r = warnRatelimitFacts("4.19");
 * console.log(r.intervalMs, r.burst, r.func, warnRatelimitFacts("6.18").burst); // => 5000 10 warn_alloc 1
 * ```
 */
export function warnRatelimitFacts(version: KernelVersion | string): WarnRatelimitFacts {
  return pickByVersion(RATELIMIT_ROWS, version);
}
