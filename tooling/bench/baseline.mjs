// The baseline of issue 10: the simplest correct binary buddy allocator, written the obvious way with
// plain objects and arrays (one object per free block, one array per order, a Map from pfn to block).
// No per-cpu lists, no migratetypes, no watermarks: only split on allocation and merge on free.
// It runs the same operation sequences as the real allocator so that the report can show the ratio.

export class PlainBuddy {
  /**
   * @param {number} pages - pages of the single zone (pfn 0 .. pages - 1)
   * @param {number} maxOrder - highest order (10 for MAX_PAGE_ORDER on x86_64)
   */
  constructor(pages, maxOrder = 10) {
    this.maxOrder = maxOrder;
    /** free[order] = set of block objects { pfn, order } */
    this.free = [];
    for (let o = 0; o <= maxOrder; o++) this.free.push(new Set());
    /** pfn of a free block head -> its block object */
    this.freeByPfn = new Map();
    /** pfn of an allocated block head -> its order */
    this.allocated = new Map();
    this.nrFree = 0;
    let pfn = 0;
    while (pfn < pages) {
      let o = maxOrder;
      while (pfn % 2 ** o !== 0 || pfn + 2 ** o > pages) o--;
      this.insert({ pfn, order: o });
      pfn += 2 ** o;
    }
  }

  insert(block) {
    this.free[block.order].add(block);
    this.freeByPfn.set(block.pfn, block);
    this.nrFree += 2 ** block.order;
  }

  remove(block) {
    this.free[block.order].delete(block);
    this.freeByPfn.delete(block.pfn);
    this.nrFree -= 2 ** block.order;
  }

  /** @returns the pfn of a free block of 2^order pages, or -1 */
  alloc(order) {
    let o = order;
    while (o <= this.maxOrder && this.free[o].size === 0) o++;
    if (o > this.maxOrder) return -1;
    const block = this.free[o].values().next().value;
    this.remove(block);
    while (o > order) {
      o--;
      this.insert({ pfn: block.pfn + 2 ** o, order: o });
    }
    this.allocated.set(block.pfn, order);
    return block.pfn;
  }

  free_(pfn, order) {
    if (this.allocated.get(pfn) !== order) throw new Error(`bad free of pfn ${pfn} order ${order}`);
    this.allocated.delete(pfn);
    let o = order;
    let p = pfn;
    while (o < this.maxOrder) {
      const buddy = this.freeByPfn.get(p ^ (2 ** o));
      if (!buddy || buddy.order !== o) break;
      this.remove(buddy);
      p = Math.min(p, buddy.pfn);
      o++;
    }
    this.insert({ pfn: p, order: o });
  }
}
