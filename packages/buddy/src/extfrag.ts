import { cDiv, cInt, cMod, cStr } from "./c-format";
import type { BuddyinfoZone } from "./buddyinfo";

/** What fill_contig_page_info() gathers for one zone and one requested order. */
export interface ContigPageInfo {
  readonly freePages: number;
  readonly freeBlocksTotal: number;
  readonly freeBlocksSuitable: number;
}

/**
 * Sum a zone's free areas for a request of `order`.
 * kernel: mm/vmstat.c fill_contig_page_info()
 *
 * @param nrFree - free blocks per order (free_area[o].nr_free)
 * @param order - the requested order
 * @returns free pages, free blocks, and blocks usable for `order` (counted in order-`order` units)
 * @example
 * ```ts
 * import { fillContigPageInfo } from "@pagealloc/buddy";
 * console.log(JSON.stringify(fillContigPageInfo([4, 0, 1], 1))); // => {"freePages":8,"freeBlocksTotal":5,"freeBlocksSuitable":2}
 * ```
 */
export function fillContigPageInfo(nrFree: readonly number[], order: number): ContigPageInfo {
  let freePages = 0;
  let freeBlocksTotal = 0;
  let freeBlocksSuitable = 0;
  nrFree.forEach((blocks, o) => {
    freeBlocksTotal += blocks;
    freePages += blocks * 2 ** o;
    if (o >= order) freeBlocksSuitable += blocks * 2 ** (o - order);
  });
  return { freePages, freeBlocksTotal, freeBlocksSuitable };
}

/**
 * Thousandths of the free memory that cannot serve an allocation of `order` (0 … 1000).
 * kernel: mm/vmstat.c unusable_free_index()
 *
 * @example
 * ```ts
 * import { unusableIndex } from "@pagealloc/buddy";
 * // 100 free order-0 pages: none of them can serve order 2
 * console.log(unusableIndex([100], 2)); // => 1000
 * ```
 */
export function unusableIndex(nrFree: readonly number[], order: number): number {
  const info = fillContigPageInfo(nrFree, order);
  if (info.freePages === 0) return 1000;
  return Math.floor(((info.freePages - info.freeBlocksSuitable * 2 ** order) * 1000) / info.freePages);
}

/**
 * The fragmentation index of `order`: −1000 when the allocation would succeed, otherwise towards 0 for
 * "lack of memory" and towards 1000 for "fragmentation".
 * kernel: mm/vmstat.c __fragmentation_index()
 *
 * @example
 * ```ts
 * import { extfragIndex } from "@pagealloc/buddy";
 * // kernel-facts §11.3: 100 free order-0 blocks, order 2 → 1000 − (1000 + 100000/4)/100 = 740
 * console.log(extfragIndex([100], 2)); // => 740
 * ```
 */
export function extfragIndex(nrFree: readonly number[], order: number): number {
  const info = fillContigPageInfo(nrFree, order);
  if (info.freeBlocksTotal === 0) return 0;
  if (info.freeBlocksSuitable > 0) return -1000;
  // div_u64 twice, then the int subtraction
  const inner = 1000 + Math.floor((info.freePages * 1000) / 2 ** order);
  return 1000 - Math.floor(inner / info.freeBlocksTotal);
}

function zoneHeader(z: BuddyinfoZone): string {
  return `Node ${z.nid}, zone ${cStr(z.zone, 8)} `;
}

/**
 * `/sys/kernel/debug/extfrag/unusable_index` for the given zones (`"%d.%03d "` per order).
 * kernel: mm/vmstat.c unusable_show_print()
 *
 * @example
 * ```ts
 * import { renderUnusableIndex } from "@pagealloc/buddy";
 * const text = renderUnusableIndex([{ nid: 0, zone: "DMA", nrFree: [100, 0, 0] }]);
 * console.log(JSON.stringify(text)); // => "Node 0, zone      DMA 0.000 1.000 1.000 \n"
 * ```
 */
export function renderUnusableIndex(zones: readonly BuddyinfoZone[]): string {
  return renderIndexFile(zones, unusableIndex, 0);
}

/**
 * `/sys/kernel/debug/extfrag/extfrag_index` for the given zones (`"%2d.%03d "` per order, C truncating
 * division, so −1000 prints `-1.000` and −500 prints ` 0.-500` as the kernel does).
 * kernel: mm/vmstat.c extfrag_show_print()
 *
 * @example
 * ```ts
 * import { renderExtfragIndex } from "@pagealloc/buddy";
 * const text = renderExtfragIndex([{ nid: 0, zone: "DMA", nrFree: [100, 0, 0] }]);
 * console.log(JSON.stringify(text)); // => "Node 0, zone      DMA -1.000  0.490  0.740 \n"
 * ```
 */
export function renderExtfragIndex(zones: readonly BuddyinfoZone[]): string {
  return renderIndexFile(zones, extfragIndex, 2);
}

/** One line per zone, each order's index (thousandths) as `"%<width>d.%03d "` with C truncating division. */
function renderIndexFile(zones: readonly BuddyinfoZone[], index: (nrFree: readonly number[], order: number) => number, width: number): string {
  let s = "";
  for (const z of zones) {
    s += zoneHeader(z);
    for (let o = 0; o < z.nrFree.length; o++) {
      const v = index(z.nrFree, o);
      s += `${cInt(cDiv(v, 1000), width)}.${cInt(cMod(v, 1000), 3, "zero")} `;
    }
    s += "\n";
  }
  return s;
}
