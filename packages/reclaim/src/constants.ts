/**
 * Orders above this are "costly": the slow path gives up on them sooner (no OOM kill, limited
 * retries). kernel: include/linux/mmzone.h PAGE_ALLOC_COSTLY_ORDER
 *
 * @example
 * ```ts
 * import { PAGE_ALLOC_COSTLY_ORDER } from "@pagealloc/reclaim";
 * console.log(PAGE_ALLOC_COSTLY_ORDER); // => 3
 * ```
 */
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/** No-progress reclaim loops before the slow path stops retrying (4.7+). kernel: mm/internal.h MAX_RECLAIM_RETRIES */
export const MAX_RECLAIM_RETRIES = 16;
/** Compaction retries before the priority is raised. kernel: mm/page_alloc.c MAX_COMPACT_RETRIES */
export const MAX_COMPACT_RETRIES = 16;
/** Pages reclaim tries to free per direct-reclaim call. kernel: include/linux/swap.h SWAP_CLUSTER_MAX */
export const SWAP_CLUSTER_MAX = 32;
/** Pages the compaction migration scanner isolates per batch. kernel: include/linux/swap.h COMPACT_CLUSTER_MAX */
export const COMPACT_CLUSTER_MAX = 32;
/** Scan priorities run from DEF_PRIORITY down to 0 (scan size >> priority). kernel: include/linux/mmzone.h DEF_PRIORITY */
export const DEF_PRIORITY = 12;
/** Deferral backs off up to 1 << 6 attempts. kernel: include/linux/mmzone.h COMPACT_MAX_DEFER_SHIFT */
export const COMPACT_MAX_DEFER_SHIFT = 6;

/** enum compact_priority (include/linux/compaction.h). */
export const COMPACT_PRIO_SYNC_FULL = 0;
export const COMPACT_PRIO_SYNC_LIGHT = 1;
export const COMPACT_PRIO_ASYNC = 2;
export const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
export const MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;

/** enum compact_result, as trace output prints it (include/trace/events/mmflags.h COMPACTION_STATUS). */
export type CompactResult = "not_suitable_zone" | "skipped" | "deferred" | "no_suitable_page" | "continue" | "complete" | "partial_skipped" | "contended" | "success";
