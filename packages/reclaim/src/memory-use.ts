import { InvalidReclaimArgumentError } from "./errors";
import { type MemoryUseStateData, checkMemoryUseState } from "./state";

/** What an allocated block is used for (the model's page flags / LRU membership). */
export const PageUse = {
  /** Not recorded: unmovable kernel memory, never reclaimed or migrated. */
  KERNEL: 0,
  /** Page cache, clean: reclaim frees it. */
  FILE_CLEAN: 1,
  /** Page cache, dirty: needs writeback (__GFP_FS) before it can be freed. */
  FILE_DIRTY: 2,
  /** Anonymous memory: reclaimable only by swapping (swap configured, __GFP_IO). */
  ANON: 3,
  /** Reclaimable slab (dentries, inodes): freed by shrinkers, which need __GFP_FS. */
  SLAB_RECLAIMABLE: 4,
  /** Pinned (FOLL_LONGTERM, mlocked and the like): neither reclaimed nor migrated. */
  PINNED: 5,
} as const;
export type PageUseValue = (typeof PageUse)[keyof typeof PageUse];

const USE_NAMES = ["kernel", "file-clean", "file-dirty", "anon", "slab-reclaimable", "pinned"] as const;
/** The name of a use value (`file-dirty`, `anon` …). */
export type PageUseName = (typeof USE_NAMES)[number];

/** LRU lists of a node: enum lru_list order (inactive_anon, active_anon, inactive_file, active_file), then the slab list. */
export const LRU_INACTIVE_ANON = 0;
export const LRU_ACTIVE_ANON = 1;
export const LRU_INACTIVE_FILE = 2;
export const LRU_ACTIVE_FILE = 3;
/** Reclaimable slab pages in allocation order (the shrinkers' own LRU, list_lru). */
export const LRU_SLAB = 4;
const NR_LISTS = 5;

const F_REFERENCED = 1;
const F_ACTIVE = 2;

/** Pages per chunk of the pfn → slot index: 2^15 pages (128 MiB of memory) cost 128 KiB of index once one is recorded. */
const CHUNK_PAGES = 2 ** 15;

/**
 * The slot of each recorded pfn: Int32Array chunks of CHUNK_PAGES pages holding slot + 1 (0: not recorded), allocated
 * on the first record in the chunk. A model that records nothing holds no chunk; one that records a whole zone pays
 * 4 bytes per page of it, instead of a hash-map entry per page (and lookups are an array read).
 */
class PfnSlotIndex {
  private readonly chunks = new Map<number, Int32Array>();
  private lastKey = -1;
  private lastChunk: Int32Array | null = null;
  /** Recorded pfns. */
  size = 0;

  private chunkOf(key: number): Int32Array | undefined {
    if (key === this.lastKey) return this.lastChunk!;
    const c = this.chunks.get(key);
    if (c) {
      this.lastKey = key;
      this.lastChunk = c;
    }
    return c;
  }

  get(pfn: number): number | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunkOf(Math.floor(pfn / CHUNK_PAGES));
    const v = c === undefined ? 0 : c[pfn % CHUNK_PAGES]!;
    return v === 0 ? undefined : v - 1;
  }

  set(pfn: number, slot: number): void {
    const key = Math.floor(pfn / CHUNK_PAGES);
    let c = this.chunkOf(key);
    if (c === undefined) {
      c = new Int32Array(CHUNK_PAGES);
      this.chunks.set(key, c);
      this.lastKey = key;
      this.lastChunk = c;
    }
    const i = pfn % CHUNK_PAGES;
    if (c[i] === 0) this.size++;
    c[i] = slot + 1;
  }

  delete(pfn: number): void {
    const c = this.chunkOf(Math.floor(pfn / CHUNK_PAGES));
    const i = pfn % CHUNK_PAGES;
    if (c === undefined || c[i] === 0) return;
    c[i] = 0;
    this.size--;
  }

  clear(): void {
    this.chunks.clear();
    this.lastKey = -1;
    this.lastChunk = null;
    this.size = 0;
  }

  /** Every recorded pfn with its slot, in ascending pfn order. */
  entries(): { pfns: Float64Array; slots: Int32Array } {
    const pfns = new Float64Array(this.size);
    const slots = new Int32Array(this.size);
    let n = 0;
    for (const key of [...this.chunks.keys()].sort((a, b) => a - b)) {
      const c = this.chunks.get(key)!;
      for (let i = 0; i < CHUNK_PAGES; i++) {
        if (c[i] === 0) continue;
        pfns[n] = key * CHUNK_PAGES + i;
        slots[n++] = c[i]! - 1;
      }
    }
    return { pfns, slots };
  }
}

