import type { BuddyAllocator } from "./allocator";
import { formatBuddyinfo, type BuddyinfoZone } from "./buddyinfo";
import { cInt, cStr } from "./c-format";
import { renderZoneinfoStatic, ZONE_STAT_NAMES_2_6_24, ZONE_STAT_NAMES_6_18, type ZoneinfoCounters, type ZoneSet } from "@pagealloc/zones";
import type { ZoneState } from "./zone-state";

/**
 * free_area[].nr_free of every populated zone, as /proc/buddyinfo lists them.
 *
 * @example
 * ```ts
 * import { bootBuddy, buddyinfoZones } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * console.log(buddyinfoZones(a)[0].nrFree[10]); // => 4
 * ```
 */
export function buddyinfoZones(a: BuddyAllocator): BuddyinfoZone[] {
  const out: BuddyinfoZone[] = [];
  for (const nid of a.nodeIds()) {
    for (const z of a.nodeZones(nid)) {
      if (z.spec.presentPages === 0) continue;
      out.push({ nid, zone: z.spec.name, nrFree: Array.from(z.nrFree) });
    }
  }
  return out;
}

/**
 * `/proc/buddyinfo`.
 * kernel: mm/vmstat.c frag_show()
 *
 * @example
 * ```ts
 * import { bootBuddy, renderBuddyinfo } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "DMA", zoneIdx: 0, startPfn: 0, spannedPages: 1024, presentPages: 1024,
 *   managedPages: 1023, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0], pcp: { batch: 1, high: 0 } }]);
 * // pfn 0 reserved: 1023 pages free as 1 + 2 + 4 + … + 512
 * console.log(renderBuddyinfo(a).trim()); // => Node 0, zone      DMA      1      1      1      1      1      1      1      1      1      1      0
 * ```
 */
export function renderBuddyinfo(a: BuddyAllocator): string {
  return formatBuddyinfo(buddyinfoZones(a));
}

function listCount(z: ZoneState, order: number, mt: number): number {
  return z.listLen[order * z.nrTypes + mt]!;
}

/**
 * `/proc/pagetypeinfo` (per node with memory: header, free blocks per type and order, pageblocks per type).
 * kernel: mm/vmstat.c pagetypeinfo_show()
 *
 * @example
 * ```ts
 * import { bootBuddy, renderPagetypeinfo } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * const lines = renderPagetypeinfo(a).split("\n");
 * console.log(lines[0]); // => Page block order: 9
 * console.log(lines[5].trim()); // => Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      4
 * console.log(lines[11].trim()); // => Node 0, zone   Normal            0            8            0            0            0
 * ```
 */
export function renderPagetypeinfo(a: BuddyAllocator): string {
  const names = a.facts.migratetypeNames;
  let s = "";
  for (const nid of a.nodeIds()) {
    const zones = a.nodeZones(nid).filter((z) => z.spec.presentPages > 0);
    if (zones.length === 0) continue;
    s += `Page block order: ${a.pageblockOrder}\n`;
    s += `Pages per block:  ${2 ** a.pageblockOrder}\n\n`;
    s += `${cStr("Free pages count per migrate type at order", 43, true)} `;
    for (let o = 0; o < a.nrOrders; o++) s += `${cInt(o, 6)} `;
    s += "\n";
    for (const z of zones) {
      for (let mt = 0; mt < names.length; mt++) {
        s += `Node ${cInt(nid, 4)}, zone ${cStr(z.spec.name, 8)}, type ${cStr(names[mt]!, 12)} `;
        for (let o = 0; o < a.nrOrders; o++) {
          const n = listCount(z, o, mt);
          const over = a.facts.pagetypeinfoCap && n >= 100000;
          s += `${over ? ">" : ""}${cInt(over ? 100000 : n, 6)} `;
        }
        s += "\n";
      }
    }
    s += `\n${cStr("Number of blocks type ", 23, true)}`;
    for (const name of names) s += `${cStr(name, 12)} `;
    s += "\n";
    for (const z of zones) {
      const count = new Array<number>(names.length).fill(0);
      for (let pfn = z.startPfn; pfn < z.endPfn; pfn += 2 ** a.pageblockOrder) {
        if (!z.valid(pfn)) continue;
        count[z.pageblockMt(pfn)]! += 1;
      }
      s += `Node ${nid}, zone ${cStr(z.spec.name, 8)} `;
      for (const c of count) s += `${cInt(c, 12)} `;
      s += "\n";
    }
  }
  return s;
}

