import { DEFAULT_KERNEL_VERSION, type KernelVersion } from "@pagealloc/physmem";
import { boostWatermark } from "@pagealloc/zones";
import { type AllocFlagBits, allocFlagBits, wmarkIndex } from "./alloc-flags";
import { BadPageFreeError, InvalidBuddyArgumentError, InvalidZoneSpecError } from "./errors";
import { checkInvariants } from "./invariants";
import type { BuddyTraceEvent } from "./trace";
import { type GfpToAllocFlagsContext, gfpToAllocFlagsFromFacts } from "./gfp-to-alloc-flags";
import { type BuddyVersionFacts, buddyVersionFacts } from "./version";
import { zoneWatermarkOk, type WatermarkZoneView } from "./watermark";
import { type BuddyZoneSpec, PG_ALLOC, PG_BUDDY, PG_HOLE, PG_PCP, PG_RESERVED, type PfnRange, ZoneState } from "./zone-state";

/** A zone in a zonelist. */
export interface ZoneRef {
  readonly nid: number;
  readonly zoneIdx: number;
}

/** A `ZoneSet` from `@pagealloc/zones` (only the parts buddy reads). */
export interface BuddyZoneSetLike {
  readonly nodes: readonly { readonly zones: readonly BuddyZoneSpec[] }[];
}

/** The GFP facts the allocator needs, decoded by the caller (normally `@pagealloc/gfp`). */
export interface AllocRequest {
  /** gfp_zone(): highest zone index the request may use. */
  readonly highestZoneIdx: number;
  /** gfp_migratetype() as a number of this version's enum. */
  readonly migratetype: number;
  /** The raw mask, for trace output only. */
  readonly gfp?: number;
  /** __GFP_KSWAPD_RECLAIM set (gives ALLOC_KSWAPD, 5.0+). */
  readonly kswapdReclaim?: boolean;
  /** __GFP_COLD (2.6.24 cold pcp list). */
  readonly cold?: boolean;
  /** __GFP_DIRECT_RECLAIM (__GFP_WAIT before 4.4): the caller may block and reclaim. */
  readonly directReclaim?: boolean;
  /** __GFP_HIGH. */
  readonly high?: boolean;
  /** __GFP_ATOMIC (4.4–6.2). */
  readonly atomic?: boolean;
  /** __GFP_NOMEMALLOC. */
  readonly noMemalloc?: boolean;
  /** Preferred node (default: the CPU's node). */
  readonly nid?: number;
  /** CPU doing the allocation (default 0). */
  readonly cpu?: number;
  /** Allowed nodes (default: all). */
  readonly nodemask?: readonly number[];
}

/** Decodes a GFP mask into an AllocRequest (an adapter over `@pagealloc/gfp`). */
export type GfpDecoder = (gfp: number) => Omit<AllocRequest, "nid" | "cpu" | "nodemask">;

/** Called when the fast path fails; returns a pfn or −1 (a later layer implements reclaim/compaction/OOM). */
export type SlowPathHook = (ctx: { allocator: BuddyAllocator; order: number; request: AllocRequest; allocFlags: number }) => number;

/** Options of bootBuddy(). */
export interface BootBuddyOptions {
  /** Kernel version (default 6.18). */
  readonly version?: KernelVersion | string;
  /** Number of CPUs (default 1). */
  readonly cpus?: number;
  /** Node of each CPU (default: all on the first node). */
  readonly cpuToNode?: readonly number[];
  /** pageblock_order (default 9 = HUGETLB_PAGE_ORDER on x86_64; 10 on i386 without PAE). */
  readonly pageblockOrder?: number;
  /** MAX_PAGE_ORDER (default 10; CONFIG_ARCH_FORCE_MAX_ORDER overrides). */
  readonly maxPageOrder?: number;
  /** BITS_PER_LONG for the 2.6.24 bootmem free loop (default 64; 32 on i386). */
  readonly bitsPerLong?: 32 | 64;
  /** CONFIG_TRANSPARENT_HUGEPAGE: pcp lists for HPAGE_PMD_ORDER (default true). */
  readonly thpPcp?: boolean;
  /** HPAGE_PMD_ORDER (default 9). */
  readonly hpagePmdOrder?: number;
  /** Zonelist per node, preferred zone first (default: own node high→low, then the other nodes by id). */
  readonly zonelists?: Readonly<Record<number, readonly ZoneRef[]>>;
  readonly gfp?: GfpDecoder;
  readonly slowPath?: SlowPathHook;
  /** Receives every trace event (versions with kmem events, 2.6.32+). */
  readonly trace?: (event: BuddyTraceEvent) => void;
  /** Run checkInvariants() after every operation (slow; for tests). */
  readonly checkInvariants?: boolean;
  /** vm.watermark_boost_factor (default 15000; 5.0+). */
  readonly watermarkBoostFactor?: number;
  /**
   * @internal The fused order-0 paths ({@link BuddyAllocator.allocOrder0Fast}, {@link BuddyAllocator.freeOrder0Fast};
   * default true). `false` sends every request through the layered path: the differential tests compare the two.
   * They are off whenever `trace` or `checkInvariants` is given.
   */
  readonly fastPaths?: boolean;
}

/**
 * What the fused order-0 allocation needs of one (GFP mask, node): a pure function of the mask and of what boot
 * fixed (the decoder, the zonelists, page_group_by_mobility_disabled), so it is computed once.
 */
interface Order0Route {
  /** The preferred zone (the zonelist's first candidate), or null when the fused path cannot serve the mask. */
  readonly zone: ZoneState | null;
  readonly mt: number;
  readonly allocFlags: number;
  readonly classzone: number;
  /** 2.6.25–4.14: a __GFP_COLD request takes the list's tail. */
  readonly takeTail: boolean;
  /** wmark_pages()'s index for allocFlags (0 min, 1 low, 2 high). */
  readonly wmarkIdx: number;
  /** The zone's watermarks and lowmem_reserve[] (read through, not copied: the spec's own objects). */
  readonly watermark: BuddyZoneSpec["watermark"];
  readonly lowmemReserve: BuddyZoneSpec["lowmemReserve"];
  /**
   * __zone_watermark_ok() of order 0 for allocFlags, when they hold no reserve, CMA or no-watermark bit: free pages
   * minus 1 nr_free_highatomic (6.12+) or 2 nr_reserved_highatomic (4.4–6.11), or 0 (the per-order loop before
   * 4.4), must exceed mark + lowmem_reserve. −1: other flags, the general check runs.
   */
  readonly wmHighatomic: number;
}

const RMQUEUE_NORMAL = 0;
const RMQUEUE_CLAIM = 2;
const RMQUEUE_STEAL = 3;
const PCPF_PREV_FREE_HIGH_ORDER = 1;
const PCP_BATCH_SCALE_MAX = 5;
const PAGE_ALLOC_COSTLY_ORDER = 3;

/**
 * The buddy allocator of one machine: per-zone mem_map (typed arrays), free areas, per-CPU lists.
 * Build it with {@link bootBuddy} or `bootBuddyFromZoneSet`.
 *
 * @example
 * ```ts
 * import { bootBuddy } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 2);
 * console.log(pfn, a.zone(0, "Normal").nrFreePages); // => 0 4092
 * a.freePages(pfn, 2);
 * console.log(a.pageBuddyOrder(0)); // => 10
 * ```
 */
export class BuddyAllocator {
  readonly version: KernelVersion | string;
  readonly facts: BuddyVersionFacts;
  readonly bits: AllocFlagBits;
  readonly zones: readonly ZoneState[];
  readonly nrOrders: number;
  readonly pageblockOrder: number;
  readonly cpus: number;
  readonly cpuToNode: readonly number[];
  readonly zonelists: Readonly<Record<number, readonly ZoneRef[]>>;
  /** page_group_by_mobility_disabled (too little memory to group by mobility). */
  readonly mobilityDisabled: boolean;
  /** Global vm events. */
  pgfree = 0;
  private readonly byNode: Map<number, ZoneState[]>;
  private readonly thpPcp: boolean;
  private readonly hpageOrder: number;
  private readonly opts: BootBuddyOptions;
  private readonly hasDma32: boolean;
  /** Pageblock type before isolation, by "nid/zoneIdx/block". */
  private readonly isolatedFrom = new Map<string, number>();
  /** The fused order-0 paths are on (BootBuddyOptions.fastPaths, no tracing, no invariant checking, not 2.6.24's lists). */
  private readonly fast0: boolean;
  /** allocOrder0Fast()'s routes by GFP mask × 1024 + node, and the last one used. */
  private readonly order0Routes = new Map<number, Order0Route>();
  private lastRouteKey = -1;
  private lastRoute: Order0Route | null = null;

