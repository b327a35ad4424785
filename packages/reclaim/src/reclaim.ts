import type { AllocRequest, BuddyAllocator, SlowPathHook, ZoneState } from "@pagealloc/buddy";
import { extfragIndex, zoneWatermarkOk } from "@pagealloc/buddy";
import {
  gfpAllowsFs,
  gfpAllowsIo,
  gfpFlags,
  gfpNoFail,
  gfpNoRetry,
  gfpNoWarn,
  gfpRetryMayFail,
  gfpThisNode,
  parseGfp,
} from "@pagealloc/gfp";
import {
  COMPACT_MAX_DEFER_SHIFT,
  COMPACT_PRIO_ASYNC,
  type CompactResult,
  DEF_COMPACT_PRIORITY,
  DEF_PRIORITY,
  INIT_COMPACT_PRIORITY,
  MAX_COMPACT_RETRIES,
  MAX_RECLAIM_RETRIES,
  MIN_COMPACT_COSTLY_PRIORITY,
  MIN_COMPACT_PRIORITY,
  PAGE_ALLOC_COSTLY_ORDER,
  SWAP_CLUSTER_MAX,
  COMPACT_CLUSTER_MAX,
} from "./constants";
import { InvalidReclaimArgumentError, NofailStallError } from "./errors";
import {
  type EvictReason,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  LRU_SLAB,
  MemoryUseModel,
  PageUse,
  type PageUseValue,
} from "./memory-use";
import { type OomDecision, type OomTask, selectBadProcess } from "./oom";
import { type ReclaimTraceEvent, traceEventExists, vmscanTraceFormats } from "./trace";
import { type ReclaimStateData, type WarnRatelimitStateData, checkReclaimState } from "./state";
import { type ReclaimVersionFacts, type WarnRatelimitFacts, reclaimVersionFacts, warnRatelimitFacts } from "./version";
import { renderWarnAlloc } from "./warn-alloc";

/** Options of {@link createReclaim}. */
export interface ReclaimOptions {
  /** Swap space in pages (default 0: no swap, anonymous memory cannot be reclaimed). */
  readonly swapPages?: number;
  /** vm.swappiness (default 60). */
  readonly swappiness?: number;
  /** CONFIG_COMPACTION (default: on where the version has it, 2.6.35+). */
  readonly compaction?: boolean;
  /** vm.extfrag_threshold (default 500). */
  readonly extfragThreshold?: number;
  /** The workload's tasks, for the OOM decision. */
  readonly tasks?: readonly OomTask[];
  /**
   * Called with the OOM killer's choice. Return true when the victim's memory was freed (the caller freed it):
   * the slow path then retries. Without it (or returning false) the request ends with the OOM outcome: the model
   * never frees memory on its own.
   */
  readonly oomKill?: (decision: OomDecision) => boolean;
  /** The current task (for warn_alloc's line and dump_stack): default `{ comm: "sim", pid: 1 }`. */
  readonly current?: { readonly comm: string; readonly pid: number };
  /** Called for a recorded block reclaim freed (its owner must drop it). */
  readonly onEvict?: (pfn: number, owner: number, reason: EvictReason) => void;
  /** Called for a recorded block compaction moved (its owner must use the new pfn). */
  readonly onMigrate?: (from: number, to: number, owner: number) => void;
  /** Receives every slow-path trace event. */
  readonly trace?: (event: ReclaimTraceEvent) => void;
  /**
   * Also emit the per-batch reclaim events `mm_vmscan_lru_shrink_inactive` (2.6.37+) and `mm_shrink_slab_start` /
   * `_end` (3.1+): many events per reclaim pass, enabled separately as in the kernel (default false).
   */
  readonly traceDetail?: boolean;
  /** Receives every warn_alloc report (the kernel log text, one string per report). */
  readonly onReport?: (text: string) => void;
  /**
   * Receives the other kernel log lines of the slow path: the rate limiter's `warn_alloc: N callbacks suppressed`
   * (`printk: N messages suppressed.` on 2.6.24), printed just before the report it precedes.
   */
  readonly onLog?: (text: string) => void;
  /** Render the warn_alloc report (default true; the text is built from the state at failure). */
  readonly renderReport?: (ctx: FailureContext) => string;
  /** Slow-path loops after which a request the kernel would keep retrying is stopped (default 64). */
  readonly maxLoops?: number;
  /**
   * The arch's zone types in enum zone_type order, for the per-zone counters (`allocstall_normal` …). Default: the
   * allocator's zone names by index, x86_64's layout (DMA, DMA32, Normal, Movable, Device) elsewhere.
   */
  readonly zoneTypes?: readonly string[];
  /** The task is a realtime task (gfp_to_alloc_flags gives it ALLOC_MIN_RESERVE, 6.3+). */
  readonly rtTask?: boolean;
  /** The task runs with PF_MEMALLOC (reclaim context): ALLOC_NO_WATERMARKS, no direct reclaim. */
  readonly pfMemalloc?: boolean;
}

/** How a slow-path request ended. */
export type SlowPathResult = "success" | "nopage" | "oom" | "livelock";

/** What one slow-path call did, step by step (for tests, the CLI and the playground). */
export interface SlowPathOutcome {
  readonly gfp: number;
  readonly order: number;
  result: SlowPathResult;
  pfn: number;
  /** Steps in order: `wake_kswapd`, `get_page_from_freelist:min`, `compact:async`, `direct_reclaim:N`, `oom:<comm>` … */
  readonly steps: string[];
  /** ALLOC_* flags of the successful attempt (or the last one). */
  allocFlags: number;
  /** Why the request failed, in the kernel's terms, when it did. */
  reason?: string;
  oom?: OomDecision;
  /** The warn_alloc text, when one was printed. */
  report?: string;
  /** The rate limiter's suppressed-messages line printed before the report, when there was one. */
  suppressedLine?: string;
  /** warn_alloc's rate limit kept the report out of the log (the request failed all the same). */
  reportSuppressed?: boolean;
}

/** What a report renderer gets. */
export interface FailureContext {
  readonly reclaim: Reclaim;
  readonly allocator: BuddyAllocator;
  readonly gfp: number;
  readonly order: number;
  readonly request: AllocRequest;
}

interface ScanControl {
  readonly nrToReclaim: number;
  /** The gfp mask of the reclaim (sc->gfp_mask; kswapd: GFP_KERNEL). */
  readonly gfp: number;
  readonly reclaimIdx: number;
  readonly mayWritepage: boolean; // __GFP_FS: dirty page cache can be written back, shrinkers run
  readonly maySwap: boolean; // __GFP_IO: anonymous pages can go to swap
  readonly kswapd: boolean;
  nrScanned: number;
  /** Pages freed, LRU and slab (sc->nr_reclaimed counts the shrinkers' reclaim_state too). */
  nrReclaimed: number;
  /** The part of nrReclaimed the slab shrinkers freed: not in PGSTEAL, which counts LRU pages only. */
  slabReclaimed: number;
}

interface DeferState {
  considered: number;
  deferShift: number;
  orderFailed: number;
}

interface KswapdState {
  order: number;
  highestZoneIdx: number;
  woken: boolean;
  failures: number;
  kcompactdOrder: number;
  kcompactdHighest: number;
  kcompactdWoken: boolean;
}

/** Decoded gfp facts the slow path needs. */
interface SlowGfp {
  readonly gfp: number;
  readonly io: boolean;
  readonly fs: boolean;
  readonly noRetry: boolean;
  readonly retryMayFail: boolean;
  readonly noFail: boolean;
  readonly noWarn: boolean;
  /** __GFP_DMA (warn_alloc's has_managed_dma() check, 5.17+). */
  readonly dma: boolean;
  readonly thisNode: boolean;
  readonly memalloc: boolean;
  readonly noMemalloc: boolean;
  /** __GFP_NO_KSWAPD (2.6.38–4.3, THP). */
  readonly noKswapd: boolean;
  /** __GFP_KSWAPD_RECLAIM (4.4+). */
  readonly kswapdReclaim: boolean;
  /** A THP fault: 4.4–4.6 is_thp_gfp_mask() (GFP_TRANSHUGE without __GFP_KSWAPD_RECLAIM); 3.3–4.3 __GFP_NO_KSWAPD. */
  readonly thp: boolean;
}

const VMSTAT_NAMES = [
  "pgscan_kswapd",
  "pgscan_direct",
  "pgsteal_kswapd",
  "pgsteal_direct",
  "pswpout",
  "pgactivate",
  "pgdeactivate",
  "pageoutrun",
  "pgmigrate_success",
  "pgmigrate_fail",
  "compact_migrate_scanned",
  "compact_free_scanned",
  "compact_isolated",
  "compact_stall",
  "compact_fail",
  "compact_success",
  "compact_daemon_wake",
  "compact_daemon_migrate_scanned",
  "compact_daemon_free_scanned",
  "oom_kill",
] as const;
/** A vm event counter this layer keeps (the names of /proc/vmstat; `allocstall` per zone from ≈4.8, one counter before). */
export type ReclaimVmEvent = (typeof VMSTAT_NAMES)[number] | "allocstall" | `allocstall_${string}`;
const X86_64_ZONE_TYPES = ["DMA", "DMA32", "Normal", "Movable", "Device"];

type MutableRatelimit = { -readonly [K in keyof WarnRatelimitStateData]: WarnRatelimitStateData[K] };
const freshRatelimit = (): MutableRatelimit => ({ clockMs: 0, initialized: false, begin: 0, printed: 0, missed: 0, toks: 0, lastMsg: 0, reportsSuppressed: 0 });

/**
 * The slow path of one machine's allocator: the memory-use model, kswapd and kcompactd per node, direct reclaim,
 * compaction with deferral, the retry rules, the OOM decision and the warn_alloc report. Build it with
 * {@link createReclaim}, pass `reclaim.slowPath` as buddy's `slowPath` option, and `attach` the allocator.
 */
export class Reclaim {
  readonly memory: MemoryUseModel;
  readonly options: ReclaimOptions;
  /** vm event counters (the names of /proc/vmstat). */
  readonly vmstat: Record<(typeof VMSTAT_NAMES)[number], number> & Partial<Record<ReclaimVmEvent, number>>;
  /** The last slow-path call's outcome. */
  lastOutcome: SlowPathOutcome | null = null;
  /** Every warn_alloc report printed so far. */
  readonly reports: string[] = [];
  private a: BuddyAllocator | null = null;
  private facts: ReclaimVersionFacts | null = null;
  private rlFacts: WarnRatelimitFacts | null = null;
  /**
   * nopage_rs (2.6.24: printk_ratelimit's statics; toks and lastMsg in ms), the simulated clock (ms; jiffies at
   * HZ = 1000, advanced only by {@link Reclaim.advanceClock}) and the reports suppressed so far.
   */
  private ratelimit = freshRatelimit();
  /** rmqueue() woke kswapd for a boosted watermark since {@link Reclaim.takeBoostWake} last asked (consumed by the same allocation). */
  private boostWoke = false;
  /**
   * Facts derived from the version and options once, not per call: decoded gfp masks (by mask and the request's
   * noMemalloc), whether each trace event exists, the allocstall counter per reclaim index, kswapd's GFP_KERNEL.
   */
  private readonly derived = {
    gfp: new Map<number, SlowGfp>(),
    events: new Map<string, boolean>(),
    allocstall: new Map<number, ReclaimVmEvent>(),
    gfpKernel: -1,
    kswapdBit: -1,
  };
  private readonly defer = new Map<ZoneState, DeferState>();
  private readonly kswapd = new Map<number, KswapdState>();
  private readonly swappiness: number;
  private inSlowPath = false;

  constructor(options: ReclaimOptions = {}) {
    this.options = options;
    this.memory = new MemoryUseModel({ swapPages: options.swapPages ?? 0 });
    this.swappiness = options.swappiness ?? 60;
    this.vmstat = Object.fromEntries(VMSTAT_NAMES.map((n) => [n, 0])) as Record<(typeof VMSTAT_NAMES)[number], number>;
  }

  /** The slow-path hook for buddy's `slowPath` option. kernel: mm/page_alloc.c __alloc_pages_slowpath() */
  readonly slowPath: SlowPathHook = (ctx) => {
    this.attach(ctx.allocator);
    return this.allocPagesSlowpath(ctx.request, ctx.order).pfn;
  };

  /** Bind the allocator (done by the hook on first use; call it to use the model before any slow path). */
  attach(allocator: BuddyAllocator): this {
    if (this.a === allocator) return this; // the hook attaches on every call: nothing to derive again
    if (this.a && this.a !== allocator) throw new InvalidReclaimArgumentError("this reclaim model is attached to another allocator", "allocator");
    allocator.onBoostedWake = (z) => this.boostedWake(z);
    this.a = allocator;
    this.facts = reclaimVersionFacts(allocator.version);
    this.rlFacts = warnRatelimitFacts(allocator.version);
    return this;
  }

  /** The attached allocator. @throws {InvalidReclaimArgumentError} before attach() */
  get allocator(): BuddyAllocator {
    if (!this.a) throw new InvalidReclaimArgumentError("no allocator attached: call attach() or boot with slowPath", "allocator");
    return this.a;
  }

