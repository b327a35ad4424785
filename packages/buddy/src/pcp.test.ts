import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { renderBuddyinfo } from "./render";
import { zoneSpec } from "./test-helpers";
import type { BuddyTraceEvent } from "./trace";

describe("6.18 per-cpu lists (kernel-facts §7.2, §7.3)", () => {
  it("refill size follows nr_pcp_alloc and the list hands out pages in carve order", () => {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, pcp: { batch: 3, high: 12, highMin: 12, highMax: 48 } })], {
      checkInvariants: true,
      trace: (e) => events.push(e),
    });
    const z = a.zone(0, 2);
    const req = { highestZoneIdx: 2, migratetype: 1 };
    // 1st order-0 alloc: high = clamp(0, 12, 48) = 12; batch = 3 << alloc_factor 0 = 3; high_min ≠ high_max →
    // high = min(12 + 3, 48) = 15; max_nr_alloc = max(15 − 0 − 3, 3) = 12 ≥ 3 → alloc_factor 1; refill 3 blocks.
    expect(a.allocPagesRequest(req, 0)).toBe(0);
    expect(events.filter((e) => e.event === "mm_page_alloc_zone_locked").map((e) => [e.pfn, (e as { percpuRefill: boolean }).percpuRefill])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    expect([z.pcpCount[0], z.pcpHigh[0], z.nrFreePages]).toEqual([2, 15, 4093]);
    expect(a.allocPagesRequest(req, 0)).toBe(1);
    expect(a.allocPagesRequest(req, 0)).toBe(2);
    // Next refill: high 15 → batch = 3 << 1 = 6; high = min(15 + 6, 48) = 21; max_nr_alloc = 21 − 0 − 3 = 18 → 6 pages.
    expect(a.allocPagesRequest(req, 0)).toBe(3);
    expect([z.pcpCount[0], z.pcpHigh[0]]).toEqual([5, 21]);
    // Free to the head of the pcp list: count 6 < high 21 → no drain; NR_FREE_PAGES unchanged (pcp pages are not free).
    a.freePages(0, 0);
    expect([z.pcpCount[0], z.nrFreePages]).toEqual([6, 4096 - 9]);
    expect(a.allocPagesRequest(req, 0)).toBe(0); // the list head is the page just freed
    // order-3 refill: max(batch >> 3, 2) = 2 blocks
    events.length = 0;
    expect(a.allocPagesRequest(req, 3)).toBe(16);
    expect(events.filter((e) => e.event === "mm_page_alloc_zone_locked")).toHaveLength(2);
  });

  it("drainPages returns everything; freeing all restores the boot buddyinfo", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, pcp: { batch: 3, high: 12, highMin: 12, highMax: 48 } })], { cpus: 2, checkInvariants: true });
    const boot = renderBuddyinfo(a);
    const got = [0, 1, 2, 3].map((order) => [a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1, cpu: order % 2 }, order), order] as const);
    for (const [pfn, order] of got) a.freePages(pfn, order, { cpu: 1 });
    expect(renderBuddyinfo(a)).not.toBe(boot);
    a.drainPages();
    expect(renderBuddyinfo(a)).toBe(boot);
  });
});

describe("2.6.24 hot/cold lists (kernel-facts §7.4)", () => {
  it("searches the hot list for the requested migratetype and refills in front", () => {
    // batch 2: hot list high 12 (6 × batch), cold list high 4, batch 1.
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, pcp: { batch: 2, high: 12 } })], { version: "2.6.24", checkInvariants: true });
    // 4096 pages: enough to group by mobility. 2.6.24 MOVABLE = 2, UNMOVABLE = 0.
    // Boot lists: order 10 [3072, 2048, 1024, 0] (head insertion). rmqueue_bulk(2, MOVABLE) → 3072, 3073.
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 2 }, 0)).toBe(3072);
    // UNMOVABLE: the hot list holds 3073 (MOVABLE) only → no match → rmqueue_bulk(2, UNMOVABLE) inserted at the head:
    // fallback takes the order-10 head 2048 (its pageblock → UNMOVABLE), carving 2048 then 2049 →
    // list [2048, 2049, 3073] → head 2048.
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 0 }, 0)).toBe(2048);
    const z = a.zone(0, 2);
    expect(z.pcpCount[0]).toBe(2);
    expect(z.pageblockMt(2048)).toBe(0);
    // A 2048-page machine is below pageblock_nr_pages × MIGRATE_TYPES: grouping by mobility is disabled and every
    // request is served as UNMOVABLE.
    expect(bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 2048 })], { version: "2.6.24" }).mobilityDisabled).toBe(true);
  });
});