/** Why a recorded page left the model. */
export type EvictReason = "reclaimed" | "swapped";

/**
 * Who uses which allocated page, and in which LRU order: the part of the kernel's struct page / folio state that
 * reclaim and compaction read (PG_lru, PG_active, PG_referenced, PG_dirty, PG_swapbacked, pinning), kept as a struct
 * of typed arrays over slots (only pages the workload marks have a slot; unmarked allocated pages are kernel memory).
 * LRU lists are intrusive lists over the slots with one sentinel per (node, list), head = newest, tail = oldest,
 * like the kernel's lruvec lists.
 */
export class MemoryUseModel {
  private cap = 0;
  private pfnOf = new Float64Array(0);
  private orderOf = new Uint8Array(0);
  private useOf = new Uint8Array(0);
  private flagsOf = new Uint8Array(0);
  private ownerOf = new Int32Array(0);
  private nidOf = new Int32Array(0);
  private zoneOf = new Uint8Array(0);
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private readonly slotOfPfn = new PfnSlotIndex();
  private readonly freeSlots: number[] = [];
  /** Sentinel slot of list l of node nid: sentinels[nid][l]. */
  private readonly sentinels = new Map<number, number[]>();
  /** Pages per (node, list), and per (node, zone, list) (the kernel's NR_ZONE_*_LRU counters). */
  private readonly sizes = new Map<number, Float64Array>();
  private readonly zoneSizes = new Map<number, Float64Array>();
  /** Pages of each use (all nodes). */
  readonly pagesByUse = new Float64Array(USE_NAMES.length);
  /** Configured swap space in pages (0 = no swap) and pages in use. */
  swapTotal = 0;
  swapUsed = 0;

