import { InvalidZoneSpecError } from "./errors";

/** A pfn range, end exclusive. */
export interface PfnRange {
  readonly startPfn: number;
  readonly endPfn: number;
}

/**
 * What the buddy allocator needs to know about one zone. `ZoneInfo` from `@pagealloc/zones` satisfies it
 * structurally (plus optional `holes` / `reserved`).
 */
export interface BuddyZoneSpec {
  readonly nid: number;
  /** Zone name as the kernel prints it (`DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`, `Device`). */
  readonly name: string;
  /** Index of the zone in this arch's enum zone_type. */
  readonly zoneIdx: number;
  readonly startPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  readonly managedPages: number;
  readonly watermark: { readonly min: number; readonly low: number; readonly high: number };
  /** lowmem_reserve[] indexed by zone idx. */
  readonly lowmemReserve: readonly number[];
  /** Per-CPU pageset sizing (2.6.24: the hot list's batch/high; the cold list is derived). */
  readonly pcp: {
    readonly batch: number;
    readonly high: number;
    readonly highMin?: number;
    readonly highMax?: number;
    /** 2.6.24: the cold list's sizes (default: high 2 × batch, batch max(1, batch / 2)). */
    readonly cold?: { readonly high: number; readonly batch: number };
  };
  /** Pfn ranges inside the span that have no memory (no valid struct page). */
  readonly holes?: readonly PfnRange[];
  /**
   * Present pfns kept by boot-time reservations (never freed to the buddy lists). When absent, the
   * present − managed difference is taken from the zone's lowest present pfns.
   */
  readonly reserved?: readonly PfnRange[];
}

// Page flags: one byte per page in `ZoneState.flags`, read through `BuddyAllocator.pageFlags(pfn)`. Only a block's
// head page carries PG_BUDDY, PG_PCP or PG_ALLOC; the other pages of the block have none of the three.

/**
 * Page flag: the head of a free block on a buddy free list (the kernel's PageBuddy(); the block's order is
 * buddy_order(), `BuddyAllocator.pageBuddyOrder(pfn)`).
 *
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones } from "@pagealloc/zones";
 * import { bootBuddyFromZoneSet, PG_BUDDY } from "@pagealloc/buddy";
 * const m = getPreset("tiny-16m");
 * const a = bootBuddyFromZoneSet(buildZones(m, { version: "6.18" }), m);
 * // pfn 0x800 heads a free order-10 block of the booted tiny machine
 * console.log((a.pageFlags(0x800) & PG_BUDDY) !== 0, a.pageBuddyOrder(0x800)); // => true 10
 * ```
 */
export const PG_BUDDY = 1;
/** Page flag: PageReserved(), a present page kept by a boot-time reservation, never given to the allocator. */
export const PG_RESERVED = 2;
/** Page flag: no memory at this pfn inside the zone's span (a hole: !pfn_valid() or never present). */
export const PG_HOLE = 4;
/** Page flag: the head of a block on a per-CPU list (free, but not on the buddy lists: the kernel's PagePcp state). */
export const PG_PCP = 8;
/** Page flag: the head of an allocated block (reference count ≥ 1; its order in `BuddyAllocator.allocatedOrder(pfn)`). */
export const PG_ALLOC = 16;

/**
 * mem_map and free areas of one zone, as a struct of typed arrays indexed by `pfn − startPfn`.
 *
 * Bytes per page: next 4 + prev 4 + private 1 + flags 1 + refcount 4 = 14 (3.5 GiB for a 1 TiB machine of 4 KiB
 * pages); pageblock types add 1 byte per pageblock. List heads are sentinel nodes placed after the pages in the
 * same next/prev arrays, so list_del needs no list identity, like the kernel's list_head.
 */
