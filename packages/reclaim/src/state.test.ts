import { type BuddyAllocator, exportState as exportBuddy, importState as importBuddy, renderBuddyinfo, renderPagetypeinfo, renderVmstat } from "@pagealloc/buddy";
import { describe, expect, it } from "vitest";
import { MemoryUseModel, PageUse } from "./memory-use";
import { Reclaim } from "./reclaim";
import { formatReclaimTraceEvent } from "./trace";
import { consumeTo, oneZone } from "./test-helpers";

// The fields of Reclaim and MemoryUseModel, each either saved by exportState() or not state. A field added to either
// class fails this test until it is put in one of the two lists (and, if it is state, into exportState/importState).
const RECLAIM_SAVED = ["memory", "vmstat", "lastOutcome", "reports", "kswapd", "defer", "ratelimit"];
const RECLAIM_NOT_STATE = {
  options: "given again to createReclaim (callbacks, tasks, swappiness …)",
  a: "the attached allocator (its own state is buddy's exportState)",
  facts: "derived from the allocator's version",
  swappiness: "from options",
  inSlowPath: "true only during a call; exportState refuses then",
  boostWoke: "set by rmqueue()'s wakeup during an allocation and taken by the page API before the allocation returns",
  slowPath: "a bound function",
  rlFacts: "derived from the allocator's version",
  derived: "caches derived from the version and options (decoded gfp masks, trace events, counter names)",
};
const MEMORY_SAVED = ["cap", "pfnOf", "orderOf", "useOf", "flagsOf", "ownerOf", "nidOf", "zoneOf", "next", "prev", "slotOfPfn", "freeSlots", "sentinels", "sizes", "zoneSizes", "pagesByUse", "swapTotal", "swapUsed"];

function renderAll(a: BuddyAllocator, r: Reclaim): string {
  return [renderBuddyinfo(a), renderPagetypeinfo(a), renderVmstat(a), JSON.stringify(r.vmstat), JSON.stringify(r.lastOutcome), r.reports.join("\n"), a.zones.map((z) => `${z.nrFreePages} ${z.watermarkBoost} ${JSON.stringify(r.compactionDeferInfo(z))}`).join(";"), r.kswapdWoken(0), r.kswapdFailures(0), r.kcompactdWoken(0)].join("\n--\n");
}

