import { type KernelVersion, DEFAULT_KERNEL_VERSION } from "@pagealloc/physmem";
import type { ZoneName } from "@pagealloc/gfp";
import { zoneVersionFacts } from "./version-facts";

/** SWAP_CLUSTER_MAX (include/linux/swap.h): lower bound of a HighMem/Movable zone's min watermark. */
export const SWAP_CLUSTER_MAX = 32;

/** One zone as the watermark formulas see it. */
export interface WatermarkZoneInput {
  readonly name: ZoneName;
  /** managed_pages (present_pages before 3.8). */
  readonly pages: number;
}

/** A zone's watermarks in pages, as zone->_watermark[] holds them (without the boost). */
export interface ZoneWatermark {
  readonly min: number;
  readonly low: number;
  readonly high: number;
  /** WMARK_PROMO (≈5.18+); undefined before. */
  readonly promo?: number;
}

/** Options of {@link zoneWatermarks}. */
export interface ZoneWatermarksOptions {
  /** vm.min_free_kbytes. */
  readonly minFreeKbytes: number;
  /** vm.watermark_scale_factor (4.6+, default 10 = 0.1%). */
  readonly watermarkScaleFactor?: number;
  readonly version?: KernelVersion | string;
  /** PAGE_SHIFT (default 12). */
  readonly pageShift?: number;
  /**
   * zone_movable_is_highmem(): ZONE_MOVABLE was carved out of HighMem (32-bit HIGHMEM kernels). Before
   * ≈6.0 only then is Movable treated like HighMem.
   */
  readonly movableIsHighmem?: boolean;
}

// kernel: include/linux/kernel.h mult_frac(): x * n / d without overflowing, floor for non-negative x.
function multFrac(x: number, n: number, d: number): number {
  return Math.floor(x / d) * n + Math.floor(((x % d) * n) / d);
}

/**
 * Per-zone min/low/high(/promo) watermarks from min_free_kbytes. `zones` is every zone of every node
 * (the kernel's for_each_zone), in any order; results are in the same order.
 *
 * Modern (≈6.0+): lowmem_pages = Σ pages of zones that are neither HighMem nor Movable;
 * tmp = pages_min × pages / lowmem_pages; min = tmp, or clamp(pages/1024, 32, 128) for HighMem/Movable;
 * delta = max(tmp/4, pages × watermark_scale_factor / 10000); low = min + delta, high = low + delta,
 * promo = high + delta. Before 4.6: low = min + tmp/4, high = min + tmp/2. Before ≈6.0, Movable is
 * special only when it lies in HighMem.
 * kernel: mm/page_alloc.c __setup_per_zone_wmarks() (2.6.24: setup_per_zone_pages_min())
 *
 * @param zones - every zone's name and managed (or, before 3.8, present) pages
 * @param options - min_free_kbytes, watermark_scale_factor, version
 * @returns the watermarks, one per input zone
 * @example
 * ```ts
 * import { zoneWatermarks } from "@pagealloc/zones";
 * const w = zoneWatermarks(
 *   [{ name: "DMA", pages: 3840 }, { name: "DMA32", pages: 772808 }, { name: "Normal", pages: 720896 }, { name: "Movable", pages: 0 }],
 *   { minFreeKbytes: 67584 },
 * );
 * console.log(w.map((z) => [z.min, z.low, z.high, z.promo].join("/")).join(" ")); // => 43/53/63/73 8719/10898/13077/15256 8133/10166/12199/14232 32/32/32/32
 * ```
 */
export function zoneWatermarks(zones: readonly WatermarkZoneInput[], options: ZoneWatermarksOptions): ZoneWatermark[] {
  const facts = zoneVersionFacts(options.version ?? DEFAULT_KERNEL_VERSION);
  const pagesMin = Math.floor(options.minFreeKbytes / 2 ** ((options.pageShift ?? 12) - 10));
  const wsf = options.watermarkScaleFactor ?? 10;
  const likeHighmem = (name: ZoneName) =>
    name === "HighMem" || (name === "Movable" && (facts.movableLikeHighmem === "always" || options.movableIsHighmem === true));
  let lowmemPages = 0;
  for (const z of zones) if (!likeHighmem(z.name)) lowmemPages += z.pages;
  return zones.map((z) => {
    // 64-bit multiply then divide: exact in doubles while the product stays below 2^53.
    const tmp = lowmemPages === 0 ? 0 : Number((BigInt(pagesMin) * BigInt(z.pages)) / BigInt(lowmemPages));
    const min = likeHighmem(z.name) ? Math.min(Math.max(Math.floor(z.pages / 1024), SWAP_CLUSTER_MAX), 128) : tmp;
    if (!facts.watermarkScaleFactor) return { min, low: min + (tmp >> 2), high: min + (tmp >> 1) };
    const delta = Math.max(Math.floor(tmp / 4), multFrac(z.pages, wsf, 10000));
    const w = { min, low: min + delta, high: min + 2 * delta };
    return facts.promo ? { ...w, promo: min + 3 * delta } : w;
  });
}