  /** @internal use bootBuddy() */
  constructor(specs: readonly BuddyZoneSpec[], options: BootBuddyOptions) {
    this.opts = options;
    this.version = options.version ?? DEFAULT_KERNEL_VERSION;
    this.facts = buddyVersionFacts(this.version);
    this.bits = allocFlagBits(this.facts.allocFlagsEra);
    const maxPageOrder = options.maxPageOrder ?? this.facts.nrPageOrders - 1;
    this.nrOrders = maxPageOrder + 1;
    this.pageblockOrder = options.pageblockOrder ?? 9;
    if (!Number.isInteger(maxPageOrder) || maxPageOrder < 1 || maxPageOrder > 15) {
      throw new InvalidBuddyArgumentError(`maxPageOrder ${maxPageOrder} outside 1..15`, "options.maxPageOrder");
    }
    if (!Number.isInteger(this.pageblockOrder) || this.pageblockOrder < 1 || this.pageblockOrder > maxPageOrder) {
      throw new InvalidBuddyArgumentError(`pageblockOrder ${this.pageblockOrder} outside 1..${maxPageOrder}`, "options.pageblockOrder");
    }
    this.cpus = options.cpus ?? 1;
    if (!Number.isInteger(this.cpus) || this.cpus < 1) throw new InvalidBuddyArgumentError("cpus must be a positive integer", "options.cpus");
    this.thpPcp = options.thpPcp ?? true;
    this.hpageOrder = options.hpagePmdOrder ?? 9;
    const nrPcpLists = this.facts.pcpModel === "high-order" ? this.facts.pcpTypes * 4 + (this.thpPcp ? 2 : 0) : this.facts.pcpModel === "order0" ? this.facts.pcpTypes : 1;
    const pcpSets = this.facts.pcpModel === "hot-cold" ? this.cpus * 2 : this.cpus;
    const seen = new Set<string>();
    this.zones = specs.map((spec, k) => {
      const where = `zones[${k}]`;
      const key = `${spec.nid}/${spec.zoneIdx}`;
      if (seen.has(key)) throw new InvalidZoneSpecError(`zone ${spec.name} of node ${spec.nid} given twice`, where);
      seen.add(key);
      return new ZoneState(spec, where, { nrOrders: this.nrOrders, nrTypes: this.facts.migratetypeNames.length, pageblockOrder: this.pageblockOrder, pcpSets, nrPcpLists });
    });
    const sorted = [...this.zones].sort((a, b) => a.startPfn - b.startPfn);
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1]!;
      const b = sorted[k]!;
      if (b.spanned > 0 && a.spanned > 0 && b.startPfn < a.endPfn) {
        throw new InvalidZoneSpecError(`zone ${b.spec.name} of node ${b.spec.nid} overlaps ${a.spec.name} of node ${a.spec.nid}`, `zones[${this.zones.indexOf(b)}]`);
      }
    }
    this.byNode = new Map();
    for (const z of this.zones) {
      const list = this.byNode.get(z.spec.nid) ?? [];
      list[z.spec.zoneIdx] = z;
      this.byNode.set(z.spec.nid, list);
    }
    const nids = [...this.byNode.keys()].sort((a, b) => a - b);
    this.cpuToNode = options.cpuToNode ?? Array.from({ length: this.cpus }, () => nids[0] ?? 0);
    if (this.cpuToNode.length !== this.cpus) throw new InvalidBuddyArgumentError("cpuToNode must list one node per CPU", "options.cpuToNode");
    this.zonelists = options.zonelists ?? defaultZonelists(this.zones, nids);
    this.hasDma32 = this.zones.some((z) => z.spec.name === "DMA32");
    // build_all_zonelists: vm_total_pages < pageblock_nr_pages * MIGRATE_TYPES disables grouping by mobility.
    const vmTotal = this.zones.reduce((s, z) => s + Math.max(0, z.spec.managedPages - z.spec.watermark.high), 0);
    this.mobilityDisabled = vmTotal < 2 ** this.pageblockOrder * this.facts.migratetypeNames.length;
    for (const z of this.zones) this.bootZone(z);
    this.fast0 = (options.fastPaths ?? true) && !options.trace && !options.checkInvariants && this.facts.pcpModel !== "hot-cold";
    this.afterOp();
  }

  // ---------------------------------------------------------------- lookup

  /** The zone state of (nid, zone index or name). */
  zone(nid: number, zone: number | string): ZoneState {
    const list = this.byNode.get(nid) ?? [];
    const z = typeof zone === "number" ? list[zone] : list.find((x) => x?.spec.name === zone);
    if (!z) throw new InvalidBuddyArgumentError(`no zone ${zone} on node ${nid}`, "zone");
    return z;
  }

  /** The zone holding pfn, or undefined. */
  zoneOfPfn(pfn: number): ZoneState | undefined {
    // Consecutive calls mostly ask about the same zone (an alloc, its free, the page API's checks). The
    // shortcut is only taken when no two zone spans overlap (NUMA spans may interleave): then the first
    // zone holding pfn is the only one.
    const last = this.lastZone;
    if (last !== undefined && pfn >= last.startPfn && pfn < last.endPfn) return last;
    for (const z of this.zones) {
      if (pfn >= z.startPfn && pfn < z.endPfn) {
        if (this.disjointSpans()) this.lastZone = z;
        return z;
      }
    }
    return undefined;
  }

  /** The zone zoneOfPfn() found last (only set when zone spans are disjoint). */
  private lastZone: ZoneState | undefined = undefined;
  private spansDisjoint: boolean | undefined = undefined;

  private disjointSpans(): boolean {
    if (this.spansDisjoint === undefined) {
      const spans = this.zones.filter((z) => z.spanned > 0).sort((x, y) => x.startPfn - y.startPfn);
      this.spansDisjoint = spans.every((z, k) => k === 0 || spans[k - 1]!.endPfn <= z.startPfn);
    }
    return this.spansDisjoint;
  }

  /** Node ids, ascending. */
  nodeIds(): number[] {
    return [...this.byNode.keys()].sort((a, b) => a - b);
  }

  /** Zones of a node in zone-index order. */
  nodeZones(nid: number): ZoneState[] {
    return (this.byNode.get(nid) ?? []).filter((z): z is ZoneState => z !== undefined);
  }

  // ---------------------------------------------------------------- free lists

  private accountFree(z: ZoneState, order: number, mt: number, sign: 1 | -1): void {
    if (this.facts.isolateNotCounted && mt === this.facts.mt.ISOLATE) return;
    z.nrFreePages += sign * 2 ** order;
    if (mt === this.facts.mt.HIGHATOMIC) z.nrFreeHighatomic += sign * 2 ** order;
  }

  private addToFreeList(z: ZoneState, i: number, order: number, mt: number, tail: boolean): void {
    z.flags[i] = (z.flags[i]! | PG_BUDDY) & ~PG_PCP;
    z.setPriv(i, order, mt);
    z.link(i, z.freeListNode(order, mt), tail);
    z.nrFree[order]! += 1;
    z.listLen[order * z.nrTypes + mt]! += 1;
    this.accountFree(z, order, mt, 1);
  }

  private delFromFreeList(z: ZoneState, i: number): void {
    const order = z.order(i);
    const mt = z.privMt(i);
    z.unlink(i);
    z.flags[i] = z.flags[i]! & ~PG_BUDDY;
    z.nrFree[order]! -= 1;
    z.listLen[order * z.nrTypes + mt]! -= 1;
    this.accountFree(z, order, mt, -1);
  }

  /** move_to_free_list(): a free block changes list (head before 6.10, tail since). */
  private moveToFreeList(z: ZoneState, i: number, mt: number): void {
    const order = z.order(i);
    this.delFromFreeList(z, i);
    this.addToFreeList(z, i, order, mt, this.facts.mergeRule === "mergeable-convert");
  }

  private pageIsBuddy(z: ZoneState, pfn: number, order: number): boolean {
    if (pfn < z.startPfn || pfn >= z.endPfn) return false;
    const i = pfn - z.startPfn;
    return (z.flags[i]! & PG_BUDDY) !== 0 && z.order(i) === order;
  }

  private mergeable(mt: number): boolean {
    return mt < this.facts.pcpTypes;
  }

  /** Set the pageblock type of every pageblock of an order-`order` block. kernel: change_pageblock_range() */
  private changePageblockRange(z: ZoneState, pfn: number, order: number, mt: number): void {
    const step = 2 ** this.pageblockOrder;
    const n = Math.max(1, 2 ** order / step);
    for (let k = 0; k < n; k++) if (z.valid(pfn + k * step)) z.setPageblockMt(pfn + k * step, mt);
  }

  /**
   * Take the first block of the smallest order ≥ `order` from `free_list[mt]` and split it.
   * kernel: mm/page_alloc.c __rmqueue_smallest()
   *
   * @returns the pfn of the allocated block, or −1
   */
  rmqueueSmallest(z: ZoneState, order: number, mt: number): number {
    for (let o = order; o < this.nrOrders; o++) {
      const s = z.freeListNode(o, mt);
      if (z.listEmpty(s)) continue;
      const i = z.next[s]!;
      this.delFromFreeList(z, i);
      this.expand(z, i + z.startPfn, order, o, mt);
      if (this.facts.zoneLockedInSmallest) {
        this.emit({ event: "mm_page_alloc_zone_locked", pfn: i + z.startPfn, order, migratetype: mt, percpuRefill: this.pcpAllowedOrder(order) && mt < this.facts.pcpTypes });
      }
      return i + z.startPfn;
    }
    return -1;
  }

  /**
   * Split an order-`high` block at `pfn` down to order `low`: the upper halves go to the heads of the
   * `mt` lists (largest first); the lowest piece is kept.
   * kernel: mm/page_alloc.c expand()
   */
  expand(z: ZoneState, pfn: number, low: number, high: number, mt: number): void {
    const i = pfn - z.startPfn;
    while (high > low) {
      high--;
      this.addToFreeList(z, i + 2 ** high, high, mt, false);
    }
  }

  /**
   * Free a block into the buddy lists, merging with free buddies.
   * kernel: mm/page_alloc.c __free_one_page() (2.6.24: no type rules, head insertion; 2.6.35+ buddy_merge_likely
   * tail; ≈4.4 isolate check; 5.18 mergeable check; 6.10 the buddy's block takes the freed type)
   *
   * @param toTail - FPI_TO_TAIL
   */
  freeOnePage(z: ZoneState, pfn: number, order: number, mt: number, toTail = false): void {
    const f = this.facts;
    // 2.6.24 reads the list type from the freed page's pageblock.
    if (f.mergeRule === "free") mt = z.pageblockMt(pfn);
    while (order < this.nrOrders - 1) {
      const buddyPfn = pfn ^ (2 ** order);
      if (!this.pageIsBuddy(z, buddyPfn, order)) break;
      let buddyMt = mt;
      if (f.mergeRule !== "free" && order >= this.pageblockOrder) {
        buddyMt = z.pageblockMt(buddyPfn);
        if (buddyMt !== mt) {
          if (f.mergeRule === "isolate" && (mt === f.mt.ISOLATE || buddyMt === f.mt.ISOLATE)) break;
          if (f.mergeRule !== "isolate" && (!this.mergeable(mt) || !this.mergeable(buddyMt))) break;
        }
      }
      this.delFromFreeList(z, buddyPfn - z.startPfn);
      if (f.mergeRule === "mergeable-convert" && buddyMt !== mt) this.changePageblockRange(z, buddyPfn, order, mt);
      pfn = pfn & buddyPfn;
      order++;
    }
    let tail = toTail;
    if (!tail && f.mergeLikelyTail && order < this.nrOrders - 2) {
      const higher = pfn & ~(2 ** order);
      tail = this.pageIsBuddy(z, higher ^ (2 ** (order + 1)), order + 1);
    }
    this.addToFreeList(z, pfn - z.startPfn, order, mt, tail);
  }

  /** kernel: mm/page_alloc.c free_one_page() + split_large_buddy() (6.10+) */
  private freeOnePageSplit(z: ZoneState, pfn: number, order: number, toTail: boolean): void {
    if (this.facts.splitLargeBuddy && order > this.pageblockOrder) {
      const step = 2 ** this.pageblockOrder;
      for (let p = pfn; p < pfn + 2 ** order; p += step) this.freeOnePage(z, p, this.pageblockOrder, z.pageblockMt(p), toTail);
    } else {
      this.freeOnePage(z, pfn, order, z.pageblockMt(pfn), toTail);
    }
  }

  // ---------------------------------------------------------------- boot

  private bootZone(z: ZoneState): void {
    const spec = z.spec;
    const where = `zone ${spec.nid}/${spec.name}`;
    const base = z.startPfn;
    const holes = this.normalizeRanges(z, spec.holes ?? [], "holes");
    const present = subtractRanges([{ startPfn: z.startPfn, endPfn: z.endPfn }], holes);
    const presentCount = rangePages(present);
    if (presentCount !== spec.presentPages) {
      throw new InvalidZoneSpecError(`spanned ${z.spanned} − holes ${z.spanned - presentCount} ≠ present ${spec.presentPages}`, where);
    }
    // memmap init: every present page starts PageReserved with a reference; holes have no struct page.
    // The pages freed below end with flags 0 and refcount 0, which the fresh typed arrays already hold:
    // only reserved pages and holes are written, so free memory's mem_map is never touched twice
    // (and host pages the boot never writes stay out of the process's resident memory).
    for (const h of holes) z.flags.fill(PG_HOLE, h.startPfn - base, h.endPfn - base);
    // memmap_init_zone(): every pageblock starts MOVABLE.
    z.blockMt.fill(this.facts.mt.MOVABLE);
    // Which present pages stay reserved.
    let reserved: PfnRange[];
    if (spec.reserved) {
      reserved = intersectRanges(this.normalizeRanges(z, spec.reserved, "reserved"), present);
      const count = rangePages(reserved);
      if (spec.presentPages - count !== spec.managedPages) {
        throw new InvalidZoneSpecError(`present ${spec.presentPages} − reserved ${count} ≠ managed ${spec.managedPages}`, where);
      }
    } else {
      // the present − managed difference, taken from the lowest present pfns
      let need = spec.presentPages - spec.managedPages;
      reserved = [];
      for (const r of present) {
        if (need === 0) break;
        const take = Math.min(need, r.endPfn - r.startPfn);
        reserved.push({ startPfn: r.startPfn, endPfn: r.startPfn + take });
        need -= take;
      }
    }
    for (const r of reserved) {
      z.flags.fill(PG_RESERVED, r.startPfn - base, r.endPfn - base);
      z.refcount.fill(1, r.startPfn - base, r.endPfn - base);
    }
    // memblock_free_all(): free every run of managed pages.
    for (const r of subtractRanges(present, reserved)) this.freeBootRange(z, r.startPfn, r.endPfn);
    this.initPcp(z);
    if (this.facts.mt.RESERVE >= 0) this.setupZoneMigrateReserve(z);
  }

  /** Check that ranges lie in the zone span; return them sorted and merged. */
  private normalizeRanges(z: ZoneState, ranges: readonly PfnRange[], what: string): PfnRange[] {
    ranges.forEach((r, k) => {
      if (!(Number.isSafeInteger(r.startPfn) && Number.isSafeInteger(r.endPfn) && r.startPfn >= z.startPfn && r.endPfn <= z.endPfn && r.startPfn <= r.endPfn)) {
        throw new InvalidZoneSpecError(`${what} range ${r.startPfn}-${r.endPfn} outside the zone span ${z.startPfn}-${z.endPfn}`, `zone ${z.spec.nid}/${z.spec.name}.${what}[${k}]`);
      }
    });
    const sorted = ranges.filter((r) => r.endPfn > r.startPfn).sort((x, y) => x.startPfn - y.startPfn);
    const out: PfnRange[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && r.startPfn <= last.endPfn) out[out.length - 1] = { startPfn: last.startPfn, endPfn: Math.max(last.endPfn, r.endPfn) };
      else out.push({ startPfn: r.startPfn, endPfn: r.endPfn });
    }
    return out;
  }

  /** kernel: mm/memblock.c __free_pages_memory() → __free_pages_core(); 2.6.24: mm/bootmem.c free_all_bootmem_core() */
  private freeBootRange(z: ZoneState, start: number, end: number): void {
    if (this.facts.fallbackAlgorithm === "2.6.24") {
      const w = this.opts.bitsPerLong ?? 64;
      const wordOrder = Math.log2(w);
      let p = start;
      while (p < end) {
        if (p % w === 0 && p + w <= end) {
          this.bootFreeBlock(z, p, wordOrder, false);
          p += w;
        } else {
          this.bootFreeBlock(z, p, 0, false);
          p++;
        }
      }
      return;
    }
    let p = start;
    while (p < end) {
      let order = Math.min(this.nrOrders - 1, p === 0 ? this.nrOrders - 1 : ctz(p));
      while (p + 2 ** order > end) order--;
      this.bootFreeBlock(z, p, order, this.facts.bootToTail);
      p += 2 ** order;
    }
  }

  private bootFreeBlock(z: ZoneState, pfn: number, order: number, toTail: boolean): void {
    // flags and refcount of the block are already 0 (bootZone() writes only reserved pages and holes).
    this.pgfree += 2 ** order;
    this.freeOnePageSplit(z, pfn, order, toTail);
  }

  /** kernel: mm/page_alloc.c setup_zone_migrate_reserve() (2.6.24) */
  private setupZoneMigrateReserve(z: ZoneState): void {
    const pbn = 2 ** this.pageblockOrder;
    let reserve = Math.ceil(z.spec.watermark.min / pbn);
    const { MOVABLE, RESERVE } = this.facts.mt;
    for (let pfn = z.startPfn; pfn < z.endPfn; pfn += pbn) {
      if (!z.valid(pfn)) continue;
      if (z.flags[pfn - z.startPfn]! & PG_RESERVED) continue;
      const mt = z.pageblockMt(pfn);
      if (reserve > 0 && mt === MOVABLE) {
        z.setPageblockMt(pfn, RESERVE);
        this.moveFreepagesBlock(z, pfn, RESERVE);
        reserve--;
        continue;
      }
      if (mt === RESERVE) {
        z.setPageblockMt(pfn, MOVABLE);
        this.moveFreepagesBlock(z, pfn, MOVABLE);
      }
    }
  }

  private initPcp(z: ZoneState): void {
    const p = z.spec.pcp;
    if (this.facts.pcpModel === "hot-cold") {
      for (let cpu = 0; cpu < this.cpus; cpu++) {
        const batch = p.batch;
        z.pcpHigh[cpu * 2] = p.high;
        z.pcpBatch[cpu * 2] = Math.max(1, batch);
        z.pcpHigh[cpu * 2 + 1] = p.cold?.high ?? 2 * batch;
        z.pcpBatch[cpu * 2 + 1] = p.cold?.batch ?? Math.max(1, Math.floor(batch / 2));
      }
      return;
    }
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      z.pcpBatch[cpu] = p.batch;
      z.pcpHighMin[cpu] = p.highMin ?? p.high;
      z.pcpHighMax[cpu] = p.highMax ?? p.high;
      // 6.7+: pcp->high starts at 0 and is clamped into [high_min, high_max] on first use.
      z.pcpHigh[cpu] = this.facts.pcpAutoTune ? 0 : p.high;
    }
  }

  // ---------------------------------------------------------------- moving free pages between types

  /**
   * Move every free block whose head lies in the pageblock of `pfn` to `mt` lists; count free pages and
   * allocated pages that look movable (allocated with a MOVABLE request).
   * kernel: mm/page_alloc.c move_freepages_block() / prep_move_freepages_block()
   * @returns null when the pageblock straddles the zone boundary
   */
  private moveFreepagesBlock(z: ZoneState, pfn: number, mt: number | -1): { free: number; movable: number } | null {
    const pbn = 2 ** this.pageblockOrder;
    let start = pfn - (pfn % pbn);
    const end = start + pbn;
    if (end > z.endPfn) return null;
    if (start < z.startPfn) {
      // Before 6.10 move_freepages_block() scans a block that starts before the zone from the page itself;
      // 6.10's prep_move_freepages_block() refuses blocks that straddle the zone.
      if (this.facts.mergeRule === "mergeable-convert") return null;
      start = pfn;
    }
    let free = 0;
    let movable = 0;
    let p = start;
    while (p < end) {
      const i = p - z.startPfn;
      const fl = z.flags[i]!;
      if (fl & PG_BUDDY) {
        const order = z.order(i);
        free += 2 ** order;
        if (mt >= 0) this.moveToFreeList(z, i, mt);
        p += 2 ** order;
      } else if (fl & (PG_ALLOC | PG_PCP)) {
        const order = z.order(i);
        if (fl & PG_ALLOC && z.privMt(i) === this.facts.mt.MOVABLE) movable += Math.min(2 ** order, end - p);
        p += 2 ** order;
      } else {
        p++;
      }
    }
    return { free, movable };
  }

  /**
   * Called where rmqueue() finds ZONE_BOOSTED_WATERMARK set for an ALLOC_KSWAPD request: the bit is cleared and the
   * kernel calls `wakeup_kswapd(zone, 0, 0, zone_idx(zone))`. The slow-path model (@pagealloc/reclaim) sets it when it
   * attaches; null without one (the bit is still cleared).
   */
  onBoostedWake: ((zone: ZoneState) => void) | null = null;

  /** kernel: mm/page_alloc.c rmqueue() `clear_bit(ZONE_BOOSTED_WATERMARK, …); wakeup_kswapd(…)` (5.0+) */
  private boostedWake(z: ZoneState): void {
    z.boosted = false;
    this.onBoostedWake?.(z);
  }

  /** kernel: mm/page_alloc.c boost_watermark() (5.0+; the arithmetic is @pagealloc/zones boostWatermark) */
  private boostWatermark(z: ZoneState): boolean {
    const before = z.watermarkBoost;
    z.watermarkBoost = boostWatermark({
      boost: before,
      highWmark: z.spec.watermark.high,
      managed: z.spec.managedPages,
      watermarkBoostFactor: this.opts.watermarkBoostFactor ?? 15000,
      pageblockNrPages: 2 ** this.pageblockOrder,
      version: this.version,
    });
    // boost_watermark() reports true whenever boosting is possible, also when the boost is already at its cap.
    return z.watermarkBoost !== before || before > 0;
  }

  private shouldTryClaimBlock(order: number, startMt: number): boolean {
    const { mt } = this.facts;
    if (order >= this.pageblockOrder) return true;
    if (order >= this.pageblockOrder >> 1) return true; // C integer division: 9 / 2 = 4
    if (startMt === mt.RECLAIMABLE || startMt === mt.UNMOVABLE) return true;
    return this.mobilityDisabled;
  }

  /** kernel: mm/page_alloc.c find_suitable_fallback() (6.15+: −2 = may not claim at this order) */
  private findSuitableFallback(z: ZoneState, order: number, startMt: number, claimable: boolean): number {
    if (claimable && !this.shouldTryClaimBlock(order, startMt)) return -2;
    if (z.nrFree[order] === 0) return -1;
    for (const fmt of this.facts.fallbacks[startMt] ?? []) {
      if (!z.listEmpty(z.freeListNode(order, fmt))) return fmt;
    }
    return -1;
  }

  /** kernel: mm/page_alloc.c __rmqueue_claim() (6.15+) */
  private rmqueueClaim(z: ZoneState, order: number, startMt: number, allocFlags: number): number {
    let minOrder = order;
    if (allocFlags & this.bits.NOFRAGMENT && order < this.pageblockOrder) minOrder = this.pageblockOrder;
    for (let co = this.nrOrders - 1; co >= minOrder; co--) {
      const fmt = this.findSuitableFallback(z, co, startMt, true);
      if (fmt === -1) continue;
      if (fmt === -2) break;
      const i = z.next[z.freeListNode(co, fmt)]!;
      const pfn = this.tryToClaimBlock(z, i + z.startPfn, co, order, startMt, fmt, allocFlags);
      if (pfn >= 0) {
        this.emitExtfrag(z, pfn, order, co, startMt, fmt);
        return pfn;
      }
    }
    return -1;
  }

  /** kernel: mm/page_alloc.c try_to_claim_block() (6.15+) */
  private tryToClaimBlock(z: ZoneState, pfn: number, currentOrder: number, order: number, startMt: number, blockType: number, allocFlags: number): number {
    const i = pfn - z.startPfn;
    if (currentOrder >= this.pageblockOrder) {
      this.delFromFreeList(z, i);
      this.changePageblockRange(z, pfn, currentOrder, startMt);
      this.expand(z, pfn, order, currentOrder, startMt);
      return pfn;
    }
    if (this.boostWatermark(z) && allocFlags & this.bits.KSWAPD) z.boosted = true;
    const counts = this.moveFreepagesBlock(z, pfn, -1);
    if (!counts) return -1;
    const { mt } = this.facts;
    const pbn = 2 ** this.pageblockOrder;
    const alike = startMt === mt.MOVABLE ? counts.movable : blockType === mt.MOVABLE ? pbn - (counts.free + counts.movable) : 0;
    if (counts.free + alike >= pbn / 2 || this.mobilityDisabled) {
      this.moveFreepagesBlock(z, pfn, startMt);
      z.setPageblockMt(pfn, startMt);
      return this.rmqueueSmallest(z, order, startMt);
    }
    return -1;
  }

  /** kernel: mm/page_alloc.c __rmqueue_steal() (6.15+) */
  private rmqueueSteal(z: ZoneState, order: number, startMt: number): number {
    for (let co = order; co < this.nrOrders; co++) {
      const fmt = this.findSuitableFallback(z, co, startMt, false);
      if (fmt < 0) continue;
      const i = z.next[z.freeListNode(co, fmt)]!;
      this.delFromFreeList(z, i);
      this.expand(z, i + z.startPfn, order, co, fmt);
      this.emitExtfrag(z, i + z.startPfn, order, co, startMt, fmt);
      return i + z.startPfn;
    }
    return -1;
  }

  /** kernel: mm/page_alloc.c __rmqueue_fallback() + steal_suitable_fallback() (≈2.6.35–6.14, pre-6.10 list rules) */
  private rmqueueFallbackOld(z: ZoneState, order: number, startMt: number, allocFlags: number): boolean {
    const minOrder = allocFlags & this.bits.NOFRAGMENT && order < this.pageblockOrder ? this.pageblockOrder : order;
    const find = (co: number): [number, boolean] => {
      if (z.nrFree[co] === 0) return [-1, false];
      for (const fmt of this.facts.fallbacks[startMt] ?? []) {
        if (z.listEmpty(z.freeListNode(co, fmt))) continue;
        return [fmt, this.shouldTryClaimBlock(co, startMt)];
      }
      return [-1, false];
    };
    let found: [number, number, boolean] | null = null;
    for (let co = this.nrOrders - 1; co >= minOrder; co--) {
      const [fmt, canSteal] = find(co);
      if (fmt === -1) continue;
      if (!canSteal && startMt === this.facts.mt.MOVABLE && co > order) {
        for (let so = order; so < this.nrOrders; so++) {
          const [f2, c2] = find(so);
          if (f2 !== -1) {
            found = [so, f2, c2];
            break;
          }
        }
      } else {
        found = [co, fmt, canSteal];
      }
      break;
    }
    if (!found) return false;
    const [co, fmt, wholeBlock] = found;
    const i = z.next[z.freeListNode(co, fmt)]!;
    const pfn = i + z.startPfn;
    const oldType = z.pageblockMt(pfn);
    const single = () => this.moveToFreeList(z, i, startMt);
    if (oldType === this.facts.mt.HIGHATOMIC) single();
    else if (co >= this.pageblockOrder) {
      this.changePageblockRange(z, pfn, co, startMt);
      single();
    } else {
      if (this.boostWatermark(z) && allocFlags & this.bits.KSWAPD) z.boosted = true;
      if (!wholeBlock) single();
      else {
        const counts = this.moveFreepagesBlock(z, pfn, startMt);
        if (!counts || counts.free === 0) single();
        else {
          const { mt } = this.facts;
          const pbn = 2 ** this.pageblockOrder;
          const alike = startMt === mt.MOVABLE ? counts.movable : oldType === mt.MOVABLE ? pbn - (counts.free + counts.movable) : 0;
          if (counts.free + alike >= pbn / 2 || this.mobilityDisabled) z.setPageblockMt(pfn, startMt);
        }
      }
    }
    this.emitExtfrag(z, pfn, order, co, startMt, fmt);
    return true;
  }

  /** kernel: mm/page_alloc.c __rmqueue_fallback() + steal_suitable_fallback() (4.1–4.11) */
  private rmqueueFallback41(z: ZoneState, order: number, startMt: number): number {
    const { RESERVE } = this.facts.mt;
    for (let co = this.nrOrders - 1; co >= order; co--) {
      if (z.nrFree[co] === 0) continue;
      // find_suitable_fallback(only_stealable = false): the first non-empty type of the row (RESERVE ends the row)
      let fmt = -1;
      for (const f of this.facts.fallbacks[startMt] ?? []) {
        if (f === RESERVE) break;
        if (!z.listEmpty(z.freeListNode(co, f))) {
          fmt = f;
          break;
        }
      }
      if (fmt < 0) continue;
      const i = z.next[z.freeListNode(co, fmt)]!;
      const pfn = i + z.startPfn;
      if (this.shouldTryClaimBlock(co, startMt)) {
        if (co >= this.pageblockOrder) this.changePageblockRange(z, pfn, co, startMt);
        else {
          const moved = this.moveFreepagesBlock(z, pfn, startMt);
          if ((moved && moved.free >= 2 ** (this.pageblockOrder - 1)) || this.mobilityDisabled) z.setPageblockMt(pfn, startMt);
        }
      }
      this.delFromFreeList(z, i);
      // the split leftovers always go to the requested type's lists
      this.expand(z, pfn, order, co, startMt);
      this.emitExtfrag(z, pfn, order, co, startMt, fmt);
      return pfn;
    }
    return -1;
  }

  /** kernel: mm/page_alloc.c __rmqueue_fallback() (2.6.24) */
  private rmqueueFallback24(z: ZoneState, order: number, startMt: number): number {
    const { RESERVE, RECLAIMABLE } = this.facts.mt;
    for (let co = this.nrOrders - 1; co >= order; co--) {
      for (const fallbackMt of this.facts.fallbacks[startMt] ?? []) {
        if (fallbackMt === RESERVE) continue;
        const s = z.freeListNode(co, fallbackMt);
        if (z.listEmpty(s)) continue;
        const i = z.next[s]!;
        const pfn = i + z.startPfn;
        let mt = fallbackMt;
        if (co >= this.pageblockOrder >> 1 || startMt === RECLAIMABLE) {
          const moved = this.moveFreepagesBlock(z, pfn, startMt);
          if (moved && moved.free >= 2 ** (this.pageblockOrder - 1)) z.setPageblockMt(pfn, startMt);
          mt = startMt;
        }
        this.delFromFreeList(z, i);
        if (co === this.pageblockOrder) z.setPageblockMt(pfn, startMt);
        this.expand(z, pfn, order, co, mt);
        // 2.6.32+: fallback_migratetype is the list type used for the split (start_mt when the block was taken
        // over), and change_ownership compares it with the requested type
        this.emit({
          event: "mm_page_alloc_extfrag",
          pfn,
          allocOrder: order,
          fallbackOrder: co,
          pageblockOrder: this.pageblockOrder,
          allocMigratetype: startMt,
          fallbackMigratetype: mt,
          changeOwnership: mt === startMt,
        });
        return pfn;
      }
    }
    return this.rmqueueSmallest(z, order, RESERVE);
  }

  /**
   * Take a block of `order` for `mt` from the zone's buddy lists, falling back to other types by the version's rules.
   * kernel: mm/page_alloc.c __rmqueue()
   * @param mode - rmqueue_bulk's remembered mode (6.15+), updated in place
   */
  rmqueue(z: ZoneState, order: number, mt: number, allocFlags: number, mode: { value: number } = { value: RMQUEUE_NORMAL }): number {
    const pfn = this.rmqueueInner(z, order, mt, allocFlags, mode);
    if (pfn >= 0 && !this.facts.zoneLockedInSmallest) this.emitZoneLockedOld(pfn, order, mt);
    return pfn;
  }

  /** Before 5.19: mm_page_alloc_zone_locked from __rmqueue (requested type, percpu_refill = order == 0). */
  private emitZoneLockedOld(pfn: number, order: number, mt: number): void {
    this.emit({ event: "mm_page_alloc_zone_locked", pfn, order, migratetype: mt, percpuRefill: order === 0 });
  }

  private rmqueueInner(z: ZoneState, order: number, mt: number, allocFlags: number, mode: { value: number }): number {
    const alg = this.facts.fallbackAlgorithm;
    if (alg === "2.6.24") {
      const pfn = this.rmqueueSmallest(z, order, mt);
      return pfn >= 0 ? pfn : this.rmqueueFallback24(z, order, mt);
    }
    if (alg === "steal-4.1") {
      let pfn = this.rmqueueSmallest(z, order, mt);
      if (pfn < 0) pfn = this.rmqueueFallback41(z, order, mt);
      if (pfn < 0 && this.facts.mt.RESERVE >= 0) pfn = this.rmqueueSmallest(z, order, this.facts.mt.RESERVE);
      return pfn;
    }
    if (alg === "steal-fallback") {
      for (;;) {
        const pfn = this.rmqueueSmallest(z, order, mt);
        if (pfn >= 0) return pfn;
        if (!this.rmqueueFallbackOld(z, order, mt, allocFlags)) return -1;
      }
    }
    if (mode.value <= RMQUEUE_NORMAL) {
      const pfn = this.rmqueueSmallest(z, order, mt);
      if (pfn >= 0) return pfn;
    }
    if (mode.value <= RMQUEUE_CLAIM) {
      const pfn = this.rmqueueClaim(z, order, mt, allocFlags);
      if (pfn >= 0) {
        mode.value = RMQUEUE_NORMAL;
        return pfn;
      }
    }
    if (!(allocFlags & this.bits.NOFRAGMENT)) {
      const pfn = this.rmqueueSteal(z, order, mt);
      if (pfn >= 0) {
        mode.value = RMQUEUE_STEAL;
        return pfn;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- highatomic

  /** kernel: mm/page_alloc.c reserve_highatomic_pageblock() */
  reserveHighatomicPageblock(z: ZoneState, pfn: number, order: number): void {
    const pbn = 2 ** this.pageblockOrder;
    const managed = z.spec.managedPages;
    let maxManaged: number;
    if (this.facts.highatomicAlignedMax) {
      if (Math.floor(managed / 100) < pbn) return;
      maxManaged = Math.ceil(Math.floor(managed / 100) / pbn) * pbn;
    } else {
      maxManaged = Math.floor(managed / 100) + pbn;
    }
    if (z.nrReservedHighatomic >= maxManaged) return;
    const mt = z.pageblockMt(pfn);
    if (!this.mergeable(mt)) return;
    const HA = this.facts.mt.HIGHATOMIC;
    if (order < this.pageblockOrder) {
      if (!this.moveFreepagesBlock(z, pfn, HA)) return;
      z.setPageblockMt(pfn, HA);
      z.nrReservedHighatomic += pbn;
    } else {
      this.changePageblockRange(z, pfn, order, HA);
      z.nrReservedHighatomic += 2 ** order;
    }
  }

  /**
   * Give one HIGHATOMIC pageblock back to `mt` in the first zone of the zonelist that has one.
   * kernel: mm/page_alloc.c unreserve_highatomic_pageblock()
   * @returns whether a block was released
   */
  unreserveHighatomicPageblock(nid: number, highestZoneIdx: number, mt: number, force: boolean): boolean {
    const HA = this.facts.mt.HIGHATOMIC;
    if (HA < 0) return false;
    const pbn = 2 ** this.pageblockOrder;
    for (const ref of this.zonelists[nid] ?? []) {
      if (ref.zoneIdx > highestZoneIdx) continue;
      const z = this.zone(ref.nid, ref.zoneIdx);
      if (!force && z.nrReservedHighatomic <= pbn) continue;
      for (let o = 0; o < this.nrOrders; o++) {
        const s = z.freeListNode(o, HA);
        if (z.listEmpty(s)) continue;
        const i = z.next[s]!;
        const pfn = i + z.startPfn;
        if (o < this.pageblockOrder) {
          z.nrReservedHighatomic -= Math.min(pbn, z.nrReservedHighatomic);
          z.setPageblockMt(pfn, mt);
          this.moveFreepagesBlock(z, pfn, mt);
        } else {
          z.nrReservedHighatomic -= Math.min(2 ** o, z.nrReservedHighatomic);
          this.changePageblockRange(z, pfn, o, mt);
          this.moveToFreeList(z, i, mt);
        }
        this.afterOp();
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- page isolation

  /**
   * Isolate the pageblock of `pfn` (memory offlining, alloc_contig_range): refuse when it holds unmovable or
   * reserved pages, otherwise move its free pages to the ISOLATE lists, mark it isolated and drain the per-cpu
   * lists so that pages freed from them land on ISOLATE lists too. From 6.10 isolated free pages leave
   * NR_FREE_PAGES.
   * kernel: mm/page_isolation.c set_migratetype_isolate()
   * @returns false when the block is already isolated or cannot be isolated (-EBUSY)
   */
  isolatePageblock(pfn: number): boolean {
    const z = this.zoneOfPfn(pfn);
    const ISOLATE = this.facts.mt.ISOLATE;
    if (!z || !z.valid(pfn)) throw new InvalidBuddyArgumentError(`pfn ${pfn} is not a valid page of any zone`, "pfn");
    if (z.pageblockMt(pfn) === ISOLATE) return false;
    const pbn = 2 ** this.pageblockOrder;
    const start = Math.max(pfn - (pfn % pbn), z.startPfn);
    const end = Math.min(start - (start % pbn) + pbn, z.endPfn);
    for (let p = start; p < end; ) {
      const i = p - z.startPfn;
      const fl = z.flags[i]!;
      if (fl & PG_RESERVED) return false;
      if (fl & PG_ALLOC && z.privMt(i) !== this.facts.mt.MOVABLE) return false;
      p += fl & (PG_ALLOC | PG_BUDDY | PG_PCP) ? 2 ** z.order(i) : 1;
    }
    this.isolatedFrom.set(`${z.spec.nid}/${z.spec.zoneIdx}/${z.blockIndex(pfn)}`, z.pageblockMt(pfn));
    z.setPageblockMt(pfn, ISOLATE);
    this.moveFreeBlocksIn(z, start, end, ISOLATE);
    this.drainPages();
    return true;
  }

  /**
   * Give an isolated pageblock back to `mt` (default: the type it had before isolation); free blocks of at least
   * pageblock order are taken off and freed again so they merge with their buddies.
   * kernel: mm/page_isolation.c unset_migratetype_isolate()
   */
  unisolatePageblock(pfn: number, mt?: number): void {
    const z = this.zoneOfPfn(pfn);
    if (!z || !z.valid(pfn) || z.pageblockMt(pfn) !== this.facts.mt.ISOLATE) {
      throw new InvalidBuddyArgumentError(`pfn ${pfn} is not in an isolated pageblock`, "pfn");
    }
    const key = `${z.spec.nid}/${z.spec.zoneIdx}/${z.blockIndex(pfn)}`;
    const to = mt ?? this.isolatedFrom.get(key) ?? this.facts.mt.MOVABLE;
    this.isolatedFrom.delete(key);
    const pbn = 2 ** this.pageblockOrder;
    const start = Math.max(pfn - (pfn % pbn), z.startPfn);
    const end = Math.min(start - (start % pbn) + pbn, z.endPfn);
    z.setPageblockMt(pfn, to);
    const first = start - z.startPfn;
    if (z.flags[first]! & PG_BUDDY && z.order(first) >= this.pageblockOrder) {
      const order = z.order(first);
      this.delFromFreeList(z, first);
      this.freeOnePage(z, start, order, to, false);
    } else {
      this.moveFreeBlocksIn(z, start, end, to);
    }
    this.afterOp();
  }

  private moveFreeBlocksIn(z: ZoneState, start: number, end: number, mt: number): void {
    for (let p = start; p < end; ) {
      const i = p - z.startPfn;
      const fl = z.flags[i]!;
      if (fl & PG_BUDDY) this.moveToFreeList(z, i, mt);
      p += fl & (PG_ALLOC | PG_BUDDY | PG_PCP) ? 2 ** z.order(i) : 1;
    }
  }

  // ---------------------------------------------------------------- per-cpu lists

  /** kernel: mm/page_alloc.c pcp_allowed_order() */
  pcpAllowedOrder(order: number): boolean {
    if (this.facts.pcpModel !== "high-order") return order === 0;
    return order <= PAGE_ALLOC_COSTLY_ORDER || (this.thpPcp && order === this.hpageOrder);
  }

  /** kernel: mm/page_alloc.c order_to_pindex() */
  private orderToPindex(mt: number, order: number): number {
    if (this.facts.pcpModel === "order0") return mt;
    if (this.facts.pcpModel === "hot-cold") return 0;
    if (order > PAGE_ALLOC_COSTLY_ORDER) return this.facts.pcpTypes * 4 + (mt === this.facts.mt.MOVABLE ? 1 : 0);
    return this.facts.pcpTypes * order + mt;
  }

  private pindexToOrder(pindex: number): number {
    if (this.facts.pcpModel !== "high-order") return 0;
    return pindex < this.facts.pcpTypes * 4 ? Math.floor(pindex / this.facts.pcpTypes) : this.hpageOrder;
  }

  private pcpNode(z: ZoneState, set: number, pindex: number): number {
    return z.pcpBase + set * z.nrPcpLists + pindex;
  }

  private pcpSet(cpu: number, cold: boolean): number {
    return this.facts.pcpModel === "hot-cold" ? cpu * 2 + (cold ? 1 : 0) : cpu;
  }

  /** kernel: mm/page_alloc.c nr_pcp_alloc() (6.7+; before: batch, or max(batch >> order, 2) for high orders) */
  private nrPcpAlloc(z: ZoneState, set: number, order: number): number {
    const base = z.pcpBatch[set]!;
    if (!this.facts.pcpAutoTune) return order === 0 ? base : Math.max(base >> order, 2);
    let high = clamp(z.pcpHigh[set]!, z.pcpHighMin[set]!, z.pcpHighMax[set]!);
    z.pcpHigh[set] = high;
    if (high < base) return 1;
    let batch = order === 0 ? base << z.pcpAllocFactor[set]! : base;
    if (z.pcpHighMin[set] !== z.pcpHighMax[set] && !z.belowHigh) {
      high = Math.min(high + batch, z.pcpHighMax[set]!);
      z.pcpHigh[set] = high;
    }
    if (order === 0) {
      const maxNrAlloc = Math.max(high - z.pcpCount[set]! - base, base);
      if (batch <= maxNrAlloc && z.pcpAllocFactor[set]! < PCP_BATCH_SCALE_MAX) z.pcpAllocFactor[set]! += 1;
      batch = Math.min(batch, maxNrAlloc);
    }
    if (batch > 1) batch = Math.max(batch >> order, 2);
    return batch;
  }

  /** kernel: mm/page_alloc.c rmqueue_bulk() (2.6.24: each block inserted after the previous one) */
  private rmqueueBulk(z: ZoneState, order: number, count: number, s: number, mt: number, allocFlags: number): number {
    const mode = { value: RMQUEUE_NORMAL };
    let cursor = s;
    let n = 0;
    for (; n < count; n++) {
      const pfn = this.rmqueue(z, order, mt, allocFlags, mode);
      if (pfn < 0) break;
      const i = pfn - z.startPfn;
      z.flags[i] = z.flags[i]! | PG_PCP;
      z.setPriv(i, order, mt);
      if (this.facts.pcpModel === "hot-cold") {
        z.link(i, cursor, false);
        cursor = i;
      } else {
        z.link(i, s, true);
      }
    }
    return n;
  }

  /** kernel: mm/page_alloc.c rmqueue_pcplist() / __rmqueue_pcplist(); 2.6.24 buffered_rmqueue() order 0 */
  private rmqueuePcplist(z: ZoneState, cpu: number, cold: boolean, order: number, mt: number, allocFlags: number): number {
    const set = this.pcpSet(cpu, cold);
    z.pcpExpire[set] = 3; // the zone's counters changed on this CPU: refresh_cpu_vm_stats() arms expire
    // 6.7+: free_count; 5.14–6.6: free_factor (kept in the same slot) — an allocation halves it.
    if (this.facts.pcpAutoTune || this.facts.pcpFreeRule !== "batch") z.pcpFreeCount[set] = z.pcpFreeCount[set]! >> 1;
    const s = this.pcpNode(z, set, this.orderToPindex(mt, order));
    let i: number;
    if (this.facts.pcpModel === "hot-cold") {
      if (z.pcpCount[set] === 0) {
        z.pcpCount[set] = this.rmqueueBulk(z, 0, z.pcpBatch[set]!, s, mt, allocFlags);
        if (z.pcpCount[set] === 0) return -1;
      }
      i = z.next[s]!;
      while (i !== s && z.privMt(i) !== mt) i = z.next[i]!;
      if (i === s) {
        z.pcpCount[set]! += this.rmqueueBulk(z, 0, z.pcpBatch[set]!, s, mt, allocFlags);
        i = z.next[s]!;
      }
    } else {
      if (z.listEmpty(s)) {
        const batch = this.nrPcpAlloc(z, set, order);
        z.pcpCount[set]! += this.rmqueueBulk(z, order, batch, s, mt, allocFlags) * 2 ** order;
        if (z.listEmpty(s)) return -1;
      }
      // 2.6.25–4.14: a __GFP_COLD request takes the coldest page, from the list tail.
      i = cold && this.facts.pcpModel === "order0" ? z.prev[s]! : z.next[s]!;
    }
    z.unlink(i);
    z.flags[i] = z.flags[i]! & ~PG_PCP;
    z.pcpCount[set]! -= 2 ** order;
    return i + z.startPfn;
  }

  /** kernel: mm/page_alloc.c nr_pcp_high() (6.7+) */
  private nrPcpHigh(z: ZoneState, set: number, batch: number, freeHigh: boolean): number {
    let high = clamp(z.pcpHigh[set]!, z.pcpHighMin[set]!, z.pcpHighMax[set]!);
    z.pcpHigh[set] = high;
    const highMin = z.pcpHighMin[set]!;
    if (high === 0) return 0;
    if (freeHigh) {
      z.pcpHigh[set] = Math.max(high - (batch << PCP_BATCH_SCALE_MAX), highMin);
      return 0;
    }
    if (highMin === z.pcpHighMax[set]) return high;
    if (z.belowHigh) {
      z.pcpHigh[set] = Math.max(high - Math.max(z.pcpFreeCount[set]!, batch), highMin);
      return Math.max(z.pcpCount[set]!, highMin);
    }
    if (z.pcpCount[set]! >= high) {
      const needHigh = z.pcpFreeCount[set]! + batch;
      if (z.pcpHigh[set]! < needHigh) z.pcpHigh[set] = clamp(needHigh, highMin, z.pcpHighMax[set]!);
    }
    return high;
  }

  /** kernel: mm/page_alloc.c nr_pcp_free() (5.14–6.6: doubles the batch per free without allocation) */
  private nrPcpFreeFactor(z: ZoneState, set: number, high: number, batch: number, freeHigh: boolean): number {
    if (freeHigh) return z.pcpCount[set]!;
    if (high < batch) return 1;
    const maxNrFree = high - batch;
    const scaled = batch * 2 ** z.pcpFreeCount[set]!;
    if (scaled < maxNrFree) z.pcpFreeCount[set]! += 1;
    return Math.min(Math.max(scaled, batch), maxNrFree);
  }

  /** kernel: mm/page_alloc.c nr_pcp_free() (6.7+) */
  private nrPcpFree(z: ZoneState, set: number, batch: number, high: number, freeHigh: boolean): number {
    if (freeHigh) return Math.min(z.pcpCount[set]!, batch << PCP_BATCH_SCALE_MAX);
    if (high < batch) return 1;
    return Math.min(Math.max(z.pcpFreeCount[set]!, batch), high - batch);
  }

  /**
   * Return `count` pages from a CPU's lists to the buddy, oldest (tail) first, starting with list `pindex`.
   * kernel: mm/page_alloc.c free_pcppages_bulk(); 2.6.24 free_pages_bulk()
   */
  private freePcppagesBulk(z: ZoneState, set: number, count: number, pindex: number): void {
    count = Math.min(count, z.pcpCount[set]!);
    let pi = pindex - 1;
    while (count > 0) {
      let s: number;
      do {
        pi = pi + 1 >= z.nrPcpLists ? 0 : pi + 1;
        s = this.pcpNode(z, set, pi);
      } while (z.listEmpty(s));
      const order = this.pindexToOrder(pi);
      do {
        const i = z.prev[s]!;
        const pfn = i + z.startPfn;
        z.unlink(i);
        z.flags[i] = z.flags[i]! & ~PG_PCP;
        count -= 2 ** order;
        z.pcpCount[set]! -= 2 ** order;
        // 6.10+ re-reads the pageblock type; before, the type recorded when the page entered the list is used
        // (2.6.24's __free_one_page reads the pageblock itself).
        const mt = this.facts.mergeRule === "mergeable-convert" ? z.pageblockMt(pfn) : z.privMt(i);
        this.freeOnePage(z, pfn, order, mt, false);
        this.emit({ event: "mm_page_pcpu_drain", pfn, order, migratetype: mt });
      } while (count > 0 && !z.listEmpty(s));
    }
  }

  /** kernel: mm/page_alloc.c free_frozen_page_commit() (6.15+ name; free_unref_page_commit before); 2.6.24 free_hot_cold_page() */
  private freePcp(z: ZoneState, cpu: number, cold: boolean, pfn: number, order: number): void {
    const f = this.facts;
    const blockMt = z.pageblockMt(pfn);
    let mt = blockMt;
    if (f.pcpModel !== "hot-cold" && mt >= f.pcpTypes) {
      if (mt === f.mt.ISOLATE) {
        this.freeOnePage(z, pfn, order, mt, false);
        return;
      }
      mt = f.mt.MOVABLE;
    }
    const set = this.pcpSet(cpu, cold);
    z.pcpExpire[set] = 3;
    const pindex = this.orderToPindex(mt, order);
    const s = this.pcpNode(z, set, pindex);
    const i = pfn - z.startPfn;
    z.flags[i] = z.flags[i]! | PG_PCP;
    // set_pcppage_migratetype() / page_private: the pageblock's type at free time (HIGHATOMIC stays HIGHATOMIC
    // although the page sits on the MOVABLE list)
    z.setPriv(i, order, blockMt);
    z.link(i, s, cold && f.pcpModel === "order0");
    z.pcpCount[set]! += 2 ** order;
    const batch = z.pcpBatch[set]!;
    if (!f.pcpAutoTune) {
      if (f.pcpFreeRule === "batch") {
        if (z.pcpCount[set]! >= z.pcpHigh[set]!) this.freePcppagesBulk(z, set, batch, f.pcpModel === "hot-cold" ? 0 : pindex);
        return;
      }
      // 5.14–6.6 free_unref_page_commit(): nr_pcp_high() / nr_pcp_free() with pcp->free_factor
      const freeHigh = f.pcpFreeRule === "free-high" && z.pcpFreeCount[set]! > 0 && order > 0 && order <= PAGE_ALLOC_COSTLY_ORDER;
      const high = freeHigh ? 0 : z.pcpHigh[set]!;
      if (z.pcpCount[set]! >= high) this.freePcppagesBulk(z, set, this.nrPcpFreeFactor(z, set, high, batch, freeHigh), pindex);
      return;
    }
    z.pcpAllocFactor[set] = z.pcpAllocFactor[set]! >> 1;
    let freeHigh = false;
    if (order > 0 && order <= PAGE_ALLOC_COSTLY_ORDER) {
      freeHigh = z.pcpFreeCount[set]! >= batch + Math.floor(z.pcpHighMin[set]! / 2) && (z.pcpFlags[set]! & PCPF_PREV_FREE_HIGH_ORDER) !== 0;
      z.pcpFlags[set] = z.pcpFlags[set]! | PCPF_PREV_FREE_HIGH_ORDER;
    } else {
      z.pcpFlags[set] = z.pcpFlags[set]! & ~PCPF_PREV_FREE_HIGH_ORDER;
    }
    if (z.pcpFreeCount[set]! < batch << PCP_BATCH_SCALE_MAX) z.pcpFreeCount[set]! += 2 ** order;
    const high = this.nrPcpHigh(z, set, batch, freeHigh);
    if (z.pcpCount[set]! >= high) {
      this.freePcppagesBulk(z, set, this.nrPcpFree(z, set, batch, high, freeHigh), pindex);
      if (z.belowHigh && this.zoneWatermarkOkZone(z, 0, z.spec.watermark.high + z.watermarkBoost, this.movableZoneIdx(), 0)) z.belowHigh = false;
    }
  }

  private movableZoneIdx(): number {
    const movable = this.zones.find((z) => z.spec.name === "Movable");
    return movable ? movable.spec.zoneIdx : Math.max(...this.zones.map((z) => z.spec.zoneIdx));
  }

  /**
   * Empty per-CPU lists into the buddy lists (one CPU, or all when `cpu` is omitted).
   * kernel: mm/page_alloc.c drain_pages() / drain_all_pages()
   */
  drainPages(cpu?: number): void {
    const cpus = cpu === undefined ? [...Array(this.cpus).keys()] : [cpu];
    for (const c of cpus) {
      this.checkCpu(c);
      for (const z of this.zones) {
        const sets = this.facts.pcpModel === "hot-cold" ? [c * 2, c * 2 + 1] : [c];
        for (const set of sets) if (z.pcpCount[set]! > 0) this.freePcppagesBulk(z, set, z.pcpCount[set]!, 0);
      }
    }
    this.afterOp();
  }

  /**
   * One vmstat interval (vm.stat_interval, 1 s) on `cpu` (default: every CPU): 6.7+ decays each pcp->high towards
   * high_min and frees what exceeds it; on NUMA, a pageset of a remote zone that has been idle for three intervals
   * returns min(count, batch) pages.
   * kernel: mm/vmstat.c refresh_cpu_vm_stats() → decay_pcp_high(), drain_zone_pages()
   */
  vmstatUpdate(cpu?: number): void {
    const cpus = cpu === undefined ? [...Array(this.cpus).keys()] : [cpu];
    for (const c of cpus) {
      this.checkCpu(c);
      for (const z of this.zones) {
        const sets = this.facts.pcpModel === "hot-cold" ? [c * 2, c * 2 + 1] : [c];
        for (const set of sets) {
          if (this.facts.pcpAutoTune && z.pcpHigh[set]! > z.pcpHighMin[set]!) {
            const batch = z.pcpBatch[set]!;
            const high = z.pcpHigh[set]!;
            z.pcpHigh[set] = Math.max(z.pcpCount[set]! - (batch << PCP_BATCH_SCALE_MAX), high - (high >> 3), z.pcpHighMin[set]!);
            if (z.pcpCount[set]! > z.pcpHigh[set]!) this.freePcppagesBulk(z, set, z.pcpCount[set]! - z.pcpHigh[set]!, 0);
          }
          if (this.byNode.size < 2 || !z.pcpExpire[set] || !z.pcpCount[set]) continue;
          if (z.spec.nid === this.cpuToNode[c]) {
            z.pcpExpire[set] = 0;
            continue;
          }
          z.pcpExpire[set]! -= 1;
          if (z.pcpExpire[set]! > 0) continue;
          this.freePcppagesBulk(z, set, Math.min(z.pcpCount[set]!, z.pcpBatch[set]!), 0);
        }
      }
    }
    this.afterOp();
  }

  // ---------------------------------------------------------------- watermarks and the zonelist walk

  /** One live view per zone (getters read the current counters): no object and closure per watermark check. */
  private readonly watermarkViews = new Map<ZoneState, WatermarkZoneView>();

  /** The zone as __zone_watermark_ok sees it (live: the counters are read when the check runs). */
  watermarkView(z: ZoneState): WatermarkZoneView {
    let v = this.watermarkViews.get(z);
    if (v === undefined) {
      v = {
        lowmemReserve: z.spec.lowmemReserve,
        get nrReservedHighatomic() {
          return z.nrReservedHighatomic;
        },
        get nrFreeHighatomic() {
          return z.nrFreeHighatomic;
        },
        nrFreeCma: 0,
        nrFree: z.nrFree,
        hasFree: (order, mt) => !z.listEmpty(z.freeListNode(order, mt)),
      };
      this.watermarkViews.set(z, v);
    }
    return v;
  }

  /** kernel: mm/page_alloc.c zone_watermark_ok() */
  zoneWatermarkOkZone(z: ZoneState, order: number, mark: number, highestZoneIdx: number, allocFlags: number): boolean {
    return zoneWatermarkOk(this.facts, this.bits, this.watermarkView(z), order, mark, highestZoneIdx, allocFlags, z.nrFreePages);
  }

  /** kernel: mm/page_alloc.c zone_watermark_fast() */
  private zoneWatermarkFast(z: ZoneState, order: number, mark: number, highestZoneIdx: number, allocFlags: number): boolean {
    if (this.zoneWatermarkOkZone(z, order, mark, highestZoneIdx, allocFlags)) return true;
    const b = this.bits;
    if (b.wmarkIsIndex && order === 0 && allocFlags & b.MIN_RESERVE && z.watermarkBoost && wmarkIndex(b, allocFlags) === 0) {
      return this.zoneWatermarkOkZone(z, order, z.spec.watermark.min, highestZoneIdx, allocFlags);
    }
    return false;
  }

  private wmarkPages(z: ZoneState, allocFlags: number): number {
    const w = z.spec.watermark;
    const idx = wmarkIndex(this.bits, allocFlags);
    return (idx === 0 ? w.min : idx === 1 ? w.low : w.high) + z.watermarkBoost;
  }

  /** candidateZones() without a nodemask, cached per (node, highest zone index): zonelists are fixed at boot. */
  private readonly zonesCache = new Map<number, readonly ZoneState[]>();
  /** fastPathAllocFlags()'s ALLOC_NOFRAGMENT decision, cached per (node, highest zone index). */
  private readonly noFragmentCache = new Map<number, boolean>();

  private cachedCandidateZones(nid: number, highestZoneIdx: number, nodemask?: readonly number[]): readonly ZoneState[] {
    if (nodemask) return this.candidateZones(nid, highestZoneIdx, nodemask);
    const key = nid * 64 + highestZoneIdx;
    let zones = this.zonesCache.get(key);
    if (zones === undefined) {
      zones = this.candidateZones(nid, highestZoneIdx);
      this.zonesCache.set(key, zones);
    }
    return zones;
  }

  /** The candidate zones of a request: the node's zonelist filtered by highest zone index and nodemask. */
  candidateZones(nid: number, highestZoneIdx: number, nodemask?: readonly number[]): ZoneState[] {
    const list = this.zonelists[nid];
    if (!list) throw new InvalidBuddyArgumentError(`no zonelist for node ${nid}`, "nid");
    const out: ZoneState[] = [];
    for (const ref of list) {
      if (ref.zoneIdx > highestZoneIdx) continue;
      if (nodemask && !nodemask.includes(ref.nid)) continue;
      const z = this.byNode.get(ref.nid)?.[ref.zoneIdx];
      if (z) out.push(z);
    }
    return out;
  }

  /**
   * Walk the zonelist and take a page from the first zone that passes its watermark.
   * kernel: mm/page_alloc.c get_page_from_freelist()
   * @returns pfn or −1
   */
  getPageFromFreelist(order: number, allocFlags: number, req: AllocRequest): number {
    const b = this.bits;
    const cpu = req.cpu ?? 0;
    const nid = req.nid ?? this.cpuToNode[cpu]!;
    const zones = this.cachedCandidateZones(nid, req.highestZoneIdx, req.nodemask);
    const preferred = zones[0];
    if (!preferred) return -1;
    const classzone = this.facts.classzoneIsPreferredZone ? preferred.spec.zoneIdx : req.highestZoneIdx;
    const multiNode = this.byNode.size > 1;
    for (;;) {
      const noFragment = (allocFlags & b.NOFRAGMENT) !== 0;
      let restart = false;
      for (const z of zones) {
        if (z.spec.managedPages === 0) continue;
        if (noFragment && multiNode && z !== preferred && z.spec.nid !== preferred.spec.nid) {
          allocFlags &= ~b.NOFRAGMENT;
          restart = true;
          break;
        }
        let checked = false;
        if (this.facts.pcpAutoTune && !z.belowHigh) {
          if (this.zoneWatermarkFast(z, order, z.spec.watermark.high + z.watermarkBoost, classzone, allocFlags)) checked = true;
          else z.belowHigh = true;
        }
        if (!checked && !(allocFlags & b.NO_WATERMARKS)) {
          if (!this.zoneWatermarkFast(z, order, this.wmarkPages(z, allocFlags), classzone, allocFlags)) continue;
        }
        const pfn = this.rmqueueZone(z, order, allocFlags, req.migratetype, cpu, req.cold ?? false);
        if (pfn >= 0) {
          const highatomic = this.facts.allocFlagsEra === "non-block" ? b.HIGHATOMIC : this.facts.allocFlagsEra === "harder" ? b.NON_BLOCK : 0;
          if (highatomic && allocFlags & highatomic && order > 0) this.reserveHighatomicPageblock(z, pfn, order);
          this.zoneStatistics(preferred, z, cpu);
          z.pgalloc += 2 ** order;
          return pfn;
        }
      }
      if (restart) continue;
      if (allocFlags & b.NOFRAGMENT) {
        allocFlags &= ~b.NOFRAGMENT;
        continue;
      }
      return -1;
    }
  }

  private zoneStatistics(preferred: ZoneState, z: ZoneState, cpu: number): void {
    if (z.spec.nid === preferred.spec.nid) z.numaHit++;
    else {
      z.numaMiss++;
      preferred.numaForeign++;
    }
    if (z.spec.nid === this.cpuToNode[cpu]) z.numaLocal++;
    else z.numaOther++;
  }

  /** kernel: mm/page_alloc.c rmqueue() (+ rmqueue_buddy()); 2.6.24 buffered_rmqueue() */
  private rmqueueZone(z: ZoneState, order: number, allocFlags: number, mt: number, cpu: number, cold: boolean): number {
    const b = this.bits;
    let pfn = -1;
    if (this.pcpAllowedOrder(order)) pfn = this.rmqueuePcplist(z, cpu, cold, order, mt, allocFlags);
    if (pfn < 0 && (this.facts.pcpModel === "high-order" || order > 0)) {
      const HA = this.facts.mt.HIGHATOMIC;
      const era = this.facts.allocFlagsEra;
      if (order > 0 && HA >= 0 && allocFlags & (era === "non-block" ? b.HIGHATOMIC : b.NON_BLOCK)) {
        pfn = this.rmqueueSmallest(z, order, HA);
        if (pfn >= 0 && !this.facts.zoneLockedInSmallest) this.emitZoneLockedOld(pfn, order, mt);
      }
      if (pfn < 0) pfn = this.rmqueue(z, order, mt, allocFlags);
      if (pfn < 0 && era === "non-block" && allocFlags & (b.OOM | b.NON_BLOCK)) pfn = this.rmqueueSmallest(z, order, HA);
    }
    if (pfn < 0) return -1;
    if (allocFlags & b.KSWAPD && z.boosted) this.boostedWake(z);
    const i = pfn - z.startPfn;
    z.flags[i] = (z.flags[i]! | PG_ALLOC) & ~(PG_BUDDY | PG_PCP);
    z.refcount[i] = 1;
    z.setPriv(i, order, mt);
    return pfn;
  }

  /** The fast-path ALLOC_* flags. kernel: mm/page_alloc.c __alloc_pages() + alloc_flags_nofragment() */
  fastPathAllocFlags(req: AllocRequest): number {
    const b = this.bits;
    let flags = b.WMARK_LOW;
    if (this.facts.allocFlagsEra === "2.6.24") return flags | b.CPUSET;
    if (this.facts.noFragment) {
      if (req.kswapdReclaim) flags |= b.KSWAPD;
      const cpu = req.cpu ?? 0;
      const nid = req.nid ?? this.cpuToNode[cpu]!;
      const key = req.nodemask ? -1 : nid * 64 + req.highestZoneIdx;
      let noFragment = key >= 0 ? this.noFragmentCache.get(key) : undefined;
      if (noFragment === undefined) {
        noFragment = false;
        const preferred = this.cachedCandidateZones(nid, req.highestZoneIdx, req.nodemask)[0];
        if (this.hasDma32 && preferred && preferred.spec.name === "Normal") {
          const dma32 = this.nodeZones(preferred.spec.nid).find((z) => z.spec.name === "DMA32");
          if (this.byNode.size === 1 || (dma32 && dma32.spec.presentPages > 0)) noFragment = true;
        }
        if (key >= 0) this.noFragmentCache.set(key, noFragment);
      }
      if (noFragment) flags |= b.NOFRAGMENT;
    }
    return flags;
  }

  /**
   * The slow path's ALLOC_* flags for a request (for a slow-path hook).
   * kernel: mm/page_alloc.c gfp_to_alloc_flags() (2.6.24: the flags of __alloc_pages()'s second attempt)
   *
   * @param req - the decoded request (directReclaim, high, atomic, noMemalloc, kswapdReclaim)
   * @param order - requested order
   * @param ctx - rtTask: the caller is a realtime task; inInterrupt: called from interrupt context; cma: CONFIG_CMA
   * @returns the ALLOC_* flags (the rule is {@link gfpToAllocFlags}, the pure function)
   */
  gfpToAllocFlags(req: AllocRequest, order: number, ctx: GfpToAllocFlagsContext = {}): number {
    const g = ctx.cma ? { ...req, movable: req.migratetype === this.facts.mt.MOVABLE } : req;
    return gfpToAllocFlagsFromFacts(g, order, this.facts, ctx);
  }

  /**
   * Allocate 2^order pages (fast path; the slow-path hook on failure).
   * kernel: mm/page_alloc.c __alloc_pages() / __alloc_frozen_pages(); 2.6.24 __alloc_pages()
   *
   * @returns the first pfn, or −1
   * @throws {InvalidBuddyArgumentError} for a bad order, CPU, node or migratetype
   */
  allocPagesRequest(req: AllocRequest, order: number): number {
    this.checkOrderArg(order);
    const cpu = req.cpu ?? 0;
    this.checkCpu(cpu);
    if (!Number.isInteger(req.migratetype) || req.migratetype < 0 || req.migratetype >= this.facts.pcpTypes) {
      throw new InvalidBuddyArgumentError(`migratetype ${req.migratetype} is not an allocation type`, "request.migratetype");
    }
    if (!Number.isInteger(req.highestZoneIdx) || req.highestZoneIdx < 0) throw new InvalidBuddyArgumentError("highestZoneIdx must be ≥ 0", "request.highestZoneIdx");
    if (req.nid !== undefined && !this.zonelists[req.nid]) throw new InvalidBuddyArgumentError(`no node ${req.nid}`, "request.nid");
    const r: AllocRequest = this.mobilityDisabled ? { ...req, migratetype: this.facts.mt.UNMOVABLE } : req;
    const flags = this.fastPathAllocFlags(r);
    let pfn = order >= this.nrOrders ? -1 : this.getPageFromFreelist(order, flags, r);
    if (pfn < 0 && order < this.nrOrders && this.opts.slowPath) pfn = this.opts.slowPath({ allocator: this, order, request: r, allocFlags: flags });
    if (this.opts.trace) this.emit({ event: "mm_page_alloc", pfn, order, gfp: r.gfp ?? 0, migratetype: r.migratetype });
    this.afterOp();
    return pfn;
  }

  /**
   * Allocate with a GFP mask (needs the `gfp` decoder option).
   * @throws {InvalidBuddyArgumentError} when no decoder was configured
   */
  allocPages(gfp: number, order: number, opts: { nid?: number; cpu?: number; nodemask?: readonly number[] } = {}): number {
    if (!this.opts.gfp) throw new InvalidBuddyArgumentError("allocPages(gfp) needs the gfp decoder option; use allocPagesRequest", "options.gfp");
    if (order === 0 && opts.nodemask === undefined) {
      const pfn = this.allocOrder0Fast(gfp, opts.nid, opts.cpu ?? 0);
      if (pfn >= 0) return pfn;
    }
    // One object literal of a fixed shape: spreading the decoded mask and the options into a new object
    // cost ~20 µs per call in V8 (bench/: order0-pcp), more than the allocation itself.
    const d = this.opts.gfp(gfp);
    return this.allocPagesRequest(
      {
        highestZoneIdx: d.highestZoneIdx,
        migratetype: d.migratetype,
        gfp,
        kswapdReclaim: d.kswapdReclaim,
        cold: d.cold,
        directReclaim: d.directReclaim,
        high: d.high,
        atomic: d.atomic,
        noMemalloc: d.noMemalloc,
        nid: opts.nid,
        cpu: opts.cpu,
        nodemask: opts.nodemask,
      },
      order,
    );
  }

  /**
   * Free 2^order pages at pfn (which must be an allocated block of exactly that order).
   * kernel: mm/page_alloc.c __free_pages() → free_frozen_pages / __free_pages_ok(); 2.6.24 free_hot_cold_page()
   *
   * @throws {BadPageFreeError} when the block is not allocated with that order (nothing changes)
   */
  freePages(pfn: number, order: number, opts: { cpu?: number; cold?: boolean; toTail?: boolean; bypassPcp?: boolean } = {}): void {
    if (order === 0 && opts.bypassPcp !== true && opts.cold !== true && this.freeOrder0Fast(pfn, opts.cpu ?? 0)) return;
    this.checkOrderArg(order);
    const cpu = opts.cpu ?? 0;
    this.checkCpu(cpu);
    const z = this.zoneOfPfn(pfn);
    if (!z || !Number.isSafeInteger(pfn)) throw new BadPageFreeError(`pfn ${pfn} is in no zone`, "pfn");
    const i = pfn - z.startPfn;
    if (!(z.flags[i]! & PG_ALLOC)) throw new BadPageFreeError(`pfn ${pfn} is not an allocated block (flags 0x${z.flags[i]!.toString(16)})`, "pfn");
    if (z.order(i) !== order) throw new BadPageFreeError(`pfn ${pfn} was allocated with order ${z.order(i)}, freed with order ${order}`, "order");
    z.flags[i] = z.flags[i]! & ~PG_ALLOC;
    z.refcount[i] = 0;
    if (this.opts.trace) this.emit({ event: "mm_page_free", pfn, order });
    this.pgfree += 2 ** order;
    // __free_pages_ok(FPI_TO_TAIL) callers (alloc_pages_exact's tail, memory onlining) bypass the pcp lists.
    if (this.pcpAllowedOrder(order) && !opts.bypassPcp) this.freePcp(z, cpu, opts.cold ?? false, pfn, order);
    else this.freeOnePageSplit(z, pfn, order, opts.toTail ?? false);
    this.afterOp();
  }

  // ---------------------------------------------------------------- the fused order-0 paths

  /**
   * The fused order-0 allocation: when the preferred zone passes its watermark and the CPU's per-cpu list of the
   * request's migratetype holds a page, take that page with the layered path's bookkeeping done inline (pcp
   * counters, page flags, zone statistics, pgalloc). Anything else (an empty list that needs a refill, a failed
   * watermark check, a mask or argument the layered path would reject, tracing, invariant checking) returns −1 with
   * nothing changed, and the caller takes the layered path: the outcome is the same either way.
   * kernel: mm/page_alloc.c get_page_from_freelist() → rmqueue() → rmqueue_pcplist() (an order-0 hit on the
   * per-cpu list)
   *
   * @internal {@link BuddyAllocator.allocPages} and the page API call it
   * @param gfp - the GFP mask (decoded with the `gfp` option)
   * @param nid - the preferred node (default: the CPU's node)
   * @param cpu - the allocating CPU
   * @returns the pfn, or −1 when the fused path does not apply
   */
  allocOrder0Fast(gfp: number, nid: number | undefined, cpu: number): number {
    if (!this.fast0 || !(cpu >= 0 && cpu < this.cpus && (cpu | 0) === cpu)) return -1;
    const node = nid ?? this.cpuToNode[cpu]!;
    if (!(node >= 0 && node < 1024 && (node | 0) === node) || gfp >>> 0 !== gfp) return -1;
    const key = gfp * 1024 + node;
    let r = this.lastRoute;
    if (key !== this.lastRouteKey || r === null) {
      r = this.order0Routes.get(key) ?? this.order0Route(gfp, node, key);
      this.lastRouteKey = key;
      this.lastRoute = r;
    }
    const z = r.zone;
    if (z === null) return -1;
    // pcp->lists[order_to_pindex(mt, 0)]: the index is the migratetype for order 0 (5.14+ and 2.6.25–5.13 alike).
    const s = z.pcpBase + cpu * z.nrPcpLists + r.mt;
    if (z.next[s] === s) return -1;
    // get_page_from_freelist(): 6.7+ checks the high watermark while the zone is not ZONE_BELOW_HIGH; a failure
    // sets that flag, which the layered path does.
    const w = r.watermark;
    const mark = (this.facts.pcpAutoTune && !z.belowHigh ? w.high : r.wmarkIdx === 0 ? w.min : r.wmarkIdx === 1 ? w.low : w.high) + z.watermarkBoost;
    if (r.wmHighatomic >= 0) {
      const free = z.nrFreePages - (r.wmHighatomic === 1 ? z.nrFreeHighatomic : r.wmHighatomic === 2 ? z.nrReservedHighatomic : 0);
      if (free <= mark + (r.lowmemReserve[r.classzone] ?? 0)) return -1;
    } else if (!this.zoneWatermarkFast(z, 0, mark, r.classzone, r.allocFlags)) {
      return -1;
    }
    // rmqueue_pcplist()
    const i = r.takeTail ? z.prev[s]! : z.next[s]!;
    z.pcpExpire[cpu] = 3;
    if (this.facts.pcpAutoTune || this.facts.pcpFreeRule !== "batch") z.pcpFreeCount[cpu] = z.pcpFreeCount[cpu]! >> 1;
    z.unlink(i);
    z.pcpCount[cpu]! -= 1;
    // rmqueue()
    if (r.allocFlags & this.bits.KSWAPD && z.boosted) this.boostedWake(z);
    z.flags[i] = (z.flags[i]! | PG_ALLOC) & ~(PG_BUDDY | PG_PCP);
    z.refcount[i] = 1;
    z.setPriv(i, 0, r.mt);
    // zone_statistics() with the preferred zone serving, and __count_zid_vm_events(PGALLOC)
    z.numaHit++;
    if (z.spec.nid === this.cpuToNode[cpu]) z.numaLocal++;
    else z.numaOther++;
    z.pgalloc += 1;
    return i + z.startPfn;
  }

  /** The fused path's route of (mask, node); a zone of null when the layered path must serve (or reject) the mask. */
  private order0Route(gfp: number, node: number, key: number): Order0Route {
    let route: Order0Route = { zone: null, mt: 0, allocFlags: 0, classzone: 0, takeTail: false, wmarkIdx: 0, watermark: { min: 0, low: 0, high: 0 }, lowmemReserve: [], wmHighatomic: -1 };
    const d = this.opts.gfp?.(gfp);
    const validMt = d !== undefined && Number.isInteger(d.migratetype) && d.migratetype >= 0 && d.migratetype < this.facts.pcpTypes;
    if (validMt && Number.isInteger(d.highestZoneIdx) && d.highestZoneIdx >= 0 && this.zonelists[node]) {
      const mt = this.mobilityDisabled ? this.facts.mt.UNMOVABLE : d.migratetype;
      const preferred = this.cachedCandidateZones(node, d.highestZoneIdx)[0];
      if (preferred && preferred.spec.managedPages > 0) {
        const b = this.bits;
        const f = this.facts;
        const allocFlags = this.fastPathAllocFlags({ highestZoneIdx: d.highestZoneIdx, migratetype: mt, kswapdReclaim: d.kswapdReclaim, nid: node });
        const plain = (allocFlags & (b.NO_WATERMARKS | b.MIN_RESERVE | b.NON_BLOCK | b.OOM | b.RESERVES | b.CMA)) === 0;
        route = {
          zone: preferred,
          mt,
          allocFlags,
          classzone: f.classzoneIsPreferredZone ? preferred.spec.zoneIdx : d.highestZoneIdx,
          takeTail: (d.cold ?? false) && f.pcpModel === "order0",
          wmarkIdx: wmarkIndex(b, allocFlags),
          watermark: preferred.spec.watermark,
          lowmemReserve: preferred.spec.lowmemReserve,
          wmHighatomic: !plain ? -1 : f.watermarkAlgorithm === "per-order-loop" ? 0 : f.allocFlagsEra === "non-block" && f.subtractFreeHighatomic ? 1 : 2,
        };
      }
    }
    if (this.order0Routes.size >= 4096) this.order0Routes.clear();
    this.order0Routes.set(key, route);
    return route;
  }

  /**
   * The fused order-0 free: an allocated order-0 page goes straight to the CPU's per-cpu list (high/batch drain
   * included), without the layered path's argument objects. Returns false with nothing changed when the page is not
   * an allocated order-0 block or the arguments are ones the layered path rejects; the caller then takes that path.
   * kernel: mm/page_alloc.c __free_pages() → free_frozen_pages() → free_frozen_page_commit() (order 0)
   *
   * @internal {@link BuddyAllocator.freePages} and the page API call it
   * @param pfn - the page
   * @param cpu - the freeing CPU
   * @returns whether the page was freed
   */
  freeOrder0Fast(pfn: number, cpu: number): boolean {
    if (!this.fast0 || !(cpu >= 0 && cpu < this.cpus && (cpu | 0) === cpu)) return false;
    const z = this.zoneOfPfn(pfn);
    if (z === undefined || !Number.isSafeInteger(pfn)) return false;
    const i = pfn - z.startPfn;
    const fl = z.flags[i]!;
    if (!(fl & PG_ALLOC) || z.order(i) !== 0) return false;
    z.flags[i] = fl & ~PG_ALLOC;
    z.refcount[i] = 0;
    this.pgfree += 1;
    this.freePcp0(z, cpu, pfn);
    return true;
  }

  /**
   * {@link BuddyAllocator.freePcp} of an order-0 page on the lists of 2.6.25+ (one list per migratetype and order),
   * with the order folded in: the fused free's commit.
   * kernel: mm/page_alloc.c free_frozen_page_commit() (free_unref_page_commit() before 6.15, free_hot_cold_page()
   * before 4.14), order 0
   */
  private freePcp0(z: ZoneState, cpu: number, pfn: number): void {
    const f = this.facts;
    const blockMt = z.pageblockMt(pfn);
    let mt = blockMt;
    if (mt >= f.pcpTypes) {
      if (mt === f.mt.ISOLATE) {
        this.freeOnePage(z, pfn, 0, mt, false);
        return;
      }
      mt = f.mt.MOVABLE;
    }
    z.pcpExpire[cpu] = 3;
    const i = pfn - z.startPfn;
    z.flags[i] = z.flags[i]! | PG_PCP;
    z.setPriv(i, 0, blockMt);
    z.link(i, z.pcpBase + cpu * z.nrPcpLists + mt, false);
    const count = z.pcpCount[cpu]! + 1;
    z.pcpCount[cpu] = count;
    const batch = z.pcpBatch[cpu]!;
    if (!f.pcpAutoTune) {
      // pcp->high, then (5.14–6.6) nr_pcp_free() with free_factor; order 0 is never free_high
      const high = z.pcpHigh[cpu]!;
      if (count >= high) this.freePcppagesBulk(z, cpu, f.pcpFreeRule === "batch" ? batch : this.nrPcpFreeFactor(z, cpu, high, batch, false), mt);
      return;
    }
    z.pcpAllocFactor[cpu] = z.pcpAllocFactor[cpu]! >> 1;
    z.pcpFlags[cpu] = z.pcpFlags[cpu]! & ~PCPF_PREV_FREE_HIGH_ORDER;
    if (z.pcpFreeCount[cpu]! < batch << PCP_BATCH_SCALE_MAX) z.pcpFreeCount[cpu]! += 1;
    const high = this.nrPcpHigh(z, cpu, batch, false);
    if (count >= high) {
      this.freePcppagesBulk(z, cpu, this.nrPcpFree(z, cpu, batch, high, false), mt);
      if (z.belowHigh && this.zoneWatermarkOkZone(z, 0, z.spec.watermark.high + z.watermarkBoost, this.movableZoneIdx(), 0)) z.belowHigh = false;
    }
  }

  /**
   * Free a batch of order-0 pages the way page-cache/LRU releases do: every page traces mm_page_free first
   * (free_pages_prepare), then each traces mm_page_free_batched as it is committed to the per-cpu list.
   * kernel: mm/page_alloc.c free_unref_folios() (free_unref_page_list() before 6.10)
   * @throws {BadPageFreeError} when a page is not an allocated order-0 block (nothing changes)
   */
  freePagesBatched(pfns: readonly number[], opts: { cpu?: number } = {}): void {
    const cpu = opts.cpu ?? 0;
    this.checkCpu(cpu);
    const seen = new Set<number>();
    for (const pfn of pfns) {
      const z = this.zoneOfPfn(pfn);
      const i = z ? pfn - z.startPfn : -1;
      if (!z || !(z.flags[i]! & PG_ALLOC) || z.order(i) !== 0 || seen.has(pfn)) throw new BadPageFreeError(`pfn ${pfn} is not an allocated order-0 page`, "pfns");
      seen.add(pfn);
    }
    for (const pfn of pfns) {
      const z = this.zoneOfPfn(pfn)!;
      const i = pfn - z.startPfn;
      z.flags[i] = z.flags[i]! & ~PG_ALLOC;
      z.refcount[i] = 0;
      this.emit({ event: "mm_page_free", pfn, order: 0 });
      this.pgfree += 1;
    }
    for (const pfn of pfns) {
      this.emit({ event: "mm_page_free_batched", pfn });
      this.freePcp(this.zoneOfPfn(pfn)!, cpu, false, pfn, 0);
    }
    this.afterOp();
  }

  /**
   * The order of the free block whose head is `pfn` on the buddy free lists, or −1 when `pfn` is not such a head
   * (allocated, on a per-cpu list, inside a larger free block, reserved or a hole).
   * kernel: include/linux/page-flags.h PageBuddy() + mm/internal.h buddy_order()
   */
  pageBuddyOrder(pfn: number): number {
    const z = this.zoneOfPfn(pfn);
    if (!z) return -1;
    const i = pfn - z.startPfn;
    return z.flags[i]! & PG_BUDDY ? z.order(i) : -1;
  }

  /**
   * The order of the allocated block whose head is `pfn`, or −1 when `pfn` is not the head of an allocated block.
   * The slow path's compaction scanner uses it to step over allocated blocks.
   * kernel: include/linux/mm.h compound_order() of an allocated page (PageBuddy clear, refcount ≥ 1)
   */
  allocatedOrder(pfn: number): number {
    const z = this.zoneOfPfn(pfn);
    if (!z) return -1;
    const i = pfn - z.startPfn;
    return z.flags[i]! & PG_ALLOC ? z.order(i) : -1;
  }

  /**
   * Take the free block whose head is `pfn` off its buddy free list and hand it out as 2^order allocated order-0
   * pages (each with refcount 1 and the allocation type `mt`), for compaction's free scanner. The caller does
   * the watermark check; nothing changes when `pfn` is not the head of a free buddy block.
   * kernel: mm/page_alloc.c __isolate_free_page() + split_page()
   *
   * @returns the order of the isolated block, or −1
   */
  isolateFreePage(pfn: number, mt: number): number {
    const z = this.zoneOfPfn(pfn);
    if (!z) return -1;
    const i = pfn - z.startPfn;
    if (!(z.flags[i]! & PG_BUDDY)) return -1;
    const order = z.order(i);
    this.delFromFreeList(z, i);
    for (let k = 0; k < 2 ** order; k++) {
      z.flags[i + k] = (z.flags[i + k]! | PG_ALLOC) & ~(PG_BUDDY | PG_PCP);
      z.refcount[i + k] = 1;
      z.setPriv(i + k, 0, mt);
    }
    this.afterOp();
    return order;
  }

  /**
   * The page's flag byte (`PG_BUDDY`, `PG_PCP`, `PG_ALLOC`, `PG_RESERVED`, `PG_HOLE`); `PG_HOLE` for a pfn no zone
   * spans. Read-only: the allocator alone changes page state.
   * kernel: include/linux/page-flags.h PageBuddy(), PageReserved(), pfn_valid()
   *
   * @example
   * ```ts
   * import { bootBuddy, PG_ALLOC } from "@pagealloc/buddy";
   * const zone = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024,
   *   watermark: { min: 0, low: 0, high: 0 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
   * const a = bootBuddy([zone]);
   * const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 0 }, 3);
   * console.log((a.pageFlags(pfn) & PG_ALLOC) !== 0, a.pageFlags(5000)); // => true 4
   * ```
   */
  pageFlags(pfn: number): number {
    const z = this.zoneOfPfn(pfn);
    return z ? z.flags[pfn - z.startPfn]! : PG_HOLE;
  }

  /**
   * Take the 2^order pages at `pfn` off the buddy allocator: the free block containing them leaves its free list,
   * is broken down around them with the other halves put back at the heads of the same type's lists, and the
   * pages become an allocated block of `order` (reference count 1, the list's migratetype), as after rmqueue(), so
   * `freePages(pfn, order)` gives them back. Nothing changes when they are not wholly inside one free buddy block
   * (allocated, on a per-cpu list, reserved, a hole, or in no zone). Used to replay recorded allocations at their
   * recorded pfns. The kernel takes one page (memory-failure handling) and marks it HWPoison instead.
   * kernel: mm/page_alloc.c take_page_off_buddy() + break_down_buddy_pages()
   *
   * @param pfn - first pfn, aligned to 2^order
   * @param order - the block's order
   * @returns true when the pages were taken
   * @throws {InvalidBuddyArgumentError} for a bad order or a pfn that is not an integer aligned to 2^order (nothing changes)
   * @example
   * ```ts
   * import { bootBuddy } from "@pagealloc/buddy";
   * const zone = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024,
   *   watermark: { min: 0, low: 0, high: 0 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
   * const a = bootBuddy([zone]);
   * // pfn 5 lies in the free order-10 block at 0: the rest goes back as free blocks of order 9 … 3 (at 512 … 8),
   * // 2 (at 0), 1 (at 6) and 0 (at 4)
   * console.log(a.takePageOffBuddy(5, 0), a.takePageOffBuddy(5, 0), a.pageBuddyOrder(4), a.pageBuddyOrder(6), a.zone(0, 2).nrFreePages); // => true false 0 1 1023
   * ```
   */
  takePageOffBuddy(pfn: number, order: number): boolean {
    this.checkOrderArg(order);
    if (!Number.isSafeInteger(pfn) || pfn < 0 || pfn % 2 ** order !== 0) throw new InvalidBuddyArgumentError(`pfn ${pfn} is not a pfn aligned to order ${order}`, "pfn");
    const z = this.zoneOfPfn(pfn);
    if (!z || pfn + 2 ** order > z.endPfn) return false;
    for (let o = order; o < this.nrOrders; o++) {
      const head = pfn - (pfn % 2 ** o);
      if (head < z.startPfn) return false;
      const i = head - z.startPfn;
      const fl = z.flags[i]!;
      if (fl & PG_BUDDY) {
        // A free block holding pfn has its head at pfn rounded down to its order, so it is the first free head met.
        let high = z.order(i);
        if (high < o) return false;
        const mt = z.privMt(i);
        this.delFromFreeList(z, i);
        // break_down_buddy_pages(): keep the half holding the target, put the other one on the free list.
        let cur = head;
        while (high > order) {
          high--;
          const half = 2 ** high;
          if (pfn >= cur + half) {
            this.addToFreeList(z, cur - z.startPfn, high, mt, false);
            cur += half;
          } else this.addToFreeList(z, cur + half - z.startPfn, high, mt, false);
        }
        const t = pfn - z.startPfn;
        z.flags[t] = (z.flags[t]! | PG_ALLOC) & ~(PG_BUDDY | PG_PCP);
        z.refcount[t] = 1;
        z.setPriv(t, order, mt);
        this.afterOp();
        return true;
      }
      // An allocated or per-cpu block, a reserved page or a hole at this head: no free block can hold pfn.
      if (fl & (PG_ALLOC | PG_PCP | PG_RESERVED | PG_HOLE)) return false;
    }
    return false;
  }

  /**
   * Split an allocated block of `order` at `pfn` into two allocated halves of `order - 1`: the lower half keeps
   * its reference count, the upper half gets `upperRefcount`. The building block of split_page() (every page
   * becomes its own order-0 allocation) and of __free_pages() freeing the tail of a block whose head is still
   * referenced (5.10+).
   * kernel: mm/page_alloc.c split_page(), __free_pages()
   *
   * @throws {BadPageFreeError} when `pfn` is not an allocated block of exactly `order` (nothing changes)
   */
  splitAllocated(pfn: number, order: number, upperRefcount: number): void {
    this.checkOrderArg(order);
    const z = this.zoneOfPfn(pfn);
    if (!z || !Number.isSafeInteger(pfn)) throw new BadPageFreeError(`pfn ${pfn} is in no zone`, "pfn");
    const i = pfn - z.startPfn;
    if (!(z.flags[i]! & PG_ALLOC)) throw new BadPageFreeError(`pfn ${pfn} is not an allocated block (flags 0x${z.flags[i]!.toString(16)})`, "pfn");
    if (z.order(i) !== order || order === 0) throw new BadPageFreeError(`pfn ${pfn} is an order-${z.order(i)} block, not a splittable order-${order} block`, "order");
    const mt = z.privMt(i);
    const upper = i + 2 ** (order - 1);
    z.setPriv(i, order - 1, mt);
    z.setPriv(upper, order - 1, mt);
    z.flags[upper] = z.flags[upper]! | PG_ALLOC;
    z.refcount[upper] = upperRefcount;
  }

  // ---------------------------------------------------------------- helpers

  private checkOrderArg(order: number): void {
    if (!Number.isInteger(order) || order < 0 || order > 31) throw new InvalidBuddyArgumentError(`order ${order} is not a valid order`, "order");
  }

  private checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) throw new InvalidBuddyArgumentError(`cpu ${cpu} outside 0..${this.cpus - 1}`, "cpu");
  }

  private emitExtfrag(z: ZoneState, pfn: number, allocOrder: number, fallbackOrder: number, allocMt: number, fallbackMt: number): void {
    this.emit({
      event: "mm_page_alloc_extfrag",
      pfn,
      allocOrder,
      fallbackOrder,
      pageblockOrder: this.pageblockOrder,
      allocMigratetype: allocMt,
      fallbackMigratetype: fallbackMt,
      changeOwnership: z.pageblockMt(pfn) === allocMt,
    });
  }

  private emit(e: BuddyTraceEvent): void {
    if (this.opts.trace && this.facts.traceEvents) this.opts.trace(e);
  }

  /** Runs checkInvariants() when the allocator was booted with `checkInvariants: true`. */
  private afterOp(): void {
    if (this.opts.checkInvariants) checkInvariants(this);
  }
}

/** Sorted, non-overlapping ranges minus sorted, non-overlapping ranges. */
function subtractRanges(from: readonly PfnRange[], cut: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of from) {
    let start = r.startPfn;
    for (const c of cut) {
      if (c.endPfn <= start || c.startPfn >= r.endPfn) continue;
      if (c.startPfn > start) out.push({ startPfn: start, endPfn: c.startPfn });
      start = Math.max(start, c.endPfn);
    }
    if (start < r.endPfn) out.push({ startPfn: start, endPfn: r.endPfn });
  }
  return out;
}

function intersectRanges(a: readonly PfnRange[], b: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const s = Math.max(x.startPfn, y.startPfn);
      const e = Math.min(x.endPfn, y.endPfn);
      if (s < e) out.push({ startPfn: s, endPfn: e });
    }
  }
  return out;
}

