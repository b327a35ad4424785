import { gfpFlags, gfpMigratetypeIndex, gfpZoneIdx } from "@pagealloc/gfp";
import type { ArchName, KernelVersion, Machine } from "@pagealloc/physmem";
import { buildZonelists, type ZoneSet, zoneBootPfns, zonelistFor } from "@pagealloc/zones";
import { type BootBuddyOptions, type BuddyAllocator, bootBuddy, type GfpDecoder, type ZoneRef } from "./allocator";
import type { BuddyZoneSpec } from "./zone-state";

/**
 * Zone specs for the buddy allocator from a `ZoneSet` and the machine it was built from: holes and the pfns reserved
 * at boot are the zones layer's facts (`zoneBootPfns` of `@pagealloc/zones`).
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
 * // 3998 present pages below 16 MiB, 158 of them kept at boot (x86 keeps the first 1 MiB since 5.13)
 * console.log(dma.presentPages, dma.managedPages, dma.holes.length); // => 3998 3840 1
 * ```
 */
export function buddyZonesFromZoneSet(zoneSet: ZoneSet, machine: Machine): BuddyZoneSpec[] {
  return zoneSet.nodes.flatMap((node) =>
    node.zones.map((z) => {
      const { holes, reserved, presentPages, managedPages } = zoneBootPfns(z, machine, zoneSet.version);
      return {
        nid: z.nid,
        name: z.name,
        zoneIdx: z.zoneIdx,
        startPfn: z.startPfn,
        spannedPages: z.spannedPages,
        presentPages,
        managedPages,
        watermark: z.watermark,
        lowmemReserve: z.lowmemReserve,
        pcp: z.pcp,
        holes,
        reserved,
      };
    }),
  );
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
