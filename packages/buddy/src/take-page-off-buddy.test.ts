import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { InvalidBuddyArgumentError } from "./errors";
import { buddyinfoZones } from "./render";
import { zoneSpec } from "./test-helpers";
import { PG_ALLOC, PG_BUDDY, PG_HOLE, PG_RESERVED } from "./zone-state";

// Expected values: break_down_buddy_pages() (mm/page_alloc.c) worked by hand. From a free block of order `high`
// at `head`, each step halves the block; the half that does not hold the target goes to the head of the free
// list of its order, the other half is split again, down to the target's order.
describe("takePageOffBuddy(pfn, order): take_page_off_buddy() + break_down_buddy_pages()", () => {
  const fresh = (version = "6.18") => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 1024, pcp: { batch: 1, high: 0 } })], { version, checkInvariants: true });

  it("one page out of a free order-10 block: nine halves of orders 9…0 stay free", () => {
    const a = fresh();
    expect(a.pageBuddyOrder(0)).toBe(10);
    // target 0x2a3 = 675 in [0, 1024): order 9 → keep [512, 1024), free [0, 512) as order 9; order 8 → 675 ≥ 768? no:
    // free [768, 1024) order 8, keep [512, 768); order 7: 675 ≥ 640: free [512, 640) order 7, keep [640, 768);
    // order 6: 675 < 704: free [704, 768) order 6; order 5: 675 ≥ 672: free [640, 672) order 5; order 4: 675 < 688:
    // free [688, 704) order 4; order 3: 675 < 680: free [680, 688) order 3; order 2: 675 < 676: free [676, 680)
    // order 2; order 1: 675 ≥ 674: free [672, 674) order 1; order 0: 675 ≥ 675: free 674 order 0.
    expect(a.takePageOffBuddy(675, 0)).toBe(true);
    const expected: [number, number][] = [[0, 9], [768, 8], [512, 7], [704, 6], [640, 5], [688, 4], [680, 3], [676, 2], [672, 1], [674, 0]];
    for (const [pfn, order] of expected) expect([pfn, a.pageBuddyOrder(pfn)]).toEqual([pfn, order]);
    expect(a.allocatedOrder(675)).toBe(0);
    expect(a.pageFlags(675) & (PG_ALLOC | PG_BUDDY)).toBe(PG_ALLOC);
    expect(a.zone(0, 2).nrFreePages).toBe(1023);
    // one free block of each order 0..9, none of order 10
    expect(buddyinfoZones(a)[0]!.nrFree).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it("an order-3 block: the target keeps its order; freeing it merges everything back", () => {
    const a = fresh();
    expect(a.takePageOffBuddy(8, 3)).toBe(true);
    expect(a.allocatedOrder(8)).toBe(3);
    // halves: [512,1024) 9, [256,512) 8, … [16,32) 4, then [0,8) 3 next to the target [8,16): one block of each order 3…9
    expect(buddyinfoZones(a)[0]!.nrFree).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
    a.freePages(8, 3, { bypassPcp: true });
    expect(a.pageBuddyOrder(0)).toBe(10);
  });

  it("the halves go to the heads of the list of the free block's type", () => {
    const a = fresh();
    const z = a.zone(0, 2);
    const mt = z.privMt(0);
    expect(a.takePageOffBuddy(0, 0)).toBe(true);
    expect(a.takePageOffBuddy(512, 0)).toBe(true);
    // the second take put [768, 1024) (order 8) at the head, in front of [256, 512) from the first
    const head = z.next[z.freeListNode(8, mt)]!;
    expect(head + z.startPfn).toBe(768);
  });

  it("nothing changes for a page that is allocated, on a per-cpu list, reserved, a hole or in no zone", () => {
    const spec = zoneSpec({ startPfn: 0, spannedPages: 1024, presentPages: 1000, managedPages: 998, pcp: { batch: 1, high: 4 }, holes: [{ startPfn: 1000, endPfn: 1024 }], reserved: [{ startPfn: 0, endPfn: 2 }] });
    const a = bootBuddy([spec], { checkInvariants: true });
    expect(a.pageFlags(0) & PG_RESERVED).toBe(PG_RESERVED);
    expect(a.pageFlags(1010) & PG_HOLE).toBe(PG_HOLE);
    expect(a.pageFlags(5000)).toBe(PG_HOLE);
    const before = JSON.stringify(buddyinfoZones(a));
    const p = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 0);
    a.freePages(p, 0); // onto the per-cpu list (high 4)
    const afterPcp = JSON.stringify(buddyinfoZones(a));
    expect(a.takePageOffBuddy(p, 0)).toBe(false);
    expect(a.takePageOffBuddy(0, 0)).toBe(false);
    expect(a.takePageOffBuddy(1010, 0)).toBe(false);
    expect(a.takePageOffBuddy(5000, 0)).toBe(false);
    expect(a.takePageOffBuddy(992, 4)).toBe(false); // [992, 1008) runs into the hole
    expect(JSON.stringify(buddyinfoZones(a))).toBe(afterPcp);
    expect(before).not.toBe("");
  });

  it("bad arguments throw a typed error and change nothing", () => {
    const a = fresh();
    expect(() => a.takePageOffBuddy(3, 2)).toThrow(InvalidBuddyArgumentError);
    expect(() => a.takePageOffBuddy(1.5, 0)).toThrow(InvalidBuddyArgumentError);
    expect(() => a.takePageOffBuddy(0, -1)).toThrow(InvalidBuddyArgumentError);
    expect(a.pageBuddyOrder(0)).toBe(10);
  });

  it.each(["2.6.24", "4.19", "6.18"])("%s: any sequence of takes and frees keeps the invariants and gives every page back", (version) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 4 })), { maxLength: 30 }), (takes) => {
        const a = fresh(version);
        const taken: [number, number][] = [];
        for (const [p, o] of takes) {
          const pfn = p - (p % 2 ** o);
          if (a.takePageOffBuddy(pfn, o)) taken.push([pfn, o]);
        }
        const held = taken.reduce((s, [, o]) => s + 2 ** o, 0);
        expect(a.zone(0, 2).nrFreePages).toBe(1024 - held);
        for (const [pfn, o] of taken) a.freePages(pfn, o, { bypassPcp: true });
        expect(a.pageBuddyOrder(0)).toBe(10);
      }),
      { numRuns: 60 },
    );
  });
});
