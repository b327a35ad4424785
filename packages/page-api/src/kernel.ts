import { type BuddyAllocator, type BuddyTraceEvent, bootBuddyFromZoneSet, renderBuddyinfo } from "@pagealloc/buddy";
import { formatGfp, gfpFlags, gfpZoneIdx, parseGfp } from "@pagealloc/gfp";
import {
  type ArchFacts,
  type Machine,
  type MachineDescription,
  DEFAULT_KERNEL_VERSION,
  FrameStore,
  type InitialContent,
  type KernelVersion,
  archFacts,
  formatKernelVersion,
  getPreset,
  loadMachine,
  parseKernelVersion,
  versionAtLeast,
} from "@pagealloc/physmem";
import { PageUse, type PageUseValue, type Reclaim, type ReclaimOptions, createReclaim } from "@pagealloc/reclaim";
import { type Sysctls, type ZoneSet, buildZones } from "@pagealloc/zones";
import { BadPageStateError, InvalidAddressError, KmapExhaustedError, NotInThisKernelError, PageApiArgumentError } from "./errors";
import { getOrder } from "./get-order";
import { checkHostMemory } from "./host-limits";
import { type PageApiFacts, pageApiFacts } from "./version-facts";

/** A GFP mask: a number, or an expression such as `"GFP_KERNEL|__GFP_ZERO"` resolved for the booted version. */
export type Gfp = number | string;

/**
 * A `struct page *`: a thin handle on a page frame number. Two handles of the same pfn are equal by
 * {@link Page.pfn}; the page's state lives in the buddy layer's mem_map arrays.
 * kernel: include/linux/mm_types.h struct page; book §3.2.2 (data structures: page frames)
 *
 * @example
 * ```ts
 * import { Page, bootKernel } from "@pagealloc/page-api";
 * const k = bootKernel({ machine: "tiny-16m" });
 * const page = k.pfn_to_page(7);
 * console.log(page instanceof Page, page.pfn, k.pfn_to_page(7).pfn === page.pfn); // => true 7 true
 * ```
 */
export class Page {
  /** The page frame number. */
  readonly pfn: number;
  constructor(pfn: number) {
    this.pfn = pfn;
  }
  /**
   * `page(pfn:0x1234)`: the pfn in hex, as the kernel's dump_page() prints it.
   * kernel: mm/debug.c dump_page() (the `pfn:` field)
   *
   * @returns the handle as text
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * console.log(String(k.pfn_to_page(255))); // => page(pfn:0xff)
   * ```
   */
  toString(): string {
    return `page(pfn:0x${this.pfn.toString(16)})`;
  }
}

/** Options of {@link bootKernel}. */
export interface BootKernelOptions {
  /** A machine: a preset name (see `listPresets()` in @pagealloc/physmem), a machine description, or a loaded Machine. Default `pc-4g`. */
  readonly machine?: string | MachineDescription | Machine;
  /** Kernel version (`uname -r` text accepted). Default 6.18; `2.6.24` is the book's kernel. */
  readonly version?: string;
  /** vm.* sysctls (min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio, ...); unset ones take the version's defaults. */
  readonly sysctls?: Partial<Sysctls>;
  /** Seed for anything random above this layer (workloads); the page API itself is deterministic. */
  readonly seed?: number;
  /** Online CPUs (default: every CPU of the machine). */
  readonly cpus?: number;
  /** CONFIG_PAGE_POISONING: fill freed pages with 0xaa so that use-after-free is visible. */
  readonly pagePoisoning?: boolean;
  /** What never-written frames contain: `"garbage"` (default, deterministic junk) or `"zero"`. */
  readonly initialContent?: InitialContent;
  /** Receives every kmem trace event. */
  readonly trace?: (event: BuddyTraceEvent) => void;
  /** Run the buddy invariant checker after every operation (slow; for tests). */
  readonly checkInvariants?: boolean;
  /**
   * @internal The fused order-0 alloc/free paths (default true). `false` runs every request through the layered
   * path; the differential test checks that both give the same state.
   */
  readonly fastPaths?: boolean;
  /** Refuse up front (HOST_MEMORY_LIMIT, with the memory needed) a machine whose simulation needs more host bytes than this. */
  readonly maxHostBytes?: number;
  /**
   * The slow path (@pagealloc/reclaim): kswapd, direct reclaim, compaction, retries, the OOM decision and the
   * warn_alloc report (printed to {@link Kernel.dmesg}). On by default (an allocation the fast path cannot
   * serve goes through __alloc_pages_slowpath(), as in every real kernel); an options
   * object configures it (swap, swappiness, compaction, hooks), `false` turns it off: a failed fast path then
   * returns null at once (the behaviour before). `background: "after-alloc"` (default) runs woken kswapd/kcompactd
   * after an allocation that left them woken (a wakeup made by calling `k.reclaim` directly waits for the next
   * slow path or {@link Kernel.kswapd_tick}); `"tick"` only on {@link Kernel.kswapd_tick}.
   */
  readonly reclaim?: boolean | (ReclaimOptions & { readonly background?: "after-alloc" | "tick" });
}

/** A kernel log line the model printed (warnings such as WARN_ON_ONCE). */
export interface KernelLogLine {
  readonly level: "warn" | "info";
  readonly text: string;
}

/** LAST_PKMAP and PKMAP_BASE of 32-bit x86 (values from 2.6-era boot logs: "pkmap : 0xff800000 - 0xffc00000"). */
const PKMAP = {
  nonPae: { base: 0xff800000n, slots: 1024 },
  pae: { base: 0xff600000n, slots: 512 },
} as const;

function resolveMachine(m: BootKernelOptions["machine"]): Machine {
  if (m === undefined) return getPreset("pc-4g");
  if (typeof m === "string") return getPreset(m);
  if ("totalPages" in m && "maxPfn" in m) return m as Machine;
  return loadMachine(m);
}

/**
 * A booted simulated kernel with the page allocation API of *Professional Linux Kernel Architecture*
 * §3.5.4 ("Allocator API") and §3.5.6 ("Freeing Pages"), under the kernel's own names.
 * Build it with {@link bootKernel}: `new Kernel(options)` is the same.
 * kernel: include/linux/gfp.h, mm/page_alloc.c, mm/highmem.c (the functions of each method)
 *
 * @throws {InvalidMachineError} for an invalid machine description
 * @throws {HostMemoryLimitError} (code `HOST_MEMORY_LIMIT`) when the machine needs more than `maxHostBytes`
 * @example
 * ```ts
 * import { Kernel } from "@pagealloc/page-api";
 * const k = new Kernel({ machine: "tiny-16m", version: "2.6.24" });
 * // 2.6.24: MAX_ORDER 11, so orders 0..10; tiny-16m has 2 CPUs
 * console.log(k.maxOrder, k.buddy.cpus); // => 10 2
 * ```
 */
export class Kernel {
  readonly version: KernelVersion;
  readonly machine: Machine;
  readonly arch: ArchFacts;
  readonly zones: ZoneSet;
  readonly buddy: BuddyAllocator;
  /** Contents of every page frame. */
  readonly memory: FrameStore;
  readonly facts: PageApiFacts;
  readonly seed: number;
  readonly pagePoisoning: boolean;
  /** Largest order the allocator serves (MAX_ORDER − 1 / MAX_PAGE_ORDER). */
  readonly maxOrder: number;
  /** The slow path's state (memory use, kswapd, compaction, vm events), or null when booted with `reclaim: false`. */
  readonly reclaim: Reclaim | null;
  private readonly reclaimAfterAlloc: boolean;
  /** Node ids, for backgroundPending(). */
  private readonly reclaimNids: readonly number[];
  /** A slow path ran (or the kernel was just booted or restored) since backgroundPending() last found nothing woken. */
  private mayHaveWokenBackground = true;
  private cpu = 0;
  private readonly log: KernelLogLine[] = [];
  private readonly warnedOnce = new Set<string>();
  /** Compound heads (__GFP_COMP) and their order; tails are the pages after a head within its block. */
  private readonly compound = new Map<number, number>();
  /** page->_mapcount + 1 of mapped pages (sparse: almost every page is unmapped). */
  private readonly mapcount = new Map<number, number>();
  /** pkmap_count[] per slot (0 free, 1 mapped but unused until the next flush, n > 1 in use) and its page. */
  private readonly pkmapCount: Int32Array;
  private readonly pkmapPfn: Float64Array;
  private readonly pkmapOfPfn = new Map<number, number>();
  private lastPkmapNr = 0;
  private readonly pkmapBase: bigint;
  private readonly gfpCache = new Map<string, number>();
  private readonly flags: Readonly<Record<string, number>>;
  /** The bits allocPagesNode() tests on every call (0 where the version has no such flag). */
  private readonly gfpComp: number;
  private readonly gfpZero: number;
  private readonly gfpThisNode: number;

