import { describe, expect, it } from "vitest";
import { checkInvariants } from "@pagealloc/buddy";
import { PageUse } from "@pagealloc/reclaim";
import { bootKernel } from "./kernel";

// tiny-16m on 6.18: one DMA zone of 3328 free pages (see the buddy tests); watermarks from @pagealloc/zones.
describe("the slow path behind the page API (reclaim: true)", () => {
  it("reclaims page cache the caller marked, and follows reclaimed pages", () => {
    const evicted: number[] = [];
    const k = bootKernel({ machine: "tiny-16m", reclaim: { background: "tick", onEvict: (pfn) => evicted.push(pfn) } });
    const z = k.buddy.zone(0, "DMA");
    const low = z.spec.watermark.low;
    // fill with clean page cache until the fast path would fail (free ≤ low)
    const pages = [];
    while (z.nrFreePages > low) {
      const p = k.alloc_pages("GFP_HIGHUSER_MOVABLE", 0)!;
      k.mark_page_cache(p);
      pages.push(p);
    }
    // the next one takes the slow path: kswapd woken, served at the min watermark
    expect(k.alloc_pages("GFP_HIGHUSER_MOVABLE", 0)).not.toBeNull();
    expect(k.reclaim!.lastOutcome!.steps[0]).toBe("wake_kswapd");
    expect(k.reclaim!.kswapdWoken(0)).toBe(true);
    // kswapd runs on the tick and frees clean page cache until the zone is above high
    const freed = k.kswapd_tick();
    expect(freed).toBeGreaterThan(0);
    expect(evicted.length).toBe(freed);
    expect(z.nrFreePages).toBeGreaterThan(z.spec.watermark.high);
  });

  it("marking needs an allocated block of that order", () => {
    const k = bootKernel({ machine: "tiny-16m", reclaim: true });
    const p = k.alloc_pages("GFP_KERNEL", 1)!;
    expect(() => k.mark_anon(p)).toThrow(/order-0/);
    k.mark_anon(p, { order: 1 });
    expect(k.reclaim!.memory.pagesByUse[PageUse.ANON]).toBe(2);
  });

  it("compacts a preset's zone (reserved low pages) and leaves the allocator consistent", () => {
    const k = bootKernel({ machine: "tiny-16m", reclaim: { background: "tick" } });
    const z = k.buddy.zone(0, "DMA");
    const pages = [];
    for (let n = 0; n < 3000; n++) {
      const p = k.alloc_pages("GFP_HIGHUSER_MOVABLE", 0)!;
      k.mark_anon(p);
      pages.push(p);
    }
    // free every other page: about 1500 order-0 holes, no free block of order 9 left
    for (const p of pages) if (p.pfn % 2 === 1) k.__free_pages(p, 0);
    k.drain_all_pages();
    expect(Array.from(z.nrFree).slice(9).every((n) => n === 0)).toBe(true);
    const thp = k.alloc_pages("GFP_TRANSHUGE", 9);
    expect(thp).not.toBeNull();
    expect(thp!.pfn % 512).toBe(0);
    expect(k.reclaim!.vmstat.compact_success).toBe(1);
    expect(k.reclaim!.vmstat.pgmigrate_success).toBeGreaterThan(0);
    checkInvariants(k.buddy);
  });

  it("is on by default; reclaim: false turns it off (a failed fast path then returns null at once)", () => {
    expect(bootKernel({ machine: "tiny-16m" }).reclaim).not.toBeNull();
    const k = bootKernel({ machine: "tiny-16m", reclaim: false });
    expect(k.reclaim).toBeNull();
    expect(() => k.mark_page_cache(k.alloc_page("GFP_HIGHUSER_MOVABLE")!)).toThrow(expect.objectContaining({ code: "PAGE_API_ARGUMENT", location: "reclaim" }));
    // without the slow path nothing wakes kswapd, reclaims or reports: the failure is silent
    while (k.alloc_page("GFP_KERNEL") !== null);
    expect(k.dmesg()).toEqual([]);
  });

  it("on by default, an order-0 GFP_KERNEL request the fast path refuses goes through the slow path", () => {
    // __alloc_pages_slowpath(): GFP_KERNEL has __GFP_KSWAPD_RECLAIM (wake kswapd first) and __GFP_DIRECT_RECLAIM;
    // every allocated page is unmarked kernel memory, so direct reclaim frees nothing, order 0 never compacts, and
    // after MAX_RECLAIM_RETRIES rounds without progress the OOM killer finds no task to kill.
    const k = bootKernel({ machine: "tiny-16m" });
    while (k.alloc_page("GFP_KERNEL") !== null);
    const out = k.reclaim!.lastOutcome!;
    expect(out.steps[0]).toBe("wake_kswapd");
    expect(out.steps.filter((s) => s.startsWith("direct_reclaim")).every((s) => s === "direct_reclaim:0")).toBe(true);
    expect(out.steps.some((s) => s.startsWith("compact"))).toBe(false);
    expect(out.result).toBe("oom");
  });
});
