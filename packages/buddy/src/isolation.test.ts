import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { renderBuddyinfo, renderPagetypeinfo } from "./render";
import { freeLists, zoneSpec } from "./test-helpers";

// 6.18: UNMOVABLE 0, MOVABLE 1, ISOLATE 4; pageblock_order 9. Zones of 4096 pages keep grouping by mobility on.
describe("pageblock isolation (mm/page_isolation.c)", () => {
  it("isolating a free pageblock moves its pages to ISOLATE lists and out of NR_FREE_PAGES (6.10+); undo merges again", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const z = a.zone(0, 2);
    const boot = renderBuddyinfo(a);
    // take the order-9 block 0 (splitting order-10 block 0), leaving pageblock 512 free as one order-9 block
    const p = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 9);
    expect(p).toBe(0);
    expect(a.isolatePageblock(700)).toBe(true);
    expect(z.pageblockMt(512)).toBe(4);
    expect(freeLists(a)).toEqual({ "9/4": [512], "10/1": [1024, 2048, 3072] });
    expect(z.nrFreePages).toBe(3072); // account_freepages() skips MIGRATE_ISOLATE
    expect(a.isolatePageblock(512)).toBe(false); // already isolated
    // freeing block 0: at pageblock order the buddy's type (ISOLATE) differs and is not mergeable → no merge
    a.freePages(p, 9);
    expect(freeLists(a)).toEqual({ "9/1": [0], "9/4": [512], "10/1": [1024, 2048, 3072] });
    expect(renderPagetypeinfo(a).split("\n")[11]).toBe("Node 0, zone   Normal            0            7            0            0            1 ");
    // undo: the order-9 free block is taken off and freed again as MOVABLE → merges with 0 into order 10 (list head)
    a.unisolatePageblock(512);
    expect(freeLists(a)).toEqual({ "10/1": [0, 1024, 2048, 3072] });
    expect(renderBuddyinfo(a)).toBe(boot);
  });

  it("a pageblock holding unmovable allocations or reserved pages cannot be isolated", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, managedPages: 4095 })], { checkInvariants: true });
    expect(a.isolatePageblock(0)).toBe(false); // pfn 0 is reserved (has_unmovable_pages: PageReserved)
    const u = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 0 }, 3);
    expect(a.isolatePageblock(u)).toBe(false);
  });

  it("a page freed inside an isolated block bypasses the pcp lists and lands on the ISOLATE list", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { checkInvariants: true });
    const p = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 0);
    expect(p).toBe(0);
    expect(a.isolatePageblock(p)).toBe(true);
    a.freePages(p, 0);
    expect(a.zone(0, 2).pcpCount[0]).toBe(0);
    // merged with its free (isolated) buddies up to the pageblock: 0 (o9) on the ISOLATE list
    expect(freeLists(a)["9/4"]).toEqual([0]);
    a.unisolatePageblock(p);
    expect(freeLists(a)["10/1"]).toEqual([0, 1024, 2048, 3072]);
  });
});
