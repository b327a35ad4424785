import { describe, expect, it } from "vitest";
import { allocFlagBits } from "./alloc-flags";
import { buddyVersionFacts } from "./version";
import { type WatermarkZoneView, zoneWatermarkOk } from "./watermark";

function view(over: Partial<WatermarkZoneView> = {}, lists: Record<string, boolean> = {}): WatermarkZoneView {
  return {
    lowmemReserve: [0, 0, 0, 0, 0],
    nrReservedHighatomic: 0,
    nrFreeHighatomic: 0,
    nrFreeCma: 0,
    nrFree: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    hasFree: (o, mt) => lists[`${o}/${mt}`] ?? false,
    ...over,
  };
}

describe("__zone_watermark_ok, 6.18 (kernel-facts §5.2)", () => {
  const f = buddyVersionFacts("6.18");
  const b = allocFlagBits("non-block");
  const ok = (z: WatermarkZoneView, order: number, mark: number, flags: number, free: number, idx = 2) => zoneWatermarkOk(f, b, z, order, mark, idx, flags, free);

  it("order 0: free must exceed min + lowmem_reserve", () => {
    expect(ok(view(), 0, 100, b.WMARK_LOW, 101)).toBe(true);
    expect(ok(view(), 0, 100, b.WMARK_LOW, 100)).toBe(false); // free ≤ min fails
    // lowmem_reserve[2] = 3018 (live DMA protection): 3100 ≤ 100 + 3018
    expect(ok(view({ lowmemReserve: [0, 3018, 3018] }), 0, 100, b.WMARK_LOW, 3100)).toBe(false);
    expect(ok(view({ lowmemReserve: [0, 3018, 3018] }), 0, 100, b.WMARK_LOW, 3119)).toBe(true);
  });

  it("GFP_ATOMIC (MIN_RESERVE | NON_BLOCK) may dig to 3/8 of the mark", () => {
    const atomic = b.WMARK_MIN | b.MIN_RESERVE | b.NON_BLOCK;
    // min = 100 − 100/2 = 50; then − 50/4 = 12 → 38
    expect(ok(view(), 0, 100, atomic, 39)).toBe(true);
    expect(ok(view(), 0, 100, atomic, 38)).toBe(false);
    // __GFP_HIGH alone (blocking): 50 % of the mark
    expect(ok(view(), 0, 100, b.MIN_RESERVE, 51)).toBe(true);
    expect(ok(view(), 0, 100, b.MIN_RESERVE, 50)).toBe(false);
    // NON_BLOCK without MIN_RESERVE does not lower min
    expect(ok(view(), 0, 100, b.NON_BLOCK, 100)).toBe(false);
    // OOM victims: min − min/2
    expect(ok(view(), 0, 100, b.OOM, 51)).toBe(true);
  });

  it("free highatomic pages are unusable without reserve access (6.12+: nr_free_highatomic)", () => {
    const z = view({ nrFreeHighatomic: 20, nrReservedHighatomic: 512 });
    expect(ok(z, 0, 100, 0, 120)).toBe(false); // 120 − 20 = 100 ≤ 100
    expect(ok(z, 0, 100, b.NON_BLOCK, 120)).toBe(true); // reserve access: nothing subtracted
    // 6.6 subtracted the reserved size instead: 600 − 512 = 88 ≤ 100
    expect(zoneWatermarkOk(buddyVersionFacts("6.6"), b, z, 0, 100, 2, 0, 600)).toBe(false);
    expect(ok(z, 0, 100, 0, 600)).toBe(true);
  });

  it("order > 0 needs a free block ≥ order on a usable list", () => {
    const nrFree = [500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // free 1000 − (2^3 − 1) = 993 > 100, but no block of order ≥ 3
    expect(ok(view({ nrFree }), 3, 100, 0, 1000)).toBe(false);
    const withHighatomic = view({ nrFree: [500, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] }, { "4/3": true });
    expect(ok(withHighatomic, 3, 100, 0, 1000)).toBe(false); // HIGHATOMIC list needs ALLOC_HIGHATOMIC / OOM
    expect(ok(withHighatomic, 3, 100, b.HIGHATOMIC, 1000)).toBe(true);
    const movable = view({ nrFree: [500, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] }, { "4/1": true });
    expect(ok(movable, 3, 100, 0, 1000)).toBe(true);
  });
});

describe("zone_watermark_ok, 2.6.24 per-order loop", () => {
  const f = buddyVersionFacts("2.6.24");
  const b = allocFlagBits("2.6.24");
  it("at least min/2^k pages must remain in blocks of order ≥ k", () => {
    // free = 300 − 4 + 1 = 297 > 100. k=0: 297 − 100·1 = 197 > 50. k=1: 197 − 50·2 = 97 > 25 → ok
    expect(zoneWatermarkOk(f, b, view({ nrFree: [100, 50] }), 2, 100, 2, 0, 300)).toBe(true);
    // k=0: 297 − 200 = 97 > 50. k=1: 97 − 40·2 = 17 ≤ 25 → fail
    expect(zoneWatermarkOk(f, b, view({ nrFree: [200, 40] }), 2, 100, 2, 0, 300)).toBe(false);
  });
  it("ALLOC_HIGH halves min, ALLOC_HARDER takes a quarter more (3/8 remains)", () => {
    // min = 100 − 50 = 50 − 12 = 38; free = 39 − 1 + 1 = 39 > 38
    expect(zoneWatermarkOk(f, b, view(), 0, 100, 2, b.MIN_RESERVE | b.NON_BLOCK, 39)).toBe(true);
    expect(zoneWatermarkOk(f, b, view(), 0, 100, 2, b.MIN_RESERVE | b.NON_BLOCK, 38)).toBe(false);
    expect(b.MIN_RESERVE).toBe(0x20); // ALLOC_HIGH
    expect(b.NON_BLOCK).toBe(0x10); // ALLOC_HARDER
  });
});

describe("6.2 (ALLOC_HARDER era)", () => {
  it("ALLOC_HARDER takes a quarter of min and gives the highatomic reserve", () => {
    const f = buddyVersionFacts("6.2");
    const b = allocFlagBits(f.allocFlagsEra);
    // min 100 − 25 = 75; the reserved highatomic (200) is not subtracted for alloc_harder
    expect(zoneWatermarkOk(f, b, view({ nrReservedHighatomic: 200 }), 0, 100, 2, b.NON_BLOCK, 76)).toBe(true);
    expect(zoneWatermarkOk(f, b, view({ nrReservedHighatomic: 200 }), 0, 100, 2, 0, 250)).toBe(false); // 250 − 200 ≤ 100
  });
});

describe("4.4–4.14: ALLOC_HARDER accepted a free block on any list", () => {
  // only an ISOLATE (4) block of order 4 is free; request order 3
  const z = view({ nrFree: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] }, { "4/4": true });
  it.each([
    ["4.4", true], // "if (alloc_harder) return true" once nr_free != 0 (commit 97a16fc82a7c)
    ["4.15", false], // Babka's fix: only the HIGHATOMIC list for ALLOC_HARDER
  ])("%s", (version, ok) => {
    const f = buddyVersionFacts(version);
    const b = allocFlagBits(f.allocFlagsEra);
    expect(zoneWatermarkOk(f, b, z, 3, 100, 2, b.NON_BLOCK, 1000)).toBe(ok);
    expect(zoneWatermarkOk(f, b, z, 3, 100, 2, 0, 1000)).toBe(false);
  });
});
