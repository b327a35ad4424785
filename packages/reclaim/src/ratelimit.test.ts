import { describe, expect, it } from "vitest";
import { exportState as exportBuddy, importState as importBuddy } from "@pagealloc/buddy";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";
import { warnRatelimitFacts } from "./version";

// One zone at its min watermark: every GFP_ATOMIC order-3 request fails (no direct reclaim, nothing free at order 3
// above min) and reaches warn_alloc.
function failing(version: string) {
  const logs: string[] = [];
  const o = oneZone(4096, { min: 128, low: 160, high: 192 }, { version, reclaim: { onLog: (t) => logs.push(t) } });
  consumeTo(o.a, 40);
  const fail = () => {
    const pfn = o.a.allocPages(o.gfp("GFP_ATOMIC"), 3);
    expect(pfn).toBe(-1);
    return o.r.lastOutcome!;
  };
  return { ...o, logs, fail };
}

describe("warn_alloc's rate limit (kernel facts)", () => {
  it("takes the version's nopage_rs", () => {
    // 2.6.24 printk_ratelimit(): printk_ratelimit_jiffies = 5 * HZ, printk_ratelimit_burst = 10 (kernel/printk.c)
    expect(warnRatelimitFacts("2.6.24")).toMatchObject({ kind: "token-bucket", intervalMs: 5000, burst: 10 });
    // 3.0–5.3: DEFINE_RATELIMIT_STATE(nopage_rs, DEFAULT_RATELIMIT_INTERVAL = 5 * HZ, DEFAULT_RATELIMIT_BURST = 10)
    expect(warnRatelimitFacts("3.10")).toMatchObject({ kind: "interval", intervalMs: 5000, burst: 10, func: "warn_alloc_failed" });
    expect(warnRatelimitFacts("4.19")).toMatchObject({ intervalMs: 5000, burst: 10, func: "warn_alloc" });
    // 5.4+ (commit 1be334e5c088) and 6.18 mm/page_alloc.c: DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1)
    expect(warnRatelimitFacts("6.18")).toMatchObject({ intervalMs: 10000, burst: 1, func: "warn_alloc" });
  });
});

describe("warn_alloc's rate limit on the simulated clock", () => {
  it("4.19: 12 GFP_ATOMIC failures in one 5 s window print 10 reports; the next window starts with the suppressed line", () => {
    const { r, logs, fail } = failing("4.19");
    // ___ratelimit(): the window starts at the first call; printed < burst (10) lets a report through, the 11th
    // and 12th are missed. Nothing advances the clock, so all 12 fall in the first window.
    const outs = Array.from({ length: 12 }, fail);
    expect(outs.map((o) => o.report !== undefined)).toEqual([...Array(10).fill(true), false, false]);
    expect(outs[11]!.result).toBe("nopage"); // the outcome is the same, only the print is suppressed
    expect(outs[11]!.reportSuppressed).toBe(true);
    expect(r.reports.length).toBe(10);
    expect(r.reportsSuppressed).toBe(2);
    expect(logs).toEqual([]);
    // exactly begin + interval is still the same window (time_is_before_jiffies is strict): suppressed
    r.advanceClock(5000);
    expect(fail().report).toBeUndefined();
    expect(r.reportsSuppressed).toBe(3);
    // one ms later the window has ended: "%s: %d callbacks suppressed" with func = warn_alloc, then the report
    r.advanceClock(1);
    const next = fail();
    expect(next.suppressedLine).toBe("warn_alloc: 3 callbacks suppressed");
    expect(logs).toEqual(["warn_alloc: 3 callbacks suppressed"]);
    // 4.19 GFP_ATOMIC = __GFP_HIGH 0x20 | __GFP_ATOMIC 0x80000 | __GFP_KSWAPD_RECLAIM 0x400000
    expect(next.report!.split("\n")[0]).toMatch(/^sim: page allocation failure: order:3, mode:0x480020\(GFP_ATOMIC\)/);
    expect(r.reports.length).toBe(11);
  });

  it("6.18: one report per 10 s window (10*HZ, 1); a __GFP_NOWARN failure is not counted", () => {
    const { a, r, gfp, logs, fail } = failing("6.18");
    expect(fail().report).toBeDefined();
    expect(a.allocPages(gfp("GFP_ATOMIC|__GFP_NOWARN"), 3)).toBe(-1);
    for (let k = 0; k < 11; k++) expect(fail().report).toBeUndefined();
    expect([r.reports.length, r.reportsSuppressed]).toEqual([1, 11]);
    r.advanceClock(10_001);
    expect(fail().suppressedLine).toBe("warn_alloc: 11 callbacks suppressed");
    expect(logs).toEqual(["warn_alloc: 11 callbacks suppressed"]);
    expect(r.reports.length).toBe(2);
  });

  it("2.6.24: printk_ratelimit's token bucket (full at 10 × 5 s, one message costs 5 s) and 'printk: N messages suppressed.'", () => {
    const { r, logs, fail } = failing("2.6.24");
    const outs = Array.from({ length: 12 }, fail);
    expect(outs.filter((o) => o.report !== undefined).length).toBe(10);
    // 4999 ms refill 4999 tokens < 5000: still suppressed; one more ms makes 5000: the message goes out, preceded by
    // the count of the three lost ones
    r.advanceClock(4999);
    expect(fail().report).toBeUndefined();
    r.advanceClock(1);
    const next = fail();
    expect(next.suppressedLine).toBe("printk: 3 messages suppressed.");
    expect(logs).toEqual(["printk: 3 messages suppressed."]);
    expect(next.report!.split("\n")[0]).toBe("sim: page allocation failure. order:3, mode:0x20");
  });

  it("the limiter's state and clock survive exportState/importState", () => {
    const { a, r, fail } = failing("4.19");
    for (let k = 0; k < 11; k++) fail();
    r.advanceClock(1234);
    const copy = oneZone(4096, { min: 128, low: 160, high: 192 }, { version: "4.19" });
    importBuddy(copy.a, exportBuddy(a));
    copy.r.importState(r.exportState());
    expect(copy.r.warnRatelimitState).toEqual(r.warnRatelimitState);
    expect(copy.r.clockMs).toBe(1234);
    expect(copy.r.reportsSuppressed).toBe(1);
    expect(() => copy.r.importState({ ...r.exportState(), ratelimit: { ...r.warnRatelimitState, missed: -1 } })).toThrow(/state.ratelimit.missed/);
    expect(() => r.advanceClock(-1)).toThrow(/milliseconds/);
  });
});

