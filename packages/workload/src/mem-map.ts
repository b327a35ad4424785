import type { BuddyAllocator } from "@pagealloc/buddy";

// mem_map flag bits of @pagealloc/buddy's ZoneState (zone-state.ts), read here for the memory map and
// for placing recorded allocations.
export const PG_BUDDY = 1;
export const PG_RESERVED = 2;
export const PG_HOLE = 4;
export const PG_PCP = 8;
export const PG_ALLOC = 16;

/** What {@link takeBlockAt} did. */
export type TakeResult = "taken" | "busy" | "outside";

/** True when `pfn` is memory the buddy allocator manages (in a zone, not a hole, not reserved at boot). */
export function managedPfn(a: BuddyAllocator, pfn: number): boolean {
  const z = a.zoneOfPfn(pfn);
  return z !== undefined && (z.flags[pfn - z.startPfn]! & (PG_HOLE | PG_RESERVED)) === 0;
}

/**
 * Take the free block [pfn, pfn + 2^order) off the buddy lists and mark it allocated, as if the
 * allocator had chosen it: the free block containing it is moved to the head of its list and taken
 * with __rmqueue_smallest(), then split around the target, the other halves freed back.
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
  let o = order;
  let head = -1;
  for (; o < a.nrOrders; o++) {
    const h = pfn - (pfn % 2 ** o);
    if (h < z.startPfn) break;
    if (a.pageBuddyOrder(h) === o) {
      head = h;
      break;
    }
  }
  if (head < 0) return "busy";
  const i = head - z.startPfn;
  const mt = z.privMt(i);
  z.unlink(i);
  z.link(i, z.freeListNode(o, mt), false);
  a.rmqueueSmallest(z, o, mt);
  // What rmqueue() does with the block __rmqueue_smallest() returned.
  z.flags[i] = (z.flags[i]! | PG_ALLOC) & ~(PG_BUDDY | PG_PCP);
  z.refcount[i] = 1;
  z.setPriv(i, o, mt);
  let cur = head;
  for (; o > order; o--) {
    const half = 2 ** (o - 1);
    a.splitAllocated(cur, o, 1);
    if (pfn >= cur + half) {
      a.freePages(cur, o - 1, { bypassPcp: true });
      cur += half;
    } else {
      a.freePages(cur + half, o - 1, { bypassPcp: true });
    }
  }
  return "taken";
}

/** The order of the allocated block whose head is `pfn`, or −1. */
export function allocatedOrder(a: BuddyAllocator, pfn: number): number {
  const z = a.zoneOfPfn(pfn);
  if (!z) return -1;
  const i = pfn - z.startPfn;
  return z.flags[i]! & PG_ALLOC ? z.order(i) : -1;
}
