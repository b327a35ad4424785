import type { BuddyAllocator } from "./allocator";
import { BuddyInvariantError } from "./errors";
import { PG_ALLOC, PG_BUDDY, PG_HOLE, PG_PCP, PG_RESERVED, type ZoneState } from "./zone-state";

/**
 * Check the allocator's state: every page in exactly one state (hole, reserved, free, on a pcp list,
 * allocated); free blocks aligned and on a list of their order; list lengths and nr_free equal to what the
 * lists hold; NR_FREE_PAGES equal to the pages on the lists; no two free buddies left unmerged where the
 * version would have merged them; pcp counts equal to the pages on the pcp lists.
 *
 * @throws {BuddyInvariantError} naming the zone and pfn of the first violation
 * @example
 * ```ts
 * import { bootBuddy, checkInvariants } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 2048, presentPages: 2048,
 *   managedPages: 2048, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * checkInvariants(a);
 * console.log("ok"); // => ok
 * ```
 */
export function checkInvariants(a: BuddyAllocator): void {
  for (const z of a.zones) checkZone(a, z);
}

function checkZone(a: BuddyAllocator, z: ZoneState): void {
  const where = (pfn: number) => `node ${z.spec.nid} zone ${z.spec.name} pfn ${pfn}`;
  const fail = (reason: string, pfn: number): never => {
    throw new BuddyInvariantError(reason, where(pfn));
  };
  const owner = new Uint8Array(z.spanned); // 1 = covered by a block
  // Walk the free lists.
  let free = 0;
  for (let o = 0; o < a.nrOrders; o++) {
    let perOrder = 0;
    for (let mt = 0; mt < z.nrTypes; mt++) {
      const s = z.freeListNode(o, mt);
      let n = 0;
      for (let i = z.next[s]!; i !== s; i = z.next[i]!) {
        const pfn = i + z.startPfn;
        if (z.prev[z.next[i]!] !== i) fail("broken list links", pfn);
        if (!(z.flags[i]! & PG_BUDDY)) fail("page on a free list without PageBuddy", pfn);
        if (z.order(i) !== o || z.privMt(i) !== mt) fail(`free block order/type ${z.order(i)}/${z.privMt(i)} on list ${o}/${mt}`, pfn);
        if (pfn % 2 ** o !== 0) fail(`free order-${o} block not aligned`, pfn);
        if (i + 2 ** o > z.spanned) fail("free block beyond the zone", pfn);
        for (let k = 0; k < 2 ** o; k++) {
          if (owner[i + k]) fail("page covered twice", pfn + k);
          if (z.flags[i + k]! & (PG_HOLE | PG_RESERVED)) fail("free block covers a hole or reserved page", pfn + k);
          owner[i + k] = 1;
        }
        n++;
        if (!(a.facts.isolateNotCounted && mt === a.facts.mt.ISOLATE)) free += 2 ** o;
      }
      if (n !== z.listLen[o * z.nrTypes + mt]) fail(`list ${o}/${mt} holds ${n} blocks, counter says ${z.listLen[o * z.nrTypes + mt]}`, z.startPfn);
      perOrder += n;
    }
    if (perOrder !== z.nrFree[o]) fail(`free_area[${o}].nr_free = ${z.nrFree[o]} but lists hold ${perOrder}`, z.startPfn);
  }
  if (free !== z.nrFreePages) fail(`NR_FREE_PAGES = ${z.nrFreePages} but lists hold ${free}`, z.startPfn);
  // pcp lists
  const sets = z.pcpCount.length;
  for (let set = 0; set < sets; set++) {
    let pages = 0;
    for (let pi = 0; pi < z.nrPcpLists; pi++) {
      const s = z.pcpBase + set * z.nrPcpLists + pi;
      for (let i = z.next[s]!; i !== s; i = z.next[i]!) {
        const pfn = i + z.startPfn;
        if (!(z.flags[i]! & PG_PCP)) fail("page on a pcp list without the pcp mark", pfn);
        const o = z.order(i);
        for (let k = 0; k < 2 ** o; k++) {
          if (owner[i + k]) fail("page covered twice (pcp)", pfn + k);
          owner[i + k] = 1;
        }
        pages += 2 ** o;
      }
    }
    if (pages !== z.pcpCount[set]) fail(`pcp set ${set} count ${z.pcpCount[set]} but lists hold ${pages}`, z.startPfn);
  }
  // Allocated blocks, reserved pages and holes; every page must be covered exactly once.
  for (let i = 0; i < z.spanned; i++) {
    const fl = z.flags[i]!;
    const pfn = i + z.startPfn;
    if (fl & PG_ALLOC) {
      const o = z.order(i);
      if (fl & (PG_BUDDY | PG_PCP)) fail("allocated page marked free", pfn);
      if (z.refcount[i]! < 1) fail("allocated block with refcount 0", pfn);
      for (let k = 0; k < 2 ** o; k++) {
        if (owner[i + k]) fail("allocated block overlaps another block", pfn + k);
        owner[i + k] = 1;
      }
    } else if (fl & (PG_HOLE | PG_RESERVED)) {
      if (owner[i]) fail("hole/reserved page inside a block", pfn);
      owner[i] = 1;
    }
  }
  for (let i = 0; i < z.spanned; i++) if (!owner[i]) fail("page in no state (leaked)", i + z.startPfn);
  // No two free buddies of the same order left unmerged (where merging is allowed).
  for (let i = 0; i < z.spanned; i++) {
    if (!(z.flags[i]! & PG_BUDDY)) continue;
    const o = z.order(i);
    if (o >= a.nrOrders - 1) continue;
    const pfn = i + z.startPfn;
    const buddy = pfn ^ (2 ** o);
    if (buddy < z.startPfn || buddy >= z.endPfn) continue;
    const j = buddy - z.startPfn;
    if (!(z.flags[j]! & PG_BUDDY) || z.order(j) !== o) continue;
    if (o >= a.pageblockOrder && a.facts.mergeRule !== "free") {
      const m1 = z.pageblockMt(pfn);
      const m2 = z.pageblockMt(buddy);
      if (m1 !== m2) continue;
    }
    fail(`free buddies at order ${o} not merged (buddy ${buddy})`, pfn);
  }
}

