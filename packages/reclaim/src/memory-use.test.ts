import fc from "fast-check";
import { checkInvariants } from "@pagealloc/buddy";
import { describe, expect, it } from "vitest";
import { InvalidReclaimArgumentError } from "./errors";
import { LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_SLAB, MemoryUseModel, PageUse } from "./memory-use";
import { oneZone } from "./test-helpers";

describe("MemoryUseModel", () => {
  it("keeps LRU order: new pages at the head, scanning from the tail (oldest first)", () => {
    const m = new MemoryUseModel();
    for (const pfn of [10, 11, 12]) m.mark(pfn, 0, PageUse.FILE_CLEAN, { nid: 0 });
    expect(m.oldest(0, LRU_INACTIVE_FILE)).toBe(10);
    expect(m.oldest(0, LRU_INACTIVE_FILE, 10)).toBe(11);
    expect(m.oldest(0, LRU_INACTIVE_FILE, 12)).toBe(-1);
    expect(m.lruSize(0, LRU_INACTIVE_FILE)).toBe(3);
  });

  it("folio_mark_accessed: the first access sets referenced, the second activates", () => {
    const m = new MemoryUseModel();
    m.mark(10, 0, PageUse.FILE_CLEAN, { nid: 0 });
    m.markAccessed(10);
    expect(m.referenced(10)).toBe(true);
    expect(m.lruSize(0, LRU_INACTIVE_FILE)).toBe(1);
    m.markAccessed(10);
    expect(m.lruSize(0, LRU_ACTIVE_FILE)).toBe(1);
    expect(m.lruSize(0, LRU_INACTIVE_FILE)).toBe(0);
  });

  it("moves owner, use and LRU position with a migrated page", () => {
    const m = new MemoryUseModel();
    m.mark(10, 0, PageUse.ANON, { nid: 0, owner: 7 });
    m.mark(11, 0, PageUse.ANON, { nid: 0, owner: 8 });
    m.move(10, 500);
    expect(m.ownerOfPfn(500)).toBe(7);
    expect(m.useOfPfn(10)).toBe(PageUse.KERNEL);
    expect(m.oldest(0, LRU_INACTIVE_ANON)).toBe(500);
  });

  it("counts order > 0 blocks by pages; slab has its own list", () => {
    const m = new MemoryUseModel();
    m.mark(0, 2, PageUse.SLAB_RECLAIMABLE, { nid: 1 });
    expect(m.lruSize(1, LRU_SLAB)).toBe(4);
    expect(m.pagesByUse[PageUse.SLAB_RECLAIMABLE]).toBe(4);
    m.forget(0);
    expect(m.lruSize(1, LRU_SLAB)).toBe(0);
    expect(m.recorded).toBe(0);
  });

  it("rejects bad input with a typed error and changes nothing", () => {
    const m = new MemoryUseModel();
    expect(() => m.mark(1, 0, 9 as never, { nid: 0 })).toThrow(InvalidReclaimArgumentError);
    expect(() => m.mark(-1, 0, PageUse.ANON, { nid: 0 })).toThrow(/pfn/);
    expect(() => m.mark(1, 20, PageUse.ANON, { nid: 0 })).toThrow(/order/);
    expect(m.recorded).toBe(0);
    const { a, r } = oneZone(1024, { min: 16, low: 20, high: 24 });
    const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 1);
    expect(() => r.markPage(pfn, 0, PageUse.ANON)).toThrow(expect.objectContaining({ code: "INVALID_RECLAIM_ARGUMENT", location: "pfn" }));
    expect(r.memory.recorded).toBe(0);
  });
});

