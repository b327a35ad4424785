import { describe, expect, it } from "vitest";
import { PageallocError } from "@pagealloc/physmem";
import { bootBuddyFromFreeCounts } from "./from-free-counts";
import { checkInvariants } from "./invariants";
import { renderBuddyinfo, renderPagetypeinfo } from "./render";
import { freeLists, zoneSpec } from "./test-helpers";
import { PG_ALLOC } from "./zone-state";

const NORMAL = zoneSpec({ startPfn: 0, spannedPages: 65536 });

function freeHeads(a: ReturnType<typeof bootBuddyFromFreeCounts>): number[] {
  return Object.values(freeLists(a)).flat().sort((x, y) => x - y);
}

describe("bootBuddyFromFreeCounts", () => {
  it("holds exactly the given counts per order; the rest is allocated; invariants hold", () => {
    const nrFree = [100, 20, 7, 3, 0, 1, 0, 0, 2, 0, 5];
    const a = bootBuddyFromFreeCounts([NORMAL], [{ nid: 0, zone: "Normal", nrFree }]);
    const z = a.zone(0, "Normal");
    expect(Array.from(z.nrFree)).toEqual(nrFree);
    // free pages = Σ count × 2^order = 100 + 40 + 28 + 24 + 32 + 512 + 5120 = 5856
    expect(z.nrFreePages).toBe(5856);
    // every other page of the 65536 is an allocated order-0 page
    let allocated = 0;
    for (let i = 0; i < z.spanned; i++) if (z.flags[i]! & PG_ALLOC) allocated++;
    expect(allocated).toBe(65536 - 5856);
    // without pagetypeinfo every free block is on the Movable list
    for (const key of Object.keys(freeLists(a))) expect(Number(key.split("/")[1])).toBe(a.facts.mt.MOVABLE);
    checkInvariants(a);
  });

  it("spreads blocks over the zone, deterministically by seed", () => {
    const counts = [{ nid: 0, zone: "Normal", nrFree: [200, 50, 10] }];
    const a = freeHeads(bootBuddyFromFreeCounts([NORMAL], counts, { seed: 7 }));
    const b = freeHeads(bootBuddyFromFreeCounts([NORMAL], counts, { seed: 7 }));
    const c = freeHeads(bootBuddyFromFreeCounts([NORMAL], counts, { seed: 8 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // not packed at the start: blocks in both halves of the zone
    expect(a.some((p) => p < 32768)).toBe(true);
    expect(a.some((p) => p >= 32768)).toBe(true);
  });

  it("never leaves two free buddies of the same order unmerged", () => {
    // 512 order-0 blocks in a 1024-page zone: only one page of each pair may be free
    const small = zoneSpec({ startPfn: 0, spannedPages: 1024 });
    const a = bootBuddyFromFreeCounts([small], [{ nid: 0, zone: "Normal", nrFree: [512] }], { seed: 3 });
    for (const p of freeHeads(a)) expect(freeHeads(a)).not.toContain(p ^ 1);
    checkInvariants(a);
    // one more cannot be placed without merging
    expect(() => bootBuddyFromFreeCounts([small], [{ nid: 0, zone: "Normal", nrFree: [513] }])).toThrow(/cannot place/);
  });

  it("this machine's DMA zone from live /proc (buddyinfo, pagetypeinfo, zoneinfo of 2026-11-25)", () => {
    // /proc/zoneinfo: DMA start_pfn 1, spanned 4095, present 3998, managed 3840.
    // /proc/buddyinfo: DMA 0 0 0 0 0 0 0 0 1 1 3; pagetypeinfo: order 8 Unmovable, order 9 and 3 × order 10 Movable;
    // blocks: Unmovable 1, Movable 7.
    // 256 + 512 + 3 × 1024 = 3840 = managed: every managed page is free. Order-10 slots must be 1024-aligned and
    // inside 1..4095: 1024, 2048, 3072. Then the order-9 block can only be at 512 and the order-8 one at 256; so the
    // 255 unmanaged pages are pfns 1..255 (x86 reserves the first MiB; the legacy hole is in it).
    const dma = { ...zoneSpec({ startPfn: 1, spannedPages: 4095 }), name: "DMA", zoneIdx: 0, presentPages: 3998, managedPages: 3840,
      holes: [{ startPfn: 1, endPfn: 98 }], reserved: [{ startPfn: 98, endPfn: 256 }] };
    const a = bootBuddyFromFreeCounts([dma], [{ nid: 0, zone: "DMA", nrFree: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3],
      byType: { Unmovable: [0, 0, 0, 0, 0, 0, 0, 0, 1], Movable: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3] },
      blocks: { Unmovable: 1, Movable: 7, Reclaimable: 0, HighAtomic: 0, Isolate: 0 } }]);
    expect(renderBuddyinfo(a).trim()).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3");
    const mt = a.facts.mt;
    expect(freeLists(a, 0, "DMA")).toEqual({ [`8/${mt.UNMOVABLE}`]: [256], [`9/${mt.MOVABLE}`]: [512], [`10/${mt.MOVABLE}`]: expect.arrayContaining([1024, 2048, 3072]) });
    const blocks = Array.from(a.zone(0, "DMA").blockMt);
    expect(blocks.filter((t) => t === mt.UNMOVABLE).length).toBe(1);
    expect(blocks.filter((t) => t === mt.MOVABLE).length).toBe(7);
    expect(renderPagetypeinfo(a)).toMatch(/DMA, type\s+Unmovable\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+1\s+0\s+0/);
  });

  it("allocations and frees act on the booted state", () => {
    // only order-3 blocks free: an order-4 request fails (no block of order ≥ 4 on any list)
    const a = bootBuddyFromFreeCounts([NORMAL], [{ nid: 0, zone: "Normal", nrFree: [0, 0, 0, 4] }]);
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 4)).toBe(-1);
    // freeing the 8 allocated order-0 pages of one free block's buddy merges them into an order-4 block
    const head = freeHeads(a)[0]!;
    const buddy = head ^ 8;
    for (let p = buddy; p < buddy + 8; p++) a.freePages(p, 0, { bypassPcp: true });
    expect(a.zone(0, "Normal").nrFree[4]).toBe(1);
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 4)).toBe(Math.min(head, buddy));
    checkInvariants(a);
  });

  it("bad input: typed errors with a location", () => {
    const boot = (c: object) => bootBuddyFromFreeCounts([NORMAL], [c as never]);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PageallocError);
        return (e as PageallocError).location;
      }
      throw new Error("no error");
    };
    // 65 order-10 blocks = 66560 pages > 65536 managed
    expect(err(() => boot({ nid: 0, zone: "Normal", nrFree: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 65] }))).toBe("counts[0]");
    expect(err(() => boot({ nid: 0, zone: "DMA", nrFree: [1] }))).toBe("counts[0]");
    expect(err(() => boot({ nid: 0, zone: "Normal", nrFree: [-1] }))).toBe("counts[0].nrFree[0]");
    expect(err(() => boot({ nid: 0, zone: "Normal", nrFree: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] }))).toBe("counts[0].nrFree[11]");
    expect(err(() => boot({ nid: 0, zone: "Normal", byType: { Sticky: [1] } }))).toBe("counts[0].byType.Sticky");
    expect(err(() => boot({ nid: 0, zone: "Normal", nrFree: [2], byType: { Movable: [1] } }))).toBe("counts[0].nrFree[0]");
    expect(err(() => boot({ nid: 0, zone: "Normal", nrFree: [1], blocks: { Movable: 129 } }))).toBe("counts[0].blocks");
  });
});