export class ZoneState {
  readonly spec: BuddyZoneSpec;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly spanned: number;
  /** Intrusive links (local index; sentinels at spanned + list number). */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** page_private: order (low 4 bits) and migratetype of the list / allocation (bits 4–7). */
  readonly priv: Uint8Array;
  readonly flags: Uint8Array;
  readonly refcount: Int32Array;
  /** Pageblock migratetype, indexed by (pfn >> pageblockOrder) − (startPfn >> pageblockOrder). */
  readonly blockMt: Uint8Array;
  /** free_area[order].nr_free. */
  readonly nrFree: Float64Array;
  /** Blocks on free_area[order].free_list[mt] (index order × nrTypes + mt). */
  readonly listLen: Float64Array;
  readonly nrOrders: number;
  readonly nrTypes: number;
  readonly pageblockOrder: number;
  /** 2^pageblockOrder, and the pageblock number of startPfn (blockIndex() is on every hot path). */
  private readonly pageblockPages: number;
  private readonly firstBlock: number;
  /** First sentinel of the per-CPU lists (cpu × nrPcpLists + pindex). */
  readonly pcpBase: number;
  readonly nrPcpLists: number;
  /** NR_FREE_PAGES. */
  nrFreePages = 0;
  /** Free pages on HIGHATOMIC lists (6.12+ nr_free_highatomic). */
  nrFreeHighatomic = 0;
  nrReservedHighatomic = 0;
  watermarkBoost = 0;
  /** ZONE_BELOW_HIGH (6.7+). */
  belowHigh = false;
  /** ZONE_BOOSTED_WATERMARK. */
  boosted = false;
  /** Per-CPU pageset state, one entry per (cpu, pcp) — 2.6.24 has two (hot, cold) per CPU. */
  readonly pcpCount: Int32Array;
  readonly pcpHigh: Int32Array;
  readonly pcpBatch: Int32Array;
  readonly pcpHighMin: Int32Array;
  readonly pcpHighMax: Int32Array;
  readonly pcpFreeCount: Int32Array;
  readonly pcpAllocFactor: Int32Array;
  readonly pcpFlags: Uint8Array;
  /** NUMA: intervals left before a remote pageset is drained (pcp->expire). */
  readonly pcpExpire: Uint8Array;
  /** vm events of this zone. */
  pgalloc = 0;
  numaHit = 0;
  numaMiss = 0;
  numaForeign = 0;
  numaLocal = 0;
  numaOther = 0;

