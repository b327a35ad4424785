import { PG_BUDDY, PG_HOLE, PG_RESERVED, extfragIndex, renderBuddyinfo, renderPagetypeinfo, renderVmstat, renderZoneinfo, unusableIndex } from "@pagealloc/buddy";
import type { Kernel } from "@pagealloc/page-api";
import { WorkloadArgumentError } from "./errors";

/** The procfs files a workload can show. */
export const STATE_FILES = ["buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat"] as const;
/** One of {@link STATE_FILES}. */
export type StateFile = (typeof STATE_FILES)[number];

/**
 * True when `name` is one of {@link STATE_FILES}.
 * @example
 * ```ts
 * import { isStateFile } from "@pagealloc/workload";
 * console.log(isStateFile("buddyinfo"), isStateFile("meminfo")); // => true false
 * ```
 */
export function isStateFile(name: string): name is StateFile {
  return (STATE_FILES as readonly string[]).includes(name);
}

/**
 * The kernel's text of `/proc/<file>` for the kernel's current state: buddyinfo, pagetypeinfo and vmstat
 * from `@pagealloc/buddy`; zoneinfo is the zone layer's sizes and watermarks with the buddy's free pages,
 * boost, NUMA counters and pcp counts plugged in.
 * kernel: mm/vmstat.c frag_show(), pagetypeinfo_show(), zoneinfo_show(), vmstat_show()
 *
 * @param kernel - a booted kernel
 * @param file - `buddyinfo`, `pagetypeinfo`, `zoneinfo` or `vmstat`
 * @returns the file's text
 * @throws {WorkloadArgumentError} for another file name
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { renderState } from "@pagealloc/workload";
 * const k = bootKernel({ machine: "tiny-16m" });
 * console.log(renderState(k, "buddyinfo").startsWith("Node 0, zone      DMA")); // => true
 * ```
 */
export function renderState(kernel: Kernel, file: string): string {
  const a = kernel.buddy;
  switch (file) {
    case "buddyinfo":
      return renderBuddyinfo(a);
    case "pagetypeinfo":
      return renderPagetypeinfo(a);
    case "vmstat":
      return renderVmstat(a);
    case "zoneinfo":
      return renderZoneinfo(a, kernel.zones);
    default:
      throw new WorkloadArgumentError(`unknown state file ${JSON.stringify(file)} (known: ${STATE_FILES.join(", ")})`, "file");
  }
}

/** Watermarks and free pages of one zone (pages). */
export interface ZoneWatermarkRow {
  nid: number;
  zone: string;
  free: number;
  min: number;
  low: number;
  high: number;
  boost: number;
  managed: number;
  /** lowmem_reserve[] (protection) indexed by zone index. */
  lowmemReserve: number[];
}

/**
 * Free pages and watermarks of every populated zone (the `pages free`, `min`, `low`, `high` and
 * `protection` lines of /proc/zoneinfo).
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { zoneWatermarks } from "@pagealloc/workload";
 * const [dma] = zoneWatermarks(bootKernel({ machine: "tiny-16m" }));
 * console.log(dma.zone, dma.free, dma.min, dma.low, dma.high); // => DMA 3328 157 196 235
 * ```
 */
export function zoneWatermarks(kernel: Kernel): ZoneWatermarkRow[] {
  return kernel.buddy.zones
    .filter((z) => z.spec.managedPages > 0)
    .map((z) => ({
      nid: z.spec.nid,
      zone: z.spec.name,
      free: z.nrFreePages,
      min: z.spec.watermark.min,
      low: z.spec.watermark.low,
      high: z.spec.watermark.high,
      boost: z.watermarkBoost,
      managed: z.spec.managedPages,
      lowmemReserve: [...z.spec.lowmemReserve],
    }));
}

/** Fragmentation indices of one zone for a few orders. */
export interface FragmentationRow {
  nid: number;
  zone: string;
  /** free_area[order].nr_free. */
  nrFree: number[];
  /** order → unusable_free_index (thousandths of free memory unusable at that order). */
  unusable: Record<number, number>;
  /** order → fragmentation index (−1000: the order can be served). */
  extfrag: Record<number, number>;
}

/**
 * The debugfs extfrag indices of every populated zone for `orders` (as integers: 0.452 → 452).
 * kernel: mm/vmstat.c unusable_free_index(), __fragmentation_index()
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { fragmentation } from "@pagealloc/workload";
 * // tiny-16m at boot: blocks of order 8, 9, 9, 10, 10: order 10 can be served (extfrag -1000);
 * // unusable at order 10: the 256 + 1024 pages in smaller blocks, 1280 * 1000 / 3328 = 384.6 → 384
 * const [row] = fragmentation(bootKernel({ machine: "tiny-16m" }), [10]);
 * console.log(row.extfrag[10], row.unusable[10]); // => -1000 384
 * ```
 */
export function fragmentation(kernel: Kernel, orders: readonly number[]): FragmentationRow[] {
  return kernel.buddy.zones
    .filter((z) => z.spec.managedPages > 0)
    .map((z) => {
      const nrFree = Array.from(z.nrFree);
      const unusable: Record<number, number> = {};
      const extfrag: Record<number, number> = {};
      for (const o of orders) {
        unusable[o] = unusableIndex(nrFree, o);
        extfrag[o] = extfragIndex(nrFree, o);
      }
      return { nid: z.spec.nid, zone: z.spec.name, nrFree, unusable, extfrag };
    });
}

