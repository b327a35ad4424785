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