describe("Reclaim.exportState / importState", () => {
  it("covers every field of Reclaim and MemoryUseModel (a new field must be classified here)", () => {
    expect(Object.keys(new Reclaim()).sort()).toEqual([...RECLAIM_SAVED, ...Object.keys(RECLAIM_NOT_STATE)].sort());
    expect(Object.keys(new MemoryUseModel()).sort()).toEqual([...MEMORY_SAVED].sort());
    const s = oneZone(1024, { min: 16, low: 20, high: 24 }).r.exportState();
    expect(Object.keys(s).sort()).toEqual([...RECLAIM_SAVED].sort());
  });

  it("a copy continues exactly like the original: same pfns, steps, trace, counters, reports, deferral, LRU order", () => {
    // 8192 pages, movable anon memory with holes (compaction's work), dirty and clean page cache, reclaimable slab,
    // swap for part of the anon memory: then the slow path runs for a mix of requests on the original and the copy.
    const build = () => oneZone(8192, { min: 64, low: 80, high: 96 }, { reclaim: { swapPages: 300, swappiness: 100 } });
    const orig = build();
    const pfns = consumeTo(orig.a, 200);
    pfns.forEach((pfn, i) => orig.r.markPage(pfn, 0, [PageUse.ANON, PageUse.FILE_CLEAN, PageUse.FILE_DIRTY, PageUse.SLAB_RECLAIMABLE, PageUse.ANON][i % 5]!, i));
    for (const pfn of pfns) if (pfn < 2048 && pfn % 2 === 1) (orig.r.memory.forget(pfn), orig.a.freePages(pfn, 0, { bypassPcp: true }));
    for (let i = 0; i < pfns.length; i += 7) orig.r.memory.markAccessed(pfns[i]!);
    for (let i = 0; i < pfns.length; i += 21) orig.r.memory.markAccessed(pfns[i]!);
    const steps = (s: ReturnType<typeof build>) => [
      () => s.a.allocPages(s.gfp("GFP_TRANSHUGE|__GFP_NORETRY"), 9),
      () => s.a.allocPages(s.gfp("GFP_KERNEL"), 3),
      () => s.r.tick(),
      () => s.a.allocPages(s.gfp("GFP_NOFS|__GFP_NORETRY"), 0),
      () => s.a.allocPages(s.gfp("GFP_TRANSHUGE"), 9),
      () => s.a.allocPages(s.gfp("GFP_KERNEL|__GFP_NORETRY"), 6),
      () => s.r.tick(),
      () => s.a.allocPages(s.gfp("GFP_ATOMIC"), 2),
    ];
    const first = steps(orig);
    const outcomes: unknown[] = [];
    for (const f of first.slice(0, 4)) outcomes.push(f());
    expect(orig.r.vmstat.pgscan_direct + orig.r.vmstat.pgscan_kswapd).toBeGreaterThan(0); // the slow path did work
    const copy = build();
    importBuddy(copy.a, exportBuddy(orig.a));
    copy.r.importState(orig.r.exportState());
    expect(renderAll(copy.a, copy.r)).toBe(renderAll(orig.a, orig.r));
    orig.events.length = 0;
    const later = (s: ReturnType<typeof build>) => steps(s).slice(4).map((f) => [f(), JSON.stringify(s.r.lastOutcome)]);
    expect(later(copy)).toEqual(later(orig));
    const text = (e: (typeof orig.events)[number]) => `${e.event}: ${formatReclaimTraceEvent(e)}`;
    expect(copy.events.map(text)).toEqual(orig.events.map(text));
    expect(orig.events.length).toBeGreaterThan(10);
    expect(renderAll(copy.a, copy.r)).toBe(renderAll(orig.a, orig.r));
    for (const list of [0, 1, 2, 3, 4]) {
      const walk = (m: MemoryUseModel) => {
        const out: number[] = [];
        for (let p = m.oldest(0, list); p >= 0; p = m.oldest(0, list, p)) out.push(p, m.referenced(p) ? 1 : 0);
        return out;
      };
      expect(walk(copy.r.memory)).toEqual(walk(orig.r.memory));
    }
  });

  it("keeps kswapd's failure count: a node that became hopeless stays hopeless in the copy", () => {
    // Only kernel memory below the low watermark: every kswapd run reclaims nothing (balance_pgdat's full priority
    // loop without progress), so kswapd_failures grows by one per run; at MAX_RECLAIM_RETRIES (16) wakeup_kswapd
    // no longer wakes it.
    const build = () => oneZone(1024, { min: 16, low: 20, high: 24 });
    const orig = build();
    consumeTo(orig.a, 20);
    for (let i = 0; i < 15; i++) {
      orig.r.wakeupKswapd(orig.a.zones[0]!, orig.gfp("GFP_KERNEL"), 0, 2, true);
      orig.r.tick();
    }
    expect(orig.r.kswapdFailures(0)).toBe(15);
    orig.r.wakeupKswapd(orig.a.zones[0]!, orig.gfp("GFP_KERNEL"), 2, 2, true); // woken, not run yet
    const copy = build();
    importBuddy(copy.a, exportBuddy(orig.a));
    copy.r.importState(orig.r.exportState());
    expect([copy.r.kswapdFailures(0), copy.r.kswapdWoken(0)]).toEqual([15, true]);
    for (const s of [orig, copy]) {
      s.r.tick(); // the 16th failure
      s.r.wakeupKswapd(s.a.zones[0]!, s.gfp("GFP_KERNEL"), 0, 2, true);
    }
    expect([copy.r.kswapdFailures(0), copy.r.kswapdWoken(0)]).toEqual([16, false]);
    expect([orig.r.kswapdFailures(0), orig.r.kswapdWoken(0)]).toEqual([16, false]);
  });

  it("a state that does not fit changes nothing and names the field", () => {
    const s = oneZone(1024, { min: 16, low: 20, high: 24 });
    const pfn = s.a.allocPages(s.gfp("GFP_KERNEL"), 0);
    s.r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    const good = s.r.exportState();
    const other = oneZone(1024, { min: 16, low: 20, high: 24 });
    const before = JSON.stringify(other.r.exportState(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
    const cases: [unknown, string][] = [
      [{ ...good, vmstat: [["pgscan_direct", -1]] }, "state.vmstat[0]"],
      [{ ...good, kswapd: [{ ...good.kswapd[0], nid: 0, order: 0, highestZoneIdx: 0, woken: "yes", failures: 0, kcompactdOrder: 0, kcompactdHighest: 0, kcompactdWoken: false }] }, "state.kswapd[0].woken"],
      [{ ...good, defer: [{ nid: 3, zoneIdx: 2, considered: 0, deferShift: 0, orderFailed: 0 }] }, "state.defer[0]"],
      [{ ...good, memory: { ...good.memory, next: good.memory.next.slice(1) } }, "memory.next"],
      [{ ...good, memory: { ...good.memory, prev: good.memory.prev.map(() => good.memory.cap) } }, "memory.prev[0]"],
      [{ ...good, memory: { ...good.memory, useOf: good.memory.useOf.map(() => 9) } }, "memory.useOf[0]"],
      [{ ...good, memory: { ...good.memory, sentinels: [[0, [1, 2]]] } }, "memory.sentinels[0]"],
      [{ ...good, reports: [1] }, "state.reports"],
    ];
    for (const [bad, where] of cases) {
      expect(() => other.r.importState(bad as never)).toThrow(expect.objectContaining({ code: "INVALID_RECLAIM_ARGUMENT", location: where }));
    }
    expect(JSON.stringify(other.r.exportState(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v))).toBe(before);
  });

  it("refuses to copy a slow-path call in progress (asked from a callback)", () => {
    let err: unknown;
    const s = oneZone(1024, { min: 16, low: 20, high: 24 }, {
      reclaim: {
        onReport: () => {
          try {
            s.r.exportState();
          } catch (e) {
            err = e;
          }
        },
      },
    });
    consumeTo(s.a, 10);
    expect(s.a.allocPages(s.gfp("GFP_KERNEL|__GFP_NORETRY"), 0)).toBe(-1);
    expect(err).toMatchObject({ code: "INVALID_RECLAIM_ARGUMENT", location: "inSlowPath" });
    expect(s.r.exportState().reports).toHaveLength(1);
  });
});
