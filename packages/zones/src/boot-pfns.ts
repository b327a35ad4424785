import type { Machine, PfnRange } from "@pagealloc/physmem";
import { type ZoneInfo, x86LowReservePfns } from "./zones";

/** Which pfns of one zone's span hold memory the buddy allocator gets at boot, and which do not. */
export interface ZoneBootPfns {
  /** Parts of the span outside the node's memory ranges (no struct page with memory behind it). */
  readonly holes: readonly PfnRange[];
  /** Present pfns memblock keeps at boot (PageReserved, never freed to the buddy lists), in the order decided. */
  readonly reserved: readonly PfnRange[];
  /** Pages of the span with memory (spanned − holes). */
  readonly presentPages: number;
  /** presentPages − reserved pages: what the buddy allocator manages. */
  readonly managedPages: number;
}

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

const pages = (ranges: readonly PfnRange[]) => ranges.reduce((s, r) => s + r.endPfn - r.startPfn, 0);

/**
 * The boot-time pfn layout of one zone: its holes, and which present pfns are reserved (kept by memblock, never
 * freed to the buddy allocator). Reserved are, in this order: the machine's boot reservations; then, while the
 * zone manages fewer pages than that leaves, the x86 low-memory reservation (pfns below 1, 16 or 256 by version,
 * {@link x86LowReservePfns}); then pages from the top of the zone (memblock allocates top-down, e.g. the memmap).
 * Before 3.8 `managedPages` equals present pages; the boot reservations are still kept out of the free lists.
 * kernel: mm/memblock.c memblock_free_all() (free_low_memory_core_early(): only memblock.memory minus memblock.reserved
 * is freed), arch/x86/kernel/setup.c reserve_bios_regions() / x86_reserve_low_memory, mm/memblock.c memblock_alloc()
 * (top-down)
 *
 * @param zone - a zone of `buildZones(machine, …)`
 * @param machine - the same machine
 * @param version - the zone set's kernel version (`ZoneSet.version`)
 * @returns holes, reserved ranges, present and managed pages of the zone
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, zoneBootPfns } from "@pagealloc/zones";
 * const m = getPreset("pc-4g");
 * const zs = buildZones(m, { version: "6.18" });
 * const dma = zoneBootPfns(zs.nodes[0].zones[0], m, zs.version);
 * // the 640K–1M legacy hole; the first 158 present pages reserved (x86 keeps the first 1 MiB since 5.13)
 * console.log(JSON.stringify(dma.holes), JSON.stringify(dma.reserved)); // => [{"startPfn":159,"endPfn":256}] [{"startPfn":1,"endPfn":159}]
 * ```
 */
export function zoneBootPfns(zone: ZoneInfo, machine: Machine, version: string): ZoneBootPfns {
  const start = zone.startPfn;
  const end = zone.startPfn + zone.spannedPages;
  const node = machine.nodes.find((n) => n.id === zone.nid);
  const mem = clip(node?.ranges ?? [], start, end);
  const holes: PfnRange[] = [];
  let cursor = start;
  for (const r of mem) {
    if (r.startPfn > cursor) holes.push({ startPfn: cursor, endPfn: r.startPfn });
    cursor = r.endPfn;
  }
  if (cursor < end) holes.push({ startPfn: cursor, endPfn: end });
  const present = pages(mem);
  const reserved = clip(node?.reservedPfns ?? [], start, end).flatMap((r) => clip(mem, r.startPfn, r.endPfn));
  let extra = Math.max(0, present - pages(reserved) - zone.managedPages);
  if (machine.arch !== "arm64" && extra > 0) {
    const low = x86LowReservePfns(version);
    for (const r of clip(mem, start, Math.min(end, low))) {
      for (const piece of subtract(r, reserved)) {
        const take = Math.min(extra, piece.endPfn - piece.startPfn);
        if (take > 0) reserved.push({ startPfn: piece.startPfn, endPfn: piece.startPfn + take });
        extra -= take;
      }
    }
  }
  // the remainder from the top of the zone, skipping holes and pages already reserved
  for (let k = mem.length - 1; k >= 0 && extra > 0; k--) {
    const r = mem[k]!;
    let top = r.endPfn;
    const inner = reserved.filter((x) => x.startPfn >= r.startPfn && x.endPfn <= r.endPfn).sort((a, b) => b.startPfn - a.startPfn);
    for (const x of [...inner, { startPfn: r.startPfn, endPfn: r.startPfn }]) {
      const take = Math.min(top - x.endPfn, extra);
      if (take > 0) {
        reserved.push({ startPfn: top - take, endPfn: top });
        extra -= take;
      }
      if (extra === 0) break;
      top = x.startPfn;
    }
  }
  return { holes, reserved, presentPages: present, managedPages: present - pages(reserved) };
}
