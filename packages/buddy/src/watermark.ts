import type { AllocFlagBits } from "./alloc-flags";
import type { BuddyVersionFacts } from "./version";

/** What __zone_watermark_ok reads from a zone. */
export interface WatermarkZoneView {
  /** zone->lowmem_reserve[]. */
  readonly lowmemReserve: readonly number[];
  /** nr_reserved_highatomic (pages reserved as HIGHATOMIC pageblocks). */
  readonly nrReservedHighatomic: number;
  /** 6.12+: free pages on HIGHATOMIC lists. */
  readonly nrFreeHighatomic: number;
  /** NR_FREE_CMA_PAGES (0 without CMA). */
  readonly nrFreeCma: number;
  /** free_area[o].nr_free. */
  readonly nrFree: ArrayLike<number>;
  /** True when free_area[o].free_list[mt] is not empty. */
  hasFree(order: number, mt: number): boolean;
}

/**
 * The kernel's watermark check, per version.
 * kernel: mm/page_alloc.c __zone_watermark_ok() (4.4+); zone_watermark_ok() with the per-order loop (2.6.24–4.3)
 *
 * @param facts - the version's buddy facts
 * @param bits - the version's ALLOC_* bits
 * @param z - the zone
 * @param order - requested order
 * @param mark - the watermark in pages (boost included)
 * @param highestZoneIdx - classzone / highest_zoneidx (selects lowmem_reserve)
 * @param allocFlags - ALLOC_* flags
 * @param freePages - NR_FREE_PAGES
 * @returns whether the zone may serve the request
 * @example
 * ```ts
 * import { zoneWatermarkOk, buddyVersionFacts, allocFlagBits } from "@pagealloc/buddy";
 * const z = { lowmemReserve: [0, 0, 0], nrReservedHighatomic: 0, nrFreeHighatomic: 0, nrFreeCma: 0,
 *   nrFree: [101], hasFree: () => true };
 * // order 0: free 101 > min 100 + reserve 0
 * console.log(zoneWatermarkOk(buddyVersionFacts("6.18"), allocFlagBits("non-block"), z, 0, 100, 2, 1, 101)); // => true
 * ```
 */
export function zoneWatermarkOk(
  facts: BuddyVersionFacts,
  bits: AllocFlagBits,
  z: WatermarkZoneView,
  order: number,
  mark: number,
  highestZoneIdx: number,
  allocFlags: number,
  freePages: number,
): boolean {
  let min = mark;
  const reserve = z.lowmemReserve[highestZoneIdx] ?? 0;
  if (facts.watermarkAlgorithm === "per-order-loop") {
    // 2.6.24: free = NR_FREE_PAGES − (1 << order) + 1; HIGH halves min, HARDER takes another quarter.
    let free = freePages - 2 ** order + 1;
    if (allocFlags & bits.MIN_RESERVE) min -= Math.floor(min / 2);
    if (allocFlags & bits.NON_BLOCK) min -= Math.floor(min / 4);
    if (free <= min + reserve) return false;
    for (let o = 0; o < order; o++) {
      free -= (z.nrFree[o] ?? 0) * 2 ** o;
      min >>= 1;
      if (free <= min) return false;
    }
    return true;
  }
  let free = freePages - (2 ** order - 1);
  const hasReserves = (allocFlags & bits.RESERVES) !== 0;
  if (facts.allocFlagsEra === "non-block") {
    if (!hasReserves) {
      free -= facts.subtractFreeHighatomic ? z.nrFreeHighatomic : z.nrReservedHighatomic;
    } else {
      if (allocFlags & bits.MIN_RESERVE) {
        min -= Math.floor(min / 2);
        if (allocFlags & bits.NON_BLOCK) min -= Math.floor(min / 4);
      }
      if (allocFlags & bits.OOM) min -= Math.floor(min / 2);
    }
  } else {
    // 4.4–6.2: ALLOC_HIGH halves; alloc_harder (HARDER|OOM) takes a quarter (OOM: a half); the highatomic reserve
    // is subtracted unless alloc_harder.
    const harder = (allocFlags & (bits.NON_BLOCK | bits.OOM)) !== 0;
    if (allocFlags & bits.MIN_RESERVE) min -= Math.floor(min / 2);
    if (!harder) free -= z.nrReservedHighatomic;
    else if (allocFlags & bits.OOM) min -= Math.floor(min / 2);
    else min -= Math.floor(min / 4);
  }
  if (!(allocFlags & bits.CMA)) free -= z.nrFreeCma;
  if (free <= min + reserve) return false;
  if (order === 0) return true;
  const highatomicOk =
    facts.allocFlagsEra === "non-block"
      ? (allocFlags & (bits.HIGHATOMIC | bits.OOM)) !== 0
      : (allocFlags & (bits.NON_BLOCK | bits.OOM)) !== 0;
  for (let o = order; o < facts.nrPageOrders; o++) {
    if ((z.nrFree[o] ?? 0) === 0) continue;
    if (facts.harderAnyFreeArea && highatomicOk) return true;
    for (let mt = 0; mt < facts.pcpTypes; mt++) if (z.hasFree(o, mt)) return true;
    if (highatomicOk && facts.mt.HIGHATOMIC >= 0 && z.hasFree(o, facts.mt.HIGHATOMIC)) return true;
  }
  return false;
}