  constructor(options: BootKernelOptions = {}) {
    this.version = parseKernelVersion(options.version ?? DEFAULT_KERNEL_VERSION);
    this.machine = resolveMachine(options.machine);
    if (options.maxHostBytes !== undefined) checkHostMemory(this.machine, options.maxHostBytes);
    this.arch = archFacts(this.machine.arch, this.version, this.machine.archOptions);
    this.facts = pageApiFacts(this.version);
    this.seed = options.seed ?? 0;
    this.pagePoisoning = options.pagePoisoning ?? false;
    this.flags = gfpFlags(this.version) as Readonly<Record<string, number>>;
    this.gfpComp = this.flag("__GFP_COMP");
    this.gfpZero = this.flag("__GFP_ZERO");
    this.gfpThisNode = this.flag("__GFP_THISNODE");
    const cpus = options.cpus ?? Math.max(1, this.machine.nodes.reduce((n, node) => n + node.cpus.length, 0));
    this.zones = buildZones(this.machine, { version: this.version, sysctls: options.sysctls, cpus });
    // The slow path is on unless the caller opts out with `reclaim: false`.
    const ro = options.reclaim === false ? null : options.reclaim === undefined || options.reclaim === true ? {} : options.reclaim;
    this.reclaimAfterAlloc = ro !== null && (ro.background ?? "after-alloc") === "after-alloc";
    this.reclaim = ro
      ? createReclaim({
          ...ro,
          // reclaim freed or moved a page the caller marked: the page API's own per-page state follows it
          onEvict: (pfn, owner, reason) => {
            this.compound.delete(pfn);
            this.mapcount.delete(pfn);
            ro.onEvict?.(pfn, owner, reason);
          },
          onMigrate: (from, to, owner) => {
            const mc = this.mapcount.get(from);
            if (mc !== undefined) {
              this.mapcount.delete(from);
              this.mapcount.set(to, mc);
            }
            ro.onMigrate?.(from, to, owner);
          },
          onReport: (text) => {
            // the rate limiter's "warn_alloc: N callbacks suppressed" comes first when it printed one
            const suppressed = this.reclaim?.lastOutcome?.suppressedLine;
            if (suppressed !== undefined) this.log.push({ level: "warn", text: suppressed });
            for (const line of text.split("\n")) this.log.push({ level: "warn", text: line });
            ro.onReport?.(text);
          },
        })
      : null;
    const hook = this.reclaim?.slowPath;
    // only the slow path (or a boosted watermark, checked apart) wakes kswapd/kcompactd between two ticks
    const slowPath: typeof hook = hook
      ? (ctx) => {
          this.mayHaveWokenBackground = true;
          return hook(ctx);
        }
      : undefined;
    this.buddy = bootBuddyFromZoneSet(this.zones, this.machine, { trace: options.trace, checkInvariants: options.checkInvariants, slowPath, fastPaths: options.fastPaths });
    this.reclaim?.attach(this.buddy);
    this.reclaimNids = this.buddy.nodeIds();
    this.maxOrder = this.buddy.nrOrders - 1;
    this.memory = FrameStore.forMachine(this.machine, options.initialContent ?? "garbage");
    const pk = this.machine.arch === "i386-pae" ? PKMAP.pae : PKMAP.nonPae;
    this.pkmapBase = pk.base;
    this.pkmapCount = new Int32Array(this.arch.lowmemLimitPfn === null ? 0 : pk.slots);
    this.pkmapPfn = new Float64Array(this.pkmapCount.length).fill(-1);
  }

  // ------------------------------------------------------------------ CPU

  /**
   * The CPU the next calls run on (their per-cpu lists and node).
   * kernel: include/linux/smp.h smp_processor_id(); book §3.2.2 (hot-n-cold pages: the per-CPU caches)
   *
   * @returns the current CPU number (0 after boot)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * console.log(k.smp_processor_id()); // => 0
   * ```
   */
  smp_processor_id(): number {
    return this.cpu;
  }

