import { type KernelVersion, DEFAULT_KERNEL_VERSION } from "@pagealloc/physmem";
import { zoneVersionFacts } from "./version-facts";

/**
 * Integer square root (floor), as the kernel's int_sqrt().
 * kernel: lib/math/int_sqrt.c int_sqrt()
 *
 * @param x - a non-negative integer
 * @returns floor(sqrt(x)), 0 for negative or non-finite input
 * @example
 * ```ts
 * import { intSqrt } from "@pagealloc/zones";
 * console.log(intSqrt(15), intSqrt(16)); // => 3 4
 * ```
 */
export function intSqrt(x: number): number {
  if (x < 0 || !Number.isFinite(x)) return 0;
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * The default `vm.min_free_kbytes` from the amount of lowmem, before clamping:
 * `int_sqrt(lowmem_kbytes * 16)`.
 * kernel: mm/page_alloc.c calculate_min_free_kbytes() (2.6.24: init_per_zone_pages_min())
 *
 * @param lowmemKbytes - nr_free_buffer_pages() in kB
 * @returns the unclamped value in kB
 * @example
 * ```ts
 * import { defaultMinFreeKbytes } from "@pagealloc/zones";
 * console.log(defaultMinFreeKbytes(1024 * 1024)); // => 4096
 * ```
 */
export function defaultMinFreeKbytes(lowmemKbytes: number): number {
  return intSqrt(lowmemKbytes * 16);
}

/** Input of {@link minFreeKbytes}. */
export interface MinFreeKbytesInput {
  /** nr_free_buffer_pages() × PAGE_SIZE/1024: lowmem (zones up to Normal) above their high watermarks, in kB. */
  readonly lowmemKbytes: number;
  /** Kernel version (selects the clamp). Default 6.18. */
  readonly version?: KernelVersion | string;
  /** A value written to vm.min_free_kbytes (user_min_free_kbytes); it wins over a smaller computed value. */
  readonly userMinFreeKbytes?: number;
}

/**
 * `vm.min_free_kbytes` as calculate_min_free_kbytes() sets it: `clamp(int_sqrt(lowmem_kbytes × 16),
 * 128, max)` with max 65536 before 5.7 and 262144 from 5.7, unless the user's value is at least as big.
 * kernel: mm/page_alloc.c calculate_min_free_kbytes()
 *
 * @param input - lowmem in kB, version, the user-set value if any
 * @returns min_free_kbytes in kB
 * @example
 * ```ts
 * import { minFreeKbytes } from "@pagealloc/zones";
 * console.log(minFreeKbytes({ lowmemKbytes: 64 * 1024 * 1024 })); // => 32768
 * console.log(minFreeKbytes({ lowmemKbytes: 1024 * 1024 * 1024, version: "2.6.24" })); // => 65536
 * ```
 */
export function minFreeKbytes(input: MinFreeKbytesInput): number {
  const facts = zoneVersionFacts(input.version ?? DEFAULT_KERNEL_VERSION);
  const computed = defaultMinFreeKbytes(input.lowmemKbytes);
  if (input.userMinFreeKbytes !== undefined && input.userMinFreeKbytes >= 0 && computed <= input.userMinFreeKbytes) {
    return input.userMinFreeKbytes;
  }
  return Math.min(Math.max(computed, 128), facts.minFreeKbytesMax);
}

/** MIGRATE_PCPTYPES: the migratetypes that have per-CPU lists (Unmovable, Movable, Reclaimable). */
export const MIGRATE_PCPTYPES = 3;

/** Input of {@link thpRecommendedMinFreeKbytes}. */
export interface ThpRecommendedInput {
  /** pageblock_nr_pages (512 for 4K pages and 2M huge pages). */
  readonly pageblockNrPages: number;
  /** Populated zones, over all nodes, with an index up to gfp_zone(GFP_USER) (= Normal). */
  readonly nrZones: number;
  /** nr_free_buffer_pages() at that moment (caps the value at 5% of lowmem). */
  readonly nrFreeBufferPages: number;
  /** PAGE_SHIFT (default 12). */
  readonly pageShift?: number;
}

/**
 * The min_free_kbytes khugepaged recommends when PMD-sized THP is enabled: two free pageblocks per
 * zone plus MIGRATE_PCPTYPES² for fallbacks, capped at 5% of lowmem. The kernel only ever raises
 * min_free_kbytes to it.
 * kernel: mm/khugepaged.c set_recommended_min_free_kbytes()
 *
 * @param input - pageblock size, zone count, lowmem pages
 * @returns the recommended value in kB
 * @example
 * ```ts
 * import { thpRecommendedMinFreeKbytes } from "@pagealloc/zones";
 * // x86_64 with DMA, DMA32 and Normal populated: 512 × 3 × 11 pages = 67584 kB
 * console.log(thpRecommendedMinFreeKbytes({ pageblockNrPages: 512, nrZones: 3, nrFreeBufferPages: 1500000 })); // => 67584
 * ```
 */
export function thpRecommendedMinFreeKbytes(input: ThpRecommendedInput): number {
  const { pageblockNrPages: pb, nrZones } = input;
  let pages = pb * nrZones * 2 + pb * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  pages = Math.min(pages, Math.floor(input.nrFreeBufferPages / 20));
  return pages * 2 ** ((input.pageShift ?? 12) - 10);
}