describe("property: reclaim and compaction keep the allocator and the model consistent", () => {
  it("random marks, frees, slow-path requests and ticks", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("alloc" as const), order: fc.integer({ min: 0, max: 3 }), gfp: fc.constantFrom("GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_KERNEL|__GFP_NORETRY", "GFP_HIGHUSER_MOVABLE") }),
      fc.record({ k: fc.constant("free" as const), i: fc.nat() }),
      fc.record({ k: fc.constant("tick" as const) }),
      fc.record({ k: fc.constant("thp" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 5 }), (ops, seedUse) => {
        const live = new Map<number, number>();
        const { a, r, gfp } = oneZone(2048, { min: 32, low: 40, high: 48 }, {
          reclaim: {
            swapPages: 64,
            onEvict: (pfn) => live.delete(pfn),
            onMigrate: (from, to) => {
              live.set(to, live.get(from)!);
              live.delete(from);
            },
          },
        });
        // start with most memory in use so that the slow path runs
        const req = { highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE };
        let n = 0;
        while (a.zone(0, 2).nrFreePages > 60) {
          const pfn = a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
          r.markPage(pfn, 0, ([PageUse.FILE_CLEAN, PageUse.FILE_DIRTY, PageUse.ANON, PageUse.SLAB_RECLAIMABLE, PageUse.PINNED, PageUse.FILE_CLEAN] as const)[(n++ + seedUse) % 6]!);
          live.set(pfn, 0);
        }
        for (const o of ops) {
          if (o.k === "alloc") {
            const pfn = a.allocPages(gfp(o.gfp), o.order);
            if (pfn >= 0) {
              live.set(pfn, o.order);
              if (o.order === 0) r.markPage(pfn, 0, PageUse.FILE_CLEAN);
            }
          } else if (o.k === "free" && live.size > 0) {
            const pfn = [...live.keys()][o.i % live.size]!;
            r.memory.forget(pfn);
            a.freePages(pfn, live.get(pfn)!);
            live.delete(pfn);
          } else if (o.k === "tick") r.tick();
          else {
            const pfn = a.allocPages(gfp("GFP_TRANSHUGE"), 9);
            if (pfn >= 0) live.set(pfn, 9);
          }
          checkInvariants(a);
          // every page the model records is an allocated block of the recorded order, owned by someone alive
          let lruPages = 0;
          for (const [pfn, order] of live) {
            expect(a.allocatedOrder(pfn)).toBe(order);
            if (r.memory.useOfPfn(pfn) !== PageUse.KERNEL) lruPages += 2 ** order;
          }
          const byUse = r.memory.pagesByUse.reduce((s, v) => s + v, 0);
          expect(byUse).toBe(lruPages);
        }
      }),
      { numRuns: 15, seed: 12 },
    );
  });
});

describe("the pfn index (chunks of 2^15 pages allocated on first record)", () => {
  it("records, moves and forgets pfns across chunks, far apart and at chunk edges", () => {
    const m = new MemoryUseModel();
    const pfns = [0, 32767, 32768, 5 * 2 ** 32 + 7, 2 ** 40];
    for (const p of pfns) m.mark(p, 0, PageUse.FILE_CLEAN, { nid: 0 });
    expect(m.recorded).toBe(5);
    expect(pfns.map((p) => m.useOfPfn(p))).toEqual([1, 1, 1, 1, 1]);
    expect(m.useOfPfn(32769)).toBe(PageUse.KERNEL); // same chunk as 32768, not recorded
    expect(m.useOfPfn(2 ** 41)).toBe(PageUse.KERNEL); // a chunk never touched
    // LRU order: newest at the head, so the oldest is the first marked
    expect(m.oldest(0, 2)).toBe(0);
    m.move(32767, 3 * 2 ** 15 + 1);
    expect(m.useOfPfn(32767)).toBe(PageUse.KERNEL);
    expect(m.useOfPfn(3 * 2 ** 15 + 1)).toBe(PageUse.FILE_CLEAN);
    m.forget(0);
    m.forget(0); // twice: no change
    expect(m.recorded).toBe(4);
    expect(m.oldest(0, 2)).toBe(3 * 2 ** 15 + 1);
  });

  it("exportState lists the recorded pfns in ascending order, and importState gives them back", () => {
    const m = new MemoryUseModel();
    for (const p of [2 ** 20, 5, 2 ** 15 + 3]) m.mark(p, 0, PageUse.ANON, { nid: 0 });
    const s = m.exportState();
    expect([...s.recordedPfns]).toEqual([5, 2 ** 15 + 3, 2 ** 20]);
    const copy = new MemoryUseModel();
    copy.importState(s);
    expect(copy.recorded).toBe(3);
    expect([5, 2 ** 15 + 3, 2 ** 20].map((p) => copy.useOfPfn(p))).toEqual([3, 3, 3]);
    expect(copy.oldest(0, 0)).toBe(2 ** 20);
  });
});
