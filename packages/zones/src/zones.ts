import {
  type ArchName,
  type KernelVersion,
  type Machine,
  DEFAULT_KERNEL_VERSION,
  archFacts,
  parseKernelVersion,
  pickByVersion,
  versionAtLeast,
} from "@pagealloc/physmem";
import type { ZoneName } from "@pagealloc/gfp";
import { InvalidZoneLayoutError } from "./errors";
import { minFreeKbytes as calculateMinFreeKbytes, thpRecommendedMinFreeKbytes } from "./min-free-kbytes";
import { type PcpSizes, pcpHigh, vmStatThreshold } from "./pcp";
import { type ResolvedSysctls, type Sysctls, pcpFraction, resolveSysctls } from "./sysctls";
import { type ZoneVersionFacts, zoneVersionFacts } from "./version-facts";
import { type ZoneWatermark, lowmemReserve, totalreservePages, zoneWatermarks } from "./watermarks";

/** One zone of one node, sized and with its watermarks, reserves and pcp sizes as the kernel sets them at boot. */
export interface ZoneInfo {
  readonly nid: number;
  readonly name: ZoneName;
  /** Index in this arch's enum zone_type (the position in `ZoneSet.zoneTypes`). */
  readonly zoneIdx: number;
  /** zone_start_pfn (0 for an empty zone). */
  readonly startPfn: number;
  readonly spannedPages: number;
  readonly presentPages: number;
  /** managed_pages (= present pages before 3.8, where the kernel had no managed count). */
  readonly managedPages: number;
  /** _watermark[] (without the boost; the kernel prints them + boost). */
  readonly watermark: ZoneWatermark;
  /** zone->watermark_boost (0 after setup). */
  readonly watermarkBoost: number;
  /** lowmem_reserve[0..MAX_NR_ZONES-1] ("protection"). */
  readonly lowmemReserve: readonly number[];
  /** Per-CPU pageset sizes (the same for every CPU). */
  readonly pcp: PcpSizes;
  /** Per-CPU vm stat threshold. */
  readonly vmStatThreshold: number;
  /** present_pages != 0 (populated_zone()). */
  readonly populated: boolean;
}

/** A node's zones. */
export interface ZoneNode {
  readonly nid: number;
  readonly cpus: readonly number[];
  readonly startPfn: number;
  readonly endPfn: number;
  /** One entry per zone type of the arch, in enum zone_type order (empty zones included). */
  readonly zones: readonly ZoneInfo[];
}

/** All zones of a machine at a kernel version: what the buddy allocator and zonelists are built on. */
export interface ZoneSet {
  readonly version: string;
  readonly arch: ArchName;
  readonly pageShift: number;
  /** pageblock_nr_pages. */
  readonly pageblockNrPages: number;
  /** The arch's zone types (index = zone index). */
  readonly zoneTypes: readonly ZoneName[];
  readonly nodes: readonly ZoneNode[];
  /** SLIT distances by node position (as in the machine). */
  readonly distance: readonly (readonly number[])[];
  readonly onlineCpus: number;
  readonly minFreeKbytes: number;
  readonly totalreservePages: number;
  /** The first pfn of ZONE_MOVABLE on each node (0 = none), by node position. */
  readonly zoneMovablePfn: readonly number[];
  readonly sysctls: ResolvedSysctls;
}

/** Options of {@link buildZones}. */
export interface BuildZonesOptions {
  readonly version?: KernelVersion | string;
  /** Sysctls and boot options (kernelcore=, movablecore=, transparent_hugepage). */
  readonly sysctls?: Partial<Sysctls>;
  /** num_online_cpus(); default: all CPUs of the machine (at least 1). */
  readonly cpus?: number;
}

/** MAX_ORDER_NR_PAGES (1024 with 4K pages in every version modelled: MAX_ORDER 11 / MAX_PAGE_ORDER 10). */
export const MAX_ORDER_NR_PAGES = 1024;

// kernel: include/linux/pageblock-flags.h pageblock_order = HUGETLB_PAGE_ORDER (capped at the largest buddy order)
function pageblockOrder(arch: ArchName, pageShift: number): number {
  if (arch === "i386") return 10; // 4 MiB large pages without PAE
  if (arch === "arm64" && pageShift === 14) return 10;
  if (arch === "arm64" && pageShift === 16) return 13;
  return 9;
}

