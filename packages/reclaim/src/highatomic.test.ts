import { describe, expect, it } from "vitest";
import { oneZone } from "./test-helpers";

// 65536 pages (128 pageblocks of 512), watermarks min 1024 / low 1280 / high 1536. 125 movable order-9 blocks are
// taken first (the fast path passes an order-9 request while free − 511 > 1280), leaving 3 free pageblocks = 1536.
function burstSetup(version: string) {
  const s = oneZone(65536, { min: 1024, low: 1280, high: 1536 }, { version });
  const movable = { highestZoneIdx: 2, migratetype: s.a.facts.mt.MOVABLE };
  for (let k = 0; k < 125; k++) expect(s.a.allocPagesRequest(movable, 9)).toBeGreaterThanOrEqual(0);
  expect(s.a.zone(0, 2).nrFreePages).toBe(1536);
  return s;
}

describe("a GFP_ATOMIC order-3 burst and the highatomic reserve (6.18)", () => {
  it("reserves up to ALIGN(managed/100, pageblock) pages, uses the reserve last, and fails at 3/8 of min", () => {
    const { a, r, gfp } = burstSetup("6.18");
    const z = a.zone(0, 2);
    const GFP_ATOMIC = gfp("GFP_ATOMIC");
    let ok = 0;
    let firstSlow = -1;
    for (;;) {
      const before = r.lastOutcome;
      const pfn = a.allocPages(GFP_ATOMIC, 3);
      if (pfn < 0) break;
      if (firstSlow < 0 && r.lastOutcome !== before) firstSlow = ok + 1;
      ok++;
    }
    // Fast path (ALLOC_WMARK_LOW): order 3 passes while free − 7 > 1280, i.e. free ≥ 1288: allocations 1..32
    // (free 1536 − 8·31 = 1288 before the 32nd). The 33rd goes to the slow path.
    expect(firstSlow).toBe(33);
    // gfp_to_alloc_flags(GFP_ATOMIC, 3): WMARK_MIN | MIN_RESERVE | NON_BLOCK | HIGHATOMIC | KSWAPD (CPUSET cleared).
    expect(r.lastOutcome!.allocFlags).toBe(a.bits.WMARK_MIN | a.bits.MIN_RESERVE | a.bits.NON_BLOCK | a.bits.HIGHATOMIC | a.bits.KSWAPD);
    // __zone_watermark_ok: min 1024 → −min/2 (MIN_RESERVE) = 512 → −min/4 (NON_BLOCK) = 384; order 3 passes while
    // free − 7 > 384, i.e. free ≥ 392 before the allocation: free = 1280 − 8·(k − 33) ≥ 392 → k ≤ 144.
    expect(ok).toBe(144);
    expect(z.nrFreePages).toBe(384);
    // reserve_highatomic_pageblock (6.15+): max = ALIGN(65536/100 = 655, 512) = 1024 pages = two pageblocks. Order-3
    // requests are served from the per-cpu lists first (rmqueue_bulk → __rmqueue never takes HIGHATOMIC lists); only
    // when the normal lists are empty does rmqueue_buddy take the reserve. So the third claimed pageblock is used up
    // first and the 384 pages left at the failure are all in the reserve.
    expect(z.nrReservedHighatomic).toBe(1024);
    expect(z.nrFreeHighatomic).toBe(384);
    // GFP_ATOMIC cannot reclaim: nopage, and warn_alloc reports the highatomic state.
    const out = r.lastOutcome!;
    expect(out.result).toBe("nopage");
    expect(out.reason).toMatch(/__GFP_DIRECT_RECLAIM/);
    const lines = out.report!.split("\n");
    expect(lines[0]).toBe("sim: page allocation failure: order:3, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0");
    expect(lines.find((l) => l.startsWith("Node 0 Normal free:"))).toContain("free:1536kB boost:0kB min:4096kB low:5120kB high:6144kB reserved_highatomic:4096KB free_highatomic:1536KB");
    // kswapd was woken on the first slow-path entry
    expect(r.kswapdWoken(0)).toBe(true);
  });

  it("6.14 allows managed/100 + pageblock = 655 + 512 = 1167 pages: a third pageblock is reserved (1536)", () => {
    const { a, gfp } = burstSetup("6.14");
    const z = a.zone(0, 2);
    let ok = 0;
    while (a.allocPages(gfp("GFP_ATOMIC"), 3) >= 0) ok++;
    // 6.12+ watermark arithmetic is the same; only the reserve maximum differs: 0 → 512 → 1024 < 1167 → 1536.
    expect(ok).toBe(144);
    expect(z.nrReservedHighatomic).toBe(1536);
  });
});

describe("the same burst on 2.6.24: no highatomic reserve, MIGRATE_RESERVE is the last resort", () => {
  it("serves the tail of the burst from the RESERVE pageblocks and fails at 3/8 of pages_min", () => {
    // setup_zone_migrate_reserve(): ceil(pages_min 1024 / 512) = 2 pageblocks (pfn 0 and 512) become RESERVE, so the
    // 125 movable order-9 allocations take the other blocks and 1536 pages stay free: one MOVABLE pageblock and the
    // 1024 pages of the RESERVE blocks.
    const { a, r, gfp } = burstSetup("2.6.24");
    const z = a.zone(0, 2);
    const RESERVE = a.facts.mt.RESERVE;
    expect(z.pageblockMt(0)).toBe(RESERVE);
    expect(z.pageblockMt(512)).toBe(RESERVE);
    let ok = 0;
    let last = -1;
    for (let pfn = a.allocPages(gfp("GFP_ATOMIC"), 3); pfn >= 0; pfn = a.allocPages(gfp("GFP_ATOMIC"), 3)) {
      ok++;
      last = pfn;
    }
    // 2.6.24 zone_watermark_ok: free − 2^order + 1 > min, and for o < order: free −= nr_free[o] << o, min >>= 1 (no
    // free blocks below order 3 ever exist here, every split leaves orders 3..9). Fast path at pages_low 1280: 32
    // allocations; slow path ALLOC_WMARK_MIN|ALLOC_HIGH|ALLOC_HARDER: 1024 − 512 − 128 = 384, so free ≥ 392 before
    // each allocation: 144 in all, as on 6.x. The UNMOVABLE requests take the MOVABLE pageblock (64 allocations),
    // then __rmqueue_fallback has nothing but MIGRATE_RESERVE: the last 80 come from the reserve.
    expect(ok).toBe(144);
    expect(z.nrFreePages).toBe(384);
    expect(z.pageblockMt(last)).toBe(RESERVE);
    let reserveFree = 0;
    for (let o = 0; o < a.nrOrders; o++) reserveFree += z.listLen[o * z.nrTypes + RESERVE]! * 2 ** o;
    expect(reserveFree).toBe(384);
    expect(r.lastOutcome!.report!.split("\n")[0]).toBe("sim: page allocation failure. order:3, mode:0x20");
  });
});
