import { gfpFlags, gfpMigratetypeIndex, gfpZoneIdx } from "@pagealloc/gfp";
import type { ArchName, KernelVersion, Machine } from "@pagealloc/physmem";
import { buildZonelists, type ZoneSet, x86LowReservePfns, zonelistFor } from "@pagealloc/zones";
import { type BootBuddyOptions, type BuddyAllocator, bootBuddy, type GfpDecoder, type ZoneRef } from "./allocator";
import type { BuddyZoneSpec, PfnRange } from "./zone-state";

function clip(ranges: readonly PfnRange[], start: number, end: number): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of ranges) {
    const s = Math.max(r.startPfn, start);
    const e = Math.min(r.endPfn, end);
    if (s < e) out.push({ startPfn: s, endPfn: e });
  }
  return out;
}

/** The parts of r not covered by any of `cut`. */
function subtract(r: PfnRange, cut: readonly PfnRange[]): PfnRange[] {
  let parts: PfnRange[] = [r];
  for (const c of cut) {
    parts = parts.flatMap((p) => {
      if (c.endPfn <= p.startPfn || c.startPfn >= p.endPfn) return [p];
      const out: PfnRange[] = [];
      if (c.startPfn > p.startPfn) out.push({ startPfn: p.startPfn, endPfn: c.startPfn });
      if (c.endPfn < p.endPfn) out.push({ startPfn: c.endPfn, endPfn: p.endPfn });
      return out;
    });
  }
  return parts;
}

/**
 * Zone specs for the buddy allocator from a `ZoneSet` and the machine it was built from: holes are the parts of
 * each zone's span outside the node's memory ranges; reserved pages are the machine's boot reservations plus,
 * when the zone manages fewer pages than that leaves, the remainder: first the x86 low-memory reservation
 * (pfns below 1, 16 or 256 by version), then from the top of the zone (memblock allocates top-down, e.g. the memmap). Before 3.8 `managedPages` equals present pages; the boot reservations
 * are still kept out of the free lists.
 *
 * @param zoneSet - from `buildZones(machine, …)`
 * @param machine - the same machine
 * @returns one spec per zone (empty zones included)
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones } from "@pagealloc/zones";
 * import { buddyZonesFromZoneSet } from "@pagealloc/buddy";
 * const m = getPreset("pc-4g");
 * const dma = buddyZonesFromZoneSet(buildZones(m, { version: "6.18" }), m)[0];
 * // the 640K–1M legacy hole; the first 158 present pages reserved (x86 keeps the first 1 MiB since 5.13)
 * console.log(JSON.stringify(dma.holes), JSON.stringify(dma.reserved)); // => [{"startPfn":159,"endPfn":256}] [{"startPfn":1,"endPfn":159}]
 * ```
 */
export function buddyZonesFromZoneSet(zoneSet: ZoneSet, machine: Machine): BuddyZoneSpec[] {
  const specs: BuddyZoneSpec[] = [];
  for (const node of zoneSet.nodes) {
    const mnode = machine.nodes.find((n) => n.id === node.nid);
    for (const z of node.zones) {
      const start = z.startPfn;
      const end = z.startPfn + z.spannedPages;
      const mem = clip(mnode?.ranges ?? [], start, end);
      const holes: PfnRange[] = [];
      let cursor = start;
      for (const r of mem) {
        if (r.startPfn > cursor) holes.push({ startPfn: cursor, endPfn: r.startPfn });
        cursor = r.endPfn;
      }
      if (cursor < end) holes.push({ startPfn: cursor, endPfn: end });
      const present = mem.reduce((s, r) => s + r.endPfn - r.startPfn, 0);
      const reserved = clip(mnode?.reservedPfns ?? [], start, end).flatMap((r) => clip(mem, r.startPfn, r.endPfn));
      const reservedCount = reserved.reduce((s, r) => s + r.endPfn - r.startPfn, 0);
      let extra = Math.max(0, present - reservedCount - z.managedPages);
      if (machine.arch !== "arm64" && extra > 0) {
        const low = x86LowReservePfns(zoneSet.version);
        for (const r of clip(mem, start, Math.min(end, low))) {
          for (const piece of subtract(r, reserved)) {
            const take = Math.min(extra, piece.endPfn - piece.startPfn);
            if (take > 0) reserved.push({ startPfn: piece.startPfn, endPfn: piece.startPfn + take });
            extra -= take;
          }
        }
      }
      // take the remainder from the top of the zone, skipping holes and pages already reserved
      for (let k = mem.length - 1; k >= 0 && extra > 0; k--) {
        const r = mem[k]!;
        let top = r.endPfn;
        const inner = reserved.filter((x) => x.startPfn >= r.startPfn && x.endPfn <= r.endPfn).sort((a, b) => b.startPfn - a.startPfn);
        for (const x of [...inner, { startPfn: r.startPfn, endPfn: r.startPfn }]) {
          const room = top - x.endPfn;
          const take = Math.min(room, extra);
          if (take > 0) {
            reserved.push({ startPfn: top - take, endPfn: top });
            extra -= take;
          }
          if (extra === 0) break;
          top = x.startPfn;
        }
      }
      const managed = present - reserved.reduce((s, r) => s + r.endPfn - r.startPfn, 0);
      specs.push({
        nid: z.nid,
        name: z.name,
        zoneIdx: z.zoneIdx,
        startPfn: start,
        spannedPages: z.spannedPages,
        presentPages: present,
        managedPages: managed,
        watermark: z.watermark,
        lowmemReserve: z.lowmemReserve,
        pcp: z.pcp,
        holes,
        reserved,
      });
    }
  }
  return specs;
}

