import { type KernelVersion, pickByVersion, versionAtLeast } from "@pagealloc/physmem";

/**
 * The __rmqueue_fallback family: "2.6.24" (2.6.24–4.0: leftovers stay on the fallback type unless the block was
 * taken over), "steal-4.1" (4.1–4.11: can_steal_fallback/steal_suitable_fallback, leftovers always on the requested
 * type), "steal-fallback" (4.12–6.14: find_smallest, single-page steals, movable/alike page counting),
 * "claim-steal" (6.15+: __rmqueue_claim / __rmqueue_steal).
 */
export type FallbackAlgorithm = "2.6.24" | "steal-4.1" | "steal-fallback" | "claim-steal";
/** __free_one_page's rule for merging across pageblocks of different types. */
export type MergeRule = "free" | "isolate" | "mergeable" | "mergeable-convert";
/** __zone_watermark_ok's high-order part: the old per-order loop (≤ 4.3) or "a free block on a usable list" (4.4+). */
export type WatermarkAlgorithm = "per-order-loop" | "free-block";
/** The ALLOC_* flag generation. */
export type AllocFlagsEra = "2.6.24" | "harder" | "non-block";
/**
 * gfp_to_alloc_flags()'s rule for who may dip into the reserves: "2.6.24" (the lines inline in __alloc_pages():
 * ALLOC_HARDER for !__GFP_WAIT or an rt task), "no-wait" (2.6.31 gfp_to_alloc_flags(): ALLOC_HARDER for !__GFP_WAIT
 * unless __GFP_NOMEMALLOC, else for an rt task), "gfp-atomic" (4.4–6.2: __GFP_ATOMIC decides), "no-direct-reclaim"
 * (6.3+: ALLOC_NON_BLOCK / ALLOC_HIGHATOMIC for !__GFP_DIRECT_RECLAIM, ALLOC_MIN_RESERVE for an rt task).
 */
export type GfpToAllocFlagsRule = "2.6.24" | "no-wait" | "gfp-atomic" | "no-direct-reclaim";
/** The per-CPU list model. */
export type PcpModel = "hot-cold" | "order0" | "high-order";

/** The buddy-layer facts of one kernel version (x86_64 defaults; config-dependent pieces are options). */
export interface BuddyVersionFacts {
  /** NR_PAGE_ORDERS (= MAX_ORDER before 6.4, MAX_ORDER + 1 in 6.4–6.7, MAX_PAGE_ORDER + 1 from 6.8). */
  readonly nrPageOrders: number;
  /** migratetype_names in enum order (index = migratetype number). */
  readonly migratetypeNames: readonly string[];
  /** Enum values of the named migratetypes (−1 where the version has no such type). */
  readonly mt: {
    readonly UNMOVABLE: number;
    readonly MOVABLE: number;
    readonly RECLAIMABLE: number;
    readonly HIGHATOMIC: number;
    readonly RESERVE: number;
    readonly CMA: number;
    readonly ISOLATE: number;
  };
  /** MIGRATE_PCPTYPES: types below it are "mergeable" and have pcp lists. */
  readonly pcpTypes: number;
  /** fallbacks[] per requested type, in table order. */
  readonly fallbacks: readonly (readonly number[])[];
  readonly fallbackAlgorithm: FallbackAlgorithm;
  readonly mergeRule: MergeRule;
  /** 2.6.35+: buddy_merge_likely() puts a freed block at the list tail when its parent's buddy is free. */
  readonly mergeLikelyTail: boolean;
  /** 5.10+: boot-time __free_pages_core() frees with FPI_TO_TAIL. */
  readonly bootToTail: boolean;
  /** 6.10+: blocks larger than a pageblock are freed pageblock by pageblock (split_large_buddy). */
  readonly splitLargeBuddy: boolean;
  /** 6.10+: free pages of isolated pageblocks are not counted in NR_FREE_PAGES. */
  readonly isolateNotCounted: boolean;
  readonly watermarkAlgorithm: WatermarkAlgorithm;
  /**
   * 4.4–4.14: for ALLOC_HARDER the order > 0 check accepts a free block on ANY list (even ISOLATE/CMA); Vlastimil
   * Babka's "fix potential false positive in __zone_watermark_ok" (Nov 2017, ≈4.15) narrowed it to HIGHATOMIC.
   */
  readonly harderAnyFreeArea: boolean;
  /** 6.12+: the watermark check subtracts nr_free_highatomic (else nr_reserved_highatomic). */
  readonly subtractFreeHighatomic: boolean;
  /**
   * gfp_to_alloc_flags() grants ALLOC_HIGHATOMIC to a non-blocking order > 0 request only with __GFP_HIGH
   * (ALLOC_MIN_RESERVE). 6.3–6.16 granted it to every non-blocking order > 0 request (GFP_NOWAIT included).
   */
  readonly highatomicNeedsMinReserve: boolean;
  readonly allocFlagsEra: AllocFlagsEra;
  readonly gfpToAllocFlagsRule: GfpToAllocFlagsRule;
  /** 5.0+: ALLOC_NOFRAGMENT and ALLOC_KSWAPD exist (fragmentation avoidance on the first pass). */
  readonly noFragment: boolean;
  /**
   * Before ≈5.8 the watermark check's lowmem_reserve index (classzone_idx) is the preferred zone's index; from 5.8
   * ("mm/page_alloc: use ac->high_zoneidx for classzone_idx") it is highest_zoneidx = gfp_zone().
   */
  readonly classzoneIsPreferredZone: boolean;
  /** 6.15+: max highatomic reserve = ALIGN(managed/100, pageblock) (else managed/100 + pageblock). */
  readonly highatomicAlignedMax: boolean;
  readonly pcpModel: PcpModel;
  /** 6.7+: pcp high auto-tuning (high_min/high_max, nr_pcp_alloc/nr_pcp_high). */
  readonly pcpAutoTune: boolean;
  /**
   * Freeing to pcp lists before 6.7: "batch" frees `batch` pages when count ≥ high (≤ 5.13); "free-factor" doubles
   * the batch on consecutive frees (5.14, nr_pcp_free with pcp->free_factor); "free-high" also empties the lists
   * when high-order pages are freed in bulk (≈5.19, "limit number of high-order pages on PCP during bulk free").
   */
  readonly pcpFreeRule: "batch" | "free-factor" | "free-high";
  /** Kernel has the kmem page trace events (2.6.32+). */
  readonly traceEvents: boolean;
  /**
   * 5.19+ (commit 10e0f7530205, "fix tracepoint mm_page_alloc_zone_locked()"): the event fires in
   * __rmqueue_smallest with the list's migratetype and percpu_refill = pcp_allowed_order && mt < PCPTYPES. Before,
   * __rmqueue fired it once per block with the requested migratetype and percpu_refill = (order == 0).
   */
  readonly zoneLockedInSmallest: boolean;
  /** kmem page events print `pfn=0x%lx` (5.14+) instead of decimal. */
  readonly tracePfnHex: boolean;
  /** /proc/pagetypeinfo caps list counts at 100000 with a ">" prefix (5.6+). */
  readonly pagetypeinfoCap: boolean;
}