// The letter of each migratetype name /proc/pagetypeinfo prints (any version); "(null)" and unknown names: "?".
const MIGRATETYPE_CHARS: Readonly<Record<string, string>> = { Unmovable: "U", Movable: "M", Reclaimable: "R", HighAtomic: "H", CMA: "C", Isolate: "I", Reserve: "S" };

/**
 * One character per migratetype, in the version's migratetype order (Unmovable → U …).
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { migratetypeLegend } from "@pagealloc/workload";
 * // 2.6.24: Unmovable, Reclaimable, Movable, Reserve, and MIGRATE_ISOLATE, which migratetype_names[] lacks ("(null)").
 * console.log(migratetypeLegend(bootKernel({ machine: "book-i386", version: "2.6.24" })).map((l) => l.char).join("")); // => URMS?
 * ```
 */
export function migratetypeLegend(kernel: Kernel): { char: string; name: string }[] {
  return kernel.buddy.facts.migratetypeNames.map((name) => ({ char: MIGRATETYPE_CHARS[name] ?? "?", name }));
}

/** A zone's pageblocks as characters. */
export interface PageblockMapZone {
  nid: number;
  zone: string;
  /** Pageblocks per character. */
  blocksPerChar: number;
  /** One string of characters; upper case: the pageblock holds allocated pages, lower case: all free, `#`: boot-reserved, `.`: no memory. */
  map: string;
}

/**
 * A compact picture of memory: every pageblock's migratetype as a letter (see
 * {@link migratetypeLegend}), upper case when it holds allocated pages, lower case when it is
 * entirely free (on the buddy lists), `#` when all its memory is kept by boot-time reservations (never
 * given to the buddy allocator), `.` when it has no memory at all (a hole).
 * When a zone has more than `maxChars` pageblocks, one character stands for several: the most
 * common type among them, upper case when any of them is in use.
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { pageblockMap } from "@pagealloc/workload";
 * // tiny-16m: 4096 pages = 8 pageblocks, all Movable at boot; 3328 pages are managed, the top 768 are kept by
 * // boot reservations: blocks 0-5 free, block 6 half free and half reserved, block 7 all reserved.
 * console.log(pageblockMap(bootKernel({ machine: "tiny-16m" }))[0].map); // => mmmmmmm#
 * ```
 */
export function pageblockMap(kernel: Kernel, maxChars = 1024): PageblockMapZone[] {
  const a = kernel.buddy;
  const legend = migratetypeLegend(kernel);
  const step = 2 ** a.pageblockOrder;
  const out: PageblockMapZone[] = [];
  for (const z of a.zones) {
    if (z.spec.managedPages === 0) continue;
    const first = Math.floor(z.startPfn / step) * step;
    const nBlocks = Math.ceil((z.endPfn - first) / step);
    const per = Math.max(1, Math.ceil(nBlocks / maxChars));
    // Free pages per pageblock from the buddy lists (pcp pages count as in use: they are off the lists).
    const freeIn = new Float64Array(nBlocks);
    const usable = new Float64Array(nBlocks);
    const present = new Float64Array(nBlocks);
    for (let i = 0; i < z.spanned; i++) {
      const flags = z.flags[i]!;
      if (flags & PG_HOLE) continue;
      const b = Math.floor((z.startPfn + i - first) / step);
      present[b]! += 1;
      if (!(flags & PG_RESERVED)) usable[b]! += 1;
    }
    for (let i = 0; i < z.spanned; i++) {
      if (!(z.flags[i]! & PG_BUDDY)) continue;
      let left = 2 ** z.order(i);
      let pfn = z.startPfn + i;
      while (left > 0) {
        const b = Math.floor((pfn - first) / step);
        const inBlock = Math.min(left, first + (b + 1) * step - pfn);
        freeIn[b]! += inBlock;
        left -= inBlock;
        pfn += inBlock;
      }
    }
    let map = "";
    for (let b0 = 0; b0 < nBlocks; b0 += per) {
      const counts = new Map<number, number>();
      let anyUsable = false;
      let anyPresent = false;
      let anyUsed = false;
      for (let b = b0; b < Math.min(nBlocks, b0 + per); b++) {
        if (present[b]! > 0) anyPresent = true;
        if (usable[b] === 0) continue;
        anyUsable = true;
        if (freeIn[b]! < usable[b]!) anyUsed = true;
        const pfn = Math.max(first + b * step, z.startPfn);
        const mt = z.pageblockMt(pfn);
        counts.set(mt, (counts.get(mt) ?? 0) + 1);
      }
      if (!anyUsable) {
        map += anyPresent ? "#" : ".";
        continue;
      }
      let best = 0;
      let bestN = -1;
      for (const [mt, n] of counts) if (n > bestN) [best, bestN] = [mt, n];
      const c = legend[best]?.char ?? "?";
      map += anyUsed ? c : c.toLowerCase();
    }
    out.push({ nid: z.spec.nid, zone: z.spec.name, blocksPerChar: per, map });
  }
  return out;
}