  constructor(spec: BuddyZoneSpec, where: string, o: { nrOrders: number; nrTypes: number; pageblockOrder: number; pcpSets: number; nrPcpLists: number }) {
    const ints = [spec.startPfn, spec.spannedPages, spec.presentPages, spec.managedPages];
    if (!ints.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw new InvalidZoneSpecError("startPfn, spannedPages, presentPages and managedPages must be non-negative integers", where);
    }
    if (spec.presentPages > spec.spannedPages) throw new InvalidZoneSpecError(`present ${spec.presentPages} > spanned ${spec.spannedPages}`, where);
    if (spec.managedPages > spec.presentPages) throw new InvalidZoneSpecError(`managed ${spec.managedPages} > present ${spec.presentPages}`, where);
    if (spec.spannedPages > 0x7fff0000) throw new InvalidZoneSpecError("zone larger than 2^31 pages", where);
    const w = spec.watermark as { min?: unknown; low?: unknown; high?: unknown } | undefined;
    if (!w || ![w.min, w.low, w.high].every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
      throw new InvalidZoneSpecError("watermark must have non-negative integer min, low and high", `${where}.watermark`);
    }
    if (!Array.isArray(spec.lowmemReserve) || !spec.lowmemReserve.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw new InvalidZoneSpecError("lowmemReserve must be an array of non-negative integers", `${where}.lowmemReserve`);
    }
    const p = spec.pcp as { batch?: unknown; high?: unknown } | undefined;
    if (!p || !Number.isSafeInteger(p.batch) || (p.batch as number) < 0 || !Number.isSafeInteger(p.high) || (p.high as number) < 0) {
      throw new InvalidZoneSpecError("pcp must have non-negative integer batch and high", `${where}.pcp`);
    }
    this.spec = spec;
    this.startPfn = spec.startPfn;
    this.spanned = spec.spannedPages;
    this.endPfn = spec.startPfn + spec.spannedPages;
    this.nrOrders = o.nrOrders;
    this.nrTypes = o.nrTypes;
    this.pageblockOrder = o.pageblockOrder;
    this.pageblockPages = 2 ** o.pageblockOrder;
    this.firstBlock = Math.floor(spec.startPfn / this.pageblockPages);
    this.nrPcpLists = o.nrPcpLists;
    const nFreeLists = o.nrOrders * o.nrTypes;
    this.pcpBase = this.spanned + nFreeLists;
    const nodes = this.pcpBase + o.pcpSets * o.nrPcpLists;
    this.next = new Int32Array(nodes);
    this.prev = new Int32Array(nodes);
    for (let s = this.spanned; s < nodes; s++) {
      this.next[s] = s;
      this.prev[s] = s;
    }
    this.priv = new Uint8Array(this.spanned);
    this.flags = new Uint8Array(this.spanned);
    this.refcount = new Int32Array(this.spanned);
    const firstBlock = Math.floor(this.startPfn / 2 ** o.pageblockOrder);
    const lastBlock = this.spanned === 0 ? firstBlock - 1 : Math.floor((this.endPfn - 1) / 2 ** o.pageblockOrder);
    this.blockMt = new Uint8Array(Math.max(0, lastBlock - firstBlock + 1));
    this.nrFree = new Float64Array(o.nrOrders);
    this.listLen = new Float64Array(nFreeLists);
    this.pcpCount = new Int32Array(o.pcpSets);
    this.pcpHigh = new Int32Array(o.pcpSets);
    this.pcpBatch = new Int32Array(o.pcpSets);
    this.pcpHighMin = new Int32Array(o.pcpSets);
    this.pcpHighMax = new Int32Array(o.pcpSets);
    this.pcpFreeCount = new Int32Array(o.pcpSets);
    this.pcpAllocFactor = new Int32Array(o.pcpSets);
    this.pcpFlags = new Uint8Array(o.pcpSets);
    this.pcpExpire = new Uint8Array(o.pcpSets);
  }

  /** True when pfn lies inside the zone span and has a struct page. */
  valid(pfn: number): boolean {
    return pfn >= this.startPfn && pfn < this.endPfn && (this.flags[pfn - this.startPfn]! & PG_HOLE) === 0;
  }

  blockIndex(pfn: number): number {
    // A shift below 2^31 (every pfn of a machine under 8 TiB): a float division is several times slower, and the
    // per-cpu free path asks for every page.
    return (pfn < 0x80000000 && pfn >= 0 ? pfn >> this.pageblockOrder : Math.floor(pfn / this.pageblockPages)) - this.firstBlock;
  }

  pageblockMt(pfn: number): number {
    return this.blockMt[this.blockIndex(pfn)]!;
  }

  setPageblockMt(pfn: number, mt: number): void {
    this.blockMt[this.blockIndex(pfn)] = mt;
  }

  order(i: number): number {
    return this.priv[i]! & 0x0f;
  }

  privMt(i: number): number {
    return this.priv[i]! >> 4;
  }

  setPriv(i: number, order: number, mt: number): void {
    this.priv[i] = order | (mt << 4);
  }

  freeListNode(order: number, mt: number): number {
    return this.spanned + order * this.nrTypes + mt;
  }

  /** list_add (head) or list_add_tail of local index i before/after sentinel s. */
  link(i: number, s: number, tail: boolean): void {
    const { next, prev } = this;
    if (tail) {
      const last = prev[s]!;
      next[last] = i;
      prev[i] = last;
      next[i] = s;
      prev[s] = i;
    } else {
      const first = next[s]!;
      prev[first] = i;
      next[i] = first;
      prev[i] = s;
      next[s] = i;
    }
  }

  unlink(i: number): void {
    const { next, prev } = this;
    const n = next[i]!;
    const p = prev[i]!;
    next[p] = n;
    prev[n] = p;
    next[i] = -1;
    prev[i] = -1;
  }

  listEmpty(s: number): boolean {
    return this.next[s] === s;
  }
}
