/**
 * The pfn of the buddy of the order-`order` block starting at `pfn`.
 * kernel: mm/internal.h __find_buddy_pfn()
 *
 * @example
 * ```ts
 * import { findBuddyPfn } from "@pagealloc/buddy";
 * console.log(findBuddyPfn(8, 3)); // => 0
 * ```
 */
export function findBuddyPfn(pfn: number, order: number): number {
  return pfn ^ (1 << order);
}

/**
 * The pfn of the merged (order + 1) block that `pfn` and its buddy form.
 * kernel: mm/page_alloc.c __free_one_page() (combined_pfn = buddy_pfn & pfn)
 *
 * @example
 * ```ts
 * import { combinedPfn } from "@pagealloc/buddy";
 * console.log(combinedPfn(12, 2)); // => 8
 * ```
 */
export function combinedPfn(pfn: number, order: number): number {
  return pfn & ~(1 << order);
}