  /** The version facts of the attached allocator. */
  get versionFacts(): ReclaimVersionFacts {
    return this.facts ?? reclaimVersionFacts(this.allocator.version);
  }

  private get compactionEnabled(): boolean {
    return (this.options.compaction ?? true) && this.versionFacts.compaction;
  }

  /** Hand a trace event to the `trace` option when the version has that tracepoint. */
  private emit(e: ReclaimTraceEvent): void {
    const trace = this.options.trace;
    if (!trace) return;
    let exists = this.derived.events.get(e.event);
    if (exists === undefined) this.derived.events.set(e.event, (exists = traceEventExists(e.event, this.allocator.version)));
    if (exists) trace(e);
  }

  // ------------------------------------------------------------------ memory use

  /**
   * Record what an allocated block is used for (see {@link PageUse}).
   * @throws {InvalidReclaimArgumentError} when pfn is not the head of an allocated block of that order
   */
  markPage(pfn: number, order: number, use: PageUseValue, owner = -1): void {
    const a = this.allocator;
    if (a.allocatedOrder(pfn) !== order) throw new InvalidReclaimArgumentError(`pfn ${pfn} is not an allocated order-${order} block`, "pfn");
    const z = a.zoneOfPfn(pfn)!;
    this.memory.mark(pfn, order, use, { nid: z.spec.nid, zoneIdx: z.spec.zoneIdx, owner });
  }

  private zoneIdxOfPfn(pfn: number): number {
    return this.allocator.zoneOfPfn(pfn)?.spec.zoneIdx ?? 0;
  }

  /** Reclaimable pages of a zone: file LRU, plus anon LRU when swap has room. kernel: mm/vmscan.c zone_reclaimable_pages() */
  zoneReclaimablePages(z: ZoneState): number {
    let n = 0;
    const lists = this.canReclaimAnon() ? [LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE] : [LRU_INACTIVE_FILE, LRU_ACTIVE_FILE];
    for (const l of lists) n += this.lruZonePages(z, l);
    return n;
  }

  /** Pages of LRU list `list` that lie in zone z. kernel: zone_page_state(zone, NR_ZONE_INACTIVE_ANON + lru) */
  lruZonePages(z: ZoneState, list: number): number {
    return this.memory.lruZoneSize(z.spec.nid, z.spec.zoneIdx, list);
  }

  private canReclaimAnon(): boolean {
    return this.memory.swapTotal - this.memory.swapUsed > 0;
  }

  // ------------------------------------------------------------------ reclaim

  /** Free a reclaimed block and tell its owner. kernel: mm/vmscan.c shrink_folio_list() → free_unref_folios() */
  private freeBlock(pfn: number, reason: EvictReason): void {
    const m = this.memory;
    const order = m.orderOfPfn(pfn);
    const owner = m.ownerOfPfn(pfn);
    m.forget(pfn);
    this.allocator.freePages(pfn, order);
    this.options.onEvict?.(pfn, owner, reason);
  }

  /**
   * Scan the tail of an inactive list: referenced pages get a second chance on the active list, clean page cache is
   * freed, dirty page cache needs writeback (only with __GFP_FS), anon pages need swap space and __GFP_IO.
   * kernel: mm/vmscan.c shrink_inactive_list() + shrink_folio_list()
   */
  private shrinkInactiveList(nid: number, list: number, nrToScan: number, sc: ScanControl, priority: number): void {
    const m = this.memory;
    let pfn = m.oldest(nid, list);
    let scanned = 0;
    const reclaimedBefore = sc.nrReclaimed;
    const file = list === LRU_INACTIVE_FILE;
    let nrDirty = 0;
    let nrActivate = 0;
    const seen = new Set<number>();
    while (pfn >= 0 && scanned < nrToScan && !seen.has(pfn)) {
      seen.add(pfn);
      const older = m.oldest(nid, list, pfn);
      if (this.zoneIdxOfPfn(pfn) > sc.reclaimIdx) {
        pfn = older; // isolate_lru_folios skips pages of ineligible zones
        continue;
      }
      const pages = 2 ** m.orderOfPfn(pfn);
      scanned += pages;
      sc.nrScanned += pages;
      const use = m.useOfPfn(pfn);
      if (m.referenced(pfn)) {
        m.activate(pfn);
        this.vmstat.pgactivate += pages;
        nrActivate += pages;
      } else if (use === PageUse.FILE_CLEAN) {
        this.freeBlock(pfn, "reclaimed");
        sc.nrReclaimed += pages;
      } else if (use === PageUse.FILE_DIRTY) {
        nrDirty += pages;
        // may_enter_fs(): writing a dirty page back needs __GFP_FS; without it the page stays on the list.
        if (sc.mayWritepage) {
          m.clean(pfn);
          this.freeBlock(pfn, "reclaimed");
          sc.nrReclaimed += pages;
        } else m.rotate(pfn);
      } else if (use === PageUse.ANON) {
        // add_to_swap() needs free swap space; pageout to swap needs __GFP_IO.
        if (sc.maySwap && this.memory.swapTotal - this.memory.swapUsed >= pages) {
          this.memory.swapUsed += pages;
          this.vmstat.pswpout += pages;
          this.freeBlock(pfn, "swapped");
          sc.nrReclaimed += pages;
        } else {
          m.activate(pfn);
          nrActivate += pages;
        }
      }
      pfn = older;
    }
    if (this.traceDetailOn("lru")) {
      this.emit({
        event: "mm_vmscan_lru_shrink_inactive",
        nid,
        zid: sc.reclaimIdx,
        nrScanned: scanned,
        nrReclaimed: sc.nrReclaimed - reclaimedBefore,
        nrDirty,
        nrWriteback: 0,
        nrCongested: 0,
        nrImmediate: 0,
        nrActivateAnon: file ? 0 : nrActivate,
        nrActivateFile: file ? nrActivate : 0,
        nrRefKeep: 0,
        nrUnmapFail: 0,
        priority,
        file,
      });
    }
  }

  /** Are the per-batch events on (traceDetail) and does the version have the event? */
  private traceDetailOn(kind: "lru" | "slab"): boolean {
    if (!this.options.traceDetail || !this.options.trace) return false;
    const f = vmscanTraceFormats(this.allocator.version);
    return kind === "lru" ? f.lruShrinkInactive !== "none" : f.shrinkSlab !== "none";
  }

  /** Move pages from the active tail to the inactive head. kernel: mm/vmscan.c shrink_active_list() */
  private shrinkActiveList(nid: number, active: number, nrToScan: number, sc: ScanControl): void {
    const m = this.memory;
    let moved = 0;
    let pfn = m.oldest(nid, active);
    while (pfn >= 0 && moved < nrToScan) {
      const older = m.oldest(nid, active, pfn);
      if (this.zoneIdxOfPfn(pfn) <= sc.reclaimIdx) {
        moved += 2 ** m.orderOfPfn(pfn);
        m.deactivate(pfn);
      }
      pfn = older;
    }
    this.vmstat.pgdeactivate += moved;
  }

  /**
   * One reclaim pass over a node's LRU lists and slab at a priority: scan size >> priority pages per list, the
   * anon/file split of get_scan_count (cache trim mode while the inactive file list has pages at this priority,
   * SCAN_FILE without swap, else swappiness : 200 − swappiness), then the shrinkers (which need __GFP_FS).
   * kernel: mm/vmscan.c shrink_node() → shrink_lruvec() / get_scan_count() / shrink_slab()
   */
  private shrinkNode(nid: number, priority: number, sc: ScanControl): void {
    const before = sc.nrReclaimed;
    this.shrinkNodeLists(nid, priority, sc);
    // shrink_node(): any progress makes the node reclaimable again
    if (sc.nrReclaimed > before) this.kswapdState(nid).failures = 0;
  }

  private shrinkNodeLists(nid: number, priority: number, sc: ScanControl): void {
    const m = this.memory;
    const inactiveFile = m.lruSize(nid, LRU_INACTIVE_FILE);
    const anon = m.lruSize(nid, LRU_INACTIVE_ANON) + m.lruSize(nid, LRU_ACTIVE_ANON);
    let fileFrac = 1;
    let anonFrac = 0;
    if (this.canReclaimAnon() && anon > 0 && !(inactiveFile >> priority)) {
      const ap = this.swappiness;
      const fp = 200 - this.swappiness;
      anonFrac = ap / (ap + fp + 1);
      fileFrac = fp / (ap + fp + 1);
    }
    for (const [inactive, active, frac] of [
      [LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, fileFrac],
      [LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, anonFrac],
    ] as const) {
      if (frac === 0) continue;
      const size = m.lruSize(nid, inactive) + m.lruSize(nid, active);
      const nr = Math.floor((size >> priority) * frac);
      if (nr === 0) continue;
      // inactive_is_low(): keep the inactive list at least as large as the active one (ratio 1 below 1 GiB).
      if (m.lruSize(nid, inactive) < m.lruSize(nid, active)) this.shrinkActiveList(nid, active, nr, sc);
      // shrink_lruvec(): batches of SWAP_CLUSTER_MAX; outside kswapd and the first priority, reclaim stops after the
      // batch that reaches nr_to_reclaim.
      for (let left = nr; left > 0; left -= SWAP_CLUSTER_MAX) {
        this.shrinkInactiveList(nid, inactive, Math.min(left, SWAP_CLUSTER_MAX), sc, priority);
        if (!sc.kswapd && priority !== DEF_PRIORITY && sc.nrReclaimed >= sc.nrToReclaim) return;
      }
    }
    if (sc.mayWritepage) {
      // do_shrink_slab(): delta = (freeable >> priority) × 4 / seeks (DEFAULT_SEEKS 2).
      const slab = m.lruSize(nid, LRU_SLAB);
      const nr = Math.min(slab, (slab >> priority) * 2);
      if (nr > 0) {
        // do_shrink_slab() of the superblock shrinker (the model's one shrinker): nothing deferred, every object scanned
        const detail = this.traceDetailOn("slab");
        const shrinker = "super_cache_scan+0x0/0x1b0";
        const shr = "ffff888003a4c0c0";
        if (detail) {
          const lruPgs = [LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE].reduce((n, l) => n + m.lruSize(nid, l), 0);
          this.emit({ event: "mm_shrink_slab_start", shrinker, shr, nid, nrObjectsToShrink: 0, gfp: sc.gfp, pgsScanned: sc.nrScanned, lruPgs, cacheItems: slab, delta: nr, totalScan: nr, priority });
        }
        const before = sc.slabReclaimed;
        this.shrinkInactiveSlab(nid, nr, sc);
        if (detail) this.emit({ event: "mm_shrink_slab_end", shrinker, shr, nid, unusedScan: 0, newScan: 0, totalScan: 0, retval: sc.slabReclaimed - before });
      }
    }
  }

  /** Free reclaimable slab pages from the oldest end. kernel: mm/shrinker.c do_shrink_slab() → super_cache_scan() */
  private shrinkInactiveSlab(nid: number, nr: number, sc: ScanControl): void {
    const m = this.memory;
    let pfn = m.oldest(nid, LRU_SLAB);
    let done = 0;
    while (pfn >= 0 && done < nr) {
      const older = m.oldest(nid, LRU_SLAB, pfn);
      if (this.zoneIdxOfPfn(pfn) <= sc.reclaimIdx) {
        const pages = 2 ** m.orderOfPfn(pfn);
        done += pages;
        if (m.referenced(pfn)) m.rotate(pfn);
        else {
          this.freeBlock(pfn, "reclaimed");
          sc.nrReclaimed += pages;
          sc.slabReclaimed += pages;
        }
      }
      pfn = older;
    }
  }

  /**
   * Direct reclaim: priority passes from DEF_PRIORITY down over the nodes of the zonelist until SWAP_CLUSTER_MAX
   * pages are reclaimed.
   * kernel: mm/vmscan.c try_to_free_pages() → do_try_to_free_pages()
   *
   * @returns pages reclaimed
   */
  tryToFreePages(gfp: number, order: number, request: AllocRequest): number {
    const g = this.decodeGfp(gfp);
    const sc: ScanControl = { nrToReclaim: SWAP_CLUSTER_MAX, gfp, reclaimIdx: request.highestZoneIdx, mayWritepage: g.fs, maySwap: g.io, kswapd: false, nrScanned: 0, nrReclaimed: 0, slabReclaimed: 0 };
    const nids = this.zonelistNodes(request);
    this.emit({ event: "mm_vmscan_direct_reclaim_begin", order, gfp });
    for (let priority = DEF_PRIORITY; priority >= 0 && sc.nrReclaimed < sc.nrToReclaim; priority--) {
      for (const nid of nids) this.shrinkNode(nid, priority, sc);
    }
    this.vmstat.pgscan_direct += sc.nrScanned;
    // PGSTEAL_DIRECT is counted in shrink_inactive_list(): LRU pages only, not what the slab shrinkers freed
    this.vmstat.pgsteal_direct += sc.nrReclaimed - sc.slabReclaimed;
    this.emit({ event: "mm_vmscan_direct_reclaim_end", nrReclaimed: sc.nrReclaimed });
    return sc.nrReclaimed;
  }

