import { formatGfp, gfpMigratetype, gfpZone } from "@pagealloc/gfp";
import type { Kernel } from "@pagealloc/page-api";

/** Why one zone of the zonelist could not serve a failed allocation. */
export interface ZoneVerdict {
  nid: number;
  zone: string;
  free: number;
  /** The watermark the fast path checks (low + boost) plus lowmem_reserve for the request's highest zone. */
  mark: number;
  low: number;
  boost: number;
  reserve: number;
  /** Highest order with a free block (−1: none). */
  largestFreeOrder: number;
  /** `watermark` (free pages at or below mark + reserve), `order` (no free block of the order or larger in any list the request may use), `fragmented` (enough pages, but the order check fails). */
  reason: "watermark" | "order" | "fragmented";
}

/** A failed allocation with its explanation. */
export interface AllocFailure {
  gfp: string;
  order: number;
  nid: number;
  /** gfp_zone(): the highest zone the request may use. */
  highestZone: string;
  migratetype: string;
  zones: ZoneVerdict[];
  /** One line for a reader. */
  explanation: string;
}

/**
 * Explain why an allocation failed on the fast path (what the slow path then starts from): for every zone of the zonelist that gfp_zone() allows, the free pages against the
 * low watermark (+ boost) plus lowmem_reserve[highest zone], and whether a free block of the order
 * exists. Call it right after the failure, before the state changes.
 * kernel: mm/page_alloc.c get_page_from_freelist() → zone_watermark_fast() → __zone_watermark_ok()
 *
 * @param kernel - the kernel the allocation failed on
 * @param gfp - the mask (number) of the request
 * @param order - its order
 * @param nid - the preferred node
 * @returns the verdict per zone and a one-line explanation
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { explainAllocFailure } from "@pagealloc/workload";
 * const k = bootKernel({ machine: "tiny-16m" });
 * // tiny-16m has no ZONE_DMA32 or Normal: GFP_DMA32 falls back to DMA, where the order-10 blocks are.
 * console.log(explainAllocFailure(k, k.gfp("GFP_KERNEL"), 10).zones.map((z) => `${z.zone} ${z.largestFreeOrder}`).join()); // => DMA 10
 * ```
 */
export function explainAllocFailure(kernel: Kernel, gfp: number, order: number, nid = kernel.numa_node_id()): AllocFailure {
  const a = kernel.buddy;
  const version = kernel.version;
  const highestZone = gfpZone(gfp, { arch: kernel.machine.arch, version });
  const highest = a.nodeZones(nid).find((z) => z.spec.name === highestZone)?.spec.zoneIdx ?? a.nodeZones(nid).length - 1;
  const zones: ZoneVerdict[] = [];
  for (const z of a.candidateZones(nid, highest)) {
    if (z.spec.managedPages === 0) continue;
    const reserve = z.spec.lowmemReserve[highest] ?? 0;
    const mark = z.spec.watermark.low + z.watermarkBoost;
    let largest = -1;
    for (let o = a.nrOrders - 1; o >= 0; o--) {
      if (z.nrFree[o]! > 0) {
        largest = o;
        break;
      }
    }
    const reason: ZoneVerdict["reason"] = z.nrFreePages - 2 ** order + 1 <= mark + reserve ? "watermark" : largest < order ? "order" : "fragmented";
    zones.push({ nid: z.spec.nid, zone: z.spec.name, free: z.nrFreePages, mark: mark + reserve, low: z.spec.watermark.low, boost: z.watermarkBoost, reserve, largestFreeOrder: largest, reason });
  }
  const gfpText = formatGfp(gfp, version) || `0x${gfp.toString(16)}`;
  const parts = zones.map((v) => {
    const wm = `free ${v.free}${order > 0 ? `-${2 ** order - 1}` : ""} ${v.reason === "watermark" ? "<=" : ">"} low ${v.low}${v.boost ? `+boost ${v.boost}` : ""}${v.reserve ? `+reserve ${v.reserve}` : ""}`;
    const what = v.reason === "watermark" ? "below watermark" : v.reason === "order" ? `no free block of order >= ${order} (largest ${v.largestFreeOrder})` : `order-${order} blocks only in lists this request may not use`;
    return `${v.zone}: ${what} (${wm})`;
  });
  const explanation = `order-${order} ${gfpText} from node ${nid} (zones up to ${highestZone}): ${parts.join("; ") || "no zone allowed"}`;
  return { gfp: gfpText, order, nid, highestZone, migratetype: gfpMigratetype(gfp, version), zones, explanation };
}
