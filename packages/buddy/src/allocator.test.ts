import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { BadPageFreeError, InvalidBuddyArgumentError, InvalidZoneSpecError } from "./errors";
import { checkInvariants } from "./invariants";
import { renderBuddyinfo } from "./render";
import { freeLists, zoneSpec } from "./test-helpers";

// Modern migratetype numbers (mmzone.h): UNMOVABLE 0, MOVABLE 1, RECLAIMABLE 2, HIGHATOMIC 3, ISOLATE 4.
// 2.6.24: UNMOVABLE 0, RECLAIMABLE 1, MOVABLE 2, RESERVE 3, ISOLATE 4.
const M = 1;
const M24 = 2;

describe("__rmqueue_smallest + expand (kernel-facts §6.4 worked example)", () => {
  it("order-3 block at 0x1000: order-0 request keeps the lowest page, halves go to the list heads", () => {
    // A zone of exactly 8 pages at 0x1000: memblock_free_all frees it as one order-3 block (ffs(0x1000) ≥ 3,
    // 0x1000 + 8 = end).
    const a = bootBuddy([zoneSpec({ startPfn: 0x1000, spannedPages: 8 })], { checkInvariants: true });
    const z = a.zone(0, "Normal");
    expect(freeLists(a)).toEqual({ [`3/${M}`]: [0x1000] });
    expect(a.rmqueueSmallest(z, 0, M)).toBe(0x1000);
    // expand(): high 3 → order-2 half 0x1004, order-1 half 0x1002, order-0 half 0x1001.
    expect(freeLists(a)).toEqual({ [`0/${M}`]: [0x1001], [`1/${M}`]: [0x1002], [`2/${M}`]: [0x1004] });
    expect(z.nrFreePages).toBe(7);
    // __free_one_page(0x1000, order 0): buddy 0x1001 (order 0) free → 0x1000 order 1; buddy 0x1002 order 1 free →
    // order 2; buddy 0x1004 order 2 free → order 3.
    a.freeOnePage(z, 0x1000, 0, M);
    expect(freeLists(a)).toEqual({ [`3/${M}`]: [0x1000] });
    expect(z.nrFreePages).toBe(8);
  });

  it.each([
    ["6.18", M],
    ["2.6.24", M24],
  ] as const)("%s: every order 0..10 out of one order-10 block and back", (version, mt) => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 1024 })], { version, checkInvariants: true });
    const z = a.zone(0, "Normal");
    expect(freeLists(a)).toEqual({ [`10/${mt}`]: [0] });
    for (let order = 0; order <= 10; order++) {
      expect(a.rmqueueSmallest(z, order, mt)).toBe(0);
      // Leftovers: one block per order j in [order, 10) at pfn 2^j.
      const expected: Record<string, number[]> = {};
      for (let j = order; j < 10; j++) expected[`${j}/${mt}`] = [2 ** j];
      expect(freeLists(a)).toEqual(expected);
      expect(z.nrFreePages).toBe(1024 - 2 ** order);
      a.freeOnePage(z, 0, order, mt);
      expect(freeLists(a)).toEqual({ [`10/${mt}`]: [0] });
    }
    // Order 11 does not exist (NR_PAGE_ORDERS = 11).
    expect(a.rmqueueSmallest(z, 11, mt)).toBe(-1);
  });

  it("a split/merge sequence with interleaved frees", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16 })], { checkInvariants: true });
    const z = a.zone(0, "Normal");
    // One order-4 block at 0.
    const p0 = a.rmqueueSmallest(z, 1, M); // 0-1; leftovers 8 (o3), 4 (o2), 2 (o1)
    expect(p0).toBe(0);
    expect(freeLists(a)).toEqual({ [`1/${M}`]: [2], [`2/${M}`]: [4], [`3/${M}`]: [8] });
    const p1 = a.rmqueueSmallest(z, 0, M); // order-1 list head 2 split: 2 kept, 3 → o0
    expect(p1).toBe(2);
    expect(freeLists(a)).toEqual({ [`0/${M}`]: [3], [`2/${M}`]: [4], [`3/${M}`]: [8] });
    const p2 = a.rmqueueSmallest(z, 2, M); // 4-7
    expect(p2).toBe(4);
    // free 0 (order 1): buddy 2 (order 1) not free (2 allocated) → stays order 1. buddy_merge_likely: parent 0 at
    // order 2 has buddy 4 (allocated) → head.
    a.freeOnePage(z, 0, 1, M);
    expect(freeLists(a)).toEqual({ [`0/${M}`]: [3], [`1/${M}`]: [0], [`3/${M}`]: [8] });
    // free 2 (order 0): buddy 3 free → 2 (o1); buddy 0 (o1) free → 0 (o2); buddy 4 allocated → stop.
    a.freeOnePage(z, 2, 0, M);
    expect(freeLists(a)).toEqual({ [`2/${M}`]: [0], [`3/${M}`]: [8] });
    // free 4 (order 2): buddy 0 (o2) → 0 (o3); buddy 8 (o3) → 0 (o4).
    a.freeOnePage(z, 4, 2, M);
    expect(freeLists(a)).toEqual({ [`4/${M}`]: [0] });
  });
});

