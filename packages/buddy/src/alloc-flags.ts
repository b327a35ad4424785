import type { AllocFlagsEra } from "./version";

/**
 * The internal ALLOC_* bits of one era (mm/internal.h; 2.6.24: private to mm/page_alloc.c). Names follow the
 * 6.3+ kernel; in older eras `NON_BLOCK` is ALLOC_HARDER and `MIN_RESERVE` is ALLOC_HIGH. A bit the era does not
 * have is 0.
 */
export interface AllocFlagBits {
  /** 2.6.24: watermarks are separate bits; later: an index in the low two bits. */
  readonly wmarkIsIndex: boolean;
  readonly WMARK_MIN: number;
  readonly WMARK_LOW: number;
  readonly WMARK_HIGH: number;
  readonly WMARK_MASK: number;
  readonly NO_WATERMARKS: number;
  readonly OOM: number;
  readonly NON_BLOCK: number;
  readonly MIN_RESERVE: number;
  readonly CPUSET: number;
  readonly CMA: number;
  readonly NOFRAGMENT: number;
  readonly HIGHATOMIC: number;
  readonly KSWAPD: number;
  /** ALLOC_RESERVES (6.3+) / the "alloc_harder" set (HARDER|OOM) before. */
  readonly RESERVES: number;
}

// 4.4–6.2 (mm/internal.h): the watermark index in the low two bits, ALLOC_HARDER 0x10, ALLOC_HIGH 0x20.
const HARDER: AllocFlagBits = {
  wmarkIsIndex: true,
  WMARK_MIN: 0,
  WMARK_LOW: 1,
  WMARK_HIGH: 2,
  WMARK_MASK: 0x03,
  NO_WATERMARKS: 0x04,
  OOM: 0x08,
  NON_BLOCK: 0x10,
  MIN_RESERVE: 0x20,
  CPUSET: 0x40,
  CMA: 0x80,
  NOFRAGMENT: 0x100,
  HIGHATOMIC: 0,
  KSWAPD: 0x800,
  RESERVES: 0x10 | 0x08,
};

const TABLE: Record<AllocFlagsEra, AllocFlagBits> = {
  "2.6.24": {
    wmarkIsIndex: false,
    WMARK_MIN: 0x02,
    WMARK_LOW: 0x04,
    WMARK_HIGH: 0x08,
    WMARK_MASK: 0,
    NO_WATERMARKS: 0x01,
    OOM: 0,
    NON_BLOCK: 0x10,
    MIN_RESERVE: 0x20,
    CPUSET: 0x40,
    CMA: 0,
    NOFRAGMENT: 0,
    HIGHATOMIC: 0,
    KSWAPD: 0,
    RESERVES: 0x10,
  },
  harder: HARDER,
  // 6.3 (Mel Gorman's reserve series, e.g. commit 1ebbb21811b7): ALLOC_HARDER becomes ALLOC_NON_BLOCK, ALLOC_HIGH ALLOC_MIN_RESERVE
  // (same bits), ALLOC_HIGHATOMIC 0x200 is new and ALLOC_RESERVES gathers them.
  "non-block": { ...HARDER, HIGHATOMIC: 0x200, RESERVES: 0x10 | 0x20 | 0x200 | 0x08 },
};

/**
 * The ALLOC_* bit values of an era.
 *
 * @example
 * ```ts
 * import { allocFlagBits } from "@pagealloc/buddy";
 * console.log(allocFlagBits("non-block").HIGHATOMIC); // => 512
 * ```
 */
export function allocFlagBits(era: AllocFlagsEra): AllocFlagBits {
  return TABLE[era];
}

/**
 * Which watermark (0 min, 1 low, 2 high) the flags select.
 *
 * @example
 * ```ts
 * import { allocFlagBits, wmarkIndex } from "@pagealloc/buddy";
 * console.log(wmarkIndex(allocFlagBits("non-block"), 0x841)); // => 1
 * console.log(wmarkIndex(allocFlagBits("2.6.24"), 0x42)); // => 0
 * ```
 */
export function wmarkIndex(bits: AllocFlagBits, allocFlags: number): 0 | 1 | 2 {
  if (bits.wmarkIsIndex) return (allocFlags & bits.WMARK_MASK) as 0 | 1 | 2;
  if (allocFlags & bits.WMARK_MIN) return 0;
  if (allocFlags & bits.WMARK_LOW) return 1;
  return 2;
}
