import type { BuddyAllocator } from "./allocator";
import type { BuddyZoneSpec } from "./zone-state";

/** A zone spec for tests: every present page managed, modest watermarks, pcp disabled unless given. */
export function zoneSpec(over: Partial<BuddyZoneSpec> & { startPfn: number; spannedPages: number }): BuddyZoneSpec {
  return {
    nid: 0,
    name: "Normal",
    zoneIdx: 2,
    presentPages: over.spannedPages,
    managedPages: over.spannedPages,
    watermark: { min: 0, low: 0, high: 0 },
    lowmemReserve: [0, 0, 0, 0, 0],
    pcp: { batch: 1, high: 0 },
    ...over,
  };
}

/** Free lists of a zone as { "order/mt": [pfns in list order] } (non-empty lists only). */
export function freeLists(a: BuddyAllocator, nid = 0, zone: number | string = "Normal"): Record<string, number[]> {
  const z = a.zone(nid, zone);
  const out: Record<string, number[]> = {};
  for (let o = 0; o < a.nrOrders; o++) {
    for (let mt = 0; mt < z.nrTypes; mt++) {
      const s = z.freeListNode(o, mt);
      const list: number[] = [];
      for (let i = z.next[s]!; i !== s; i = z.next[i]!) list.push(i + z.startPfn);
      if (list.length) out[`${o}/${mt}`] = list;
    }
  }
  return out;
}