// kernel: include/linux/mm_types.h sizeof(struct page) on 64-bit: 56 bytes on 2.6.24 (flags, _count, _mapcount,
// private, mapping, index, lru; real 2.6.2x x86_64 logs: "DMA zone: 56 pages used for memmap"); 64 from ≈3.1 when
// SLUB's cmpxchg_double made it double-word aligned (CONFIG_HAVE_ALIGNED_STRUCT_PAGE; later logs print 64). 32 on 32-bit.
const STRUCT_PAGE_64: readonly (readonly [string, number])[] = [
  ["2.6.24", 56],
  ["3.1", 64],
];

// kernel: arch/x86/kernel/setup.c: x86 keeps low memory for the BIOS out of the allocator: the first page
// (2.6.24), the first 64 KiB (CONFIG_X86_RESERVE_LOW, ≈2.6.36) and all of the first 1 MiB from 5.13
// ("x86/setup: always reserve the first 1M of RAM").
const X86_LOW_RESERVE_PFNS: readonly (readonly [string, number])[] = [
  ["2.6.24", 1],
  ["2.6.36", 16],
  ["5.13", 256],
];

/**
 * The end (exclusive pfn) of the low memory x86 reserves at boot for the BIOS in a kernel version;
 * these pages are present but not managed.
 * kernel: arch/x86/kernel/setup.c reserve_bios_regions() / x86_reserve_low_memory
 *
 * @param version - kernel version
 * @returns 1, 16 or 256
 * @example
 * ```ts
 * import { x86LowReservePfns } from "@pagealloc/zones";
 * console.log(x86LowReservePfns("2.6.24"), x86LowReservePfns("6.18")); // => 1 256
 * ```
 */
export function x86LowReservePfns(version: KernelVersion | string): number {
  return pickByVersion(X86_LOW_RESERVE_PFNS, version);
}

/** sizeof(struct page) of a 64-bit kernel version (56 or 64 bytes). */
export function structPageSize64(version: KernelVersion | string): number {
  return pickByVersion(STRUCT_PAGE_64, version);
}

/** SECTION_SIZE_BITS - PAGE_SHIFT: pages per memory section (128 MiB) for the vmemmap estimate. */
const PAGES_PER_SECTION = 32768;

interface Span {
  start: number;
  end: number;
}

function overlap(ranges: readonly { startPfn: number; endPfn: number }[], start: number, end: number): number {
  let n = 0;
  for (const r of ranges) n += Math.max(0, Math.min(r.endPfn, end) - Math.max(r.startPfn, start));
  return n;
}