/**
 * The default vm.lowmem_reserve_ratio for the configured zones (index = zone index). Before 4.16 the
 * initializer {256 (if DMA), 256 (if DMA32), 32 (if HIGHMEM), 32} fills the configured zones in
 * order and the last zone has no entry; from 4.16 the entries are named: DMA 256, DMA32 256,
 * Normal 32, HighMem/Movable/Device 0.
 * kernel: mm/page_alloc.c sysctl_lowmem_reserve_ratio[]
 *
 * @param zoneTypes - the arch's zone names in enum zone_type order
 * @param version - kernel version
 * @returns one ratio per zone type (the last one 0 when the kernel has no entry for it)
 * @example
 * ```ts
 * import { defaultLowmemReserveRatio } from "@pagealloc/zones";
 * console.log(defaultLowmemReserveRatio(["DMA", "DMA32", "Normal", "Movable", "Device"], "6.18").join(" ")); // => 256 256 32 0 0
 * console.log(defaultLowmemReserveRatio(["DMA", "Normal", "HighMem", "Movable"], "2.6.24").join(" ")); // => 256 32 32 0
 * ```
 */
export function defaultLowmemReserveRatio(zoneTypes: readonly ZoneName[], version: KernelVersion | string = DEFAULT_KERNEL_VERSION): number[] {
  const facts = zoneVersionFacts(version);
  if (facts.lowmemReserveRatioDefault === "named") {
    const named: Partial<Record<ZoneName, number>> = { DMA: 256, DMA32: 256, Normal: 32 };
    return zoneTypes.map((z) => named[z] ?? 0);
  }
  const init: number[] = [];
  if (zoneTypes.includes("DMA")) init.push(256);
  if (zoneTypes.includes("DMA32")) init.push(256);
  if (zoneTypes.includes("HighMem")) init.push(32);
  init.push(32);
  return zoneTypes.map((_z, i) => (i < zoneTypes.length - 1 ? (init[i] ?? 0) : 0));
}

/**
 * lowmem_reserve[] ("protection") of every zone of ONE node: row i, column j = pages zone i keeps
 * back from an allocation that could have used zone j (j > i): Σ pages of zones i+1..j divided by
 * lowmem_reserve_ratio[i]. Ratio < 1 means ratio 1 before 4.16 and "no reserve" from 4.16; from ≈5.9
 * a zone without managed pages reserves nothing either.
 * kernel: mm/page_alloc.c setup_per_zone_lowmem_reserve()
 *
 * @param pages - managed (present before 3.8) pages of the node's zones, by zone index
 * @param ratios - vm.lowmem_reserve_ratio by zone index
 * @param version - kernel version
 * @returns the protection array of each zone
 * @example
 * ```ts
 * import { lowmemReserve } from "@pagealloc/zones";
 * const r = lowmemReserve([3840, 772808, 720896, 0, 0], [256, 256, 32, 0, 0], "6.18");
 * console.log(r[0].join(", ")); // => 0, 3018, 5834, 5834, 5834
 * console.log(r[1].join(", ")); // => 0, 0, 2816, 2816, 2816
 * ```
 */
export function lowmemReserve(pages: readonly number[], ratios: readonly number[], version: KernelVersion | string = DEFAULT_KERNEL_VERSION): number[][] {
  const facts = zoneVersionFacts(version);
  const n = pages.length;
  return pages.map((own, i) => {
    const row = new Array<number>(n).fill(0);
    if (i === n - 1) return row;
    let ratio = Math.trunc(ratios[i] ?? 0);
    let clear = false;
    if (ratio < 1) {
      if (facts.lowmemReserveRule === "forceOne") ratio = 1;
      else clear = true;
    }
    if (facts.lowmemReserveRule === "clearEmpty" && own === 0) clear = true;
    let sum = 0;
    for (let j = i + 1; j < n; j++) {
      sum += pages[j];
      row[j] = clear ? 0 : Math.floor(sum / ratio);
    }
    return row;
  });
}