  private zonelistNodes(request: AllocRequest): number[] {
    const a = this.allocator;
    const cpu = request.cpu ?? 0;
    const nid = request.nid ?? a.cpuToNode[cpu]!;
    const out: number[] = [];
    for (const z of a.candidateZones(nid, request.highestZoneIdx, request.nodemask)) if (!out.includes(z.spec.nid)) out.push(z.spec.nid);
    return out;
  }

  // ------------------------------------------------------------------ kswapd

  private kswapdState(nid: number): KswapdState {
    let s = this.kswapd.get(nid);
    if (!s) {
      s = { order: 0, highestZoneIdx: 0, woken: false, failures: 0, kcompactdOrder: 0, kcompactdHighest: 0, kcompactdWoken: false };
      this.kswapd.set(nid, s);
    }
    return s;
  }

  /** Is kswapd of `nid` woken (it runs at the next tick)? */
  kswapdWoken(nid: number): boolean {
    return this.kswapd.get(nid)?.woken ?? false;
  }

  /** kswapd_failures of a node: balance_pgdat runs that reclaimed nothing (≥ MAX_RECLAIM_RETRIES: node hopeless). */
  kswapdFailures(nid: number): number {
    return this.kswapd.get(nid)?.failures ?? 0;
  }

  /** Is kcompactd of `nid` woken? */
  kcompactdWoken(nid: number): boolean {
    return this.kswapd.get(nid)?.kcompactdWoken ?? false;
  }

  /**
   * Is the node balanced for `order`: does any managed zone up to highestZoneIdx pass its high watermark?
   * kernel: mm/vmscan.c pgdat_balanced() (2.6.24 balance_pgdat: every zone must be above high)
   */
  pgdatBalanced(nid: number, order: number, highestZoneIdx: number): boolean {
    const a = this.allocator;
    const zones = a.nodeZones(nid).filter((z) => z.spec.zoneIdx <= highestZoneIdx && z.spec.managedPages > 0);
    if (zones.length === 0) return true;
    const ok = (z: ZoneState) => a.zoneWatermarkOkZone(z, order, z.spec.watermark.high, highestZoneIdx, 0);
    return this.versionFacts.flow !== "modern" ? zones.every(ok) : zones.some(ok);
  }

  /** kernel: mm/vmscan.c pgdat_watermark_boosted() */
  private pgdatWatermarkBoosted(nid: number, highestZoneIdx: number): boolean {
    return this.allocator.nodeZones(nid).some((z) => z.spec.zoneIdx <= highestZoneIdx && z.watermarkBoost > 0);
  }

  /**
   * Wake kswapd of the zone's node for an allocation (recording order and highest zone), or kcompactd when the node
   * is balanced and the caller cannot reclaim itself.
   * kernel: mm/vmscan.c wakeup_kswapd()
   */
  wakeupKswapd(z: ZoneState, gfp: number, order: number, highestZoneIdx: number, directReclaim: boolean): void {
    if (z.spec.managedPages === 0) return;
    const nid = z.spec.nid;
    const s = this.kswapdState(nid);
    s.order = Math.max(s.order, order);
    s.highestZoneIdx = Math.max(s.highestZoneIdx, highestZoneIdx);
    if (s.woken) return;
    if (this.versionFacts.flow !== "modern") {
      // 2.6.24–4.6: wakeup_kswapd() is called for every zone of the zonelist and returns while the zone is above its
      // low watermark at the order (zone_watermark_ok_safe(zone, order, low_wmark_pages(zone), 0, 0) [SRC 3.10]).
      const a = this.allocator;
      const zones = a.nodeZones(nid).filter((x) => x.spec.zoneIdx <= highestZoneIdx && x.spec.managedPages > 0);
      if (zones.every((x) => a.zoneWatermarkOkZone(x, order, x.spec.watermark.low, 0, 0))) return;
      const low = zones.find((x) => !a.zoneWatermarkOkZone(x, order, x.spec.watermark.low, 0, 0))!;
      this.emit({ event: "mm_vmscan_wakeup_kswapd", nid, zid: low.spec.zoneIdx, order, gfp });
      s.woken = true;
      return;
    }
    if (s.failures >= MAX_RECLAIM_RETRIES || (this.pgdatBalanced(nid, order, highestZoneIdx) && !this.pgdatWatermarkBoosted(nid, highestZoneIdx))) {
      if (!directReclaim) this.wakeupKcompactd(nid, order, highestZoneIdx);
      return;
    }
    this.emit({ event: "mm_vmscan_wakeup_kswapd", nid, zid: z.spec.zoneIdx, order, gfp });
    s.woken = true;
  }

  /** kernel: mm/page_alloc.c wake_all_kswapds() */
  private wakeAllKswapds(order: number, gfp: number, request: AllocRequest): void {
    const a = this.allocator;
    const cpu = request.cpu ?? 0;
    const seen = new Set<number>();
    for (const z of a.candidateZones(request.nid ?? a.cpuToNode[cpu]!, request.highestZoneIdx, request.nodemask)) {
      if (seen.has(z.spec.nid)) continue;
      seen.add(z.spec.nid);
      this.wakeupKswapd(z, gfp, order, request.highestZoneIdx, request.directReclaim ?? false);
    }
  }

  /** kernel: mm/compaction.c wakeup_kcompactd() */
  wakeupKcompactd(nid: number, order: number, highestZoneIdx: number): void {
    if (order === 0 || !this.compactionEnabled || !this.versionFacts.kcompactd) return;
    const s = this.kswapdState(nid);
    s.kcompactdOrder = Math.max(s.kcompactdOrder, order);
    s.kcompactdHighest = Math.max(s.kcompactdHighest, highestZoneIdx);
    if (s.kcompactdWoken) return;
    this.emit({ event: "mm_compaction_wakeup_kcompactd", nid, order, zone: this.allocator.nodeZones(nid).find((z) => z.spec.zoneIdx === highestZoneIdx)?.spec.name ?? "" });
    s.kcompactdWoken = true;
  }

  /**
   * rmqueue()'s wakeup: buddy found ZONE_BOOSTED_WATERMARK set for an ALLOC_KSWAPD request and cleared it. The bit is
   * set by a fallback steal whose boost_watermark() succeeded (also when the boost was already at its cap) and only
   * when the request had ALLOC_KSWAPD (`__GFP_KSWAPD_RECLAIM`), so a steal by a request without it (e.g.
   * `__GFP_HIGH` alone, GFP_TRANSHUGE_LIGHT) boosts the watermark and leaves kswapd asleep.
   * kernel: mm/page_alloc.c rmqueue() → wakeup_kswapd(zone, 0, 0, zone_idx(zone)); the bit is set by
   *   try_to_claim_block() (6.15+; steal_suitable_fallback() 5.0–6.14) `if (boost_watermark(zone) && (alloc_flags & ALLOC_KSWAPD))`
   */
  private boostedWake(z: ZoneState): void {
    const s = this.kswapdState(z.spec.nid);
    const before = s.woken;
    this.wakeupKswapd(z, 0, 0, z.spec.zoneIdx, false); // wakeup_kswapd(zone, 0, 0, zone_idx(zone))
    if (!before && s.woken) this.boostWoke = true;
  }

  /**
   * Did an allocation's rmqueue() wake kswapd for a boosted watermark since the last call? The page API asks after
   * each allocation, to run the woken kswapd (background: "after-alloc"); the answer is reset.
   *
   * @returns whether kswapd was woken that way
   * @example
   * ```ts
   * import { createReclaim } from "@pagealloc/reclaim";
   * import { bootBuddy } from "@pagealloc/buddy";
   * const r = createReclaim();
   * r.attach(bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024,
   *   watermark: { min: 16, low: 20, high: 24 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }], { slowPath: r.slowPath }));
   * console.log(r.takeBoostWake(), r.kswapdWoken(0)); // => false false
   * ```
   */
  takeBoostWake(): boolean {
    const w = this.boostWoke;
    this.boostWoke = false;
    return w;
  }

  /** __GFP_KSWAPD_RECLAIM of the version (0 before 4.4: no boost either, which came in 5.0). */
  private kswapdReclaimBit(): number {
    if (this.derived.kswapdBit < 0) this.derived.kswapdBit = (gfpFlags(this.allocator.version) as Record<string, number | undefined>)["__GFP_KSWAPD_RECLAIM"] ?? 0;
    return this.derived.kswapdBit;
  }

  /**
   * Run woken background work: kswapd of each node (balance_pgdat), then kcompactd. Call it after allocations (the
   * page API does after each one) or on an explicit tick; it is deterministic.
   * kernel: mm/vmscan.c kswapd(), mm/compaction.c kcompactd()
   *
   * @returns pages kswapd reclaimed
   */
  tick(): number {
    const a = this.allocator;
    let reclaimed = 0;
    for (const nid of a.nodeIds()) {
      const s = this.kswapdState(nid);
      // a boosted watermark wakes kswapd only through rmqueue() (boostedWake) or the slow path's wakeup
      if (s.woken) {
        this.emit({ event: "mm_vmscan_kswapd_wake", nid, zid: s.highestZoneIdx, order: s.order });
        const { reclaimed: got, reclaimOrder } = this.balancePgdat(nid, s.order, s.highestZoneIdx);
        reclaimed += got;
        s.woken = false;
        // kswapd_try_to_sleep() → prepare_kswapd_sleep(): balanced at the order reclaim ended with (0 once it freed
        // compact_gap(order) pages), kswapd sleeps and hands the allocation's order over to kcompactd.
        if (this.pgdatBalanced(nid, reclaimOrder, s.highestZoneIdx)) {
          this.emit({ event: "mm_vmscan_kswapd_sleep", nid });
          if (s.order > 0) this.wakeupKcompactd(nid, s.order, s.highestZoneIdx);
        }
        s.order = 0;
        s.highestZoneIdx = 0;
      }
      if (s.kcompactdWoken) {
        this.kcompactdDoWork(nid, s.kcompactdOrder, s.kcompactdHighest);
        s.kcompactdWoken = false;
        s.kcompactdOrder = 0;
        s.kcompactdHighest = 0;
      }
    }
    return reclaimed;
  }

  /**
   * kswapd's reclaim: priority passes from DEF_PRIORITY until some zone (2.6.24: every zone) is above its high
   * watermark + boost, reclaiming max(high, SWAP_CLUSTER_MAX) pages per zone per pass with GFP_KERNEL abilities.
   * A boosted node first reclaims the boost (without writeback or swap) even when balanced; the boost is then
   * reset and kcompactd woken at pageblock order.
   * kernel: mm/vmscan.c balance_pgdat() / kswapd_shrink_node() (boost: 5.0+)
   */
  private balancePgdat(nid: number, order: number, highestZoneIdx: number): { reclaimed: number; reclaimOrder: number } {
    const a = this.allocator;
    const zones = a.nodeZones(nid).filter((z) => z.spec.zoneIdx <= highestZoneIdx && z.spec.managedPages > 0);
    let nrBoostReclaim = zones.reduce((s, z) => s + z.watermarkBoost, 0);
    const boosted = nrBoostReclaim > 0;
    const balanced = () => {
      // high_wmark_pages() includes the boost
      const ok = (z: ZoneState) => a.zoneWatermarkOkZone(z, order, z.spec.watermark.high + z.watermarkBoost, highestZoneIdx, 0);
      if (zones.length === 0) return true;
      return this.versionFacts.flow !== "modern" ? zones.every(ok) : zones.some(ok);
    };
    const nrToReclaim = zones.reduce((s, z) => s + Math.max(z.spec.watermark.high, SWAP_CLUSTER_MAX), 0);
    let total = 0;
    let scannedTotal = 0;
    let stolenTotal = 0;
    let completed = true;
    for (let priority = DEF_PRIORITY; priority >= 1; priority--) {
      let isBalanced = balanced();
      // an imbalanced node ignores the boost and reclaims normally
      if (!isBalanced && nrBoostReclaim) nrBoostReclaim = 0;
      if (!nrBoostReclaim && isBalanced) {
        completed = false;
        break;
      }
      this.vmstat.pageoutrun++;
      // kswapd reclaims with sc.gfp_mask = GFP_KERNEL
      if (this.derived.gfpKernel < 0) this.derived.gfpKernel = parseGfp("GFP_KERNEL", a.version);
      const sc: ScanControl = { nrToReclaim, gfp: this.derived.gfpKernel, reclaimIdx: highestZoneIdx, mayWritepage: !nrBoostReclaim, maySwap: !nrBoostReclaim, kswapd: true, nrScanned: 0, nrReclaimed: 0, slabReclaimed: 0 };
      this.shrinkNode(nid, priority, sc);
      total += sc.nrReclaimed;
      stolenTotal += sc.nrReclaimed - sc.slabReclaimed;
      scannedTotal += sc.nrScanned;
      if (nrBoostReclaim) {
        nrBoostReclaim -= Math.min(nrBoostReclaim, sc.nrReclaimed);
        isBalanced = balanced();
        if (!nrBoostReclaim && isBalanced) {
          completed = false;
          break;
        }
      }
      // kswapd_shrink_node(): once compact_gap(order) = 2 << order pages are free again, reclaim for order 0
      if (order > 0 && total >= 2 * 2 ** order) order = 0;
    }
    this.vmstat.pgscan_kswapd += scannedTotal;
    // PGSTEAL_KSWAPD: LRU pages only (shrink_inactive_list()); the slab shrinkers' pages count in progress, not here
    this.vmstat.pgsteal_kswapd += stolenTotal;
    // a full priority loop that reclaimed nothing is a failure; MAX_RECLAIM_RETRIES of them make the node hopeless
    if (completed && total === 0) this.kswapdState(nid).failures++;
    if (boosted) {
      for (const z of zones) {
        z.watermarkBoost = 0;
      }
      this.wakeupKcompactd(nid, a.pageblockOrder, highestZoneIdx);
    }
    return { reclaimed: total, reclaimOrder: order };
  }