/**
 * A GFP decoder for the allocator built from `@pagealloc/gfp` (gfpZoneIdx, gfpMigratetypeIndex,
 * __GFP_KSWAPD_RECLAIM, __GFP_COLD).
 *
 * @example
 * ```ts
 * import { gfpDecoder } from "@pagealloc/buddy";
 * const d = gfpDecoder("6.18", "x86_64");
 * const r = d(0x100cca); // GFP_HIGHUSER_MOVABLE
 * console.log(r.highestZoneIdx, r.migratetype, r.kswapdReclaim, r.directReclaim); // => 3 1 true true
 * ```
 */
export function gfpDecoder(version: KernelVersion | string, arch: ArchName): GfpDecoder {
  const flags = gfpFlags(version);
  const bit = (name: string) => flags[name] ?? 0;
  const kswapd = bit("__GFP_KSWAPD_RECLAIM");
  const direct = bit("__GFP_DIRECT_RECLAIM") || bit("__GFP_WAIT");
  const cold = bit("__GFP_COLD");
  const high = bit("__GFP_HIGH");
  const atomic = bit("__GFP_ATOMIC");
  const noMemalloc = bit("__GFP_NOMEMALLOC");
  const where = { arch, version };
  // The decode is a pure function of the mask: cache it (a program uses a handful of masks). Invalid
  // masks throw from gfpZoneIdx() and are never cached.
  const cache = new Map<number, ReturnType<GfpDecoder>>();
  return (gfp) => {
    let d = cache.get(gfp);
    if (d === undefined) {
      d = Object.freeze({
        highestZoneIdx: gfpZoneIdx(gfp, where),
        migratetype: gfpMigratetypeIndex(gfp, version),
        kswapdReclaim: (gfp & kswapd) !== 0,
        cold: (gfp & cold) !== 0,
        directReclaim: (gfp & direct) !== 0,
        high: (gfp & high) !== 0,
        atomic: (gfp & atomic) !== 0,
        noMemalloc: (gfp & noMemalloc) !== 0,
      });
      if (cache.size >= 4096) cache.clear();
      cache.set(gfp, d);
    }
    return d;
  };
}

/**
 * Boot the buddy allocator on a ZoneSet: zone specs from {@link buddyZonesFromZoneSet}, zonelists from
 * `buildZonelists`, CPUs and their nodes from the zone set, pageblock order from `pageblockNrPages`, and the
 * GFP decoder of the version, so that `allocPages(gfp, order)` works.
 *
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones } from "@pagealloc/zones";
 * import { bootBuddyFromZoneSet, renderBuddyinfo } from "@pagealloc/buddy";
 * const m = getPreset("tiny-16m");
 * const a = bootBuddyFromZoneSet(buildZones(m, { version: "6.18" }), m);
 * console.log(a.zone(0, "DMA").nrFreePages); // => 3328
 * ```
 */
export function bootBuddyFromZoneSet(zoneSet: ZoneSet, machine: Machine, options: Omit<BootBuddyOptions, "version"> = {}): BuddyAllocator {
  const version = zoneSet.version;
  const zl = buildZonelists(zoneSet, version);
  const zonelists: Record<number, ZoneRef[]> = {};
  for (const node of zoneSet.nodes) zonelists[node.nid] = zonelistFor(zl, node.nid).map((r) => ({ nid: r.nid, zoneIdx: r.zoneIdx }));
  const cpus = Math.max(1, zoneSet.onlineCpus);
  const cpuToNode = Array.from({ length: cpus }, (_, cpu) => zoneSet.nodes.find((n) => n.cpus.includes(cpu))?.nid ?? zoneSet.nodes[0]?.nid ?? 0);
  return bootBuddy(buddyZonesFromZoneSet(zoneSet, machine), {
    cpus,
    cpuToNode,
    pageblockOrder: Math.log2(zoneSet.pageblockNrPages),
    zonelists,
    gfp: gfpDecoder(version, zoneSet.arch),
    watermarkBoostFactor: zoneSet.sysctls.watermark_boost_factor,
    bitsPerLong: machine.arch === "i386" || machine.arch === "i386-pae" ? 32 : 64,
    ...options,
    version,
  });
}
