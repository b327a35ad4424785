import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";

/** The page API behaviours that changed between kernel versions. */
export interface PageApiFacts {
  /** __get_free_pages() clears __GFP_HIGHMEM before allocating (else a HighMem page gives address 0 and leaks). */
  readonly getFreePagesStripsHighmem: boolean;
  /** get_zeroed_page() BUG()s on __GFP_HIGHMEM (2.6.24: BUG_ON in get_zeroed_page). */
  readonly zeroedPageBugsOnHighmem: boolean;
  /** __free_pages() of a non-compound block whose refcount stays > 0 frees the upper sub-blocks at once. */
  readonly freeUpperSubblocks: boolean;
  /** alloc_pages_exact() / free_pages_exact() exist. */
  readonly hasAllocPagesExact: boolean;
  /** Text of the bad-page report: the 2.6.24 form or the badpage rework form (≈2.6.29+). */
  readonly badPageFormat: "2.6.24" | "modern";
}

// Version rows: the first version at which each combination holds.
// - 2.6.24: book kernel. get_zeroed_page BUG_ON(__GFP_HIGHMEM); __get_free_pages passes HIGHMEM through.
// - 2.6.27 (≈): alloc_pages_exact added (Timur Tabi, June 2008).
// - 2.6.29 (≈): Hugh Dickins' bad_page rework: "BUG: Bad page state in process %s  pfn:%05lx".
// - 4.16 (≈): __get_free_pages strips __GFP_HIGHMEM instead of VM_BUG_ON (Michal Hocko, early 2018).
// - 5.10 (≈): __free_pages frees the tail of a non-compound block whose head is still referenced
//   (Matthew Wilcox, "mm/page_alloc.c: fix freeing non-compound pages", 2020).
const ROWS: readonly (readonly [string, PageApiFacts])[] = [
  ["2.6.24", { getFreePagesStripsHighmem: false, zeroedPageBugsOnHighmem: true, freeUpperSubblocks: false, hasAllocPagesExact: false, badPageFormat: "2.6.24" }],
  ["2.6.27", { getFreePagesStripsHighmem: false, zeroedPageBugsOnHighmem: true, freeUpperSubblocks: false, hasAllocPagesExact: true, badPageFormat: "2.6.24" }],
  ["2.6.29", { getFreePagesStripsHighmem: false, zeroedPageBugsOnHighmem: false, freeUpperSubblocks: false, hasAllocPagesExact: true, badPageFormat: "modern" }],
  ["4.16", { getFreePagesStripsHighmem: true, zeroedPageBugsOnHighmem: false, freeUpperSubblocks: false, hasAllocPagesExact: true, badPageFormat: "modern" }],
  ["5.10", { getFreePagesStripsHighmem: true, zeroedPageBugsOnHighmem: false, freeUpperSubblocks: true, hasAllocPagesExact: true, badPageFormat: "modern" }],
];

/**
 * The page API facts of a kernel version.
 *
 * @example
 * ```ts
 * import { pageApiFacts } from "@pagealloc/page-api";
 * console.log(pageApiFacts("2.6.24").hasAllocPagesExact, pageApiFacts("6.18").freeUpperSubblocks); // => false true
 * ```
 */
export function pageApiFacts(version: KernelVersion | string): PageApiFacts {
  return pickByVersion(ROWS, version);
}