const MODERN_MT = { UNMOVABLE: 0, MOVABLE: 1, RECLAIMABLE: 2, HIGHATOMIC: 3, RESERVE: -1, CMA: -1, ISOLATE: 4 } as const;
const MODERN_NAMES = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"] as const;
const MODERN_FALLBACKS = [
  [2, 1], // UNMOVABLE → RECLAIMABLE, MOVABLE
  [2, 0], // MOVABLE → RECLAIMABLE, UNMOVABLE
  [0, 1], // RECLAIMABLE → UNMOVABLE, MOVABLE
  [],
  [],
] as const;

// 2.6.24: UNMOVABLE 0, RECLAIMABLE 1, MOVABLE 2, RESERVE 3, ISOLATE 4. migratetype_names has only four strings, so
// the Isolate row prints the fifth (NULL) entry, which vsprintf renders as "(null)".
const BOOK = {
  nrPageOrders: 11,
  migratetypeNames: ["Unmovable", "Reclaimable", "Movable", "Reserve", "(null)"],
  mt: { UNMOVABLE: 0, RECLAIMABLE: 1, MOVABLE: 2, RESERVE: 3, HIGHATOMIC: -1, CMA: -1, ISOLATE: 4 },
  pcpTypes: 3,
  // fallbacks[]: UNMOVABLE → RECLAIMABLE, MOVABLE, RESERVE; RECLAIMABLE → UNMOVABLE, MOVABLE, RESERVE;
  // MOVABLE → RECLAIMABLE, UNMOVABLE, RESERVE (RESERVE entries are skipped by the fallback loop).
  fallbacks: [[1, 2, 3], [0, 2, 3], [1, 0, 3], [], []],
  fallbackAlgorithm: "2.6.24",
  mergeRule: "free",
  mergeLikelyTail: false,
  bootToTail: false,
  splitLargeBuddy: false,
  isolateNotCounted: false,
  watermarkAlgorithm: "per-order-loop",
  harderAnyFreeArea: false,
  subtractFreeHighatomic: false,
  highatomicNeedsMinReserve: false,
  allocFlagsEra: "2.6.24",
  gfpToAllocFlagsRule: "2.6.24",
  noFragment: false,
  classzoneIsPreferredZone: true,
  highatomicAlignedMax: false,
  pcpModel: "hot-cold",
  pcpAutoTune: false,
  pcpFreeRule: "batch",
  traceEvents: false,
  zoneLockedInSmallest: false,
  tracePfnHex: false,
  pagetypeinfoCap: false,
} satisfies BuddyVersionFacts;

