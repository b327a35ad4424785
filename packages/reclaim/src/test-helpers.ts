import { type BootBuddyOptions, type BuddyAllocator, bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { createReclaim, type Reclaim, type ReclaimOptions } from "./reclaim";
import type { ReclaimTraceEvent } from "./trace";

/** One Normal zone (zone index 2 of x86_64) of `pages` pages at pfn 0 with the given watermarks, and a reclaim model. */
export function oneZone(
  pages: number,
  wm: { min: number; low: number; high: number },
  o: { version?: string; reclaim?: ReclaimOptions; buddy?: BootBuddyOptions } = {},
): { a: BuddyAllocator; r: Reclaim; events: ReclaimTraceEvent[]; gfp: (expr: string) => number } {
  const version = o.version ?? "6.18";
  const events: ReclaimTraceEvent[] = [];
  const r = createReclaim({ trace: (e) => events.push(e), ...o.reclaim });
  const a = bootBuddy(
    [{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: pages, presentPages: pages, managedPages: pages, watermark: wm, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } }],
    { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath, ...o.buddy },
  );
  r.attach(a);
  return { a, r, events, gfp: (expr) => parseGfp(expr, version) };
}

/** Take order-0 pages with ALLOC_NO_WATERMARKS (no slow path) until `free` pages are left; returns their pfns. */
export function consumeTo(a: BuddyAllocator, free: number, migratetype?: number): number[] {
  const z = a.zones[0]!;
  const req = { highestZoneIdx: 2, migratetype: migratetype ?? a.facts.mt.MOVABLE };
  const out: number[] = [];
  while (z.nrFreePages > free) {
    const pfn = a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
    if (pfn < 0) break;
    out.push(pfn);
  }
  return out;
}