  // ------------------------------------------------------------------ compaction

  private deferState(z: ZoneState): DeferState {
    let d = this.defer.get(z);
    if (!d) {
      d = { considered: 0, deferShift: 0, orderFailed: 0 };
      this.defer.set(z, d);
    }
    return d;
  }

  private emitDefer(event: "mm_compaction_deferred" | "mm_compaction_defer_compaction" | "mm_compaction_defer_reset", z: ZoneState, order: number): void {
    const d = this.deferState(z);
    this.emit({ event, nid: z.spec.nid, zone: z.spec.name, order, orderFailed: d.orderFailed, considered: d.considered, deferShift: d.deferShift });
  }

  /**
   * Compaction failed for `order`: skip the next 1 << compact_defer_shift attempts (shift grows up to 6).
   * kernel: mm/compaction.c defer_compaction()
   */
  deferCompaction(z: ZoneState, order: number): void {
    const d = this.deferState(z);
    d.considered = 0;
    d.deferShift = Math.min(d.deferShift + 1, COMPACT_MAX_DEFER_SHIFT);
    if (order < d.orderFailed && this.hasOrderFailed) d.orderFailed = order;
    this.emitDefer("mm_compaction_defer_compaction", z, order);
  }

  /** Should compaction for `order` be skipped this time? kernel: mm/compaction.c compaction_deferred() */
  compactionDeferred(z: ZoneState, order: number): boolean {
    const d = this.deferState(z);
    const limit = 2 ** d.deferShift;
    if (order < d.orderFailed && this.hasOrderFailed) return false;
    if (++d.considered >= limit) {
      d.considered = limit;
      return false;
    }
    this.emitDefer("mm_compaction_deferred", z, order);
    return true;
  }

  /** kernel: mm/compaction.c compaction_defer_reset() */
  compactionDeferReset(z: ZoneState, order: number, allocSuccess: boolean): void {
    const d = this.deferState(z);
    if (allocSuccess) {
      d.considered = 0;
      d.deferShift = 0;
    }
    if (order >= d.orderFailed && this.hasOrderFailed) d.orderFailed = order + 1;
    this.emitDefer("mm_compaction_defer_reset", z, order);
  }

  /** compact_order_failed exists (3.4+; the 4.7+ flow has it too). */
  private get hasOrderFailed(): boolean {
    const c = this.versionFacts.classic;
    return c === null || c.deferOrderFailed;
  }

  /** The deferral state of a zone (compact_considered, compact_defer_shift, compact_order_failed). */
  compactionDeferInfo(z: ZoneState): Readonly<DeferState> {
    return { ...this.deferState(z) };
  }

  /**
   * Can compaction help this zone for `order`? Skipped without order-0 room for migration targets (the min watermark,
   * low for costly orders, plus compact_gap = 2 << order), not suitable when the failure is from lack of memory
   * rather than fragmentation (costly orders with extfrag_index ≤ vm.extfrag_threshold).
   * kernel: mm/compaction.c compaction_suitable() / __compaction_suitable()
   */
  compactionSuitable(z: ZoneState, order: number, highestZoneIdx: number, freePages = z.nrFreePages): CompactResult {
    const a = this.allocator;
    const w = z.spec.watermark;
    if (this.versionFacts.compactionRules === "classic") {
      // kernel: mm/compaction.c compaction_suitable() (2.6.36–4.6; try_to_compact_pages() in 2.6.35): order-0 room
      // above low + 2 << order, then the fragmentation index for every order; -1000 (a free block of the order
      // exists) with the watermark met at the order means the allocation can already succeed.
      const mark = w.low + 2 * 2 ** order;
      if (!zoneWatermarkOk(a.facts, a.bits, a.watermarkView(z), 0, mark, 0, 0, freePages)) return "skipped";
      const fragindex = extfragIndex(Array.from(z.nrFree), order);
      if (fragindex >= 0 && fragindex <= (this.options.extfragThreshold ?? 500)) return "skipped";
      if (fragindex === -1000 && zoneWatermarkOk(a.facts, a.bits, a.watermarkView(z), order, mark, 0, 0, freePages)) return "success";
      return "continue";
    }
    const mark = (order > PAGE_ALLOC_COSTLY_ORDER ? w.low : w.min) + 2 * 2 ** order;
    if (!zoneWatermarkOk(a.facts, a.bits, a.watermarkView(z), 0, mark, highestZoneIdx, a.bits.CMA, freePages)) return "skipped";
    if (order > PAGE_ALLOC_COSTLY_ORDER) {
      const counts = Array.from(z.nrFree);
      const fragindex = extfragIndex(counts, order);
      if (fragindex >= 0 && fragindex <= (this.options.extfragThreshold ?? 500)) return "not_suitable_zone";
    }
    return "continue";
  }

  /** The watermark holds and a free block of the order is on a usable list. kernel: mm/compaction.c __compact_finished() */
  private compactFinished(z: ZoneState, order: number, mt: number, allocFlags: number, highestZoneIdx: number): boolean {
    const a = this.allocator;
    if (this.versionFacts.compactionRules === "classic") {
      // 2.6.35–4.6 compact_finished(): low + (1 << order) at the order, no alloc_flags
      if (!a.zoneWatermarkOkZone(z, order, z.spec.watermark.low + 2 ** order, 0, 0)) return false;
    } else {
      const mark = [z.spec.watermark.min, z.spec.watermark.low, z.spec.watermark.high][allocFlags & a.bits.WMARK_MASK] ?? z.spec.watermark.min;
      if (!a.zoneWatermarkOkZone(z, order, mark + z.watermarkBoost, highestZoneIdx, allocFlags)) return false;
    }
    for (let o = order; o < a.nrOrders; o++) {
      if (!z.listEmpty(z.freeListNode(o, mt))) return true;
      if (o >= a.pageblockOrder && z.nrFree[o]! > 0) return true;
    }
    return false;
  }

  /**
   * Compact one zone for an order: the migration scanner walks pageblocks up from the zone start isolating movable
   * LRU pages (async mode: only pageblocks of the request's mobility, skipping the rest of an order-aligned chunk
   * when a page cannot be isolated), the free scanner walks pageblocks down from the zone end isolating free pages
   * of MOVABLE pageblocks (never breaking a free pageblock-sized block), pages are migrated, and the run ends when
   * the scanners meet or a suitable free block exists.
   * kernel: mm/compaction.c compact_zone() / isolate_migratepages() / isolate_freepages() / migrate_pages()
   */
  compactZone(z: ZoneState, order: number, o: { mode: "async" | "sync-light" | "sync"; migratetype: number; allocFlags: number; highestZoneIdx: number; daemon?: boolean }): CompactResult {
    const a = this.allocator;
    const m = this.memory;
    const pbn = 2 ** a.pageblockOrder;
    const MOVABLE = a.facts.mt.MOVABLE;
    const sync = o.mode !== "async";
    const zoneStart = z.startPfn;
    const zoneEnd = z.endPfn;
    let migratePfn = zoneStart;
    // pageblock_start_pfn(zone_end_pfn − 1)
    let freePfn = Math.max(zoneStart, zoneEnd - 1 - ((zoneEnd - 1) % pbn));
    const suitable = this.compactionSuitable(z, order, o.highestZoneIdx);
    if (suitable !== "continue") return suitable;
    if (this.compactFinished(z, order, o.migratetype, o.allocFlags, o.highestZoneIdx)) return "success";
    a.drainPages();
    this.emit({ event: "mm_compaction_begin", zoneStart, migratePfn, freePfn, zoneEnd, sync });
    const freeList: number[] = [];
    let status: CompactResult = "continue";
    let migrateScanned = 0;
    let freeScanned = 0;
    const skipOnFailure = !sync && order < a.pageblockOrder;
    const largeFolios = this.versionFacts.compactLargeFolios;
    const pagesOf = (list: readonly number[]) => list.reduce((n, pfn) => n + 2 ** Math.max(0, m.orderOfPfn(pfn)), 0);
    // The free scanner resumes inside the pageblock where it stopped (isolate_start_pfn).
    let freeBlock = freePfn;
    let freeScan = -1;
    const isolateFree = (needed: number): boolean => {
      // isolate_freepages(): pageblocks downwards from the zone end, staying above the migration scanner; inside a
      // block upwards, stopping as soon as there are as many free pages as pages to migrate.
      while (freeList.length < needed) {
        if (freeScan < 0) {
          if (freeBlock <= migratePfn - pbn || freeBlock < zoneStart) return freeList.length > 0;
          const blockStart = freeBlock;
          freeBlock -= pbn;
          freePfn = blockStart;
          if (blockStart < migratePfn || !z.valid(blockStart)) continue;
          if (z.pageblockMt(blockStart) !== MOVABLE) continue; // suitable_migration_target(): movable (or CMA) blocks
          if (a.pageBuddyOrder(blockStart) >= a.pageblockOrder) continue; // never split a free pageblock
          freeScan = blockStart;
        }
        const blockEnd = Math.min(freeScan - (freeScan % pbn) + pbn, zoneEnd);
        while (freeScan < blockEnd && freeList.length < needed) {
          freeScanned++;
          const bo = a.pageBuddyOrder(freeScan);
          if (bo < 0) {
            freeScan++;
            continue;
          }
          // __isolate_free_page(): keep the zone above min + 2^order at order 0.
          if (!a.zoneWatermarkOkZone(z, 0, z.spec.watermark.min + 2 ** bo, 0, a.bits.CMA)) return freeList.length > 0;
          const got = a.isolateFreePage(freeScan, MOVABLE);
          for (let k = 0; k < 2 ** got; k++) freeList.push(freeScan + k);
          this.vmstat.compact_isolated += 2 ** got;
          freeScan += 2 ** got;
        }
        if (freeScan >= blockEnd) freeScan = -1;
      }
      return true;
    };
    let nrMigrated = 0;
    let nrFailed = 0;
    // compact_zone(): isolate up to COMPACT_CLUSTER_MAX pages, migrate them, repeat; compact_finished() is checked
    // after each batch.
    const migrateBatch = (batch: number[]): boolean => {
      this.vmstat.compact_isolated += pagesOf(batch);
      let ok = 0;
      let failed = 0;
      for (let k = 0; k < batch.length; k++) {
        const src = batch[k]!;
        const srcOrder = Math.max(0, m.orderOfPfn(src));
        let dst: number;
        if (srcOrder > 0) {
          // compaction_alloc() (6.9+): a free block of the folio's order from the isolated free pages
          dst = this.compactionAllocBlock(freeList, srcOrder, isolateFree);
          if (dst < 0) {
            failed += 2 ** srcOrder;
            continue;
          }
        } else {
          if (freeList.length === 0 && !isolateFree(pagesOf(batch.slice(k)))) {
            failed += pagesOf(batch.slice(k));
            break;
          }
          dst = freeList.shift()!;
        }
        const owner = m.ownerOfPfn(src);
        m.move(src, dst);
        a.freePages(src, srcOrder, { bypassPcp: true });
        this.options.onMigrate?.(src, dst, owner);
        ok += 2 ** srcOrder;
      }
      this.emit({ event: "mm_compaction_migratepages", nrMigrated: ok, nrFailed: failed });
      nrMigrated += ok;
      nrFailed += failed;
      return failed === 0;
    };
    outer: while (migratePfn < zoneEnd) {
      const blockStart = migratePfn;
      const blockEnd = Math.min(blockStart - (blockStart % pbn) + pbn, zoneEnd);
      migratePfn = blockEnd;
      if (blockStart >= freePfn) {
        status = "complete";
        break;
      }
      if (!z.valid(blockStart)) continue;
      const bmt = z.pageblockMt(blockStart);
      // suitable_migration_source(): async direct compaction scans only pageblocks of the request's mobility.
      if (!sync && !o.daemon && (o.migratetype === MOVABLE ? bmt !== MOVABLE : bmt !== o.migratetype)) continue;
      let batch: number[] = [];
      for (let p = blockStart; p < blockEnd; ) {
        migrateScanned++;
        const bo = a.pageBuddyOrder(p);
        if (bo >= 0) {
          p += 2 ** bo;
          continue;
        }
        const ao = a.allocatedOrder(p);
        // 6.9+: a movable large folio below the target order is isolated whole (skip_isolation_on_order())
        if (ao === 0 || (ao > 0 && ao < order && largeFolios)) {
          if (!m.isMovable(p)) {
            if (skipOnFailure) {
              const chunk = 2 ** order;
              const next = p - (p % chunk) + chunk;
              batch = batch.filter((x) => x < next - chunk);
              p = next;
            } else p += 2 ** ao;
            continue;
          }
          batch.push(p);
          p += 2 ** ao;
          // isolate_migratepages_block(): stop at COMPACT_CLUSTER_MAX pages (cc->nr_migratepages counts pages)
          if (pagesOf(batch) >= COMPACT_CLUSTER_MAX) {
            if (!migrateBatch(batch)) {
              status = "complete";
              break outer;
            }
            batch = [];
            // compact_zone(): compact_finished() after every isolate + migrate round
            if (this.compactFinished(z, order, o.migratetype, o.allocFlags, o.highestZoneIdx)) {
              status = "success";
              break outer;
            }
          }
          continue;
        }
        if (ao >= 0 && skipOnFailure) {
          // isolate_migratepages_block(): in async mode give up the rest of the order-aligned chunk.
          const chunk = 2 ** order;
          const next = p - (p % chunk) + chunk;
          batch = batch.filter((x) => x < next - chunk);
          p = next;
          continue;
        }
        p += ao > 0 ? 2 ** ao : 1;
      }
      if (batch.length > 0 && !migrateBatch(batch)) {
        status = "complete";
        break;
      }
      if (this.compactFinished(z, order, o.migratetype, o.allocFlags, o.highestZoneIdx)) {
        status = "success";
        break;
      }
    }
    if (status === "continue") status = "complete";
    // release_freepages(): unused targets go back to the buddy lists.
    for (const p of freeList) a.freePages(p, 0, { bypassPcp: true });
    this.vmstat.pgmigrate_success += nrMigrated;
    this.vmstat.pgmigrate_fail += nrFailed;
    if (o.daemon) {
      this.vmstat.compact_daemon_migrate_scanned += migrateScanned;
      this.vmstat.compact_daemon_free_scanned += freeScanned;
    } else {
      this.vmstat.compact_migrate_scanned += migrateScanned;
      this.vmstat.compact_free_scanned += freeScanned;
    }
    this.emit({ event: "mm_compaction_end", zoneStart, migratePfn, freePfn, zoneEnd, sync, status });
    return status;
  }