describe("kswapd and a boosted watermark: only rmqueue() of an ALLOC_KSWAPD request wakes it (5.0+)", () => {
  // 8192 pages, min 64 / low 80 / high 96; boost_watermark(): max_boost = max(high × 15000 / 10000 = 144,
  // pageblock_nr_pages 512) → boost = 512 (kernel-facts §4.3). Movable page cache everywhere except 1000 free
  // order-0 pages in MOVABLE blocks: an UNMOVABLE order-0 request falls back to a MOVABLE block (try_to_claim_block).
  function boosted() {
    const o = oneZone(8192, { min: 64, low: 80, high: 96 });
    for (const pfn of consumeTo(o.a, 0)) o.r.markPage(pfn, 0, PageUse.FILE_CLEAN);
    for (let pfn = 0; pfn < 2000; pfn += 2) {
      o.r.memory.forget(pfn);
      o.a.freePages(pfn, 0, { bypassPcp: true });
    }
    return o;
  }

  it("a steal by a request without __GFP_KSWAPD_RECLAIM boosts the watermark and leaves kswapd asleep", () => {
    const { a, r, gfp } = boosted();
    const z = a.zone(0, 2);
    // __GFP_HIGH alone: unmovable, no ALLOC_KSWAPD, so `boost_watermark(zone) && (alloc_flags & ALLOC_KSWAPD)` does
    // not set ZONE_BOOSTED_WATERMARK and rmqueue() wakes nobody
    const mask = gfp("__GFP_HIGH");
    expect(a.allocPages(mask, 0)).toBeGreaterThanOrEqual(0);
    expect(z.watermarkBoost).toBe(512);
    expect(r.takeBoostWake()).toBe(false);
    expect(r.kswapdWoken(0)).toBe(false);
    expect(r.tick()).toBe(0);
    expect(z.watermarkBoost).toBe(512);
  });

  it("with __GFP_KSWAPD_RECLAIM kswapd runs, reclaims the boost and resets it (the node is balanced)", () => {
    const { a, r, gfp } = boosted();
    const z = a.zone(0, 2);
    const mask = gfp("GFP_KERNEL");
    expect(a.allocPages(mask, 0)).toBeGreaterThanOrEqual(0);
    expect(r.takeBoostWake()).toBe(true);
    expect(r.kswapdWoken(0)).toBe(true);
    expect(r.takeBoostWake()).toBe(false); // taken once
    // balance_pgdat(): free 999 > high + boost = 608 (balanced) but nr_boost_reclaim = 512 pages are reclaimed
    // first (the background test spells out the 856 pages of the passes), then the boost is reset
    expect(r.tick()).toBe(856);
    expect(z.watermarkBoost).toBe(0);
  });

  it("a steal at a boost already at its cap still wakes kswapd (boost_watermark() returns true at the cap)", () => {
    const { a, r, gfp } = boosted();
    const z = a.zone(0, 2);
    // First steal without ALLOC_KSWAPD: boost 512, kswapd asleep. max_boost = max(pageblock_nr_pages,
    // high * watermark_boost_factor / 10000) = max(512, 96 * 15000 / 10000 = 144) = 512, so the boost is at its cap.
    expect(a.allocPages(gfp("__GFP_HIGH"), 0)).toBeGreaterThanOrEqual(0);
    expect(z.watermarkBoost).toBe(512);
    expect(r.kswapdWoken(0)).toBe(false);
    // Unmovable allocations until one steals again (a fallback into another Movable pageblock): the boost stays at
    // 512 but boost_watermark() succeeds, so with ALLOC_KSWAPD the bit is set and rmqueue() wakes kswapd.
    let woke = false;
    for (let k = 0; k < 2000 && !woke; k++) {
      expect(a.allocPages(gfp("GFP_KERNEL"), 0)).toBeGreaterThanOrEqual(0);
      expect(z.watermarkBoost).toBe(512);
      woke = r.takeBoostWake();
    }
    expect(woke).toBe(true);
    expect(r.kswapdWoken(0)).toBe(true);
  });
});