/**
 * Whole fact sets of the older layouts (2.6.24 → 4.4), oldest first; ROWS_MODERN below are the later changes,
 * applied in order. Boundary versions come from kernel-facts.md §5–§7 and §10, the stored 4.4 mm/page_alloc.c and
 * patch mails (≈ where the release is inferred from a patch date).
 */
const ROWS: readonly (readonly [string, BuddyVersionFacts])[] = [
  ["2.6.24", BOOK],
  // 2.6.25: one pcp list per CPU (cold list removed). 2.6.32: kmem trace events (decimal pfn).
  ["2.6.25", { ...BOOK, pcpModel: "order0" }],
  ["2.6.32", { ...BOOK, pcpModel: "order0", traceEvents: true, migratetypeNames: ["Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate"] }],
  // 2.6.35: buddy_merge_likely tail insertion.
  ["2.6.35", { ...BOOK, pcpModel: "order0", traceEvents: true, mergeLikelyTail: true, migratetypeNames: ["Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate"] }],
  // 4.1: Joonsoo Kim's fallback rework (can_steal_fallback, steal_suitable_fallback).
  [
    "4.1",
    { ...BOOK, pcpModel: "order0", traceEvents: true, mergeLikelyTail: true, fallbackAlgorithm: "steal-4.1", migratetypeNames: ["Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate"] },
  ],
  // 4.4: MOVABLE/RECLAIMABLE swapped, HIGHATOMIC replaces RESERVE, free-block watermark check; ≈4.4 isolate-only merge check.
  [
    "4.4",
    {
      ...BOOK,
      migratetypeNames: MODERN_NAMES,
      mt: MODERN_MT,
      fallbacks: MODERN_FALLBACKS,
      fallbackAlgorithm: "steal-4.1",
      mergeRule: "isolate",
      mergeLikelyTail: true,
      watermarkAlgorithm: "free-block",
      harderAnyFreeArea: true,
      allocFlagsEra: "harder",
      pcpModel: "order0",
      traceEvents: true,
    },
  ],
];

/** Changes on top of ROWS (mostly since 4.4), oldest first, each applied when the version is at least its row's. */
const ROWS_MODERN: readonly (readonly [string, Partial<BuddyVersionFacts>])[] = [
  // 2.6.31: Mel Gorman's __alloc_pages() split moves the slow-path flags into gfp_to_alloc_flags() (honours
  // __GFP_NOMEMALLOC); 4.4: __GFP_ATOMIC decides (Mel Gorman's "distinguish between being unable to sleep, unwilling
  // to sleep and avoiding waking kswapd").
  ["2.6.31", { gfpToAllocFlagsRule: "no-wait" }],
  ["4.4", { gfpToAllocFlagsRule: "gfp-atomic" }],
  // 4.12: Vlastimil Babka's fallback series (count movable pages, fall back to the smallest page, steal single pages).
  ["4.12", { fallbackAlgorithm: "steal-fallback" }],
  ["4.15", { harderAnyFreeArea: false }],
  ["5.0", { noFragment: true }],
  ["5.6", { pagetypeinfoCap: true }],
  ["5.8", { classzoneIsPreferredZone: false }],
  ["5.10", { bootToTail: true }],
  ["5.14", { pcpModel: "high-order", tracePfnHex: true, pcpFreeRule: "free-factor" }],
  ["5.18", { mergeRule: "mergeable" }],
  ["5.19", { pcpFreeRule: "free-high", zoneLockedInSmallest: true }],
  ["6.3", { allocFlagsEra: "non-block", gfpToAllocFlagsRule: "no-direct-reclaim" }],
  ["6.7", { pcpAutoTune: true }],
  ["6.10", { mergeRule: "mergeable-convert", splitLargeBuddy: true, isolateNotCounted: true }],
  ["6.12", { subtractFreeHighatomic: true }],
  ["6.15", { fallbackAlgorithm: "claim-steal", highatomicAlignedMax: true }],
  // 6.17: commit 6a204d4b14c9 "mm/page_alloc: only set ALLOC_HIGHATOMIC for __GPF_HIGH allocations" (Aug 2025,
  // fixing 1ebbb21811b7 of 6.3; also backported to 6.12.y stable).
  ["6.17", { highatomicNeedsMinReserve: true }],
];

/**
 * The buddy-layer facts of `version`.
 *
 * @param version - kernel version (2.6.24 or later)
 * @returns the facts table row(s) that apply
 * @throws {InvalidKernelVersionError} for versions older than 2.6.24
 * @example
 * ```ts
 * import { buddyVersionFacts } from "@pagealloc/buddy";
 * console.log(buddyVersionFacts("2.6.24").migratetypeNames[2]); // => Movable
 * console.log(buddyVersionFacts("6.18").migratetypeNames[2]); // => Reclaimable
 * ```
 */
export function buddyVersionFacts(version: KernelVersion | string): BuddyVersionFacts {
  let facts = pickByVersion(ROWS, version);
  for (const [since, patch] of ROWS_MODERN) {
    if (versionAtLeast(version, since)) facts = { ...facts, ...patch };
  }
  return facts;
}
