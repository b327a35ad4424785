import { bootBuddy, type BuddyZoneSpec } from "@pagealloc/buddy";
import { bench, describe } from "vitest";

// One 4 GiB zone (1M pages) with realistic pcp sizes (batch 63, high 5083..45056 as on the live 6.18 Normal zone).
const zone: BuddyZoneSpec = {
  nid: 0,
  name: "Normal",
  zoneIdx: 2,
  startPfn: 1 << 20,
  spannedPages: 1 << 20,
  presentPages: 1 << 20,
  managedPages: 1 << 20,
  watermark: { min: 8133, low: 10166, high: 12199 },
  lowmemReserve: [0, 0, 0, 0, 0],
  pcp: { batch: 63, high: 5083, highMin: 5083, highMax: 45056 },
};

describe("buddy", () => {
  for (const version of ["6.18", "2.6.24"]) {
    const a = bootBuddy([zone], { version, cpus: 2 });
    const movable = { highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE };
    bench(`${version}: alloc/free order 0 (pcp)`, () => {
      a.freePages(a.allocPagesRequest(movable, 0), 0);
    });
    bench(`${version}: alloc/free order 5 (buddy split and merge)`, () => {
      a.freePages(a.allocPagesRequest(movable, 5), 5);
    });
    bench(`${version}: 64 order-0 allocations then 64 frees`, () => {
      const pfns: number[] = [];
      for (let k = 0; k < 64; k++) pfns.push(a.allocPagesRequest(movable, 0));
      for (const p of pfns) a.freePages(p, 0);
    });
  }
  bench("boot a 4 GiB zone (6.18)", () => {
    bootBuddy([zone]);
  });
});