describe("vmstat interval work (kernel-facts §7.3)", () => {
  it("6.7+ decay_pcp_high: high = max(count − batch·32, high − high/8, high_min), excess freed", () => {
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, pcp: { batch: 3, high: 12, highMin: 12, highMax: 48 } })], { checkInvariants: true });
    const z = a.zone(0, 2);
    const req = { highestZoneIdx: 2, migratetype: 1 };
    for (let k = 0; k < 4; k++) a.allocPagesRequest(req, 0);
    // as in the refill test above: count 5, high 21
    expect([z.pcpCount[0], z.pcpHigh[0]]).toEqual([5, 21]);
    a.vmstatUpdate();
    // max(5 − 96, 21 − 2, 12) = 19; count 5 ≤ 19 → nothing freed
    expect([z.pcpCount[0], z.pcpHigh[0]]).toEqual([5, 19]);
    for (let k = 0; k < 10; k++) a.vmstatUpdate();
    // 19 → 17 (19 − 2) → 15 → 14 (15 − 1) → 13 → 12 → 12 …
    expect(z.pcpHigh[0]).toBe(12);
  });

  it("NUMA: a remote zone's pageset is drained by one batch after three idle intervals", () => {
    const a = bootBuddy(
      [zoneSpec({ nid: 0, startPfn: 0, spannedPages: 4096 }), zoneSpec({ nid: 1, startPfn: 4096, spannedPages: 4096, pcp: { batch: 4, high: 100 } })],
      { version: "5.10", cpus: 1, cpuToNode: [0], checkInvariants: true },
    );
    const remote = a.zone(1, 2);
    // CPU 0 (node 0) allocates from node 1: the order-0 refill brings batch = 4 pages to its node-1 pageset
    expect(a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1, nid: 1 }, 0)).toBeGreaterThanOrEqual(4096);
    expect(remote.pcpCount[0]).toBe(3);
    a.vmstatUpdate();
    a.vmstatUpdate();
    expect(remote.pcpCount[0]).toBe(3); // expire 3 → 2 → 1
    a.vmstatUpdate(); // expire reaches 0: drain_zone_pages frees min(count 3, batch 4) = 3
    expect(remote.pcpCount[0]).toBe(0);
  });
});

describe("5.14–6.6 pcp freeing with free_factor", () => {
  it("each free without an allocation doubles the batch freed (nr_pcp_free), capped at high − batch", () => {
    // 6.1: pcp->high 12, batch 3 (no auto-tuning). Fill the list with 12 single pages, then free them one by one.
    const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096, pcp: { batch: 3, high: 12 } })], { version: "6.1", checkInvariants: true });
    const z = a.zone(0, 2);
    const got = Array.from({ length: 14 }, () => a.allocPagesRequest({ highestZoneIdx: 2, migratetype: 1 }, 0));
    expect(z.pcpCount[0]).toBe(1); // five refills of batch 3 = 15 pages, 14 handed out
    const counts: number[] = [];
    for (const p of got) {
      a.freePages(p, 0);
      counts.push(z.pcpCount[0]!);
    }
    // count reaches high 12 at the 11th free: free_factor 0 → batch 3 << 0 = 3 < 9 → free 3 (factor 1) → 9;
    // 12th and 13th: 10, 11; 14th: 12 ≥ 12 → 3 << 1 = 6 < 9 → free 6 (factor 2) → 6
    expect(counts).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 9, 10, 11, 6]);
  });
});