describe("boot: memblock_free_all vs 2.6.24 free_all_bootmem", () => {
  const zones = [zoneSpec({ startPfn: 0, spannedPages: 2048 })];
  it("6.18 frees with FPI_TO_TAIL: the order-10 list is in ascending address order", () => {
    const a = bootBuddy(zones);
    expect(freeLists(a)).toEqual({ [`10/${M}`]: [0, 1024] });
    expect(a.rmqueueSmallest(a.zone(0, 2), 10, M)).toBe(0);
  });
  it("2.6.24 frees 64-page words and inserts merged blocks at the head: descending order", () => {
    const a = bootBuddy(zones, { version: "2.6.24" });
    expect(freeLists(a)).toEqual({ [`10/${M24}`]: [1024, 0] });
    expect(a.rmqueueSmallest(a.zone(0, 2), 10, M24)).toBe(1024);
  });
  it("reserved pages split the free ranges into aligned chunks", () => {
    // pfn 0 reserved (present − managed = 1, taken from the lowest pfn): 1..1023 freed as 1,2,4,…,512.
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 1024, managedPages: 1023 })]);
    expect(renderBuddyinfo(a)).toBe("Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1      0 \n");
    // explicit reserved range and a hole
    const b = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 1024, presentPages: 1000, managedPages: 990, holes: [{ startPfn: 1000, endPfn: 1024 }], reserved: [{ startPfn: 0, endPfn: 10 }] })]);
    checkInvariants(b);
    expect(b.zone(0, 2).nrFreePages).toBe(990);
  });
  it("inconsistent specs are rejected with a typed error", () => {
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16, presentPages: 20 })])).toThrow(InvalidZoneSpecError);
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16, managedPages: 10, reserved: [{ startPfn: 0, endPfn: 2 }] })])).toThrow(
      "present 16 − reserved 2 ≠ managed 10",
    );
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16 }), zoneSpec({ startPfn: 8, spannedPages: 16, zoneIdx: 3, name: "Movable" })])).toThrow("overlaps");
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16, watermark: { min: -1, low: 0, high: 0 } })])).toThrow("(at zones[0].watermark)");
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16, pcp: { batch: 1.5, high: 0 } })])).toThrow(InvalidZoneSpecError);
    expect(() => bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 16, holes: [{ startPfn: 10, endPfn: 20 }] })])).toThrow("outside the zone span");
  });
});

describe("allocPages / freePages (fast path)", () => {
  const req = { highestZoneIdx: 2, migratetype: M };
  it("allocates and frees back to the boot state", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const boot = renderBuddyinfo(a);
    const p = a.allocPagesRequest(req, 5);
    expect(p).toBe(0);
    a.freePages(p, 5);
    expect(renderBuddyinfo(a)).toBe(boot);
  });
  it("bad frees change nothing and throw typed errors", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const p = a.allocPagesRequest(req, 5);
    expect(() => a.freePages(p, 4)).toThrow(BadPageFreeError);
    expect(() => a.freePages(p + 1, 0)).toThrow(BadPageFreeError);
    expect(() => a.freePages(99999, 0)).toThrow(BadPageFreeError);
    a.freePages(p, 5);
    expect(() => a.freePages(p, 5)).toThrow(BadPageFreeError);
    expect(() => a.allocPagesRequest(req, -1)).toThrow(InvalidBuddyArgumentError);
    expect(() => a.allocPagesRequest({ ...req, cpu: 3 }, 0)).toThrow(InvalidBuddyArgumentError);
  });
  it("order > MAX_PAGE_ORDER fails cleanly and calls no slow path", () => {
    let calls = 0;
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { slowPath: () => (calls++, -1) });
    expect(a.allocPagesRequest(req, 11)).toBe(-1);
    expect(calls).toBe(0);
    // Exhaust: 4 order-10 blocks, the fifth fails and reaches the slow-path hook.
    for (let k = 0; k < 4; k++) expect(a.allocPagesRequest(req, 10)).toBe(k * 1024);
    expect(a.allocPagesRequest(req, 10)).toBe(-1);
    expect(calls).toBe(1);
  });
});

describe("helpers for the page API", () => {
  it("splitAllocated halves an allocated block; the halves free independently and merge back", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const boot = renderBuddyinfo(a);
    const p = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: M }, 2);
    a.splitAllocated(p, 2, 1);
    a.splitAllocated(p + 2, 1, 1);
    expect(() => a.splitAllocated(p, 2, 1)).toThrow(BadPageFreeError);
    a.freePages(p + 3, 0, { bypassPcp: true });
    // pfn 3 freed straight to the buddy: its buddy 2 is allocated → an order-0 free block
    expect(a.pageBuddyOrder(p + 3)).toBe(0);
    expect(a.pageBuddyOrder(p)).toBe(-1);
    a.freePages(p + 2, 0, { toTail: true });
    a.freePages(p, 1);
    a.drainPages();
    expect(renderBuddyinfo(a)).toBe(boot);
  });

  it("allocatedOrder and isolateFreePage (compaction's free scanner)", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const p = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: M }, 4); // 0..15; 16 (o4), 32 (o5), … free
    expect([a.allocatedOrder(p), a.allocatedOrder(p + 1), a.allocatedOrder(16)]).toEqual([4, -1, -1]);
    expect(a.isolateFreePage(16, M)).toBe(4); // the order-4 block at 16 becomes 16 allocated order-0 pages
    expect([a.allocatedOrder(16), a.allocatedOrder(31)]).toEqual([0, 0]);
    expect(a.zone(0, 2).nrFreePages).toBe(4096 - 32);
    expect(a.isolateFreePage(17, M)).toBe(-1); // not the head of a free block: nothing changes
  });

  it("checkInvariants notices corrupted state", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 64 })]);
    a.zone(0, 2).nrFreePages += 1;
    expect(() => checkInvariants(a)).toThrow("NR_FREE_PAGES = 65 but lists hold 64");
  });
});