/** The dynamic numbers /proc/zoneinfo shows for a zone. */
export interface ZoneinfoDynamic {
  /** "pages free" / nr_free_pages (NR_FREE_PAGES). */
  nrFreePages: number;
  /** nr_free_pages_blocks (6.18): free pages in blocks of order ≥ pageblock_order. */
  nrFreePagesBlocks: number;
  boost: number;
  numaHit: number;
  numaMiss: number;
  numaForeign: number;
  numaLocal: number;
  numaOther: number;
  /** Per CPU: count, high, batch, high_min, high_max (2.6.24: two entries per CPU, hot then cold). */
  pagesets: { count: number; high: number; batch: number; highMin: number; highMax: number }[];
}

/**
 * The dynamic counters of one zone's /proc/zoneinfo block.
 * kernel: mm/vmstat.c zoneinfo_show_print()
 *
 * @example
 * ```ts
 * import { bootBuddy, zoneinfoDynamic } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * const d = zoneinfoDynamic(a, a.zone(0, "Normal"));
 * console.log(d.nrFreePages, d.nrFreePagesBlocks, d.pagesets.length); // => 4096 4096 1
 * ```
 */
export function zoneinfoDynamic(a: BuddyAllocator, z: ZoneState): ZoneinfoDynamic {
  let blocks = 0;
  for (let o = a.pageblockOrder; o < a.nrOrders; o++) blocks += z.nrFree[o]! * 2 ** o;
  const pagesets = Array.from(z.pcpCount, (count, k) => ({
    count,
    high: z.pcpHigh[k]!,
    batch: z.pcpBatch[k]!,
    highMin: z.pcpHighMin[k]!,
    highMax: z.pcpHighMax[k]!,
  }));
  return {
    nrFreePages: z.nrFreePages,
    nrFreePagesBlocks: blocks,
    boost: z.watermarkBoost,
    numaHit: z.numaHit,
    numaMiss: z.numaMiss,
    numaForeign: z.numaForeign,
    numaLocal: z.numaLocal,
    numaOther: z.numaOther,
    pagesets,
  };
}

/**
 * The dynamic part of /proc/zoneinfo in the shape `renderZoneinfoStatic` of `@pagealloc/zones` takes: pages free,
 * boost, the zone counters (nr_free_pages, 6.18's nr_free_pages_blocks; the LRU counters this layer does not model
 * stay 0), numa_* and each CPU's pcp count and current high (2.6.24: hot and cold lists).
 * kernel: mm/vmstat.c zoneinfo_show_print()
 *
 * @example
 * ```ts
 * import { bootBuddy, zoneinfoCounters } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * console.log(zoneinfoCounters(a).zone(0, "Normal").freePages); // => 4096
 * ```
 */