  /**
   * Run the following calls on `cpu` (its per-cpu lists and its node are used): the model's stand-in for
   * migrating the calling task. kernel: none (the kernel's caller simply runs on some CPU; cf. kernel/sched/core.c
   * set_cpus_allowed_ptr())
   *
   * @param cpu - an online CPU, 0 … cpus − 1
   * @returns this kernel (for chaining)
   * @throws {PageApiArgumentError} (code `PAGE_API_ARGUMENT`) for a CPU that is not online; nothing changes
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // tiny-16m has 2 CPUs: 0 and 1
   * console.log(k.set_cpu(1).smp_processor_id()); // => 1
   * let err;
   * try { k.set_cpu(2); } catch (e) { err = e; }
   * console.log(err.code, k.smp_processor_id()); // => PAGE_API_ARGUMENT 1
   * ```
   */
  set_cpu(cpu: number): this {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.buddy.cpus) throw new PageApiArgumentError(`cpu ${cpu} is not online (0..${this.buddy.cpus - 1})`, "cpu");
    this.cpu = cpu;
    return this;
  }

  /**
   * The NUMA node of the current CPU: where alloc_pages() starts looking (its zonelist).
   * kernel: include/linux/topology.h numa_node_id(); book §3.2 (organization in the (N)UMA model)
   *
   * @returns the node id of {@link Kernel.smp_processor_id}
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const two = { name: "two-nodes", arch: "x86_64", nodes: [{ id: 0, cpus: "0", memory: [{ start: "0x0", size: "16M" }] }, { id: 1, cpus: "1", memory: [{ start: "0x1000000", size: "16M" }] }] };
   * const k = bootKernel({ machine: two });
   * console.log(k.numa_node_id(), k.set_cpu(1).numa_node_id()); // => 0 1
   * ```
   */
  numa_node_id(): number {
    return this.buddy.cpuToNode[this.cpu] ?? 0;
  }

  /**
   * Kernel log lines printed so far (WARN_ON_ONCE warnings, and the slow path's page allocation failure
   * reports), oldest first. kernel: kernel/printk/printk.c (the log buffer `dmesg` reads)
   *
   * @returns the log lines (level and text)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // 6.18: MAX_PAGE_ORDER is 10, so order 11 is WARN_ON_ONCE + NULL
   * console.log(k.alloc_pages("GFP_KERNEL", 11), k.dmesg().length); // => null 1
   * console.log(k.dmesg()[0].text.startsWith("WARNING: at mm/page_alloc.c __alloc_pages")); // => true
   * ```
   */
  dmesg(): readonly KernelLogLine[] {
    return this.log;
  }

  // ------------------------------------------------------------------ GFP

  /**
   * Resolve a GFP mask (a number, or an expression of flag names) for this kernel version's bit layout.
   * kernel: include/linux/gfp_types.h (2.6.24: include/linux/gfp.h) the GFP_* / __GFP_* constants; book §3.5.4
   * (the allocation API: allocation masks)
   *
   * @param mask - a 32-bit unsigned number, or an expression such as `"GFP_KERNEL|__GFP_ZERO"`
   * @returns the numeric mask
   * @throws {InvalidGfpError} for an expression that does not parse
   * @throws {PageApiArgumentError} for a number that is not a 32-bit unsigned integer
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * // 6.18: GFP_KERNEL = __GFP_RECLAIM (0x400|0x800) | __GFP_IO (0x40) | __GFP_FS (0x80)
   * console.log(bootKernel({ machine: "tiny-16m" }).gfp("GFP_KERNEL").toString(16)); // => cc0
   * // 2.6.24: GFP_KERNEL = __GFP_WAIT (0x10) | __GFP_IO (0x40) | __GFP_FS (0x80)
   * console.log(bootKernel({ machine: "tiny-16m", version: "2.6.24" }).gfp("GFP_KERNEL").toString(16)); // => d0
   * ```
   */
  gfp(mask: Gfp): number {
    if (typeof mask === "number") {
      if (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff) throw new PageApiArgumentError(`GFP mask ${mask} is not a 32-bit unsigned integer`, "gfp");
      return mask;
    }
    let v = this.gfpCache.get(mask);
    if (v === undefined) {
      v = parseGfp(mask, this.version);
      this.gfpCache.set(mask, v);
    }
    return v;
  }

  /** GFP masks whose zone modifiers gfpZoneIdx() accepted (allocPagesNode). */
  private readonly zoneCheckedMasks = new Set<number>();
  /** The mask checked last (−1: none), so that a run of one mask skips the set. */
  private zoneCheckedLast = -1;

  private flag(name: string): number {
    return this.flags[name] ?? 0;
  }

  private warnOnce(key: string, text: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.log.push({ level: "warn", text });
  }

  // ------------------------------------------------------------------ allocation

  /**
   * Allocate 2^order contiguous pages on the current CPU's node.
   * kernel: include/linux/gfp.h alloc_pages() → mm/page_alloc.c __alloc_pages(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @param order - allocation order
   * @returns the first page, or `null` when the allocation failed (or the order is above the maximum:
   *   a WARN_ON_ONCE is logged unless `__GFP_NOWARN`)
   * @throws {BadGfpZoneError} for an invalid zone-modifier combination (nothing changes)
   * @throws {PageApiArgumentError} for an order that is not a non-negative integer
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_pages("GFP_KERNEL", 2);
   * // a block of order 2 starts at a multiple of 2^2 pages; its first page holds the one reference
   * console.log(page !== null, k.page_count(page), page.pfn % 4); // => true 1 0
   * ```
   */
  alloc_pages(gfp: Gfp, order: number): Page | null {
    return this.allocPagesNode(this.numa_node_id(), this.gfp(gfp), order, "alloc_pages");
  }

  /**
   * One page: alloc_pages(gfp, 0).
   * kernel: include/linux/gfp.h alloc_page(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @returns the page, or `null`
   * @throws {BadGfpZoneError} for an invalid zone-modifier combination (nothing changes)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_KERNEL");
   * console.log(k.page_count(page), k.PageHead(page)); // => 1 false
   * ```
   */
  alloc_page(gfp: Gfp): Page | null {
    return this.alloc_pages(gfp, 0);
  }

  /**
   * Allocate on node `nid` (−1 = the current node) and fall back along its zonelist; with
   * `__GFP_THISNODE` only that node's zones are tried.
   * kernel: include/linux/gfp.h alloc_pages_node() → __alloc_pages_node(); book §3.5.4 (the allocation API)
   *
   * @param nid - node id, or −1 (NUMA_NO_NODE) for {@link Kernel.numa_node_id}
   * @param gfp - GFP mask or expression
   * @param order - allocation order
   * @returns the first page, or `null`
   * @throws {PageApiArgumentError} (code `PAGE_API_ARGUMENT`) for a node that does not exist
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * console.log(k.alloc_pages_node(-1, "GFP_KERNEL", 1).pfn % 2); // => 0
   * let err;
   * try { k.alloc_pages_node(1, "GFP_KERNEL", 0); } catch (e) { err = e; }
   * console.log(err.code); // => PAGE_API_ARGUMENT
   * ```
   */
  alloc_pages_node(nid: number, gfp: Gfp, order: number): Page | null {
    const node = nid === -1 ? this.numa_node_id() : nid;
    if (!this.machine.nodes.some((n) => n.id === node)) throw new PageApiArgumentError(`node ${nid} does not exist`, "nid");
    return this.allocPagesNode(node, this.gfp(gfp), order, "alloc_pages_node");
  }

  private allocPagesNode(nid: number, mask: number, order: number, caller: string): Page | null {
    if (!Number.isInteger(order) || order < 0) throw new PageApiArgumentError(`order ${order} is not a non-negative integer`, "order");
    // Validates the zone modifiers first: an invalid combination is an error, not a failed allocation.
    // (A pure function of the mask: each valid mask is checked once.)
    if (mask !== this.zoneCheckedLast) {
      if (!this.zoneCheckedMasks.has(mask)) {
        gfpZoneIdx(mask, { arch: this.machine.arch, version: this.version });
        if (this.zoneCheckedMasks.size >= 4096) this.zoneCheckedMasks.clear();
        this.zoneCheckedMasks.add(mask);
      }
      this.zoneCheckedLast = mask;
    }
    if (order > this.maxOrder) {
      // kernel: __alloc_pages(): WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp) → NULL (2.6.24: silent NULL)
      if (versionAtLeast(this.version, "2.6.25") && !(mask & this.flag("__GFP_NOWARN"))) {
        this.warnOnce("order", `WARNING: at mm/page_alloc.c __alloc_pages: order ${order} > MAX_PAGE_ORDER ${this.maxOrder} (${caller}, gfp ${formatGfp(mask, this.version)})`);
      }
      return null;
    }
    const thisNode = this.gfpThisNode;
    const nodemask = thisNode && mask & thisNode && this.machine.nodes.length > 1 ? [nid] : undefined;
    // An order-0 hit on the per-cpu list takes buddy's fused path (the same result, without the request objects).
    let pfn = order === 0 && nodemask === undefined ? this.buddy.allocOrder0Fast(mask, nid, this.cpu) : -1;
    if (pfn < 0) pfn = this.buddy.allocPages(mask, order, { nid, cpu: this.cpu, nodemask });
    const r = this.reclaim;
    // rmqueue() woke kswapd for a watermark a fallback steal boosted (an ALLOC_KSWAPD request only)
    if (r !== null && r.takeBoostWake()) this.mayHaveWokenBackground = true;
    if (this.reclaimAfterAlloc && this.backgroundPending()) r!.tick();
    if (pfn < 0) return null;
    const pages = 2 ** order;
    if (mask & this.gfpComp && order > 0) this.compound.set(pfn, order);
    // post_alloc_hook(): __GFP_ZERO clears every subpage after the block left the free lists.
    if (mask & this.gfpZero) for (let p = pfn; p < pfn + pages; p++) this.memory.zeroPage(p);
    return new Page(pfn);
  }

  /**
   * Allocate and return the kernel virtual address (direct map) of the first page, or `0n`.
   * Modern kernels (4.16+) clear `__GFP_HIGHMEM` first; older ones allocate from HighMem and then return
   * 0 because the page has no permanent mapping (the page is leaked, as in the kernel).
   * kernel: mm/page_alloc.c __get_free_pages(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @param order - allocation order
   * @returns `PAGE_OFFSET + pfn × PAGE_SIZE` of the first page, or `0n` when the allocation failed
   * @throws {BadGfpZoneError} for an invalid zone-modifier combination (nothing changes)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.__get_free_pages("GFP_KERNEL", 1);
   * // x86_64 direct map: PAGE_OFFSET 0xffff888000000000; an order-1 block is 2 × 4096 bytes aligned
   * console.log(addr >= 0xffff888000000000n, (addr - 0xffff888000000000n) % 8192n); // => true 0n
   * ```
   */
  __get_free_pages(gfp: Gfp, order: number): bigint {
    let mask = this.gfp(gfp);
    if (this.facts.getFreePagesStripsHighmem) mask &= ~this.flag("__GFP_HIGHMEM") >>> 0;
    const page = this.allocPagesNode(this.numa_node_id(), mask, order, "__get_free_pages");
    if (!page) return 0n;
    return this.page_address(page) ?? 0n;
  }

  /**
   * One page's address: __get_free_pages(gfp, 0).
   * kernel: include/linux/gfp.h __get_free_page(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @returns the page's direct-map address, or `0n`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.__get_free_page("GFP_KERNEL");
   * const pfn = k.page_to_pfn(k.virt_to_page(addr));
   * console.log(addr === 0xffff888000000000n + BigInt(pfn) * 4096n); // => true
   * ```
   */
  __get_free_page(gfp: Gfp): bigint {
    return this.__get_free_pages(gfp, 0);
  }

  /**
   * One zero-filled page's address, or `0n`: __get_free_pages(gfp | __GFP_ZERO, 0).
   * kernel: mm/page_alloc.c get_zeroed_page(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @returns the page's direct-map address, or `0n`
   * @throws {PageApiArgumentError} on 2.6.24 for `__GFP_HIGHMEM` (the kernel's BUG_ON)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * // never-written frames hold junk by default ("garbage"): the zeroes come from __GFP_ZERO
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.get_zeroed_page("GFP_KERNEL");
   * console.log(k.read(addr, 4).join(","), k.read(addr + 4092n, 4).join(",")); // => 0,0,0,0 0,0,0,0
   * ```
   */
  get_zeroed_page(gfp: Gfp): bigint {
    const mask = this.gfp(gfp);
    if (this.facts.zeroedPageBugsOnHighmem && mask & this.flag("__GFP_HIGHMEM")) {
      throw new PageApiArgumentError("kernel BUG at mm/page_alloc.c: get_zeroed_page() with __GFP_HIGHMEM", "gfp");
    }
    return this.__get_free_pages(mask | this.flag("__GFP_ZERO"), 0);
  }

  /**
   * Pages from ZONE_DMA: __get_free_pages(gfp | GFP_DMA, order). The kernel's name is `__get_dma_pages`;
   * the book calls it `get_dma_pages`.
   * kernel: include/linux/gfp.h __get_dma_pages(); book §3.5.4 (the allocation API)
   *
   * @param gfp - GFP mask or expression
   * @param order - allocation order
   * @returns the direct-map address of the first page, or `0n`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.__get_dma_pages("GFP_KERNEL", 0);
   * // ZONE_DMA on x86 is the first 16 MiB (MAX_DMA_PFN 4096)
   * console.log(k.virt_to_phys(addr) < 16n * 1024n * 1024n); // => true
   * ```
   */
  __get_dma_pages(gfp: Gfp, order: number): bigint {
    return this.__get_free_pages(this.gfp(gfp) | this.flag("GFP_DMA"), order);
  }

  /**
   * The book's name for {@link Kernel.__get_dma_pages}: __get_free_pages(gfp | GFP_DMA, order).
   * kernel: include/linux/gfp.h __get_dma_pages(); book §3.5.4 (the allocation API: get_dma_pages)
   *
   * @param gfp - GFP mask or expression
   * @param order - allocation order
   * @returns the direct-map address of the first page, or `0n`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
   * const addr = k.get_dma_pages("GFP_KERNEL", 2);
   * // an order-2 block: 4 pages, 16 KiB aligned, below 16 MiB
   * console.log(k.virt_to_phys(addr) % 16384n, k.virt_to_phys(addr) < 0x1000000n); // => 0n true
   * ```
   */
  get_dma_pages(gfp: Gfp, order: number): bigint {
    return this.__get_dma_pages(gfp, order);
  }

  /**
   * Allocate `size` bytes of physically contiguous pages: the block of get_order(size) is split and the pages
   * beyond the size are freed at once (straight to the buddy lists, at the tail).
   * kernel: mm/page_alloc.c alloc_pages_exact() → make_alloc_exact() (2.6.27+); not in the book's 2.6.24
   *
   * @param size - bytes, > 0
   * @param gfp - GFP mask or expression (`__GFP_COMP` and `__GFP_HIGHMEM` are removed with a warning)
   * @returns the address, or `0n`
   * @throws {NotInThisKernelError} before 2.6.27
   * @throws {PageApiArgumentError} for a size that is not a positive integer
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // 5 pages: get_order(20480) = 3, so 8 pages are allocated, 5 kept (refcount 1) and 3 freed (refcount 0)
   * const pfn = k.page_to_pfn(k.virt_to_page(k.alloc_pages_exact(5 * 4096, "GFP_KERNEL")));
   * console.log(pfn % 8, k.page_count(k.pfn_to_page(pfn + 4)), k.page_count(k.pfn_to_page(pfn + 5))); // => 0 1 0
   * ```
   */
  alloc_pages_exact(size: number, gfp: Gfp): bigint {
    if (!this.facts.hasAllocPagesExact) throw new NotInThisKernelError("alloc_pages_exact", "2.6.27", formatKernelVersion(this.version));
    if (!Number.isInteger(size) || size <= 0) throw new PageApiArgumentError(`size ${size} must be a positive integer`, "size");
    let mask = this.gfp(gfp);
    const bad = mask & (this.flag("__GFP_COMP") | this.flag("__GFP_HIGHMEM"));
    // an invalid zone-modifier combination is an error that must leave no WARN behind (nothing changes)
    gfpZoneIdx((mask & ~bad) >>> 0, { arch: this.machine.arch, version: this.version });
    if (bad) {
      this.warnOnce("exact", `WARNING: at mm/page_alloc.c alloc_pages_exact: gfp ${formatGfp(bad, this.version)} is not allowed and was removed`);
      mask &= ~bad >>> 0;
    }
    const order = getOrder(size, this.arch.pageShift);
    const addr = this.__get_free_pages(mask, order);
    if (addr === 0n) return 0n;
    const pfn = this.virtToPfn(addr, "alloc_pages_exact");
    const used = Math.ceil(size / this.arch.pageSize);
    this.splitToOrder0(pfn, order);
    for (let p = pfn + used; p < pfn + 2 ** order; p++) this.freeBlock(p, 0, { toTail: true, bypassPcp: true });
    return addr;
  }

  /**
   * Free what alloc_pages_exact() returned: free_page() for each page of PAGE_ALIGN(size).
   * kernel: mm/page_alloc.c free_pages_exact() (2.6.27+)
   *
   * @param addr - the address alloc_pages_exact() returned
   * @param size - the size it was given
   * @throws {NotInThisKernelError} before 2.6.27
   * @throws {BadPageStateError} when one of the pages is not allocated (nothing is freed)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const before = k.buddyinfo();
   * k.free_pages_exact(k.alloc_pages_exact(3 * 4096, "GFP_KERNEL"), 3 * 4096);
   * k.drain_all_pages();
   * console.log(k.buddyinfo() === before); // => true
   * ```
   */
  free_pages_exact(addr: bigint, size: number): void {
    if (!this.facts.hasAllocPagesExact) throw new NotInThisKernelError("free_pages_exact", "2.6.27", formatKernelVersion(this.version));
    if (!Number.isInteger(size) || size <= 0) throw new PageApiArgumentError(`size ${size} must be a positive integer`, "size");
    const n = Math.ceil(size / this.arch.pageSize);
    const first = this.virtToPfn(addr, "free_pages_exact");
    // Validate every page before freeing any: a rejected call changes nothing.
    for (let p = first; p < first + n; p++) this.checkFreeable(p, 0, "free_pages_exact");
    for (let p = first; p < first + n; p++) this.__free_pages(new Page(p), 0);
  }

  // ------------------------------------------------------------------ freeing

  /**
   * Drop a reference to a 2^order block and free it when the last one goes. For a non-compound block whose
   * first page is still referenced, 5.10+ kernels free the rest of the block at once (order−1 down to 0).
   * kernel: mm/page_alloc.c __free_pages(); book §3.5.6 (freeing pages)
   *
   * @param page - the first page of the block (the compound head for __GFP_COMP)
   * @param order - the order it was allocated with
   * @throws {BadPageStateError} for a free page, a tail page, a wrong order or a mapped page (nothing changes)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const before = k.buddyinfo();
   * const page = k.alloc_pages("GFP_KERNEL", 3);
   * k.__free_pages(page, 3);
   * k.drain_all_pages();
   * console.log(k.buddyinfo() === before); // => true
   * ```
   */
  __free_pages(page: Page, order: number): void {
    if (order === 0 && this.freeOrder0Fast(page)) return;
    const pfn = this.pageArg(page, "__free_pages");
    this.checkFreeable(pfn, order, "__free_pages");
    const { z, i } = this.locate(pfn);
    const isHead = this.compound.has(pfn);
    const left = z.refcount[i]! - 1;
    if (left === 0) {
      this.compound.delete(pfn);
      this.reclaim?.memory.forget(pfn);
      this.freeBlock(pfn, order, {});
      return;
    }
    z.refcount[i] = left;
    if (!isHead && this.facts.freeUpperSubblocks) {
      for (let k = order; k > 0; k--) {
        this.buddy.splitAllocated(pfn, k, 1);
        this.freeBlock(pfn + 2 ** (k - 1), k - 1, {});
      }
    }
  }

  /**
   * Has the slow path background work to do: kswapd or kcompactd of a node woken? The after-alloc tick runs only
   * then, so that an allocation that woke nothing costs no more than without the slow path (tick() would find
   * nothing to do). Between two ticks only the slow path and rmqueue()'s boosted-watermark check wake the daemons,
   * so the per-node state is read only after one of them ran (or after boot/restore).
   */
  private backgroundPending(): boolean {
    if (!this.mayHaveWokenBackground) return false;
    const r = this.reclaim!;
    const nids = this.reclaimNids;
    for (let i = 0; i < nids.length; i++) if (r.kswapdWoken(nids[i]!) || r.kcompactdWoken(nids[i]!)) return true;
    this.mayHaveWokenBackground = false;
    return false;
  }

  // ------------------------------------------------------------------ memory use (for reclaim)

  private markUse(page: Page, order: number, use: PageUseValue, caller: string, owner?: number): void {
    const pfn = this.pageArg(page, caller);
    if (!this.reclaim) throw new PageApiArgumentError(`${caller} needs the slow path (booted with reclaim: false)`, "reclaim");
    if (this.buddy.allocatedOrder(pfn) !== order) throw new PageApiArgumentError(`${page} is not an allocated order-${order} block`, "page");
    this.reclaim.markPage(pfn, order, use, owner);
  }

  /**
   * Mark an allocated block as page cache (clean, or dirty: reclaim must write it back, which needs __GFP_FS). It
   * joins the node's inactive file LRU.
   * kernel: mm/filemap.c filemap_add_folio() → folio_add_lru(); book ch. 18 (page reclaim and swapping)
   *
   * @param page - the first page of an allocated block
   * @param o - `dirty`, the block's `order` (default 0) and an `owner` tag passed back by onEvict/onMigrate
   * @throws {PageApiArgumentError} when the block is not allocated with that order, or the kernel was booted with `reclaim: false`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * k.mark_page_cache(k.alloc_pages("GFP_HIGHUSER_MOVABLE", 1), { order: 1, dirty: true });
   * // PageUse.FILE_DIRTY counts the block's 2 pages
   * console.log(k.reclaim.memory.pagesByUse[2]); // => 2
   * ```
   */
  mark_page_cache(page: Page, o: { dirty?: boolean; order?: number; owner?: number } = {}): void {
    this.markUse(page, o.order ?? 0, o.dirty ? PageUse.FILE_DIRTY : PageUse.FILE_CLEAN, "mark_page_cache", o.owner);
  }

  /**
   * Mark an allocated block as anonymous memory (reclaimable only to swap: `reclaim.swapPages`, and __GFP_IO).
   * kernel: mm/rmap.c folio_add_new_anon_rmap() + folio_add_lru_vma(); book ch. 18 (page reclaim and swapping)
   *
   * @param page - the first page of an allocated block
   * @param o - the block's `order` (default 0) and an `owner` tag
   * @throws {PageApiArgumentError} when the block is not allocated with that order, or the kernel was booted with `reclaim: false`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * let err;
   * try { k.mark_anon(k.alloc_pages("GFP_HIGHUSER_MOVABLE", 1)); } catch (e) { err = e; }
   * console.log(err.code, err.message.includes("is not an allocated order-0 block")); // => PAGE_API_ARGUMENT true
   * ```
   */
  mark_anon(page: Page, o: { order?: number; owner?: number } = {}): void {
    this.markUse(page, o.order ?? 0, PageUse.ANON, "mark_anon", o.owner);
  }

  /**
   * Mark an allocated block as reclaimable slab (dentry/inode caches: freed by shrinkers, which need __GFP_FS).
   * kernel: mm/slub.c allocate_slab() with SLAB_RECLAIM_ACCOUNT; book ch. 18 (page reclaim and swapping: shrinkers)
   *
   * @param page - the first page of an allocated block
   * @param o - the block's `order` (default 0) and an `owner` tag
   * @throws {PageApiArgumentError} when the block is not allocated with that order, or the kernel was booted with `reclaim: false`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m", reclaim: false });
   * let err;
   * try { k.mark_slab_reclaimable(k.alloc_page("GFP_KERNEL")); } catch (e) { err = e; }
   * console.log(err.code); // => PAGE_API_ARGUMENT
   * ```
   */
  mark_slab_reclaimable(page: Page, o: { order?: number; owner?: number } = {}): void {
    this.markUse(page, o.order ?? 0, PageUse.SLAB_RECLAIMABLE, "mark_slab_reclaimable", o.owner);
  }

  /**
   * Mark an allocated block as pinned (FOLL_LONGTERM / mlock): never reclaimed, never migrated.
   * kernel: mm/gup.c pin_user_pages() (FOLL_LONGTERM)
   *
   * @param page - the first page of an allocated block
   * @param o - the block's `order` (default 0) and an `owner` tag
   * @throws {PageApiArgumentError} when the block is not allocated with that order, or the kernel was booted with `reclaim: false`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * k.mark_pinned(k.alloc_page("GFP_HIGHUSER_MOVABLE"));
   * // PageUse.PINNED
   * console.log(k.reclaim.memory.pagesByUse[5]); // => 1
   * ```
   */
  mark_pinned(page: Page, o: { order?: number; owner?: number } = {}): void {
    this.markUse(page, o.order ?? 0, PageUse.PINNED, "mark_pinned", o.owner);
  }

  /**
   * The page was accessed: it gets a second chance (PG_referenced, then the active list). A no-op with `reclaim: false`
   * or for an unmarked page.
   * kernel: mm/swap.c folio_mark_accessed() (mark_page_accessed() before 5.16); book ch. 18 (page reclaim and swapping)
   *
   * @param page - a page in a zone
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_HIGHUSER_MOVABLE");
   * k.mark_page_cache(page);
   * // LRU lists of node 0: 2 = inactive file, 3 = active file. The first access sets PG_referenced, the second activates
   * k.mark_page_accessed(page);
   * console.log(k.reclaim.memory.lruSize(0, 2), k.reclaim.memory.lruSize(0, 3)); // => 1 0
   * k.mark_page_accessed(page);
   * console.log(k.reclaim.memory.lruSize(0, 2), k.reclaim.memory.lruSize(0, 3)); // => 0 1
   * ```
   */
  mark_page_accessed(page: Page): void {
    this.reclaim?.memory.markAccessed(this.pageArg(page, "mark_page_accessed"));
  }

  /**
   * Run kswapd and kcompactd if woken (they also run after each allocation unless `reclaim.background` is "tick").
   * kernel: mm/vmscan.c kswapd() → balance_pgdat(), mm/compaction.c kcompactd(); book ch. 18 (page reclaim and swapping)
   *
   * @returns pages kswapd reclaimed (0 when not woken, or booted with `reclaim: false`)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m", reclaim: { background: "tick" } });
   * // free memory is far above the high watermark: kswapd was never woken
   * console.log(k.kswapd_tick(), k.reclaim.kswapdWoken(0)); // => 0 false
   * ```
   */
  kswapd_tick(): number {
    return this.reclaim?.tick() ?? 0;
  }

  /**
   * Free one page: __free_pages(page, 0).
   * kernel: include/linux/gfp.h __free_page(); book §3.5.6 (freeing pages)
   *
   * @param page - an allocated order-0 page
   * @throws {BadPageStateError} for a free page, a tail page or a mapped page (nothing changes)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_KERNEL");
   * k.get_page(page);
   * // two references: __free_page drops one, the page stays allocated
   * k.__free_page(page);
   * console.log(k.page_count(page)); // => 1
   * ```
   */
  __free_page(page: Page): void {
    this.__free_pages(page, 0);
  }

  /**
   * Free by virtual address; address 0 is ignored.
   * kernel: mm/page_alloc.c free_pages(); book §3.5.6 (freeing pages)
   *
   * @param addr - a direct-map address from __get_free_pages(), or `0n`
   * @param order - the order it was allocated with
   * @throws {InvalidAddressError} for an address that is not a page-aligned direct-map address
   * @throws {BadPageStateError} for a free page, a wrong order or a mapped page (nothing changes)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const before = k.buddyinfo();
   * k.free_pages(k.__get_free_pages("GFP_KERNEL", 2), 2);
   * k.free_pages(0n, 2);
   * // 5.14+: orders up to PAGE_ALLOC_COSTLY_ORDER (3) are freed to the CPU's pcp list first
   * k.drain_all_pages();
   * console.log(k.buddyinfo() === before); // => true
   * ```
   */
  free_pages(addr: bigint, order: number): void {
    if (addr === 0n) return;
    this.__free_pages(new Page(this.virtToPfn(addr, "free_pages")), order);
  }

  /**
   * Free one page by address: free_pages(addr, 0).
   * kernel: include/linux/gfp.h free_page(); book §3.5.6 (freeing pages)
   *
   * @param addr - a direct-map address, or `0n` (ignored)
   * @throws {InvalidAddressError} (code `INVALID_ADDRESS`) for an address that is not page-aligned or not in the direct map
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.__get_free_page("GFP_KERNEL");
   * let err;
   * try { k.free_page(addr + 8n); } catch (e) { err = e; }
   * console.log(err.code, k.page_count(k.virt_to_page(addr))); // => INVALID_ADDRESS 1
   * ```
   */
  free_page(addr: bigint): void {
    this.free_pages(addr, 0);
  }

  /**
   * Return every per-cpu list's pages to the buddy lists.
   * kernel: mm/page_alloc.c drain_all_pages(); book §3.2.2 (hot-n-cold pages)
   *
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const before = k.buddyinfo();
   * // an order-0 allocation refills the CPU's pcp list in a batch; the free goes back to that list
   * k.__free_page(k.alloc_page("GFP_KERNEL"));
   * console.log(k.buddyinfo() === before); // => false
   * k.drain_all_pages();
   * console.log(k.buddyinfo() === before); // => true
   * ```
   */
  drain_all_pages(): void {
    this.buddy.drainPages();
  }

  // ------------------------------------------------------------------ references and mappings

  /**
   * Take a reference (on a tail page: the compound head's count).
   * kernel: include/linux/mm.h get_page(); book §3.2.2 (page frames: the reference count)
   *
   * @param page - an allocated page
   * @throws {BadPageStateError} for a page whose count is 0 (a free page: the kernel's VM_BUG_ON)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_KERNEL");
   * k.get_page(page);
   * console.log(k.page_count(page)); // => 2
   * ```
   */
  get_page(page: Page): void {
    const head = this.compoundHead(this.pageArg(page, "get_page"));
    const { z, i } = this.locate(head);
    if (z.refcount[i]! <= 0) throw this.badPage(head, "get_page", "page_ref_count(page) == 0 in get_page");
    z.refcount[i] = z.refcount[i]! + 1;
  }

  /**
   * Drop a reference; the last one frees the page (the whole compound page for a compound head).
   * kernel: include/linux/mm.h put_page() → put_page_testzero(); book §3.2.2 (page frames: the reference count)
   *
   * @param page - an allocated page
   * @throws {BadPageStateError} when the last reference goes on a page that cannot be freed (e.g. still mapped)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 1);
   * k.get_page(page);
   * k.put_page(page);
   * console.log(k.page_count(page)); // => 1
   * k.put_page(page);
   * console.log(k.page_count(page)); // => 0
   * ```
   */
  put_page(page: Page): void {
    const head = this.compoundHead(this.pageArg(page, "put_page"));
    // put_page_testzero(): only the last reference frees; until then just drop it (also for a non-compound
    // higher-order block, whose order put_page cannot know — found by kernel.property.test.ts)
    const { z, i } = this.locate(head);
    if (z.refcount[i]! > 1) {
      z.refcount[i] = z.refcount[i]! - 1;
      return;
    }
    const order = this.compound.get(head) ?? 0;
    this.__free_pages(new Page(head), order);
  }

  /**
   * The reference count (a tail page reports its compound head's).
   * kernel: include/linux/mm.h page_count(); book §3.2.2 (page frames: the reference count)
   *
   * @param page - any page in a zone
   * @returns the count: 1 after allocation, 0 for a free page and for the tail pages of a non-compound block
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const a = k.alloc_pages("GFP_KERNEL", 2);
   * const c = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 2);
   * // only the first page of a plain block is counted; a compound tail reports its head
   * console.log(k.page_count(k.pfn_to_page(a.pfn + 1)), k.page_count(k.pfn_to_page(c.pfn + 1))); // => 0 1
   * ```
   */
  page_count(page: Page): number {
    const head = this.compoundHead(this.pageArg(page, "page_count"));
    const { z, i } = this.locate(head);
    return z.refcount[i]!;
  }

  /**
   * How many user page tables map the page (_mapcount + 1).
   * kernel: include/linux/mm.h page_mapcount(); book §3.2.2 (page frames: _mapcount)
   *
   * @param page - any page in a zone
   * @returns the number of mappings, 0 for an unmapped page
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_HIGHUSER");
   * k.map_page(page);
   * console.log(k.page_mapcount(page)); // => 1
   * ```
   */
  page_mapcount(page: Page): number {
    return this.mapcount.get(this.pageArg(page, "page_mapcount")) ?? 0;
  }

  /**
   * Map the page into a (simulated) user page table: _mapcount + 1. Freeing a mapped page is a bad page state.
   * kernel: mm/rmap.c page_add_new_anon_rmap() / folio_add_new_anon_rmap() (the mapcount part only)
   *
   * @param page - an allocated page
   * @throws {BadPageStateError} for a page that is not allocated
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_HIGHUSER");
   * k.map_page(page);
   * let err;
   * try { k.__free_page(page); } catch (e) { err = e; }
   * console.log(err.code, err.message.includes("nonzero mapcount")); // => BAD_PAGE_STATE true
   * ```
   */
  map_page(page: Page): void {
    const pfn = this.pageArg(page, "map_page");
    const { z, i } = this.locate(pfn);
    if (z.refcount[i]! <= 0 && this.compoundHead(pfn) === pfn) throw this.badPage(pfn, "map_page", "mapping a page that is not allocated");
    this.mapcount.set(pfn, (this.mapcount.get(pfn) ?? 0) + 1);
  }

  /**
   * Undo one {@link Kernel.map_page}: _mapcount − 1.
   * kernel: mm/rmap.c page_remove_rmap() / folio_remove_rmap_pte() (the mapcount part only)
   *
   * @param page - a mapped page
   * @throws {BadPageStateError} for a page that is not mapped
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_HIGHUSER");
   * k.map_page(page);
   * k.unmap_page(page);
   * k.__free_page(page);
   * console.log(k.page_mapcount(page), k.page_count(page)); // => 0 0
   * ```
   */
  unmap_page(page: Page): void {
    const pfn = this.pageArg(page, "unmap_page");
    const n = this.mapcount.get(pfn) ?? 0;
    if (n <= 0) throw this.badPage(pfn, "unmap_page", "unmapping a page that is not mapped");
    if (n === 1) this.mapcount.delete(pfn);
    else this.mapcount.set(pfn, n - 1);
  }

  /**
   * True for the head page of a __GFP_COMP allocation.
   * kernel: include/linux/page-flags.h PageHead()
   *
   * @param page - any page in a zone
   * @returns whether the page heads a compound page
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const c = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 2);
   * console.log(k.PageHead(c), k.PageHead(k.alloc_pages("GFP_KERNEL", 2))); // => true false
   * ```
   */
  PageHead(page: Page): boolean {
    return this.compound.has(this.pageArg(page, "PageHead"));
  }

  /**
   * True for a page inside a compound page after its head.
   * kernel: include/linux/page-flags.h PageTail()
   *
   * @param page - any page in a zone
   * @returns whether the page is a compound tail
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const c = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 2);
   * // order 2: the head and 3 tails
   * console.log(k.PageTail(c), k.PageTail(k.pfn_to_page(c.pfn + 3)), k.PageTail(k.pfn_to_page(c.pfn + 4))); // => false true false
   * ```
   */
  PageTail(page: Page): boolean {
    const pfn = this.pageArg(page, "PageTail");
    return this.compoundHead(pfn) !== pfn;
  }

  /**
   * The head of the compound page containing `page` (the page itself otherwise).
   * kernel: include/linux/page-flags.h compound_head()
   *
   * @param page - any page in a zone
   * @returns the head page
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const c = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 3);
   * console.log(k.compound_head(k.pfn_to_page(c.pfn + 5)).pfn === c.pfn); // => true
   * ```
   */
  compound_head(page: Page): Page {
    return new Page(this.compoundHead(this.pageArg(page, "compound_head")));
  }

  /**
   * True for a page in ZONE_HIGHMEM (no permanent kernel mapping; 32-bit only).
   * kernel: include/linux/page-flags.h PageHighMem(); book §3.2 (organization in the (N)UMA model: memory zones)
   *
   * @param page - any page in a zone
   * @returns whether the page lies above the lowmem limit
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "i386-1g-highmem" });
   * // GFP_HIGHUSER may use ZONE_HIGHMEM, which comes first in its zonelist; GFP_KERNEL may not
   * console.log(k.PageHighMem(k.alloc_page("GFP_HIGHUSER")), k.PageHighMem(k.alloc_page("GFP_KERNEL"))); // => true false
   * ```
   */
  PageHighMem(page: Page): boolean {
    const pfn = this.pageArg(page, "PageHighMem");
    return this.arch.lowmemLimitPfn !== null && pfn >= this.arch.lowmemLimitPfn;
  }

  // ------------------------------------------------------------------ addresses

  /**
   * The page frame number of a page (page − mem_map in the flat memory model).
   * kernel: include/asm-generic/memory_model.h page_to_pfn()
   *
   * @param page - any page in a zone
   * @returns the pfn
   * @throws {InvalidAddressError} for a page in no zone
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * console.log(k.page_to_pfn(k.pfn_to_page(0x123))); // => 291
   * ```
   */
  page_to_pfn(page: Page): number {
    return this.pageArg(page, "page_to_pfn");
  }

  /**
   * The page of a pfn.
   * kernel: include/asm-generic/memory_model.h pfn_to_page()
   *
   * @param pfn - a page frame number with a struct page
   * @returns the page
   * @throws {InvalidAddressError} (code `INVALID_ADDRESS`) when the pfn has no page (a hole or beyond memory)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // 16 MiB = 4096 pages: pfn 4096 is beyond memory
   * let err;
   * try { k.pfn_to_page(4096); } catch (e) { err = e; }
   * console.log(k.pfn_to_page(4095).pfn, err.code); // => 4095 INVALID_ADDRESS
   * ```
   */
  pfn_to_page(pfn: number): Page {
    if (!this.memory.isValidPfn(pfn)) throw new InvalidAddressError(`pfn 0x${Number(pfn).toString(16)} has no page (a hole or beyond memory)`, "pfn");
    return new Page(pfn);
  }

  /**
   * The kernel virtual address of a page: its direct-map address for lowmem, its kmap address for a
   * kmapped HighMem page, `null` for an unmapped HighMem page.
   * kernel: mm/highmem.c page_address() (lowmem: lowmem_page_address()); book §3.5.8 (kernel mappings: finding
   * page addresses)
   *
   * @param page - any page in a zone
   * @returns `PAGE_OFFSET + pfn × PAGE_SIZE`, the pkmap address, or `null`
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // x86_64: 0xffff888000000000 + 0x100 × 4096
   * console.log(k.page_address(k.pfn_to_page(0x100)).toString(16)); // => ffff888000100000
   * ```
   */
  page_address(page: Page): bigint | null {
    const pfn = this.pageArg(page, "page_address");
    if (this.arch.lowmemLimitPfn !== null && pfn >= this.arch.lowmemLimitPfn) {
      const slot = this.pkmapOfPfn.get(pfn);
      return slot === undefined ? null : this.pkmapBase + BigInt(slot) * BigInt(this.arch.pageSize);
    }
    return this.arch.pageOffset + (BigInt(pfn) << BigInt(this.arch.pageShift));
  }

  /**
   * The page of a direct-map address (any offset within the page).
   * kernel: arch/x86/include/asm/page.h virt_to_page()
   *
   * @param addr - a direct-map (lowmem) address
   * @returns the page
   * @throws {InvalidAddressError} when the address is not in the direct map
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // (0xffff888000123456 − PAGE_OFFSET) >> 12 = 0x123
   * console.log(k.virt_to_page(0xffff888000123456n).pfn.toString(16)); // => 123
   * ```
   */
  virt_to_page(addr: bigint): Page {
    return new Page(this.virtToPfn(addr, "virt_to_page", false));
  }

  /**
   * __pa(): the physical address of a direct-map address (addr − PAGE_OFFSET).
   * kernel: arch/x86/include/asm/io.h virt_to_phys()
   *
   * @param addr - a direct-map (lowmem) address
   * @returns the physical address
   * @throws {InvalidAddressError} when the address is not in the direct map
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * console.log(k.virt_to_phys(0xffff888000123456n).toString(16)); // => 123456
   * ```
   */
  virt_to_phys(addr: bigint): bigint {
    this.virtToPfn(addr, "virt_to_phys", false);
    return addr - this.arch.pageOffset;
  }

  /**
   * __va(): the direct-map address of a lowmem physical address (phys + PAGE_OFFSET).
   * kernel: arch/x86/include/asm/io.h phys_to_virt()
   *
   * @param phys - a physical address in lowmem
   * @returns the direct-map address
   * @throws {InvalidAddressError} for an address outside memory or in HighMem
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
   * // 2.6.24 x86_64: PAGE_OFFSET 0xffff810000000000 (0xffff888000000000 from 4.20)
   * console.log(k.phys_to_virt(0x2000n).toString(16)); // => ffff810000002000
   * ```
   */
  phys_to_virt(phys: bigint): bigint {
    const pfn = Number(phys >> BigInt(this.arch.pageShift));
    if (phys < 0n || !this.memory.isValidPfn(pfn) || (this.arch.lowmemLimitPfn !== null && pfn >= this.arch.lowmemLimitPfn)) {
      throw new InvalidAddressError(`physical address 0x${phys.toString(16)} is not in the direct map`, "phys");
    }
    return this.arch.pageOffset + phys;
  }

  /**
   * Map a page into the kernel's address space: lowmem pages already are; a HighMem page gets a pkmap slot
   * (the next free one after the last used, round robin) until kunmap().
   * kernel: mm/highmem.c kmap() → kmap_high() → map_new_virtual(); book §3.5.8 (kernel mappings: persistent
   * kernel mappings)
   *
   * @param page - any page in a zone
   * @returns the page's kernel virtual address
   * @throws {KmapExhaustedError} when every pkmap slot is in use (the kernel would sleep)
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "i386-1g-highmem", version: "2.6.24" });
   * const page = k.alloc_page("GFP_HIGHUSER");
   * // last_pkmap_nr starts at 0 and is advanced before use: slot 1, PKMAP_BASE 0xff800000 (2.6.24 non-PAE) + 1 × 4096
   * console.log(k.page_address(page), k.kmap(page).toString(16)); // => null ff801000
   * ```
   */
  kmap(page: Page): bigint {
    const pfn = this.pageArg(page, "kmap");
    if (!this.PageHighMem(page)) return this.page_address(page)!;
    let slot = this.pkmapOfPfn.get(pfn);
    if (slot === undefined) {
      slot = this.mapNewVirtual();
      this.pkmapPfn[slot] = pfn;
      this.pkmapOfPfn.set(pfn, slot);
      this.pkmapCount[slot] = 1;
    }
    this.pkmapCount[slot] = this.pkmapCount[slot]! + 1;
    return this.pkmapBase + BigInt(slot) * BigInt(this.arch.pageSize);
  }

  /**
   * Release a kmap() mapping. The address stays valid (count 1) until the slot is flushed for reuse.
   * kernel: mm/highmem.c kunmap() → kunmap_high(); book §3.5.8 (kernel mappings: persistent kernel mappings)
   *
   * @param page - a kmapped page (a lowmem page is ignored)
   * @throws {PageApiArgumentError} for a HighMem page that is not kmapped
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "i386-1g-highmem", version: "2.6.24" });
   * const page = k.alloc_page("GFP_HIGHUSER");
   * k.kmap(page);
   * k.kunmap(page);
   * // pkmap_count is back at 1: mapped but unused until flush_all_zero_pkmaps() on wrap-around
   * console.log(k.page_address(page).toString(16)); // => ff801000
   * ```
   */
  kunmap(page: Page): void {
    const pfn = this.pageArg(page, "kunmap");
    if (!this.PageHighMem(page)) return;
    const slot = this.pkmapOfPfn.get(pfn);
    if (slot === undefined || this.pkmapCount[slot]! < 2) throw new PageApiArgumentError(`kunmap of pfn 0x${pfn.toString(16)}, which is not kmapped`, "page");
    this.pkmapCount[slot] = this.pkmapCount[slot]! - 1;
  }

  private mapNewVirtual(): number {
    const n = this.pkmapCount.length;
    for (let tries = 0; tries < 2 * n; tries++) {
      this.lastPkmapNr = (this.lastPkmapNr + 1) & (n - 1);
      // flush_all_zero_pkmaps(): on wrap-around, slots whose count is 1 (unused) are unmapped.
      if (this.lastPkmapNr === 0) this.flushAllZeroPkmaps();
      if (this.pkmapCount[this.lastPkmapNr] === 0) return this.lastPkmapNr;
    }
    throw new KmapExhaustedError(n);
  }

  private flushAllZeroPkmaps(): void {
    for (let s = 0; s < this.pkmapCount.length; s++) {
      if (this.pkmapCount[s] === 1) {
        this.pkmapCount[s] = 0;
        this.pkmapOfPfn.delete(this.pkmapPfn[s]!);
        this.pkmapPfn[s] = -1;
      }
    }
  }

  // ------------------------------------------------------------------ contents

  /**
   * Read bytes at a kernel virtual address (direct map or kmap). kernel: none (a memcpy from the address)
   *
   * @param addr - a direct-map or kmap address
   * @param length - bytes to read
   * @returns a copy of the bytes
   * @throws {InvalidAddressError} for an address that is neither
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const addr = k.get_zeroed_page("GFP_KERNEL");
   * k.write(addr + 8n, [1, 2, 3]);
   * console.log(k.read(addr + 7n, 5).join(",")); // => 0,1,2,3,0
   * ```
   */
  read(addr: bigint, length: number): Uint8Array {
    return this.memory.read(this.virtToPhys(addr), length);
  }

  /**
   * Write bytes at a kernel virtual address (direct map or kmap). kernel: none (a memcpy to the address)
   *
   * @param addr - a direct-map or kmap address
   * @param bytes - the bytes
   * @throws {InvalidAddressError} for an address that is neither
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const page = k.alloc_page("GFP_KERNEL");
   * k.write(k.page_address(page), [0xde, 0xad]);
   * console.log(k.page_contents(page)[1].toString(16)); // => ad
   * ```
   */
  write(addr: bigint, bytes: Uint8Array | readonly number[]): void {
    this.memory.write(this.virtToPhys(addr), bytes);
  }

  /**
   * The page's contents (a copy of its PAGE_SIZE bytes). kernel: none (what kmap(page) would show)
   *
   * @param page - any page in a zone
   * @returns PAGE_SIZE bytes
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * const bytes = k.page_contents(k.alloc_pages("GFP_KERNEL|__GFP_ZERO", 0));
   * console.log(bytes.length, bytes.every((b) => b === 0)); // => 4096 true
   * ```
   */
  page_contents(page: Page): Uint8Array {
    return this.memory.readPage(this.pageArg(page, "page_contents"));
  }

  // ------------------------------------------------------------------ /proc

  /**
   * /proc/buddyinfo of the current state: per zone, the number of free blocks of each order.
   * kernel: mm/vmstat.c frag_show(); book §3.5.1 (structure of the buddy system)
   *
   * @returns the file's text
   * @example
   * ```ts
   * import { bootKernel } from "@pagealloc/page-api";
   * const k = bootKernel({ machine: "tiny-16m" });
   * // "Node %d, zone %8s" then one count per order (11 orders on 6.18)
   * const line = k.buddyinfo().split("\n")[0];
   * console.log(line.startsWith("Node 0, zone      DMA"), line.trim().split(/\s+/).length - 4); // => true 11
   * ```
   */
  buddyinfo(): string {
    return renderBuddyinfo(this.buddy);
  }

  // ------------------------------------------------------------------ internals

  private pageArg(page: Page, fn: string): number {
    if (!(page instanceof Page)) throw new PageApiArgumentError(`${fn}() needs a page (got ${page === null ? "NULL" : typeof page})`, "page");
    if (!Number.isSafeInteger(page.pfn) || !this.buddy.zoneOfPfn(page.pfn)) throw new InvalidAddressError(`pfn ${Number.isSafeInteger(page.pfn) ? `0x${page.pfn.toString(16)}` : page.pfn} is in no zone`, `${fn}(page)`);
    return page.pfn;
  }

  private locate(pfn: number) {
    const z = this.buddy.zoneOfPfn(pfn)!;
    return { z, i: pfn - z.startPfn };
  }

  private compoundHead(pfn: number): number {
    // A compound block of order k is a buddy block: its head is pfn rounded down to 2^k. One lookup per
    // order instead of a walk over every compound block (frees stay O(1) with many THPs live).
    if (this.compound.size === 0) return pfn;
    for (let k = 1; k <= this.maxOrder; k++) {
      const head = pfn - (pfn % 2 ** k);
      if (head !== pfn && this.compound.get(head) === k) return head;
    }
    return pfn;
  }

  private virtToPhys(addr: bigint): bigint {
    const slotEnd = this.pkmapBase + BigInt(this.pkmapCount.length) * BigInt(this.arch.pageSize);
    if (this.pkmapCount.length && addr >= this.pkmapBase && addr < slotEnd) {
      const slot = Number((addr - this.pkmapBase) / BigInt(this.arch.pageSize));
      const pfn = this.pkmapPfn[slot]!;
      if (pfn < 0) throw new InvalidAddressError(`0x${addr.toString(16)} is an unused pkmap slot`, "addr");
      return (BigInt(pfn) << BigInt(this.arch.pageShift)) + ((addr - this.pkmapBase) % BigInt(this.arch.pageSize));
    }
    this.virtToPfn(addr, "read/write", false);
    return addr - this.arch.pageOffset;
  }

  /** virt_addr_valid() + virt_to_pfn(); optionally requiring page alignment (the free paths). */
  private virtToPfn(addr: bigint, fn: string, aligned = true): number {
    if (typeof addr !== "bigint") throw new InvalidAddressError(`${fn}() needs a bigint address, got ${typeof addr}`, `${fn}(addr)`);
    const hex = `0x${addr.toString(16)}`;
    const off = addr - this.arch.pageOffset;
    const pfn = off >= 0n ? Number(off >> BigInt(this.arch.pageShift)) : -1;
    const lowmem = this.arch.lowmemLimitPfn === null || pfn < this.arch.lowmemLimitPfn;
    if (off < 0n || !lowmem || !this.memory.isValidPfn(pfn)) throw new InvalidAddressError(`${hex} is not a direct-map (lowmem) address`, `${fn}(${hex})`);
    if (aligned && off % BigInt(this.arch.pageSize) !== 0n) throw new InvalidAddressError(`${hex} is not page-aligned`, `${fn}(${hex})`);
    return pfn;
  }

  /** The checks free_pages_prepare()/free_page_is_bad() and put_page_testzero()'s VM_BUG_ON make. */
  private checkFreeable(pfn: number, order: number, fn: string): void {
    if (!Number.isInteger(order) || order < 0 || order > this.maxOrder) throw new PageApiArgumentError(`order ${order} is outside 0..${this.maxOrder}`, `${fn}(order)`);
    const { z, i } = this.locate(pfn);
    if (this.compoundHead(pfn) !== pfn) throw this.badPage(pfn, fn, "freeing a tail page of a compound page");
    if (z.refcount[i]! <= 0) throw this.badPage(pfn, fn, "nonzero _refcount");
    const allocated = z.order(i);
    if (allocated !== order) throw this.badPage(pfn, fn, `freed with order ${order}, allocated with order ${allocated}`);
    if ((this.mapcount.get(pfn) ?? 0) > 0) throw this.badPage(pfn, fn, "nonzero mapcount");
  }

  /**
   * __free_pages(page, 0) when every check of the layered path passes (a page of a zone, allocated with order 0, not a
   * compound tail, unmapped, no page poisoning): the reference is dropped and a last one frees the page through
   * buddy's fused path. Returns false with nothing changed otherwise; the layered path then runs (and raises its
   * errors). kernel: mm/page_alloc.c __free_pages() (order 0)
   */
  private freeOrder0Fast(page: Page): boolean {
    if (!(page instanceof Page) || this.pagePoisoning) return false;
    const pfn = page.pfn;
    const z = this.buddy.zoneOfPfn(pfn);
    if (z === undefined || !Number.isSafeInteger(pfn)) return false;
    const i = pfn - z.startPfn;
    const ref = z.refcount[i]!;
    if (ref <= 0 || z.order(i) !== 0) return false;
    if (this.compound.size > 0 && this.compoundHead(pfn) !== pfn) return false;
    if (this.mapcount.size > 0 && (this.mapcount.get(pfn) ?? 0) > 0) return false;
    if (ref > 1) {
      z.refcount[i] = ref - 1;
      return true;
    }
    if (this.compound.size > 0) this.compound.delete(pfn);
    this.reclaim?.memory.forget(pfn);
    if (!this.buddy.freeOrder0Fast(pfn, this.cpu)) this.buddy.freePages(pfn, 0, { cpu: this.cpu });
    return true;
  }

  /** Split an allocated block into 2^order order-0 allocations, each with refcount 1. kernel: split_page() */
  private splitToOrder0(pfn: number, order: number): void {
    for (let k = order; k > 0; k--) {
      const step = 2 ** k;
      for (let p = pfn; p < pfn + 2 ** order; p += step) this.buddy.splitAllocated(p, k, 1);
    }
  }

  private freeBlock(pfn: number, order: number, opts: { toTail?: boolean; bypassPcp?: boolean }): void {
    if (this.pagePoisoning) for (let p = pfn; p < pfn + 2 ** order; p++) this.memory.poisonPage(p);
    // A fixed-shape literal: spreading `opts` into a new object is far slower in V8 (bench/: order0-pcp).
    this.buddy.freePages(pfn, order, { cpu: this.cpu, toTail: opts.toTail, bypassPcp: opts.bypassPcp });
  }

  private badPage(pfn: number, fn: string, reason: string): BadPageStateError {
    const { z, i } = this.locate(pfn);
    const ref = z.refcount[i]!;
    const map = this.mapcount.get(pfn) ?? 0;
    const hex = pfn.toString(16).padStart(5, "0");
    const lines =
      this.facts.badPageFormat === "modern"
        ? [
            `BUG: Bad page state in process swapper  pfn:${hex}`,
            `page: refcount:${ref} mapcount:${map} mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`,
            `page dumped because: ${reason}`,
          ]
        : [
            `Bad page state in process 'swapper'`,
            `page:${pfn.toString(16)} flags:0x${z.flags[i]!.toString(16).padStart(8, "0")} mapping:00000000 mapcount:${map} count:${ref}`,
            "Trying to fix it up, but a reboot is needed",
          ];
    return new BadPageStateError(pfn, reason, lines, `${fn}(pfn 0x${pfn.toString(16)})`);
  }
}

/**
 * Boot a simulated kernel: lay out the machine's zones for the version, compute watermarks and zonelists,
 * initialise mem_map and free all managed memory into the buddy lists.
 * kernel: init/main.c start_kernel() → mm_core_init(); book §3.4 ("Initialization of Memory Management")
 *
 * @param options - machine (preset name or description), version, sysctls, CPUs, seed, slow path (`reclaim`)
 * @returns the kernel with the page API
 * @throws {InvalidMachineError} for an invalid machine description
 * @throws {HostMemoryLimitError} (code `HOST_MEMORY_LIMIT`) when the machine needs more than `maxHostBytes`
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
 * console.log(k.maxOrder, k.smp_processor_id()); // => 10 0
 * ```
 */
export function bootKernel(options: BootKernelOptions = {}): Kernel {
  return new Kernel(options);
}