/** Parse kernelcore=/movablecore=: bytes with K/M/G/T/P/E suffix, or nn% (4.17+). */
function coreOption(text: string | undefined, totalPages: number, pageShift: number, version: KernelVersion, what: string): number {
  if (!text) return 0;
  const t = text.trim();
  if (t === "mirror") throw new InvalidZoneLayoutError(`${what}=mirror needs mirrored-memory information, which machine descriptions do not carry`, what);
  const pct = /^(\d{1,3})%$/.exec(t);
  if (pct) {
    if (!versionAtLeast(version, "4.17")) throw new InvalidZoneLayoutError(`${what}= percentages exist from 4.17, not ${version.raw}`, what);
    const p = Number(pct[1]);
    if (p > 100) throw new InvalidZoneLayoutError(`${what}=${t}: a percentage must be at most 100`, what);
    // kernel: mm/mm_init.c find_zone_movable_pfns_for_nodes(): (totalpages * 100 * percent) / 10000
    return Math.floor((totalPages * 100 * p) / 10000);
  }
  const m = /^(0x[0-9a-f]+|\d+)([kmgtpe]?)$/i.exec(t);
  if (!m) throw new InvalidZoneLayoutError(`${what}=${t} is not a size`, what);
  const shift = { "": 0, k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[m[2].toLowerCase() as "" | "k"] ?? 0;
  const bytes = BigInt(m[1]) << BigInt(shift);
  return Number(bytes >> BigInt(pageShift));
}

/**
 * The first pfn of ZONE_MOVABLE on each node (0 = none) from kernelcore=/movablecore=: kernelcore is
 * spread evenly over the nodes with memory, walking each node's ranges upwards; pages below the
 * zone that ZONE_MOVABLE is taken from count as kernelcore for free; the result is rounded up to
 * MAX_ORDER_NR_PAGES.
 * kernel: mm/mm_init.c find_zone_movable_pfns_for_nodes() (2.6.24: mm/page_alloc.c)
 */
function findZoneMovablePfnsForNodes(
  machine: Machine,
  usableStartPfn: number,
  requiredKernelcoreIn: number,
  requiredMovablecoreIn: number,
  modern: boolean,
): number[] {
  const result = machine.nodes.map(() => 0);
  const totalPages = machine.totalPages;
  let requiredKernelcore = requiredKernelcoreIn;
  if (requiredMovablecoreIn) {
    let movable = Math.ceil(requiredMovablecoreIn / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES;
    if (modern) movable = Math.min(totalPages, movable);
    const corepages = Math.max(0, totalPages - movable);
    requiredKernelcore = Math.max(requiredKernelcore, corepages);
  }
  if (!requiredKernelcore || (modern && requiredKernelcore >= totalPages)) return result;
  const withMemory = machine.nodes.map((n, i) => ({ n, i })).filter((x) => x.n.presentPages > 0);
  let usableNodes = withMemory.length;
  for (;;) {
    let kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
    for (const { n, i } of withMemory) {
      if (requiredKernelcore < kernelcoreNode) kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
      let remaining = kernelcoreNode;
      for (const r of n.ranges) {
        let start = Math.max(r.startPfn, result[i]);
        const end = r.endPfn;
        if (start >= end) continue;
        if (start < usableStartPfn) {
          const kernelPages = Math.min(end, usableStartPfn) - start;
          remaining -= Math.min(kernelPages, remaining);
          requiredKernelcore -= Math.min(kernelPages, requiredKernelcore);
          if (end <= usableStartPfn) {
            result[i] = end;
            continue;
          }
          start = usableStartPfn;
        }
        const size = Math.min(end - start, remaining);
        result[i] = start + size;
        requiredKernelcore -= Math.min(requiredKernelcore, size);
        remaining -= size;
        if (!remaining) break;
      }
    }
    usableNodes--;
    if (!(usableNodes && requiredKernelcore > usableNodes)) break;
  }
  return result.map((pfn, i) => {
    const rounded = Math.ceil(pfn / MAX_ORDER_NR_PAGES) * MAX_ORDER_NR_PAGES;
    return modern && rounded >= machine.nodes[i].spannedEndPfn ? 0 : rounded;
  });
}

interface RawZone {
  name: ZoneName;
  start: number;
  end: number;
  present: number;
}

/**
 * Zone spans of every node: arch zone limits (DMA 16 MiB, DMA32 4 GiB, lowmem end), clamped to each
 * node, with ZONE_MOVABLE carved from the top of the highest usable zone.
 * kernel: mm/mm_init.c free_area_init(), zone_spanned_pages_in_node(), adjust_zone_range_for_zone_movable(), zone_absent_pages_in_node()
 */
function layoutZones(machine: Machine, zoneTypes: readonly ZoneName[], limits: { DMA?: number; DMA32?: number }, lowmemLimitPfn: number | null, version: KernelVersion, sysctls: Sysctls) {
  const maxPfn = machine.maxPfn;
  const maxLowPfn = lowmemLimitPfn === null ? maxPfn : Math.min(maxPfn, lowmemLimitPfn);
  const firstPfn = Math.min(...machine.nodes.filter((n) => n.ranges.length).map((n) => n.ranges[0].startPfn), maxPfn);
  // kernel: arch/x86/mm/init.c zone_sizes_init() max_zone_pfns[]
  const maxZonePfn: Partial<Record<ZoneName, number>> = {
    DMA: Math.min(limits.DMA ?? 0, maxLowPfn),
    DMA32: Math.min(limits.DMA32 ?? 0, maxLowPfn),
    Normal: maxLowPfn,
    HighMem: maxPfn,
  };
  const archRange: Partial<Record<ZoneName, Span>> = {};
  let start = firstPfn;
  for (const z of zoneTypes) {
    if (z === "Movable" || z === "Device") continue;
    const end = Math.max(maxZonePfn[z] ?? start, start);
    archRange[z] = { start, end };
    start = end;
  }
  // kernel: find_usable_zone_for_movable(): the highest zone below Movable with memory
  const movableZone = [...zoneTypes].reverse().find((z) => z !== "Movable" && z !== "Device" && archRange[z] && archRange[z].end > archRange[z].start);
  const modern = versionAtLeast(version, "4.17");
  const kernelcore = coreOption(sysctls.kernelcore ?? machine.cmdline?.kernelcore, machine.totalPages, machine.pageShift, version, "kernelcore");
  const movablecore = coreOption(sysctls.movablecore ?? machine.cmdline?.movablecore, machine.totalPages, machine.pageShift, version, "movablecore");
  const movablePfn =
    zoneTypes.includes("Movable") && movableZone
      ? findZoneMovablePfnsForNodes(machine, archRange[movableZone]!.start, kernelcore, movablecore, modern)
      : machine.nodes.map(() => 0);
  const nodes = machine.nodes.map((node, i) => {
    const zones: RawZone[] = zoneTypes.map((name) => {
      const empty = { name, start: 0, end: 0, present: 0 };
      if (node.presentPages === 0) return empty;
      let s: number;
      let e: number;
      if (name === "Movable") {
        if (!movablePfn[i] || !movableZone) return empty;
        s = movablePfn[i];
        e = Math.min(node.spannedEndPfn, archRange[movableZone]!.end);
      } else {
        const r = archRange[name];
        if (!r) return empty;
        s = Math.min(Math.max(r.start, node.spannedStartPfn), node.spannedEndPfn);
        e = Math.min(Math.max(r.end, node.spannedStartPfn), node.spannedEndPfn);
        const mp = movablePfn[i];
        if (mp) {
          if (s < mp && e > mp) e = mp;
          else if (s >= mp) s = e;
        }
      }
      if (e <= s) return empty;
      return { name, start: s, end: e, present: overlap(node.ranges, s, e) };
    });
    return { node, zones };
  });
  return { nodes, movablePfn, movableZone };
}

/** Pages that memblock keeps (not handed to the buddy allocator) per zone of a node: reservations, low BIOS memory, the memmap. */
function reservedPerZone(machine: Machine, nodeIdx: number, zones: readonly RawZone[], version: KernelVersion, facts: ZoneVersionFacts): number[] {
  const node = machine.nodes[nodeIdx];
  const reserved = zones.map((z) => (z.end > z.start ? overlap(node.reservedPfns, z.start, z.end) : 0));
  const isX86 = machine.arch !== "arm64";
  if (isX86) {
    const lowEnd = x86LowReservePfns(version);
    zones.forEach((z, k) => {
      if (z.end <= z.start) return;
      // low pages already counted as memblock.reserved are not counted twice
      const low = overlap(node.ranges, z.start, Math.min(z.end, lowEnd)) - overlap(node.reservedPfns, z.start, Math.min(z.end, lowEnd));
      reserved[k] += Math.max(0, low);
    });
  }
  // the memmap (struct page array)
  const is64 = machine.arch === "x86_64" || machine.arch === "arm64";
  const structPage = is64 ? structPageSize64(version) : 32;
  if (facts.sizeBy === "present") return reserved; // 2.6.24-style: memmap is subtracted from present instead
  let memmapPages: number;
  if (is64) {
    // SPARSEMEM_VMEMMAP: a full section's memmap for each section with memory
    const sections = new Set<number>();
    for (const r of node.ranges) for (let s = Math.floor(r.startPfn / PAGES_PER_SECTION); s * PAGES_PER_SECTION < r.endPfn; s++) sections.add(s);
    memmapPages = sections.size * Math.ceil((PAGES_PER_SECTION * structPage) / machine.pageSize);
  } else {
    memmapPages = Math.ceil(((node.spannedEndPfn - node.spannedStartPfn) * structPage) / machine.pageSize);
  }
  // memblock allocates top-down in lowmem: charge the highest populated zone the kernel can address directly
  const target = zones.map((z, k) => ({ z, k })).reverse().find(({ z }) => z.present > 0 && z.name !== "HighMem" && z.name !== "Movable" && z.name !== "Device");
  if (target) reserved[target.k] += memmapPages;
  return reserved;
}

/** 2.6.24: present_pages = spanned − holes − memmap pages (− dma_reserve for zone 0 on x86_64). */
function presentPages2624(machine: Machine, z: RawZone, zoneIdx: number, nodeIdx: number, version: KernelVersion): number {
  const spanned = z.end - z.start;
  const structPage = machine.arch === "x86_64" || machine.arch === "arm64" ? structPageSize64(version) : 32;
  let present = z.present;
  const memmap = Math.floor((spanned * structPage) / machine.pageSize);
  if (present >= memmap) present -= memmap;
  if (zoneIdx === 0 && machine.arch === "x86_64") {
    const dmaReserve = overlap(machine.nodes[nodeIdx].reservedPfns, z.start, z.end);
    if (present > dmaReserve) present -= dmaReserve;
  }
  return present;
}

/**
 * Lay out and size the zones of a machine at a kernel version and set them up as the kernel does at
 * boot: spanned/present/managed pages (managed = present − memblock reservations − the memmap, unless
 * the machine overrides it), ZONE_MOVABLE from kernelcore=/movablecore=, lowmem_reserve, min_free_kbytes
 * (sqrt default, raised to the THP recommendation when THP is on, or the sysctl), watermarks, per-CPU
 * pageset sizes and totalreserve_pages.
 * kernel: mm/mm_init.c free_area_init(), mm/page_alloc.c init_per_zone_wmark_min(), mm/khugepaged.c set_recommended_min_free_kbytes()
 *
 * @param machine - a validated machine (physmem `loadMachine` / `getPreset`)
 * @param options - kernel version, sysctls / boot options, online CPUs
 * @returns the zone set
 * @throws {InvalidZoneLayoutError} for kernelcore=/movablecore= values the model cannot apply
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones } from "@pagealloc/zones";
 * const zs = buildZones(getPreset("pc-4g"), { version: "6.18" });
 * const n = zs.nodes[0].zones.map((z) => `${z.name}:${z.spannedPages}/${z.presentPages}`);
 * console.log(n.join(" ")); // => DMA:4095/3998 DMA32:1044480/782336 Normal:262144/262144 Movable:0/0 Device:0/0
 * ```
 */
export function buildZones(machine: Machine, options: BuildZonesOptions = {}): ZoneSet {
  const version = typeof options.version === "object" ? options.version : parseKernelVersion(options.version ?? DEFAULT_KERNEL_VERSION);
  const facts = zoneVersionFacts(version);
  const arch = archFacts(machine.arch, version, machine.archOptions);
  const zoneTypes = arch.zoneTypes as readonly ZoneName[];
  const sysctls = resolveSysctls(options.sysctls ?? {}, zoneTypes, version);
  const allCpus = machine.nodes.reduce((n, node) => n + node.cpus.length, 0);
  const onlineCpus = Math.max(1, options.cpus ?? allCpus);
  if (!Number.isSafeInteger(onlineCpus)) throw new InvalidZoneLayoutError(`cpus must be a positive integer, got ${options.cpus}`, "cpus");

  const { nodes: rawNodes, movablePfn, movableZone } = layoutZones(machine, zoneTypes, arch.zoneLimitsPfn, arch.lowmemLimitPfn, version, sysctls);

  // Sizes per node/zone
  const sized = rawNodes.map(({ node, zones }, ni) => {
    const reserved = reservedPerZone(machine, ni, zones, version, facts);
    return zones.map((z, k) => {
      const spanned = z.end - z.start;
      const present = facts.sizeBy === "present" ? presentPages2624(machine, z, k, ni, version) : z.present;
      const override = machine.zoneOverrides?.find((o) => o.nid === node.id && o.zone === z.name);
      let managed = facts.sizeBy === "present" ? present : Math.max(0, present - reserved[k]);
      if (override) {
        if (override.managedPages > present) {
          throw new InvalidZoneLayoutError(`managed ${override.managedPages} exceeds the zone's present pages ${present}`, `$.nodes[${ni}].zones.${z.name}.managed`);
        }
        managed = override.managedPages;
      }
      return { name: z.name, zoneIdx: k, startPfn: spanned ? z.start : 0, spanned, present, managed };
    });
  });

  const pagesOf = (z: { present: number; managed: number }) => (facts.sizeBy === "present" ? z.present : z.managed);
  const flat = sized.flat();
  const normalIdx = zoneTypes.indexOf("Normal");
  const movableIsHighmem = movableZone === "HighMem";
  const wmarks = (mfk: number) =>
    zoneWatermarks(
      flat.map((z) => ({ name: z.name, pages: pagesOf(z) })),
      { minFreeKbytes: mfk, watermarkScaleFactor: sysctls.watermark_scale_factor, version, pageShift: arch.pageShift, movableIsHighmem },
    );
  // kernel: nr_free_buffer_pages(): Σ (pages − high) over zones up to gfp_zone(GFP_USER) = Normal
  const nrFreeBufferPages = (w: readonly ZoneWatermark[] | null) =>
    flat.reduce((sum, z, i) => (z.zoneIdx <= normalIdx ? sum + Math.max(0, pagesOf(z) - (w ? w[i].high : 0)) : sum), 0);

  let mfk: number;
  if (sysctls.min_free_kbytes !== undefined) {
    mfk = sysctls.min_free_kbytes;
  } else {
    mfk = calculateMinFreeKbytes({ lowmemKbytes: nrFreeBufferPages(null) * (arch.pageSize / 1024), version });
    const thpPossible = versionAtLeast(version, "2.6.38") && machine.arch !== "i386";
    if (sysctls.transparent_hugepage && thpPossible) {
      const nrZones = flat.filter((z) => z.zoneIdx <= normalIdx && z.present > 0).length;
      const rec = thpRecommendedMinFreeKbytes({
        pageblockNrPages: 2 ** pageblockOrder(machine.arch, arch.pageShift),
        nrZones,
        nrFreeBufferPages: nrFreeBufferPages(wmarks(mfk)),
        pageShift: arch.pageShift,
      });
      if (rec > mfk) mfk = rec;
    }
  }
  const w = wmarks(mfk);

  let flatIndex = 0;
  const fraction = pcpFraction(sysctls, version);
  const nodes: ZoneNode[] = sized.map((zones, ni) => {
    const node = machine.nodes[ni];
    const reserve = lowmemReserve(zones.map(pagesOf), sysctls.lowmem_reserve_ratio, version);
    return {
      nid: node.id,
      cpus: node.cpus,
      startPfn: node.spannedStartPfn,
      endPfn: node.spannedEndPfn,
      zones: zones.map((z, k) => {
        const watermark = w[flatIndex++];
        const pages = pagesOf(z);
        return {
          nid: node.id,
          name: z.name,
          zoneIdx: z.zoneIdx,
          startPfn: z.startPfn,
          spannedPages: z.spanned,
          presentPages: z.present,
          managedPages: z.managed,
          watermark,
          watermarkBoost: 0,
          lowmemReserve: reserve[k],
          pcp: pcpHigh({ pages, lowWmark: watermark.low, nodeCpus: node.cpus.length, onlineCpus, fraction, version, pageShift: arch.pageShift }),
          vmStatThreshold: vmStatThreshold(pages, onlineCpus, arch.pageShift),
          populated: z.present > 0,
        };
      }),
    };
  });
  const totalreserve = totalreservePages(
    nodes.flatMap((n) => n.zones.map((z) => ({ pages: pagesOf({ present: z.presentPages, managed: z.managedPages }), high: z.watermark.high, lowmemReserve: z.lowmemReserve }))),
  );
  return {
    version: version.raw,
    arch: machine.arch,
    pageShift: arch.pageShift,
    pageblockNrPages: 2 ** pageblockOrder(machine.arch, arch.pageShift),
    zoneTypes,
    nodes,
    distance: machine.distance,
    onlineCpus,
    minFreeKbytes: mfk,
    totalreservePages: totalreserve,
    zoneMovablePfn: movablePfn,
    sysctls,
  };
}