export function zoneinfoCounters(a: BuddyAllocator): ZoneinfoCounters {
  return {
    zone(nid: number, name: string) {
      const z = a.nodeZones(nid).find((x) => x.spec.name === name);
      if (!z) return undefined;
      const d = zoneinfoDynamic(a, z);
      const names = a.facts.pcpModel === "hot-cold" ? ZONE_STAT_NAMES_2_6_24 : ZONE_STAT_NAMES_6_18;
      const stats = names.map((n) => [n, n === "nr_free_pages" ? d.nrFreePages : n === "nr_free_pages_blocks" ? d.nrFreePagesBlocks : 0] as const);
      const numaStats = [
        ["numa_hit", d.numaHit],
        ["numa_miss", d.numaMiss],
        ["numa_foreign", d.numaForeign],
        ["numa_interleave", 0],
        ["numa_local", d.numaLocal],
        ["numa_other", d.numaOther],
      ] as const;
      if (a.facts.pcpModel === "hot-cold") {
        return {
          freePages: d.nrFreePages,
          boost: d.boost,
          stats,
          numaStats,
          pcp: Array.from({ length: a.cpus }, (_, cpu) => ({ count: d.pagesets[cpu * 2]!.count })),
          pcpCold: Array.from({ length: a.cpus }, (_, cpu) => ({ count: d.pagesets[cpu * 2 + 1]!.count })),
        };
      }
      return { freePages: d.nrFreePages, boost: d.boost, stats, numaStats, pcp: d.pagesets.map((p) => ({ count: p.count, high: p.high })) };
    },
  };
}

/**
 * The whole /proc/zoneinfo of the allocator's current state: the static part (sizes, watermarks, protection,
 * pageset sizes) from `@pagealloc/zones`, the counters from this allocator.
 * kernel: mm/vmstat.c zoneinfo_show()
 *
 * @param a - the allocator (booted from `zoneSet`)
 * @param zoneSet - the zone set it was booted from
 * @returns the file's text
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones } from "@pagealloc/zones";
 * import { bootBuddyFromZoneSet, renderZoneinfo } from "@pagealloc/buddy";
 * const m = getPreset("tiny-16m");
 * const zs = buildZones(m, { version: "6.18" });
 * const text = renderZoneinfo(bootBuddyFromZoneSet(zs, m), zs);
 * console.log(text.split("\n").find((l) => l.startsWith("  pages free")).trim()); // => pages free     3328
 * ```
 */
export function renderZoneinfo(a: BuddyAllocator, zoneSet: ZoneSet): string {
  return renderZoneinfoStatic(zoneSet, zoneinfoCounters(a));
}

/**
 * The /proc/vmstat counters the buddy layer maintains: nr_free_pages, nr_free_pages_blocks (6.18),
 * numa_* (NUMA), pgalloc_<zone> per zone type, pgfree. One "name value" line each, in vmstat_text order.
 * kernel: mm/vmstat.c vmstat_show()
 *
 * @example
 * ```ts
 * import { bootBuddy, renderVmstat } from "@pagealloc/buddy";
 * const a = bootBuddy([{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096,
 *   managedPages: 4096, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } }]);
 * a.freePages(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 3), 3);
 * const v = renderVmstat(a);
 * console.log(v.split("\n").filter((l) => /^(pgalloc_normal|pgfree) /.test(l)).join(", ")); // => pgalloc_normal 8, pgfree 4104
 * ```
 */
export function renderVmstat(a: BuddyAllocator): string {
  const zones = a.zones;
  const sum = (f: (z: ZoneState) => number) => zones.reduce((s, z) => s + f(z), 0);
  let s = `nr_free_pages ${sum((z) => z.nrFreePages)}\n`;
  // NR_FREE_PAGES_BLOCKS came with the 6.15 defrag_mode series (the same release as the claim/steal split)
  if (a.facts.fallbackAlgorithm === "claim-steal") s += `nr_free_pages_blocks ${sum((z) => zoneinfoDynamic(a, z).nrFreePagesBlocks)}\n`;
  s += `numa_hit ${sum((z) => z.numaHit)}\nnuma_miss ${sum((z) => z.numaMiss)}\nnuma_foreign ${sum((z) => z.numaForeign)}\nnuma_interleave 0\n`;
  s += `numa_local ${sum((z) => z.numaLocal)}\nnuma_other ${sum((z) => z.numaOther)}\n`;
  const names = [...new Set(zones.slice().sort((x, y) => x.spec.zoneIdx - y.spec.zoneIdx).map((z) => z.spec.name))];
  for (const name of names) s += `pgalloc_${name.toLowerCase()} ${sum((z) => (z.spec.name === name ? z.pgalloc : 0))}\n`;
  s += `pgfree ${a.pgfree}\n`;
  return s;
}