  /**
   * A migration target for a large folio: a naturally aligned run of 2^order pages among the isolated free pages
   * (isolating more once when there is none). The run goes back to the buddy allocator and is taken off again as
   * one allocated block of that order (the kernel keeps isolated free pages by order and splits the smallest
   * large-enough one).
   * kernel: mm/compaction.c compaction_alloc() (6.9+, folio order)
   *
   * @returns the first pfn of the target block, or −1
   */
  private compactionAllocBlock(freeList: number[], order: number, isolateFree: (needed: number) => boolean): number {
    const a = this.allocator;
    const size = 2 ** order;
    const find = (): number => {
      const sorted = [...freeList].sort((x, y) => x - y);
      for (let i = 0; i + size <= sorted.length; i++) {
        const head = sorted[i]!;
        if (head % size === 0 && sorted[i + size - 1] === head + size - 1) return head;
      }
      return -1;
    };
    let head = find();
    if (head < 0 && isolateFree(freeList.length + size)) head = find();
    if (head < 0) return -1;
    for (let p = head; p < head + size; p++) {
      freeList.splice(freeList.indexOf(p), 1);
      a.freePages(p, 0, { bypassPcp: true });
    }
    return a.takePageOffBuddy(head, order) ? head : -1;
  }

  /**
   * Direct compaction over the zonelist, then an allocation attempt.
   * kernel: mm/page_alloc.c __alloc_pages_direct_compact() → mm/compaction.c try_to_compact_pages()
   */
  private allocPagesDirectCompact(order: number, allocFlags: number, request: AllocRequest, prio: number): { pfn: number; result: CompactResult } {
    const a = this.allocator;
    if (order === 0) return { pfn: -1, result: "skipped" };
    let rc: CompactResult = "skipped";
    const rank: CompactResult[] = ["not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue", "complete", "partial_skipped", "contended", "success"];
    const mode = prio === COMPACT_PRIO_ASYNC ? "async" : prio === MIN_COMPACT_PRIORITY ? "sync" : "sync-light";
    const cpu = request.cpu ?? 0;
    for (const z of a.candidateZones(request.nid ?? a.cpuToNode[cpu]!, request.highestZoneIdx, request.nodemask)) {
      if (prio > MIN_COMPACT_PRIORITY && this.compactionDeferred(z, order)) {
        if (rank.indexOf("deferred") > rank.indexOf(rc)) rc = "deferred";
        continue;
      }
      const status = this.compactZone(z, order, { mode, migratetype: request.migratetype, allocFlags, highestZoneIdx: request.highestZoneIdx });
      if (rank.indexOf(status) > rank.indexOf(rc)) rc = status;
      if (status === "success") {
        this.compactionDeferReset(z, order, false);
        break;
      }
      if (prio !== COMPACT_PRIO_ASYNC && (status === "complete" || status === "partial_skipped")) this.deferCompaction(z, order);
    }
    if (rc === "skipped" || rc === "deferred" || rc === "not_suitable_zone") return { pfn: -1, result: rc };
    this.vmstat.compact_stall++;
    const pfn = a.getPageFromFreelist(order, allocFlags, request);
    if (pfn >= 0) {
      const z = a.zoneOfPfn(pfn)!;
      this.compactionDeferReset(z, order, true);
      this.vmstat.compact_success++;
    } else this.vmstat.compact_fail++;
    return { pfn, result: rc };
  }

  /** kcompactd's work for a node. kernel: mm/compaction.c kcompactd_do_work() */
  private kcompactdDoWork(nid: number, order: number, highestZoneIdx: number): void {
    const a = this.allocator;
    this.vmstat.compact_daemon_wake++;
    this.emit({ event: "mm_compaction_kcompactd_wake", nid, order, zone: a.nodeZones(nid).find((z) => z.spec.zoneIdx === highestZoneIdx)?.spec.name ?? "" });
    for (const z of a.nodeZones(nid)) {
      if (z.spec.zoneIdx > highestZoneIdx || z.spec.managedPages === 0) continue;
      if (this.compactionDeferred(z, order)) continue;
      if (this.compactionSuitable(z, order, highestZoneIdx) !== "continue") continue;
      const status = this.compactZone(z, order, { mode: "sync-light", migratetype: a.facts.mt.MOVABLE, allocFlags: a.bits.WMARK_MIN, highestZoneIdx, daemon: true });
      if (status === "success") this.compactionDeferReset(z, order, false);
      else if (status === "complete") this.deferCompaction(z, order);
    }
  }

  // ------------------------------------------------------------------ the slow path

  private decodeGfp(gfp: number, request?: AllocRequest): SlowGfp {
    // the decoding depends only on the mask, the version and request.noMemalloc (absent, true, false)
    const nm = request?.noMemalloc;
    const key = gfp * 4 + (nm === undefined ? 0 : nm ? 1 : 2);
    let g = this.derived.gfp.get(key);
    if (g === undefined) {
      if (this.derived.gfp.size >= 4096) this.derived.gfp.clear();
      this.derived.gfp.set(key, (g = this.decodeGfpUncached(gfp, request)));
    }
    return g;
  }

  private decodeGfpUncached(gfp: number, request?: AllocRequest): SlowGfp {
    const v = this.allocator.version;
    const flags = gfpFlags(v);
    const has = (name: string) => ((flags[name] ?? 0) & gfp) !== 0 && (flags[name] ?? 0) !== 0;
    return {
      gfp,
      io: gfpAllowsIo(gfp, v),
      fs: gfpAllowsFs(gfp, v),
      noRetry: gfpNoRetry(gfp, v),
      retryMayFail: gfpRetryMayFail(gfp, v),
      noFail: gfpNoFail(gfp, v),
      noWarn: gfpNoWarn(gfp, v),
      dma: has("__GFP_DMA"),
      thisNode: gfpThisNode(gfp, v),
      memalloc: has("__GFP_MEMALLOC"),
      noMemalloc: request?.noMemalloc ?? has("__GFP_NOMEMALLOC"),
      noKswapd: has("__GFP_NO_KSWAPD"),
      kswapdReclaim: has("__GFP_KSWAPD_RECLAIM"),
      thp: this.isThpGfpMask(gfp, flags),
    };
  }

  /**
   * Is this a THP fault allocation? 4.4+: GFP_TRANSHUGE without __GFP_KSWAPD_RECLAIM (GFP_TRANSHUGE of 4.4 is
   * GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN with only
   * __GFP_DIRECT_RECLAIM); 2.6.38–4.3: __GFP_NO_KSWAPD, which only THP used.
   * kernel: mm/page_alloc.c is_thp_gfp_mask() (4.4); the `gfp_mask & __GFP_NO_KSWAPD` tests of 3.x
   */
  private isThpGfpMask(gfp: number, flags: Readonly<Record<string, number>>): boolean {
    const noKswapd = flags.__GFP_NO_KSWAPD ?? 0;
    if (noKswapd) return (gfp & noKswapd) !== 0;
    const kswapd = flags.__GFP_KSWAPD_RECLAIM ?? 0;
    const need = (flags.__GFP_DIRECT_RECLAIM ?? 0) | (flags.__GFP_COMP ?? 0) | (flags.__GFP_NORETRY ?? 0) | (flags.__GFP_NOMEMALLOC ?? 0) | (flags.__GFP_MOVABLE ?? 0);
    return kswapd !== 0 && (gfp & kswapd) === 0 && need !== 0 && (gfp & need) === need;
  }

  /**
   * The reserve bypass: ALLOC_NO_WATERMARKS for __GFP_MEMALLOC or a PF_MEMALLOC task, none with __GFP_NOMEMALLOC.
   * kernel: mm/page_alloc.c __gfp_pfmemalloc_flags()
   */
  private pfmemallocFlags(g: SlowGfp): number {
    if (g.noMemalloc) return 0;
    if (g.memalloc || this.options.pfMemalloc) return this.allocator.bits.NO_WATERMARKS;
    return 0;
  }

  /**
   * Would reclaiming everything reclaimable let some zone pass the min watermark for this order? Counts no-progress
   * loops (costly orders always count) and, when giving up, releases a highatomic pageblock (force) first.
   * kernel: mm/page_alloc.c should_reclaim_retry()
   */
  private shouldReclaimRetry(order: number, request: AllocRequest, allocFlags: number, progress: boolean, st: { noProgressLoops: number }): boolean {
    const a = this.allocator;
    if (progress && order <= PAGE_ALLOC_COSTLY_ORDER) st.noProgressLoops = 0;
    else st.noProgressLoops++;
    let ret = false;
    if (st.noProgressLoops <= MAX_RECLAIM_RETRIES) {
      const cpu = request.cpu ?? 0;
      for (const z of a.candidateZones(request.nid ?? a.cpuToNode[cpu]!, request.highestZoneIdx, request.nodemask)) {
        const available = this.zoneReclaimablePages(z) + z.nrFreePages;
        if (zoneWatermarkOk(a.facts, a.bits, a.watermarkView(z), order, z.spec.watermark.min, request.highestZoneIdx, allocFlags, available)) {
          ret = true;
          break;
        }
      }
    }
    if (!ret) return a.unreserveHighatomicPageblock(request.nid ?? a.cpuToNode[request.cpu ?? 0]!, request.highestZoneIdx, request.migratetype, true);
    return ret;
  }

  /** kernel: mm/page_alloc.c should_compact_retry() (4.7+) */
  private shouldCompactRetry(order: number, request: AllocRequest, result: CompactResult, st: { compactionRetries: number; compactPriority: number }): boolean {
    if (order === 0) return false;
    if (result === "skipped") {
      // compaction_zonelist_suitable(): would reclaim make room for migration targets somewhere?
      const a = this.allocator;
      const cpu = request.cpu ?? 0;
      return a
        .candidateZones(request.nid ?? a.cpuToNode[cpu]!, request.highestZoneIdx, request.nodemask)
        .some((z) => this.compactionSuitable(z, order, request.highestZoneIdx, z.nrFreePages + this.zoneReclaimablePages(z)) === "continue");
    }
    if (result === "success") {
      const max = order > PAGE_ALLOC_COSTLY_ORDER ? MAX_COMPACT_RETRIES / 4 : MAX_COMPACT_RETRIES;
      if (++st.compactionRetries <= max) return true;
    }
    const minPriority = order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
    if (st.compactPriority > minPriority) {
      st.compactPriority--;
      st.compactionRetries = 0;
      return true;
    }
    return false;
  }

