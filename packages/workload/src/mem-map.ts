import { type BuddyAllocator, PG_HOLE, PG_RESERVED } from "@pagealloc/buddy";

/** What {@link takeBlockAt} did. */
export type TakeResult = "taken" | "busy" | "outside";

/** True when `pfn` is memory the buddy allocator manages (in a zone, not a hole, not reserved at boot). */
export function managedPfn(a: BuddyAllocator, pfn: number): boolean {
  return (a.pageFlags(pfn) & (PG_HOLE | PG_RESERVED)) === 0;
}

/**
 * Take the free block [pfn, pfn + 2^order) off the buddy lists and mark it allocated, as if the
 * allocator had chosen it: buddy's takePageOffBuddy() breaks the free block containing it down around it.
 * kernel: mm/page_alloc.c take_page_off_buddy() (for an order-N block)
 *
 * @returns `taken`, `busy` (some page of the range is not free, e.g. on a per-cpu list) or `outside` (the pfn is
 *   not memory the allocator manages: beyond the zones, in a hole, or reserved at boot)
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { takeBlockAt } from "@pagealloc/workload";
 * const k = bootKernel({ machine: "tiny-16m" });
 * // pfn 0x805 lies in the free order-10 block at 0x800: it is split around the page.
 * console.log(takeBlockAt(k.buddy, 0x805, 0), takeBlockAt(k.buddy, 0x805, 0), k.buddy.pageBuddyOrder(0x804)); // => taken busy 0
 * ```
 */
export function takeBlockAt(a: BuddyAllocator, pfn: number, order: number): TakeResult {
  const z = a.zoneOfPfn(pfn);
  if (!z || pfn + 2 ** order > z.endPfn || !managedPfn(a, pfn)) return "outside";
  if (pfn % 2 ** order !== 0) return "busy";
  return a.takePageOffBuddy(pfn, order) ? "taken" : "busy";
}

/** The order of the allocated block whose head is `pfn`, or −1 (buddy's `allocatedOrder`, for the replay). */
export function allocatedOrder(a: BuddyAllocator, pfn: number): number {
  return a.allocatedOrder(pfn);
}
