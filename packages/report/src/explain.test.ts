import fc from "fast-check";
import { PageallocError } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { F41, F48, F619, F689, fixture } from "./__fixtures__/fixtures";
import { ReportExplainError } from "./errors";
import { type WatermarkCheck, explainReport } from "./explain";
import { parseFailureReports } from "./parse-report";
import type { FailureReport } from "./report-types";

function report(text: string): FailureReport {
  const { reports, problems } = parseFailureReports(text);
  expect(problems).toEqual([]);
  return reports[0] as FailureReport;
}

function slow(e: ReturnType<typeof explainReport>, zone: string): WatermarkCheck {
  const z = e.zonelist.find((x) => x.name === zone);
  if (!z?.slow) throw new Error(`no slow-path check for ${zone}`);
  return z.slow;
}

describe("the three real reports, verdicts derived by hand from the kernel's rules", () => {
  it("6.19-rc5: kswapd0 order-0 GFP_NOFS|__GFP_NOMEMALLOC → watermark (boosted min in Normal)", () => {
    // Kernel 6.19 (from the CPU line). mode 0xc0c40 = GFP_NOFS (0xc40 = DIRECT_RECLAIM 0x400 | KSWAPD_RECLAIM 0x800 | IO 0x40)
    // | __GFP_COMP 0x40000 | __GFP_NOMEMALLOC 0x80000. No zone modifier → gfp_zone = Normal, index 2 in
    // DMA, DMA32, Normal, Movable, Device; lowmem_reserve[2] is the column used. Zonelist: Normal, DMA32, DMA.
    // Slow path (gfp_to_alloc_flags, 6.3+): WMARK_MIN | CPUSET | KSWAPD. Direct reclaim is allowed, so no
    // ALLOC_NON_BLOCK; no __GFP_HIGH, so no MIN_RESERVE → no reserve access: the check subtracts free_highatomic (6.12+).
    // Normal: free 79392kB = 19848 pages, free_highatomic 32KB = 8 → usable 19840; min 80308kB = 20077 (boost 28672kB
    //   = 7168 included); reserve[2] = 0 → 19840 ≤ 20077 → fail. No boost retry (needs ALLOC_MIN_RESERVE).
    // DMA32: free 52184kB = 13046; min 15860kB = 3965; reserve[2] = 9127 → 13046 ≤ 13092 → fail.
    // DMA: free 13316kB = 3329; min 84kB = 21; reserve[2] = 11990 → 3329 ≤ 12011 → fail.
    // All zones below min + reserve → kind "watermark".
    const e = explainReport(report(fixture(F619)));
    expect(e.kind).toBe("watermark");
    expect(e.version).toBe("6.19.0");
    expect(e.versionFrom).toBe("report");
    expect(e.gfp).toMatchObject({ mask: 0xc0c40, decoded: "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC", matchesPrinted: true, migratetype: "Unmovable" });
    expect(e.zone).toMatchObject({ name: "Normal", index: 2, arch: "x86_64" });
    expect(e.zonelist.map((z) => z.name)).toEqual(["Normal", "DMA32", "DMA"]);
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_CPUSET", "ALLOC_KSWAPD"]);
    expect(e.allows).toMatchObject({ directReclaim: true, kswapd: true, compaction: false, noMemalloc: true, highatomic: false, costly: false });
    expect(slow(e, "Normal")).toMatchObject({ mark: 20077, boost: 7168, freePages: 19848, highatomic: 8, usable: 19840, minAfterFlags: 20077, lowmemReserve: 0, ok: false, outcome: "below-watermark", boostRetry: null });
    expect(slow(e, "DMA32")).toMatchObject({ usable: 13046, minAfterFlags: 3965, lowmemReserve: 9127, ok: false });
    expect(slow(e, "DMA")).toMatchObject({ usable: 3329, minAfterFlags: 21, lowmemReserve: 11990, ok: false });
    expect(slow(e, "Normal").steps).toContain("19840 ≤ min 20077 + lowmem_reserve 0 = 20077: below the watermark");
    // The fast path (low mark 93216kB = 23304) fails as well.
    expect(e.zonelist[0]?.fast).toMatchObject({ markName: "low", mark: 23304, ok: false });
    // The buddy layer's zoneWatermarkOk agrees zone by zone.
    expect(e.zonelist.map((z) => z.buddyVerdict)).toEqual([false, false, false]);
    // What would have helped: without the 7168-page boost Normal's min is 12909 and 19840 > 12909;
    // without __GFP_NOMEMALLOC kswapd (PF_MEMALLOC) would have had ALLOC_NO_WATERMARKS.
    expect(e.suggestions.map((s) => s.kind)).toEqual(["watermark-boost", "different-mask"]);
    expect(e.suggestions[0]?.text).toContain("usable 19840 > 12909 + 0");
    expect(e.notes[0]).toContain("PF_MEMALLOC");
  });

  it("6.8.9 ppc32: kswapd0 order-0 GFP_ATOMIC → not-explained (passes once the boost is dropped)", () => {
    // Kernel 6.8.9. GFP_ATOMIC = 0x820 = __GFP_HIGH 0x20 | __GFP_KSWAPD_RECLAIM 0x800 (6.3+). gfp_zone = Normal,
    // index 1 in the 32-bit layout DMA, Normal, HighMem, Movable (lowmem_reserve[] has 4 entries). Only DMA is printed
    // (Normal is empty on this machine), lowmem_reserve[1] = 0.
    // Slow path: WMARK_MIN | MIN_RESERVE (__GFP_HIGH) | KSWAPD; no direct reclaim and no __GFP_NOMEMALLOC → NON_BLOCK;
    // order 0 → no HIGHATOMIC; MIN_RESERVE clears CPUSET.
    // DMA: free 1680kB = 420; min 7548kB = 1887 (boost 4096kB = 1024 included).
    //   __zone_watermark_ok: reserves → no highatomic subtraction; min 1887 − 943 = 944; − 944/4 (236) = 708;
    //   420 ≤ 708 → fail. zone_watermark_fast then retries order 0 + MIN_RESERVE + boost ≠ 0 + WMARK_MIN with
    //   the raw min 1887 − 1024 = 863: 863 − 431 = 432; 432 − 108 = 324; 420 > 324 → pass.
    // So the printed counters would have allowed the allocation → kind "not-explained".
    const e = explainReport(report(fixture(F689)));
    expect(e.kind).toBe("not-explained");
    expect(e.zone).toMatchObject({ name: "Normal", index: 1, arch: "i386" });
    expect(e.zonelist.map((z) => z.name)).toEqual(["DMA"]);
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_NON_BLOCK", "ALLOC_MIN_RESERVE", "ALLOC_KSWAPD"]);
    const c = slow(e, "DMA");
    expect(c).toMatchObject({ mark: 1887, boost: 1024, usable: 420, minAfterFlags: 708, lowmemReserve: 0, ok: true });
    expect(c.boostRetry).toMatchObject({ mark: 863, minAfterFlags: 324, usable: 420, ok: true });
    expect(c.steps).toEqual([
      "mark = min 1887 pages (includes boost 1024)",
      "ALLOC_MIN_RESERVE: min = 1887 − 1887/2 = 944",
      "ALLOC_NON_BLOCK: min = 944 − 944/4 = 708",
      "usable = free 420 − (2^0 − 1 = 0) = 420",
      "420 ≤ min 708 + lowmem_reserve 0 = 708: below the watermark",
    ]);
    expect(e.zonelist[0]?.buddyVerdict).toBe(true);
    // Margin 420 − 324 = 96 pages = 384 kB.
    expect(e.suggestions).toEqual([expect.objectContaining({ kind: "min_free_kbytes", text: expect.stringContaining("only 96 pages (384 kB) above its threshold 324") })]);
  });

  it("4.8: modprobe order-4 GFP_KERNEL → fragmentation (enough free pages, no order ≥ 4 block)", () => {
    // Kernel 4.8. mode 0x26040c0 = GFP_KERNEL 0x24000c0 | __GFP_COMP 0x4000 | __GFP_NOTRACK 0x200000. gfp_zone =
    // Normal (2). Zonelist: Normal, DMA32, DMA. 4.4–6.2 rules: no __GFP_ATOMIC → no ALLOC_HARDER; no __GFP_HIGH.
    // 4.4+ check: free − (2^4 − 1) − nr_reserved_highatomic (not printed by 4.8 → 0; it could only lower free)
    // − free_cma (0) > min + lowmem_reserve[2]; then a block of order ≥ 4 on an Unmovable/Movable/Reclaimable list.
    // Normal: 56184kB = 14046 − 15 = 14031 > min 44200kB = 11050 + 0 → free test passes; orders 4..10 all 0 → fail.
    // DMA32: 133192kB = 33298 − 15 = 33283 > 5811 + 4994 = 10805 → passes; orders 4..10 all 0 → fail.
    // DMA: 15908kB = 3977 − 15 = 3962 ≤ 34 + 7621 = 7655 → below the watermark.
    // Zones with enough free pages but no block → kind "fragmentation".
    // Order 3 instead: Normal has no block ≥ 3 (counts 0), DMA32 has 10 blocks of order 3 (U): 33298 − 7 = 33291 >
    // 10805 and an Unmovable block → would pass.
    const e = explainReport(report(fixture(F48)));
    expect(e.kind).toBe("fragmentation");
    expect(e.version).toBe("4.8.0");
    // (ALLOC_KSWAPD exists from 5.0.)
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_CPUSET"]);
    expect(e.allows).toMatchObject({ directReclaim: true, compaction: true, costly: true, retryMayFail: false });
    expect(e.allows?.retries).toContain("__GFP_REPEAT");
    expect(slow(e, "Normal")).toMatchObject({ usable: 14031, minAfterFlags: 11050, lowmemReserve: 0, passesFreeTest: true, highatomicKnown: false, outcome: "no-suitable-block" });
    expect(slow(e, "Normal").orders.map((o) => o.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(slow(e, "DMA32")).toMatchObject({ usable: 33283, minAfterFlags: 5811, lowmemReserve: 4994, outcome: "no-suitable-block" });
    expect(slow(e, "DMA")).toMatchObject({ usable: 3962, minAfterFlags: 34, lowmemReserve: 7621, outcome: "below-watermark" });
    expect(e.zonelist.map((z) => z.buddyVerdict)).toEqual([false, false, false]);
    expect(e.suggestions.map((s) => s.kind)).toEqual(["compaction", "lower-order"]);
    expect(e.suggestions[0]?.text).toContain("largest free block is order 2");
    expect(e.suggestions[1]?.text).toContain("order-3 request would have passed in zone DMA32 (10 free blocks");
  });
});

describe("a fourth real report (4.1.18 arm64 Android): the pre-4.4 per-order loop", () => {
  it("sManagerService order-2 0x2000d1 (GFP_KERNEL|__GFP_DMA) → fragmentation", () => {
    // 4.1: mode 0x2000d1 has __GFP_DMA (0x1) → gfp_zone = DMA (index 0 in arm64's DMA, Normal, Movable); __GFP_WAIT
    // (0x10) is set, so no ALLOC_HARDER; no __GFP_HIGH. Slow path: WMARK_MIN | CPUSET. Zonelist: DMA only.
    // zone_watermark_ok (≤ 4.3): free = 470628kB/4 = 117657 − 2^2 + 1 = 117654 > min 6800kB = 1700 + lowmem_reserve[0] 0.
    // Per-order loop: o=0: 117654 − 68324 = 49330 > 1700>>1 = 850; o=1: 49330 − 24706×2 = −82 ≤ 850>>1 = 425 → fail.
    // Enough free pages, too few in blocks of order ≥ 2 (2×4 = 8 pages) → fragmentation.
    const e = explainReport(report(fixture(F41)), { arch: "arm64" });
    expect(e.kind).toBe("fragmentation");
    expect(e.version).toBe("4.1.18");
    expect(e.zone).toMatchObject({ name: "DMA", index: 0, arch: "arm64" });
    expect(e.zonelist.map((z) => z.name)).toEqual(["DMA"]);
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_CPUSET"]);
    expect(e.gfp?.bits).toContain("__GFP_DMA");
    const c = slow(e, "DMA");
    expect(c).toMatchObject({ usable: 117654, minAfterFlags: 1700, lowmemReserve: 0, passesFreeTest: true, outcome: "no-suitable-block" });
    expect(c.steps.slice(-2)).toEqual(["order 0: free 117654 − 68324×1 = 49330 > min/2^1 = 850", "order 1: free 49330 − 24706×2 = -82 ≤ min/2^2 = 425"]);
    expect(e.zonelist[0]?.buddyVerdict).toBe(false);
    expect(e.suggestions[0]?.text).toContain("only 8 of its 117657 free pages are in blocks of order ≥ 2, and the check wants more than min/2^2 = 425 there");
    // Without --arch the layout is assumed (DMA is index 0 either way) and said so.
    const assumed = explainReport(report(fixture(F41)));
    expect(assumed.kind).toBe("fragmentation");
    expect(assumed.notes[0]).toContain("zone layout assumed");
  });
});

describe("other diagnoses", () => {
  it("the 6.19 report with its Mem-Info removed → insufficient-data, not a guess", () => {
    const text = fixture(F619).split("\n").slice(0, 6).join("\n");
    const r = report(text);
    expect(r.memInfo).toBeNull();
    const e = explainReport(r);
    expect(e.kind).toBe("insufficient-data");
    expect(e.zonelist).toEqual([]);
    expect(e.summary).toContain("no Mem-Info");
  });

  it("no kernel release in the report and none given → insufficient-data; --kernel supplies it", () => {
    const r = report("a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)\nMem-Info:\nNormal free:400kB min:800kB low:1000kB high:1200kB\nlowmem_reserve[]: 0 0 0 0\nNormal: 100*4kB = 400kB\n");
    expect(explainReport(r).kind).toBe("insufficient-data");
    // 6.18, GFP_KERNEL → Normal (i386 layout: DMA, Normal, HighMem, Movable → index 1). 100 ≤ 200 + 0 → watermark.
    const e = explainReport(r, { version: "6.18" });
    expect(e.versionFrom).toBe("option");
    expect(e.kind).toBe("watermark");
    expect(slow(e, "Normal")).toMatchObject({ usable: 100, minAfterFlags: 200, ok: false });
  });

  it("a version that cannot be read is a typed error", () => {
    const r = report("a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)\n");
    expect(() => explainReport(r, { version: "banana" })).toThrow(ReportExplainError);
  });

  it("GFP_DMA with only a Normal zone printed → no-eligible-zone", () => {
    // 6.18 x86_64: GFP_DMA (0x1) → gfp_zone DMA (0); the report shows DMA32 and Normal only (index 1, 2 > 0).
    const r = report(
      [
        "a: page allocation failure: order:0, mode:0x1(GFP_DMA)",
        "CPU: 0 PID: 1 Comm: a Not tainted 6.18.0 #1",
        "Mem-Info:",
        "Node 0 DMA32 free:4000kB min:400kB low:500kB high:600kB",
        "lowmem_reserve[]: 0 0 100 100 100",
        "Node 0 Normal free:4000kB min:400kB low:500kB high:600kB",
        "lowmem_reserve[]: 0 0 0 0 0",
      ].join("\n"),
    );
    const e = explainReport(r);
    expect(e.zone).toMatchObject({ name: "DMA", index: 0 });
    expect(e.kind).toBe("no-eligible-zone");
  });

  it("free blocks only on HighAtomic lists for a GFP_KERNEL order-2 request → highatomic-reserve", () => {
    // 6.18: GFP_KERNEL has no reserve access, so (6.12+) free_highatomic 2048KB = 512 pages is subtracted:
    // usable = 5000 − 3 − 512 = 4485 > min 1000 + 0 → enough pages; but every block of order ≥ 2 is on a
    // HighAtomic list (letters "H"), which needs ALLOC_HIGHATOMIC → highatomic-reserve.
    const r = report(
      [
        "a: page allocation failure: order:2, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0",
        "CPU: 0 UID: 0 PID: 1 Comm: a Not tainted 6.18.0 #1",
        "Mem-Info:",
        "Node 0 DMA32 free:20000kB boost:0kB min:4000kB low:5000kB high:6000kB reserved_highatomic:2048KB free_highatomic:2048KB free_cma:0kB",
        "lowmem_reserve[]: 0 0 0 0 0",
        "Node 0 DMA32: 4488*4kB (UME) 0*8kB 128*16kB (H) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 20000kB",
      ].join("\n"),
    );
    const e = explainReport(r);
    expect(e.kind).toBe("highatomic-reserve");
    expect(slow(e, "DMA32")).toMatchObject({ usable: 4485, highatomic: 512, minAfterFlags: 1000, outcome: "highatomic-reserve" });
    expect(e.zonelist[0]?.buddyVerdict).toBe(false);
  });

  const highatomicReport = (version: string) =>
    report(
      [
        "a: page allocation failure: order:2, mode:0x800(__GFP_KSWAPD_RECLAIM), nodemask=(null),cpuset=/,mems_allowed=0",
        `CPU: 0 UID: 0 PID: 1 Comm: a Not tainted ${version} #1`,
        "Mem-Info:",
        "Node 0 DMA32 free:20000kB boost:0kB min:4000kB low:5000kB high:6000kB reserved_highatomic:2048KB free_highatomic:2048KB free_cma:0kB",
        "lowmem_reserve[]: 0 0 0 0 0",
        "Node 0 DMA32: 4488*4kB (UME) 0*8kB 128*16kB (H) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 20000kB",
      ].join("\n"),
    );

  it("6.3–6.16: a non-blocking order-2 request without __GFP_HIGH may use HighAtomic blocks", () => {
    // gfp_to_alloc_flags (6.3, commit 1ebbb21811b7): no __GFP_DIRECT_RECLAIM and no __GFP_NOMEMALLOC → ALLOC_NON_BLOCK,
    // and for order > 0 ALLOC_HIGHATOMIC with no __GFP_HIGH condition (until 6.17). With ALLOC_RESERVES the highatomic
    // pages are not subtracted: usable = 5000 − 3 = 4997 > min 1000 (no MIN_RESERVE, so min is not lowered) + 0; the
    // order-2 blocks are on the HighAtomic list, usable with ALLOC_HIGHATOMIC → pass → not-explained.
    const e = explainReport(highatomicReport("6.8.0"));
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_NON_BLOCK", "ALLOC_CPUSET", "ALLOC_HIGHATOMIC", "ALLOC_KSWAPD"]);
    expect(e.allows?.highatomic).toBe(true);
    expect(slow(e, "DMA32")).toMatchObject({ usable: 4997, highatomic: 0, minAfterFlags: 1000, ok: true });
    expect(e.kind).toBe("not-explained");
    // the buddy layer's zoneWatermarkOk, given the same flags, agrees
    expect(e.zonelist[0]?.buddyVerdict).toBe(true);
    expect(e.notes).toEqual([]);
  });

  it("6.17+: the same request gets no ALLOC_HIGHATOMIC and the HighAtomic blocks do not count", () => {
    // 6a204d4b14c9 (6.17): ALLOC_HIGHATOMIC only with ALLOC_MIN_RESERVE (__GFP_HIGH). ALLOC_NON_BLOCK still makes the
    // request ALLOC_RESERVES, so free_highatomic is not subtracted and 4997 > 1000 passes the free-page test; but the
    // per-order loop finds order ≥ 2 blocks only on the HighAtomic list, which needs ALLOC_HIGHATOMIC/ALLOC_OOM → fail.
    const e = explainReport(highatomicReport("6.18.0"));
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_NON_BLOCK", "ALLOC_CPUSET", "ALLOC_KSWAPD"]);
    expect(e.allows?.highatomic).toBe(false);
    expect(slow(e, "DMA32")).toMatchObject({ usable: 4997, minAfterFlags: 1000, ok: false });
    expect(e.kind).toBe("highatomic-reserve");
    expect(e.zonelist[0]?.buddyVerdict).toBe(false);
  });

  it("2.6.24: GFP_ATOMIC order 1 with the per-order loop → fragmentation", () => {
    // 2.6.24 (given), i386 layout; mode 0x20 = __GFP_HIGH (GFP_ATOMIC of 2.6.24), no __GFP_WAIT → the slow path
    // uses WMARK_MIN | ALLOC_HARDER | ALLOC_HIGH. gfp_zone = Normal (1). Zonelist: Normal, DMA.
    // Normal: free 3040kB = 760; min 2036kB = 509 → HIGH: 509 − 254 = 255 → HARDER: 255 − 63 = 192;
    //   free = 760 − 2 + 1 = 759 > 192 + reserve 0; loop o=0: 759 − 700 = 59, min 192 >> 1 = 96, 59 ≤ 96 → fail.
    // DMA: free 1200kB = 300; min 128kB = 32 → 16 → 12; free = 299 ≤ 12 + lowmem_reserve[1] 300 = 312 → fail.
    // Normal had the pages, not in blocks of order ≥ 1 → fragmentation.
    const r = report(
      [
        "<4>swapper: page allocation failure. order:1, mode:0x20",
        "<4>Mem-info:",
        "<4>DMA free:1200kB min:128kB low:160kB high:192kB active:0kB inactive:0kB present:16240kB pages_scanned:0 all_unreclaimable? yes",
        "<4>lowmem_reserve[]: 0 300 300 300",
        "<4>Normal free:3040kB min:2036kB low:2544kB high:3052kB active:20132kB inactive:8724kB present:243776kB pages_scanned:0 all_unreclaimable? no",
        "<4>lowmem_reserve[]: 0 0 0 0",
        "<4>DMA: 0*4kB 0*8kB 1*16kB 1*32kB 2*64kB 2*128kB 1*256kB 1*512kB 0*1024kB 0*2048kB 0*4096kB = 1200kB",
        "<4>Normal: 700*4kB 30*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 3040kB",
      ].join("\n"),
    );
    const e = explainReport(r, { version: "2.6.24" });
    expect(e.kind).toBe("fragmentation");
    expect(e.allocFlags?.slow).toEqual(["ALLOC_WMARK_MIN", "ALLOC_HARDER", "ALLOC_HIGH"]);
    expect(e.allows).toMatchObject({ directReclaim: false, compaction: false, highPriority: true });
    const n = slow(e, "Normal");
    expect(n).toMatchObject({ usable: 759, minAfterFlags: 192, passesFreeTest: true, outcome: "no-suitable-block" });
    expect(n.steps).toContain("order 0: free 759 − 700×1 = 59 ≤ min/2^1 = 96");
    expect(slow(e, "DMA")).toMatchObject({ usable: 299, minAfterFlags: 12, lowmemReserve: 300, outcome: "below-watermark" });
    expect(e.zonelist.map((z) => z.buddyVerdict)).toEqual([false, false]);
  });
});

describe("robustness", () => {
  it("explaining mutated real reports returns, or throws a PageallocError", () => {
    const texts = [fixture(F48), fixture(F689), fixture(F619)];
    fc.assert(
      fc.property(fc.nat(2), fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 6 }), (which, edits) => {
        let t = texts[which] as string;
        for (const [pos, del, ins] of edits) {
          const p = pos % (t.length + 1);
          t = t.slice(0, p) + ins + t.slice(p + del);
        }
        for (const r of parseFailureReports(t).reports) {
          try {
            const e = explainReport(r);
            expect(typeof e.kind).toBe("string");
          } catch (err) {
            expect(err).toBeInstanceOf(PageallocError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