  /**
   * The OOM path: one last attempt at the high watermark, then the OOM killer's decision unless the request may not
   * use it (costly order, __GFP_RETRY_MAYFAIL, __GFP_THISNODE, lowmem-only, !__GFP_FS pretends progress).
   * kernel: mm/page_alloc.c __alloc_pages_may_oom() → mm/oom_kill.c out_of_memory()
   */
  private allocPagesMayOom(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): { pfn: number; progress: boolean; killed: boolean } {
    const a = this.allocator;
    const b = a.bits;
    const pfn = a.getPageFromFreelist(order, b.WMARK_HIGH | b.CPUSET, request);
    if (pfn >= 0) return { pfn, progress: false, killed: false };
    if (order > PAGE_ALLOC_COSTLY_ORDER) return { pfn: -1, progress: false, killed: false };
    if (g.retryMayFail || g.thisNode) return { pfn: -1, progress: false, killed: false };
    const normal = a.zones.find((z) => z.spec.name === "Normal")?.spec.zoneIdx ?? 0;
    if (request.highestZoneIdx < normal) return { pfn: -1, progress: false, killed: false };
    // __alloc_pages_cpuset_fallback(ALLOC_NO_WATERMARKS): a __GFP_NOFAIL request after out_of_memory() "progressed".
    const nofailFallback = () => {
      const p = a.getPageFromFreelist(order, b.NO_WATERMARKS | b.CPUSET, request);
      return p >= 0 ? p : a.getPageFromFreelist(order, b.NO_WATERMARKS, request);
    };
    if (!g.fs) {
      // out_of_memory() does not kill for !__GFP_FS requests; it reports progress so that the caller retries.
      out.steps.push("oom:skipped-nofs");
      return { pfn: g.noFail ? nofailFallback() : -1, progress: true, killed: false };
    }
    const decision = this.oomDecision();
    out.oom = decision;
    out.steps.push(decision.victim ? `oom:${decision.victim.comm}` : "oom:no-victim");
    if (decision.victim) this.vmstat.oom_kill++;
    const freed = decision.victim ? (this.options.oomKill?.(decision) ?? false) : false;
    // out_of_memory() || WARN_ON_ONCE_GFP(__GFP_NOFAIL): progress, and NOFAIL gets every reserve.
    if (g.noFail) return { pfn: nofailFallback(), progress: true, killed: false };
    return { pfn: -1, progress: freed, killed: !freed };
  }

  /**
   * Which task the OOM killer would choose now (largest rss + swap + page tables, adjusted by oom_score_adj).
   * kernel: mm/oom_kill.c select_bad_process() / oom_badness()
   */
  oomDecision(): OomDecision {
    const a = this.allocator;
    const totalPages = a.zones.reduce((s, z) => s + z.spec.managedPages, 0) + this.memory.swapTotal;
    return selectBadProcess(this.options.tasks ?? [], totalPages);
  }

  /**
   * The slow path for one request that the fast path could not serve.
   * kernel: mm/page_alloc.c __alloc_pages_slowpath() (4.7+); 2.6.24 __alloc_pages() after the first attempt
   *
   * @returns the outcome (also kept as `lastOutcome`); `pfn` is −1 on failure
   * @throws {NofailStallError} for a __GFP_NOFAIL request the kernel would retry forever
   */
  allocPagesSlowpath(request: AllocRequest, order: number): SlowPathOutcome {
    const gfp = request.gfp ?? 0;
    const out: SlowPathOutcome = { gfp, order, result: "nopage", pfn: -1, steps: [], allocFlags: 0 };
    this.lastOutcome = out;
    if (this.inSlowPath) {
      out.reason = "recursive allocation from reclaim";
      return out;
    }
    this.inSlowPath = true;
    try {
      const g = this.decodeGfp(gfp, request);
      const flow = this.versionFacts.flow;
      const pfn = flow === "2.6.24" ? this.slowpath24(g, order, request, out) : flow === "2.6.31" ? this.slowpathClassic(g, order, request, out) : this.slowpathModern(g, order, request, out);
      out.pfn = pfn;
      if (pfn >= 0) out.result = "success";
      else if (out.result === "nopage") this.warnAlloc(g, order, request, out);
      return out;
    } finally {
      this.inSlowPath = false;
    }
  }

  /** __count_zid_vm_events(ALLOCSTALL, reclaim_idx): `allocstall_<zone>` (≈4.8+), `allocstall` before. kernel: mm/vmscan.c do_try_to_free_pages() */
  private countAllocstall(reclaimIdx: number): void {
    let key = this.derived.allocstall.get(reclaimIdx);
    if (key === undefined) {
      key = "allocstall";
      if (this.versionFacts.allocstallPerZone) {
        const named = this.allocator.zones.find((z) => z.spec.zoneIdx === reclaimIdx)?.spec.name;
        const name = named ?? (this.options.zoneTypes ?? X86_64_ZONE_TYPES)[reclaimIdx] ?? String(reclaimIdx);
        key = `allocstall_${name.toLowerCase()}`;
      }
      this.derived.allocstall.set(reclaimIdx, key);
    }
    this.vmstat[key] = (this.vmstat[key] ?? 0) + 1;
  }