/** One zone as calculate_totalreserve_pages() sees it. */
export interface TotalreserveZoneInput {
  /** managed (present before 3.8) pages. */
  readonly pages: number;
  /** high watermark including the boost (high_wmark_pages()). */
  readonly high: number;
  readonly lowmemReserve: readonly number[];
}

/**
 * totalreserve_pages: Σ over zones of min(largest lowmem_reserve + high watermark, pages) — the
 * pages the kernel does not count as available (e.g. for overcommit and dirty limits).
 * kernel: mm/page_alloc.c calculate_totalreserve_pages()
 *
 * @param zones - every zone (all nodes)
 * @returns totalreserve_pages
 * @example
 * ```ts
 * import { totalreservePages } from "@pagealloc/zones";
 * // the trace value 29636 of kernel-facts §4.5 (DMA, DMA32, Normal, Movable, Device)
 * const total = totalreservePages([
 *   { pages: 3840, high: 102, lowmemReserve: [0, 3018, 3658, 3658, 3658] },
 *   { pages: 772808, high: 20823, lowmemReserve: [0, 0, 640, 640, 640] },
 *   { pages: 163840, high: 4413, lowmemReserve: [0, 0, 0, 0, 0] },
 *   { pages: 0, high: 32, lowmemReserve: [0, 0, 0, 0, 0] },
 *   { pages: 0, high: 0, lowmemReserve: [0, 0, 0, 0, 0] },
 * ]);
 * console.log(total); // => 29636
 * ```
 */
export function totalreservePages(zones: readonly TotalreserveZoneInput[]): number {
  let total = 0;
  for (const z of zones) {
    const max = Math.max(0, ...z.lowmemReserve) + z.high;
    total += Math.min(max, z.pages);
  }
  return total;
}

/** Input of {@link boostWatermark}. */
export interface BoostWatermarkInput {
  /** zone->watermark_boost now. */
  readonly boost: number;
  /** The raw high watermark (_watermark[WMARK_HIGH], without the boost). */
  readonly highWmark: number;
  readonly managed: number;
  /** vm.watermark_boost_factor (default 15000 = 150%; 0 disables boosting). */
  readonly watermarkBoostFactor: number;
  readonly pageblockNrPages: number;
  /** Kernel version: watermark boosting exists from 5.0 (default 6.18). */
  readonly version?: KernelVersion | string;
}

/**
 * The zone's watermark_boost after a fallback steals from another migratetype (5.0+): unchanged when
 * boosting is off or the zone is smaller than 4 pageblocks; else grows by one pageblock, up to
 * max(pageblock, high × factor / 10000).
 * kernel: mm/page_alloc.c boost_watermark()
 *
 * @param input - current boost, high watermark, zone size, factor, pageblock size
 * @returns the new boost (equal to the input boost when the kernel would not boost)
 * @example
 * ```ts
 * import { boostWatermark } from "@pagealloc/zones";
 * // high 13724 × 150% = 20586 is the cap; one step adds 512 pages
 * console.log(boostWatermark({ boost: 0, highWmark: 13724, managed: 917504, watermarkBoostFactor: 15000, pageblockNrPages: 512 })); // => 512
 * console.log(boostWatermark({ boost: 20500, highWmark: 13724, managed: 917504, watermarkBoostFactor: 15000, pageblockNrPages: 512 })); // => 20586
 * ```
 */
export function boostWatermark(input: BoostWatermarkInput): number {
  const { boost, highWmark, managed, watermarkBoostFactor: factor, pageblockNrPages: pb } = input;
  if (!zoneVersionFacts(input.version ?? DEFAULT_KERNEL_VERSION).boost) return boost;
  if (!factor || pb * 4 > managed) return boost;
  let maxBoost = multFrac(highWmark, factor, 10000);
  if (!maxBoost) return boost;
  maxBoost = Math.max(pb, maxBoost);
  return Math.min(boost + pb, maxBoost);
}