function rangePages(ranges: readonly PfnRange[]): number {
  return ranges.reduce((s, r) => s + r.endPfn - r.startPfn, 0);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function ctz(n: number): number {
  let c = 0;
  while (n % 2 === 0) {
    n /= 2;
    c++;
  }
  return c;
}

function defaultZonelists(zones: readonly ZoneState[], nids: number[]): Record<number, ZoneRef[]> {
  const out: Record<number, ZoneRef[]> = {};
  for (const nid of nids) {
    const order = [nid, ...nids.filter((n) => n !== nid)];
    const list: ZoneRef[] = [];
    for (const n of order) {
      const own = zones.filter((z) => z.spec.nid === n && z.spec.presentPages > 0).sort((a, b) => b.spec.zoneIdx - a.spec.zoneIdx);
      for (const z of own) list.push({ nid: n, zoneIdx: z.spec.zoneIdx });
    }
    out[nid] = list;
  }
  return out;
}

/**
 * Boot the buddy allocator: mem_map init (all pageblocks MOVABLE, everything reserved), then every managed
 * page freed into the free lists as the kernel's boot path does (memblock_free_all; 2.6.24 free_all_bootmem).
 * kernel: mm/mm_init.c memmap_init_zone(), mm/memblock.c memblock_free_all()
 *
 * @param zones - zone specs, or a ZoneSet from `@pagealloc/zones`
 * @param options - version, CPUs, pageblock order, hooks
 * @returns the allocator
 * @throws {InvalidZoneSpecError} when a zone description is inconsistent
 * @example
 * ```ts
 * import { bootBuddy, renderBuddyinfo } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 32, low: 40, high: 48 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * console.log(renderBuddyinfo(a).trim()); // => Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      4
 * ```
 */
export function bootBuddy(zones: readonly BuddyZoneSpec[] | BuddyZoneSetLike, options: BootBuddyOptions = {}): BuddyAllocator {
  const specs = Array.isArray(zones) ? (zones as readonly BuddyZoneSpec[]) : (zones as BuddyZoneSetLike).nodes.flatMap((n) => n.zones);
  return new BuddyAllocator(specs, options);
}