  /** kernel: mm/page_alloc.c __alloc_pages_slowpath() (4.7+; ALLOC_* names of 6.3+) */
  private slowpathModern(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): number {
    const a = this.allocator;
    const b = a.bits;
    const costly = order > PAGE_ALLOC_COSTLY_ORDER;
    const canDirectReclaim = request.directReclaim ?? false;
    const canCompact = this.compactionEnabled && g.io;
    let allocFlags = a.gfpToAllocFlags(request, order, { rtTask: this.options.rtTask });
    out.allocFlags = allocFlags;
    const attempt = (flags: number, label: string): number => {
      out.allocFlags = flags;
      out.steps.push(`get_page_from_freelist:${label}`);
      return a.getPageFromFreelist(order, flags, request);
    };
    // `if (alloc_flags & ALLOC_KSWAPD)` (5.0+, set from __GFP_KSWAPD_RECLAIM); 4.7–4.20 test the gfp bit itself
    if (g.kswapdReclaim) {
      out.steps.push("wake_kswapd");
      this.wakeAllKswapds(order, g.gfp, request);
    }
    let pfn = attempt(allocFlags, "min");
    if (pfn >= 0) return pfn;
    const reserveAllowed = this.pfmemallocFlags(g) !== 0;
    let compactPriority = DEF_COMPACT_PRIORITY;
    if (canDirectReclaim && canCompact && (costly || (order > 0 && request.migratetype !== a.facts.mt.MOVABLE)) && !reserveAllowed) {
      out.steps.push("compact:async");
      const r = this.allocPagesDirectCompact(order, allocFlags, request, INIT_COMPACT_PRIORITY);
      if (r.pfn >= 0) return r.pfn;
      if (costly && g.noRetry) {
        if (r.result === "skipped" || r.result === "deferred") {
          out.reason = `costly __GFP_NORETRY request: compaction ${r.result}`;
          return -1;
        }
        compactPriority = INIT_COMPACT_PRIORITY;
      }
    }
    const st = { noProgressLoops: 0, compactionRetries: 0, compactPriority };
    const maxLoops = this.options.maxLoops ?? 64;
    for (let loop = 0; ; loop++) {
      if (loop >= maxLoops) {
        out.result = "livelock";
        out.reason = "the kernel would keep retrying this request (reclaim or the OOM path report progress that never satisfies it)";
        if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request cannot be satisfied: ${out.reason}`, "allocPagesSlowpath");
        return -1;
      }
      if (g.kswapdReclaim) this.wakeAllKswapds(order, g.gfp, request);
      const reserve = this.pfmemallocFlags(g);
      if (reserve) allocFlags = reserve | (allocFlags & b.KSWAPD);
      pfn = attempt(allocFlags, reserve ? "no_watermarks" : "min");
      if (pfn >= 0) return pfn;
      if (!canDirectReclaim) {
        out.reason = "the request cannot reclaim directly (no __GFP_DIRECT_RECLAIM)";
        break;
      }
      if (this.options.pfMemalloc) {
        out.reason = "PF_MEMALLOC task: no recursion into reclaim";
        break;
      }
      // __alloc_pages_direct_reclaim(): reclaim; after progress, try, and once release a highatomic block and drain
      // the pcp lists before trying again.
      this.countAllocstall(request.highestZoneIdx);
      const reclaimed = this.tryToFreePages(g.gfp, order, request);
      out.steps.push(`direct_reclaim:${reclaimed}`);
      if (reclaimed > 0) {
        pfn = a.getPageFromFreelist(order, allocFlags, request);
        if (pfn < 0) {
          a.unreserveHighatomicPageblock(request.nid ?? a.cpuToNode[request.cpu ?? 0]!, request.highestZoneIdx, request.migratetype, false);
          a.drainPages();
          pfn = a.getPageFromFreelist(order, allocFlags, request);
        }
        if (pfn >= 0) return pfn;
      }
      let compactResult: CompactResult = "skipped";
      if (canCompact && order > 0) {
        out.steps.push(`compact:${["sync", "sync-light", "async"][st.compactPriority]}`);
        const r = this.allocPagesDirectCompact(order, allocFlags, request, st.compactPriority);
        if (r.pfn >= 0) return r.pfn;
        compactResult = r.result;
      }
      if (g.noRetry) {
        out.reason = "__GFP_NORETRY: one round of reclaim and compaction only";
        break;
      }
      if (costly && !g.retryMayFail) {
        out.reason = `costly order ${order} without __GFP_RETRY_MAYFAIL`;
        break;
      }
      if (this.shouldReclaimRetry(order, request, allocFlags, reclaimed > 0, st)) continue;
      if (reclaimed > 0 && canCompact && this.shouldCompactRetry(order, request, compactResult, st)) continue;
      const oom = this.allocPagesMayOom(g, order, request, out);
      if (oom.pfn >= 0) return oom.pfn;
      if (oom.killed) {
        out.result = "oom";
        out.reason = out.oom?.victim ? `OOM killer chose ${out.oom.victim.comm} (pid ${out.oom.victim.pid}); its memory is not freed by the model` : "OOM: no killable task";
        if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request: ${out.reason}`, "allocPagesSlowpath");
        return -1;
      }
      if (oom.progress) {
        st.noProgressLoops = 0;
        continue;
      }
      out.reason ??= "reclaim, compaction and the OOM path cannot help this request";
      break;
    }
    // nopage: __GFP_NOFAIL never fails: one try with ALLOC_MIN_RESERVE, then the kernel loops.
    if (g.noFail) {
      pfn = attempt(b.MIN_RESERVE | b.WMARK_MIN | b.CPUSET, "nofail_min_reserve");
      if (pfn >= 0) return pfn;
      pfn = attempt(b.MIN_RESERVE | b.WMARK_MIN, "nofail_min_reserve_no_cpuset");
      if (pfn >= 0) return pfn;
      throw new NofailStallError(`__GFP_NOFAIL order-${order} request cannot be satisfied: ${out.reason ?? "no memory"}`, "allocPagesSlowpath");
    }
    return -1;
  }

  /**
   * Direct compaction of the 2.6.35–4.6 slow path: the preferred zone's deferral (≤ 3.18) or each zone's (3.19+),
   * try_to_compact_pages() (needs __GFP_FS and __GFP_IO), drain, one attempt; success resets the deferral, a failure
   * defers (≤ 2.6.38 always, later only after a synchronous pass; 3.19+ per zone inside try_to_compact_pages).
   * kernel: mm/page_alloc.c __alloc_pages_direct_compact() + mm/compaction.c try_to_compact_pages() (3.10, 4.4)
   */
  private allocPagesDirectCompactClassic(g: SlowGfp, order: number, allocFlags: number, request: AllocRequest, mode: "async" | "sync-light" | "sync"): { pfn: number; result: CompactResult } {
    const a = this.allocator;
    const c = this.versionFacts.classic!;
    const cpu = request.cpu ?? 0;
    const zones = a.candidateZones(request.nid ?? a.cpuToNode[cpu]!, request.highestZoneIdx, request.nodemask);
    const preferred = zones[0];
    if (order === 0 || !preferred) return { pfn: -1, result: "skipped" };
    if (!c.deferPerZone && this.compactionDeferred(preferred, order)) return { pfn: -1, result: "deferred" };
    // try_to_compact_pages(): `if (!order || !may_enter_fs || !may_perform_io) return COMPACT_SKIPPED`
    if (!g.fs || !g.io) return { pfn: -1, result: "skipped" };
    if (!c.deferPerZone) this.vmstat.compact_stall++; // counted in try_to_compact_pages() up to 3.18
    const rank: CompactResult[] = ["not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue", "complete", "partial_skipped", "contended", "success"];
    let rc: CompactResult = c.deferPerZone ? "deferred" : "skipped";
    const sync = mode !== "async";
    for (const z of zones) {
      if (c.deferPerZone && this.compactionDeferred(z, order)) continue;
      const status = this.compactZone(z, order, { mode, migratetype: request.migratetype, allocFlags, highestZoneIdx: request.highestZoneIdx });
      if (rank.indexOf(status) > rank.indexOf(rc)) rc = status;
      const ok = a.zoneWatermarkOkZone(z, order, z.spec.watermark.low, request.highestZoneIdx, allocFlags);
      if (c.deferPerZone) {
        if (ok) {
          this.compactionDeferReset(z, order, false);
          break;
        }
        if (sync && status === "complete") this.deferCompaction(z, order);
      } else if (ok) break;
    }
    if (rc === "skipped" || rc === "deferred") return { pfn: -1, result: rc };
    if (c.deferPerZone) this.vmstat.compact_stall++;
    a.drainPages();
    const pfn = a.getPageFromFreelist(order, allocFlags & ~a.bits.NO_WATERMARKS, request);
    if (pfn >= 0) {
      this.compactionDeferReset(c.deferPerZone ? a.zoneOfPfn(pfn)! : preferred, order, true);
      this.vmstat.compact_success++;
      return { pfn, result: rc };
    }
    this.vmstat.compact_fail++;
    if (!c.deferPerZone && (sync || !c.deferAfterSyncOnly)) this.deferCompaction(preferred, order);
    return { pfn: -1, result: rc };
  }

  /**
   * The 2.6.31–4.6 slow path: wake kswapd (unless __GFP_NO_KSWAPD / without __GFP_KSWAPD_RECLAIM), gfp_to_alloc_flags,
   * try at the min watermark, __alloc_pages_high_priority for ALLOC_NO_WATERMARKS, direct compaction (2.6.35+,
   * async first from 2.6.38), the THP bail-out, direct reclaim (drain and try again once), then either the OOM
   * killer when reclaim made no progress and should_alloc_retry() (≤ 3.19) or the retry rule and
   * __alloc_pages_may_oom() (4.0–4.6), and a last direct compaction before nopage (2.6.38+).
   * kernel: mm/page_alloc.c __alloc_pages_slowpath() (2.6.32, 2.6.36, 3.10, 4.4)
   */
  private slowpathClassic(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): number {
    const a = this.allocator;
    const b = a.bits;
    const f = this.versionFacts;
    const c = f.classic!;
    const wait = request.directReclaim ?? false;
    const costly = order > PAGE_ALLOC_COSTLY_ORDER;
    const canCompact = this.compactionEnabled && order > 0;
    const maxLoops = this.options.maxLoops ?? 64;
    const normal = a.zones.find((z) => z.spec.name === "Normal")?.spec.zoneIdx ?? 0;
    let syncMigration = !c.asyncFirst;
    let pagesReclaimed = 0;
    const modeName = (): "async" | "sync-light" | "sync" => (syncMigration ? c.syncMode : "async");
    const attempt = (flags: number, label: string): number => {
      out.allocFlags = flags;
      out.steps.push(`get_page_from_freelist:${label}`);
      return a.getPageFromFreelist(order, flags, request);
    };
    const compact = (): { pfn: number; result: CompactResult } => {
      if (!canCompact) return { pfn: -1, result: "skipped" };
      out.steps.push(`compact:${modeName()}`);
      return this.allocPagesDirectCompactClassic(g, order, out.allocFlags & ~b.NO_WATERMARKS, request, modeName());
    };
    const stop = (why: string): number => {
      out.result = "livelock";
      out.reason = why;
      if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request cannot be satisfied: ${why}`, "allocPagesSlowpath");
      return -1;
    };
    const oomResult = (decision: OomDecision): number => {
      out.result = "oom";
      out.reason = decision.victim ? `OOM killer chose ${decision.victim.comm} (pid ${decision.victim.pid}); its memory is not freed by the model` : "OOM: no killable task";
      if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request: ${out.reason}`, "allocPagesSlowpath");
      return -1;
    };
    let loops = 0;
    // restart:
    for (;;) {
      const wake = c.kswapdGate === "always" || (c.kswapdGate === "no-kswapd" ? !g.noKswapd : g.kswapdReclaim);
      if (wake) {
        out.steps.push("wake_kswapd");
        this.wakeAllKswapds(order, g.gfp, request);
      }
      const allocFlags = a.gfpToAllocFlags(request, order, { rtTask: this.options.rtTask });
      // gfp_to_alloc_flags(): ALLOC_NO_WATERMARKS for PF_MEMALLOC (and __GFP_MEMALLOC, 3.6+) without __GFP_NOMEMALLOC
      const noWatermarks = this.pfmemallocFlags(g) !== 0;
      out.allocFlags = allocFlags;
      let first = true;
      let restart = false;
      // rebalance:
      while (!restart) {
        if (++loops > maxLoops) return stop("the kernel would keep retrying this request (should_alloc_retry keeps saying yes)");
        if (first || c.rebalanceTriesFreelist) {
          const pfn = attempt(allocFlags, "min");
          if (pfn >= 0) return pfn;
        }
        first = false;
        if (noWatermarks) {
          // __alloc_pages_high_priority(): loops while __GFP_NOFAIL (congestion_wait)
          const pfn = attempt(b.NO_WATERMARKS, "no_watermarks");
          if (pfn >= 0) return pfn;
          if (g.noFail) return stop("__GFP_NOFAIL with ALLOC_NO_WATERMARKS: the reserves are exhausted");
        }
        if (!wait) {
          out.reason = "atomic request: cannot reclaim (no __GFP_WAIT / __GFP_DIRECT_RECLAIM)";
          return -1;
        }
        if (this.options.pfMemalloc) {
          out.reason = "PF_MEMALLOC task: no recursion into reclaim";
          return -1;
        }
        let deferred = false;
        if (canCompact) {
          const r = compact();
          if (r.pfn >= 0) return r.pfn;
          deferred = r.result === "deferred";
          // 2.6.38+: later passes are synchronous (3.16+: not for THP faults)
          if (c.asyncFirst) syncMigration = !(c.thpAsyncOnly && g.thp);
        }
        // 3.3+: a THP allocation whose compaction is deferred does not disrupt the system with reclaim
        if (deferred && c.thpBail !== "none" && g.thp) {
          out.reason = "THP allocation with compaction deferred: no direct reclaim";
          return -1;
        }
        this.countAllocstall(request.highestZoneIdx);
        const reclaimed = this.tryToFreePages(g.gfp, order, request);
        out.steps.push(`direct_reclaim:${reclaimed}`);
        if (!c.reclaimDrainRetry) {
          // 2.6.31–2.6.34: `if (order != 0) drain_all_pages()`, then one try after progress
          if (order !== 0) a.drainPages();
          if (reclaimed > 0) {
            const pfn = a.getPageFromFreelist(order, allocFlags & ~b.NO_WATERMARKS, request);
            if (pfn >= 0) return pfn;
          }
        } else if (reclaimed > 0) {
          // __alloc_pages_direct_reclaim(): try; drain_all_pages() (4.4: and unreserve a highatomic block) once
          let pfn = a.getPageFromFreelist(order, allocFlags & ~b.NO_WATERMARKS, request);
          if (pfn < 0) {
            if (c.kswapdGate === "kswapd-reclaim") a.unreserveHighatomicPageblock(request.nid ?? a.cpuToNode[request.cpu ?? 0]!, request.highestZoneIdx, request.migratetype, false);
            a.drainPages();
            pfn = a.getPageFromFreelist(order, allocFlags & ~b.NO_WATERMARKS, request);
          }
          if (pfn >= 0) return pfn;
        }
        if (!c.oomAfterRetry) {
          if (reclaimed === 0 && g.fs && !g.noRetry) {
            const oom = this.allocPagesMayOomClassic(g, order, request, out);
            if (oom.pfn >= 0) return oom.pfn;
            if (!g.noFail) {
              if (costly) {
                out.reason = `order ${order} > PAGE_ALLOC_COSTLY_ORDER: the OOM killer does not help`;
                return -1;
              }
              if (c.oomSkipsLowmem && request.highestZoneIdx < normal) {
                out.reason = "lowmem allocation: no OOM kill";
                return -1;
              }
            }
            if (oom.decision && !oom.freed) return oomResult(oom.decision);
            restart = true;
            continue;
          }
          pagesReclaimed += reclaimed;
          if (this.shouldAllocRetry(g, order, reclaimed, pagesReclaimed)) continue;
          if (c.compactAfterRetry) {
            // 2.6.38+: "reclaim/compaction depends on compaction being called after reclaim"
            const r = compact();
            if (r.pfn >= 0) return r.pfn;
          }
          out.reason = g.noRetry ? "__GFP_NORETRY" : `order ${order} > PAGE_ALLOC_COSTLY_ORDER: should_alloc_retry() gives up`;
          return -1;
        }
        // 4.0–4.6
        if (!g.noRetry) {
          pagesReclaimed += reclaimed;
          if ((reclaimed > 0 && !costly) || (g.retryMayFail && pagesReclaimed < 2 ** order)) {
            restart = true;
            continue;
          }
          const oom = this.allocPagesMayOomClassic(g, order, request, out);
          if (oom.pfn >= 0) return oom.pfn;
          if (oom.decision && !oom.freed && !g.noFail) return oomResult(oom.decision);
          if (oom.progress) {
            restart = true;
            continue;
          }
        }
        // noretry:
        const r = compact();
        if (r.pfn >= 0) return r.pfn;
        out.reason = g.noRetry ? "__GFP_NORETRY" : costly ? `costly order ${order}: no OOM kill, reclaim cannot make room` : "reclaim and the OOM path cannot help this request";
        return -1;
      }
    }
  }

  /**
   * should_alloc_retry(): never with __GFP_NORETRY, always with __GFP_NOFAIL, always for order ≤ 3, and for
   * __GFP_REPEAT while fewer than 1 << order pages were reclaimed over the retries.
   * kernel: mm/page_alloc.c should_alloc_retry() (2.6.31–3.19)
   */
  private shouldAllocRetry(g: SlowGfp, order: number, _progress: number, pagesReclaimed: number): boolean {
    if (g.noRetry) return false;
    if (g.noFail) return true;
    if (order <= PAGE_ALLOC_COSTLY_ORDER) return true;
    return g.retryMayFail && pagesReclaimed < 2 ** order;
  }

  /**
   * The OOM path of 2.6.31–4.6: one attempt at the high watermark, then (unless __GFP_NOFAIL) no kill for costly
   * orders, lowmem-only requests and __GFP_THISNODE; 4.0+: !__GFP_FS pretends progress. The model frees nothing: the
   * workload's oomKill handler does.
   * kernel: mm/page_alloc.c __alloc_pages_may_oom() (3.10, 4.4)
   */
  private allocPagesMayOomClassic(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): { pfn: number; progress: boolean; decision?: OomDecision; freed: boolean } {
    const a = this.allocator;
    const b = a.bits;
    const c = this.versionFacts.classic!;
    const pfn = a.getPageFromFreelist(order, b.WMARK_HIGH | b.CPUSET, request);
    if (pfn >= 0) return { pfn, progress: false, freed: false };
    const normal = a.zones.find((z) => z.spec.name === "Normal")?.spec.zoneIdx ?? 0;
    if (!g.noFail) {
      if (order > PAGE_ALLOC_COSTLY_ORDER || (c.oomSkipsLowmem && request.highestZoneIdx < normal)) return { pfn: -1, progress: false, freed: false };
      if (c.oomAfterRetry && !g.fs) {
        out.steps.push("oom:skipped-nofs");
        return { pfn: -1, progress: true, freed: false };
      }
      if (g.thisNode) return { pfn: -1, progress: false, freed: false };
    }
    const decision = this.oomDecision();
    out.oom = decision;
    out.steps.push(decision.victim ? `oom:${decision.victim.comm}` : "oom:no-victim");
    if (decision.victim) this.vmstat.oom_kill++;
    const freed = decision.victim ? (this.options.oomKill?.(decision) ?? false) : false;
    return { pfn: -1, progress: freed || g.noFail, decision, freed };
  }

  /** The 2.6.24 flow (kernel-facts §5.7): rebalance, try_to_free_pages, OOM, do_retry. kernel: mm/page_alloc.c __alloc_pages() (2.6.24) */
  private slowpath24(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): number {
    const a = this.allocator;
    const b = a.bits;
    const wait = request.directReclaim ?? false;
    out.steps.push("wake_kswapd");
    this.wakeAllKswapds(order, g.gfp, request);
    const allocFlags = a.gfpToAllocFlags(request, order, { rtTask: this.options.rtTask });
    out.allocFlags = allocFlags;
    out.steps.push("get_page_from_freelist:min");
    let pfn = a.getPageFromFreelist(order, allocFlags, request);
    if (pfn >= 0) return pfn;
    const maxLoops = this.options.maxLoops ?? 64;
    let idle = 0;
    for (let loop = 0; ; loop++) {
      if ((this.options.pfMemalloc || g.memalloc) && !g.noMemalloc) {
        out.steps.push("get_page_from_freelist:no_watermarks");
        pfn = a.getPageFromFreelist(order, b.NO_WATERMARKS, request);
        if (pfn >= 0) return pfn;
        if (g.noFail && loop < maxLoops) continue;
        out.reason = "PF_MEMALLOC: reserves exhausted";
        break;
      }
      if (!wait) {
        out.reason = "atomic request (no __GFP_WAIT)";
        break;
      }
      this.countAllocstall(request.highestZoneIdx);
      const reclaimed = this.tryToFreePages(g.gfp, order, request);
      out.steps.push(`direct_reclaim:${reclaimed}`);
      if (order !== 0) a.drainPages();
      if (reclaimed > 0) {
        pfn = a.getPageFromFreelist(order, allocFlags, request);
        if (pfn >= 0) return pfn;
      } else if (g.fs && !g.noRetry) {
        pfn = a.getPageFromFreelist(order, b.WMARK_HIGH | b.CPUSET, request);
        if (pfn >= 0) return pfn;
        if (order > PAGE_ALLOC_COSTLY_ORDER) {
          out.reason = `order ${order} > PAGE_ALLOC_COSTLY_ORDER: no OOM kill`;
          break;
        }
        const decision = this.oomDecision();
        out.oom = decision;
        out.steps.push(decision.victim ? `oom:${decision.victim.comm}` : "oom:no-victim");
        if (decision.victim) this.vmstat.oom_kill++;
        if (decision.victim && this.options.oomKill?.(decision)) continue;
        out.result = "oom";
        out.reason = decision.victim ? `OOM killer chose ${decision.victim.comm} (pid ${decision.victim.pid}); its memory is not freed by the model` : "OOM: no killable task";
        if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request: ${out.reason}`, "allocPagesSlowpath");
        return -1;
      }
      // do_retry
      let retry = false;
      if (!g.noRetry) {
        if (order <= PAGE_ALLOC_COSTLY_ORDER || g.retryMayFail) retry = true;
        if (g.noFail) retry = true;
      }
      if (!retry) {
        out.reason = g.noRetry ? "__GFP_NORETRY" : `order ${order} > PAGE_ALLOC_COSTLY_ORDER without __GFP_REPEAT`;
        break;
      }
      idle = reclaimed > 0 ? 0 : idle + 1;
      if (loop >= maxLoops || idle > 1) {
        out.result = "livelock";
        out.reason = "the kernel would keep retrying (no reclaim progress and no OOM kill for this context)";
        if (g.noFail) throw new NofailStallError(`__GFP_NOFAIL order-${order} request cannot be satisfied: ${out.reason}`, "allocPagesSlowpath");
        return -1;
      }
    }
    return -1;
  }

  // ------------------------------------------------------------------ warn_alloc

  /** kernel: mm/page_alloc.c warn_alloc() (2.6.24: __alloc_pages() `nopage:`; 3.0–4.8 warn_alloc_failed()) */
  private warnAlloc(g: SlowGfp, order: number, request: AllocRequest, out: SlowPathOutcome): void {
    // `if ((gfp_mask & __GFP_NOWARN) || !__ratelimit(&nopage_rs) ...) return;`: a __GFP_NOWARN failure never reaches
    // the rate limiter, so it is not counted as missed either.
    if (g.noWarn) return;
    if (!this.warnRatelimit(out)) {
      this.ratelimit.reportsSuppressed++;
      out.reportSuppressed = true;
      return;
    }
    // 5.17+: `|| ((gfp_mask & __GFP_DMA) && !has_managed_dma())`, after the rate limiter (which has counted this call):
    // a machine without DMA memory does not report the failures of DMA requests it can never satisfy.
    if (g.dma && this.versionFacts.warnNeedsManagedDma && !this.hasManagedDma()) return;
    const render = this.options.renderReport ?? ((ctx: FailureContext) => renderWarnAlloc(ctx));
    const text = render({ reclaim: this, allocator: this.allocator, gfp: g.gfp, order, request });
    out.report = text;
    this.reports.push(text);
    this.options.onReport?.(text);
  }

  /** Some node's ZONE_DMA has managed pages. kernel: mm/page_alloc.c has_managed_dma() (5.17+) */
  private hasManagedDma(): boolean {
    return this.allocator.zones.some((z) => z.spec.name === "DMA" && z.spec.managedPages > 0);
  }

  /**
   * May warn_alloc print now? The version's rate limiter on the simulated clock; prints (via `onLog`) the
   * suppressed-messages line where the kernel does.
   * kernel: lib/ratelimit.c ___ratelimit() (2.6.24: kernel/printk.c __printk_ratelimit())
   */
  private warnRatelimit(out: SlowPathOutcome): boolean {
    const f = this.rlFacts ?? warnRatelimitFacts(this.allocator.version);
    const rl = this.ratelimit;
    const now = rl.clockMs;
    let line: string | null = null;
    let ok: boolean;
    if (f.kind === "token-bucket") {
      // toks starts full (10 * 5 * HZ) and gains one per jiffy up to burst × interval; a message takes interval.
      if (!rl.initialized) {
        rl.initialized = true;
        rl.toks = f.burst * f.intervalMs;
      }
      rl.toks = Math.min(rl.toks + (now - rl.lastMsg), f.burst * f.intervalMs);
      rl.lastMsg = now;
      ok = rl.toks >= f.intervalMs;
      if (ok) {
        if (rl.missed) line = f.suppressedFormat.replace("%d", String(rl.missed));
        rl.missed = 0;
        rl.toks -= f.intervalMs;
      } else rl.missed++;
    } else {
      if (!rl.initialized) {
        rl.initialized = true;
        rl.begin = now;
        rl.printed = 0;
      }
      // time_is_before_jiffies(rs->begin + interval): the window has ended (strictly after begin + interval)
      if (now > rl.begin + f.intervalMs) {
        if (rl.missed) line = f.suppressedFormat.replace("%s", f.func).replace("%d", String(rl.missed));
        rl.missed = 0;
        rl.begin = now;
        rl.printed = 0;
      }
      ok = rl.printed < f.burst;
      if (ok) rl.printed++;
      else rl.missed++;
    }
    if (line !== null) {
      out.suppressedLine = line;
      this.options.onLog?.(line);
    }
    return ok;
  }

  /** The simulated clock in milliseconds (jiffies at HZ = 1000) that warn_alloc's rate limit reads. */
  get clockMs(): number {
    return this.ratelimit.clockMs;
  }

  /** Reports warn_alloc's rate limit kept out of the log (counted, not printed; the outcome is unchanged). */
  get reportsSuppressed(): number {
    return this.ratelimit.reportsSuppressed;
  }

  /**
   * Let simulated time pass. The model has no clock of its own: nothing else advances it, so without this every
   * report of a run falls in one rate-limit window (6.18: one report per window of 10 s, the rest suppressed).
   *
   * @param ms - milliseconds (a non-negative safe integer)
   * @returns the new clock
   * @throws {InvalidReclaimArgumentError} for a negative, fractional or unsafe `ms`
   * @example
   * ```ts
   * import { createReclaim } from "@pagealloc/reclaim";
   * const r = createReclaim();
   * console.log(r.advanceClock(10_001), r.clockMs); // => 10001 10001
   * ```
   */
  advanceClock(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0 || !Number.isSafeInteger(this.ratelimit.clockMs + ms)) throw new InvalidReclaimArgumentError(`${String(ms)} is not a non-negative whole number of milliseconds`, "ms");
    this.ratelimit.clockMs += ms;
    return this.ratelimit.clockMs;
  }

  /** warn_alloc's rate limiter: the window, and reports let through and suppressed in it. */
  get warnRatelimitState(): WarnRatelimitStateData {
    return { ...this.ratelimit };
  }

  // ------------------------------------------------------------------ snapshot state

  /**
   * A copy of the slow path's state (for snapshots): the memory-use model with its LRU lists, the vm event counters,
   * the last outcome, the warn_alloc reports, kswapd/kcompactd per node and compaction deferral per zone. The
   * options are not in it (they are given again to {@link createReclaim}). Shares nothing with the model.
   *
   * @returns plain data (typed arrays, numbers, strings)
   * @throws {InvalidReclaimArgumentError} inside a slow-path call (from one of its callbacks): the call in progress is not state that can be copied
   * @example
   * ```ts
   * import { bootBuddy } from "@pagealloc/buddy";
   * import { createReclaim, PageUse } from "@pagealloc/reclaim";
   * const spec = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024,
   *   watermark: { min: 16, low: 20, high: 24 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
   * const boot = () => { const r = createReclaim(); return r.attach(bootBuddy([spec], { slowPath: r.slowPath })); };
   * const r = boot();
   * const pfn = r.allocator.allocPagesRequest({ highestZoneIdx: 2, migratetype: r.allocator.facts.mt.MOVABLE }, 0);
   * r.markPage(pfn, 0, PageUse.FILE_DIRTY);
   * r.deferCompaction(r.allocator.zones[0], 9);
   * const copy = boot();
   * copy.importState(r.exportState());
   * console.log(copy.memory.useOfPfn(pfn), copy.compactionDeferInfo(copy.allocator.zones[0]).deferShift); // => 2 1
   * ```
   */
  exportState(): ReclaimStateData {
    if (this.inSlowPath) throw new InvalidReclaimArgumentError("a slow-path call is in progress (the state was asked for from one of its callbacks)", "inSlowPath");
    return {
      memory: this.memory.exportState(),
      vmstat: Object.entries(this.vmstat).map(([name, n]) => [name, n ?? 0] as const),
      lastOutcome: this.lastOutcome === null ? null : (JSON.parse(JSON.stringify(this.lastOutcome)) as unknown),
      reports: [...this.reports],
      kswapd: [...this.kswapd].map(([nid, s]) => ({ nid, ...s })),
      defer: [...this.defer].map(([z, d]) => ({ nid: z.spec.nid, zoneIdx: z.spec.zoneIdx, ...d })),
      ratelimit: this.warnRatelimitState,
    };
  }

  /**
   * Put a state from {@link Reclaim.exportState} into a model created with the same options and attached to an
   * allocator booted like the original. The whole state is checked first, so a bad one changes nothing.
   *
   * @param s - the exported state
   * @throws {InvalidReclaimArgumentError} when the state does not fit the attached allocator (other nodes or zones,
   *   bad arrays), or before attach()
   * @example
   * ```ts
   * import { createReclaim } from "@pagealloc/reclaim";
   * let err;
   * try { createReclaim().importState({ vmstat: [] }); } catch (e) { err = e; }
   * console.log(err.code); // => INVALID_RECLAIM_ARGUMENT
   * ```
   */
  importState(s: ReclaimStateData): void {
    const a = this.allocator;
    const zoneOf = (nid: number, zoneIdx: number) => a.zones.find((z) => z.spec.nid === nid && z.spec.zoneIdx === zoneIdx);
    checkReclaimState(s, a.nodeIds(), (nid, zoneIdx) => zoneOf(nid, zoneIdx) !== undefined);
    this.memory.importState(s.memory);
    const counters = this.vmstat as Record<string, number>;
    for (const name of Object.keys(counters)) delete counters[name];
    for (const [name, n] of s.vmstat) counters[name] = n;
    for (const name of VMSTAT_NAMES) counters[name] ??= 0;
    this.lastOutcome = s.lastOutcome === null ? null : (JSON.parse(JSON.stringify(s.lastOutcome)) as SlowPathOutcome);
    this.reports.length = 0;
    for (const text of s.reports) this.reports.push(text); // a loop: spreading thousands of reports overflows the stack
    this.kswapd.clear();
    for (const { nid, ...k } of s.kswapd) this.kswapd.set(nid, { ...k });
    this.defer.clear();
    for (const { nid, zoneIdx, ...d } of s.defer) this.defer.set(zoneOf(nid, zoneIdx)!, { ...d });
    const rl = s.ratelimit;
    this.ratelimit = rl ? { clockMs: rl.clockMs, initialized: rl.initialized, begin: rl.begin, printed: rl.printed, missed: rl.missed, toks: rl.toks, lastMsg: rl.lastMsg, reportsSuppressed: rl.reportsSuppressed } : freshRatelimit();
  }
}

/**
 * A slow path for a buddy allocator: pass `reclaim.slowPath` as bootBuddy's `slowPath` option (the allocator is
 * attached on the first slow-path call, or with `attach`).
 *
 * @param options - swap, swappiness, the workload's tasks and OOM handler, callbacks for evicted and migrated pages
 * @returns the reclaim model
 * @example
 * ```ts
 * import { bootBuddy } from "@pagealloc/buddy";
 * import { createReclaim, PageUse } from "@pagealloc/reclaim";
 * const r = createReclaim();
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 1024, presentPages: 1024, managedPages: 1024,
 *   watermark: { min: 16, low: 20, high: 24 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }], { slowPath: r.slowPath });
 * r.attach(a);
 * const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 0);
 * r.markPage(pfn, 0, PageUse.FILE_CLEAN);
 * console.log(r.memory.pagesByUse[PageUse.FILE_CLEAN]); // => 1
 * ```
 */
export function createReclaim(options: ReclaimOptions = {}): Reclaim {
  return new Reclaim(options);
}