  constructor(options: { swapPages?: number } = {}) {
    this.swapTotal = options.swapPages ?? 0;
    this.grow(64);
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2);
    const copy = <T extends Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.pfnOf = copy(this.pfnOf, (n) => new Float64Array(n));
    this.orderOf = copy(this.orderOf, (n) => new Uint8Array(n));
    this.useOf = copy(this.useOf, (n) => new Uint8Array(n));
    this.flagsOf = copy(this.flagsOf, (n) => new Uint8Array(n));
    this.ownerOf = copy(this.ownerOf, (n) => new Int32Array(n));
    this.nidOf = copy(this.nidOf, (n) => new Int32Array(n));
    this.zoneOf = copy(this.zoneOf, (n) => new Uint8Array(n));
    this.next = copy(this.next, (n) => new Int32Array(n));
    this.prev = copy(this.prev, (n) => new Int32Array(n));
    for (let s = cap - 1; s >= this.cap; s--) this.freeSlots.push(s);
    this.cap = cap;
  }

  private newSlot(): number {
    if (this.freeSlots.length === 0) this.grow(this.cap + 1);
    return this.freeSlots.pop()!;
  }

  private sentinel(nid: number, list: number): number {
    let s = this.sentinels.get(nid);
    if (!s) {
      s = [];
      for (let l = 0; l < NR_LISTS; l++) {
        const slot = this.newSlot();
        this.next[slot] = slot;
        this.prev[slot] = slot;
        this.pfnOf[slot] = -1;
        s.push(slot);
      }
      this.sentinels.set(nid, s);
      this.sizes.set(nid, new Float64Array(NR_LISTS));
    }
    return s[list]!;
  }

  private listOf(use: number, active: boolean): number {
    if (use === PageUse.ANON) return active ? LRU_ACTIVE_ANON : LRU_INACTIVE_ANON;
    if (use === PageUse.FILE_CLEAN || use === PageUse.FILE_DIRTY) return active ? LRU_ACTIVE_FILE : LRU_INACTIVE_FILE;
    if (use === PageUse.SLAB_RECLAIMABLE) return LRU_SLAB;
    return -1;
  }

  private linkHead(slot: number, list: number): void {
    const nid = this.nidOf[slot]!;
    const s = this.sentinel(nid, list);
    const first = this.next[s]!;
    this.prev[first] = slot;
    this.next[slot] = first;
    this.prev[slot] = s;
    this.next[s] = slot;
    this.sizes.get(nid)![list]! += 2 ** this.orderOf[slot]!;
    const key = nid * 256 + this.zoneOf[slot]!;
    let zs = this.zoneSizes.get(key);
    if (!zs) {
      zs = new Float64Array(NR_LISTS);
      this.zoneSizes.set(key, zs);
    }
    zs[list]! += 2 ** this.orderOf[slot]!;
  }

  private unlinkSlot(slot: number): void {
    const list = this.listOf(this.useOf[slot]!, (this.flagsOf[slot]! & F_ACTIVE) !== 0);
    if (list < 0) return;
    const n = this.next[slot]!;
    const p = this.prev[slot]!;
    this.next[p] = n;
    this.prev[n] = p;
    this.sizes.get(this.nidOf[slot]!)![list]! -= 2 ** this.orderOf[slot]!;
    this.zoneSizes.get(this.nidOf[slot]! * 256 + this.zoneOf[slot]!)![list]! -= 2 ** this.orderOf[slot]!;
  }

  /**
   * Record what an allocated block is used for; LRU pages go to the head of their node's inactive list (new
   * page-cache and, since 5.9, new anonymous pages start inactive). Marking a recorded block again changes its use.
   * kernel: mm/swap.c folio_add_lru() / lru_cache_add()
   *
   * @throws {InvalidReclaimArgumentError} for a bad use value or order
   */
  mark(pfn: number, order: number, use: PageUseValue, o: { nid: number; zoneIdx?: number; owner?: number }): void {
    if (!Number.isInteger(use) || use < 0 || use >= USE_NAMES.length) throw new InvalidReclaimArgumentError(`unknown page use ${use}`, "use");
    if (!Number.isInteger(order) || order < 0 || order > 15) throw new InvalidReclaimArgumentError(`order ${order} is not a valid order`, "order");
    if (!Number.isSafeInteger(pfn) || pfn < 0) throw new InvalidReclaimArgumentError(`pfn ${pfn} is not a page frame number`, "pfn");
    const zoneIdx = o.zoneIdx ?? 0;
    if (!Number.isInteger(zoneIdx) || zoneIdx < 0 || zoneIdx > 255) throw new InvalidReclaimArgumentError(`zone index ${zoneIdx} outside 0..255`, "zoneIdx");
    let slot = this.slotOfPfn.get(pfn);
    if (slot !== undefined) {
      this.unlinkSlot(slot);
      this.pagesByUse[this.useOf[slot]!]! -= 2 ** this.orderOf[slot]!;
    } else {
      slot = this.newSlot();
      this.slotOfPfn.set(pfn, slot);
    }
    this.pfnOf[slot] = pfn;
    this.orderOf[slot] = order;
    this.useOf[slot] = use;
    this.flagsOf[slot] = 0;
    this.ownerOf[slot] = o.owner ?? -1;
    this.nidOf[slot] = o.nid;
    this.zoneOf[slot] = zoneIdx;
    this.pagesByUse[use]! += 2 ** order;
    const list = this.listOf(use, false);
    if (list >= 0) this.linkHead(slot, list);
  }

  /** Forget a block (it was freed by its owner). kernel: the LRU removal of __folio_put() */
  forget(pfn: number): void {
    // every free calls this: a model with nothing recorded answers without a lookup
    if (this.slotOfPfn.size === 0) return;
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined) return;
    this.unlinkSlot(slot);
    this.pagesByUse[this.useOf[slot]!]! -= 2 ** this.orderOf[slot]!;
    this.slotOfPfn.delete(pfn);
    this.freeSlots.push(slot);
  }

  /**
   * The page was accessed: a referenced inactive page is promoted to the active list head; an unreferenced page
   * becomes referenced. kernel: mm/swap.c folio_mark_accessed()
   */
  markAccessed(pfn: number): void {
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined || this.listOf(this.useOf[slot]!, false) < 0) return;
    const f = this.flagsOf[slot]!;
    if (f & F_ACTIVE) this.flagsOf[slot] = f | F_REFERENCED;
    else if (f & F_REFERENCED && this.useOf[slot] !== PageUse.SLAB_RECLAIMABLE) {
      this.unlinkSlot(slot);
      this.flagsOf[slot] = F_ACTIVE;
      this.linkHead(slot, this.listOf(this.useOf[slot]!, true));
    } else this.flagsOf[slot] = f | F_REFERENCED;
  }

  /** Use of the block at pfn (KERNEL when not recorded). */
  useOfPfn(pfn: number): PageUseValue {
    const slot = this.slotOfPfn.get(pfn);
    return (slot === undefined ? PageUse.KERNEL : this.useOf[slot]!) as PageUseValue;
  }

  /** Owner id recorded for the block at pfn, or −1. */
  ownerOfPfn(pfn: number): number {
    const slot = this.slotOfPfn.get(pfn);
    return slot === undefined ? -1 : this.ownerOf[slot]!;
  }

  /** The order recorded for the block at pfn, or −1. */
  orderOfPfn(pfn: number): number {
    const slot = this.slotOfPfn.get(pfn);
    return slot === undefined ? -1 : this.orderOf[slot]!;
  }

  /** True when the block at pfn is an LRU page compaction may migrate (page cache or anon, not pinned). */
  isMovable(pfn: number): boolean {
    const use = this.useOfPfn(pfn);
    return use === PageUse.FILE_CLEAN || use === PageUse.FILE_DIRTY || use === PageUse.ANON;
  }

  /** Pages on list `list` of node `nid` that lie in zone `zoneIdx`. kernel: zone_page_state(NR_ZONE_INACTIVE_ANON + lru) */
  lruZoneSize(nid: number, zoneIdx: number, list: number): number {
    return this.zoneSizes.get(nid * 256 + zoneIdx)?.[list] ?? 0;
  }

  /** Pages on list `list` of node `nid`. kernel: lruvec_lru_size() */
  lruSize(nid: number, list: number): number {
    return this.sizes.get(nid)?.[list] ?? 0;
  }

  /** The oldest block (tail) of a list, or −1; with `after`, the next older one than that pfn. */
  oldest(nid: number, list: number, after?: number): number {
    const s = this.sentinel(nid, list);
    const from = after === undefined ? s : this.slotOfPfn.get(after);
    if (from === undefined) return -1;
    const slot = this.prev[from]!;
    return slot === s ? -1 : this.pfnOf[slot]!;
  }

  /** Whether the block at pfn is referenced (PG_referenced). */
  referenced(pfn: number): boolean {
    const slot = this.slotOfPfn.get(pfn);
    return slot !== undefined && (this.flagsOf[slot]! & F_REFERENCED) !== 0;
  }

  /** Move a block to the head of its active list (reclaim found it referenced). kernel: mm/vmscan.c folio_activate path */
  activate(pfn: number): void {
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined) return;
    this.unlinkSlot(slot);
    this.flagsOf[slot] = this.useOf[slot] === PageUse.SLAB_RECLAIMABLE ? 0 : F_ACTIVE;
    this.linkHead(slot, this.listOf(this.useOf[slot]!, this.flagsOf[slot] === F_ACTIVE));
  }

  /** Move a block from the active list to the head of the inactive list, clearing PG_referenced. kernel: shrink_active_list() */
  deactivate(pfn: number): void {
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined) return;
    this.unlinkSlot(slot);
    this.flagsOf[slot] = 0;
    this.linkHead(slot, this.listOf(this.useOf[slot]!, false));
  }

  /** Clear PG_referenced and rotate to the list head (a second chance). */
  rotate(pfn: number): void {
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined) return;
    const active = (this.flagsOf[slot]! & F_ACTIVE) !== 0;
    this.unlinkSlot(slot);
    this.flagsOf[slot] = active ? F_ACTIVE : 0;
    this.linkHead(slot, this.listOf(this.useOf[slot]!, active));
  }

  /** Mark a page-cache block clean (writeback completed). kernel: folio_clear_dirty_for_io() + end of writeback */
  clean(pfn: number): void {
    const slot = this.slotOfPfn.get(pfn);
    if (slot === undefined || this.useOf[slot] !== PageUse.FILE_DIRTY) return;
    this.pagesByUse[PageUse.FILE_DIRTY]! -= 2 ** this.orderOf[slot]!;
    this.pagesByUse[PageUse.FILE_CLEAN]! += 2 ** this.orderOf[slot]!;
    this.useOf[slot] = PageUse.FILE_CLEAN;
  }

  /**
   * The block moved from `from` to `to` (compaction migrated it): its use, owner, flags and LRU position go with it.
   * kernel: mm/migrate.c folio_migrate_flags() + the LRU putback of the new folio in the old one's place
   */
  move(from: number, to: number): void {
    const slot = this.slotOfPfn.get(from);
    if (slot === undefined) return;
    this.slotOfPfn.delete(from);
    this.slotOfPfn.set(to, slot);
    this.pfnOf[slot] = to;
  }

  /** Blocks recorded (for tests and reports). */
  get recorded(): number {
    return this.slotOfPfn.size;
  }

  /** Name of a use value. */
  static useName(use: number): PageUseName {
    return USE_NAMES[use] ?? "kernel";
  }

  // ------------------------------------------------------------------ snapshot state

  /**
   * A copy of the model's state (for snapshots): every slot array with the LRU links, the recorded pfns, the free
   * slots in order, sentinels and sizes per node and zone, pages per use and the swap space. Shares nothing with
   * the model.
   *
   * @returns plain data of typed arrays and numbers
   * @example
   * ```ts
   * import { MemoryUseModel, PageUse } from "@pagealloc/reclaim";
   * const m = new MemoryUseModel();
   * m.mark(100, 0, PageUse.FILE_CLEAN, { nid: 0 });
   * const copy = new MemoryUseModel();
   * copy.importState(m.exportState());
   * console.log(copy.oldest(0, 2), copy.useOfPfn(100)); // => 100 1
   * ```
   */
  exportState(): MemoryUseStateData {
    const recorded = this.slotOfPfn.entries();
    return {
      cap: this.cap,
      pfnOf: this.pfnOf.slice(),
      orderOf: this.orderOf.slice(),
      useOf: this.useOf.slice(),
      flagsOf: this.flagsOf.slice(),
      ownerOf: this.ownerOf.slice(),
      nidOf: this.nidOf.slice(),
      zoneOf: this.zoneOf.slice(),
      next: this.next.slice(),
      prev: this.prev.slice(),
      recordedPfns: recorded.pfns,
      recordedSlots: recorded.slots,
      freeSlots: Int32Array.from(this.freeSlots),
      sentinels: [...this.sentinels].map(([nid, slots]) => [nid, [...slots]] as const),
      sizes: [...this.sizes].map(([nid, a]) => [nid, a.slice()] as const),
      zoneSizes: [...this.zoneSizes].map(([key, a]) => [key, a.slice()] as const),
      pagesByUse: this.pagesByUse.slice(),
      swapTotal: this.swapTotal,
      swapUsed: this.swapUsed,
    };
  }

  /**
   * Replace the model's state by one from {@link MemoryUseModel.exportState}. The state is checked first, so a bad
   * one changes nothing.
   *
   * @param s - the exported state
   * @throws {InvalidReclaimArgumentError} when the state does not fit (wrong array types or lengths, slots out of range)
   * @example
   * ```ts
   * import { MemoryUseModel } from "@pagealloc/reclaim";
   * let err;
   * try { new MemoryUseModel().importState({ cap: 0 }); } catch (e) { err = e; }
   * console.log(err.code, err.location); // => INVALID_RECLAIM_ARGUMENT memory.cap
   * ```
   */
  importState(s: MemoryUseStateData): void {
    checkMemoryUseState(s, NR_LISTS, USE_NAMES.length);
    this.cap = s.cap;
    this.pfnOf = s.pfnOf.slice();
    this.orderOf = s.orderOf.slice();
    this.useOf = s.useOf.slice();
    this.flagsOf = s.flagsOf.slice();
    this.ownerOf = s.ownerOf.slice();
    this.nidOf = s.nidOf.slice();
    this.zoneOf = s.zoneOf.slice();
    this.next = s.next.slice();
    this.prev = s.prev.slice();
    this.slotOfPfn.clear();
    for (let i = 0; i < s.recordedPfns.length; i++) this.slotOfPfn.set(s.recordedPfns[i]!, s.recordedSlots[i]!);
    this.freeSlots.length = 0;
    for (const slot of s.freeSlots) this.freeSlots.push(slot); // a loop: spreading millions of slots overflows the stack
    this.sentinels.clear();
    for (const [nid, slots] of s.sentinels) this.sentinels.set(nid, [...slots]);
    this.sizes.clear();
    for (const [nid, a] of s.sizes) this.sizes.set(nid, a.slice());
    this.zoneSizes.clear();
    for (const [key, a] of s.zoneSizes) this.zoneSizes.set(key, a.slice());
    this.pagesByUse.set(s.pagesByUse);
    this.swapTotal = s.swapTotal;
    this.swapUsed = s.swapUsed;
  }
}
