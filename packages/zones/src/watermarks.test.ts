import { describe, expect, it } from "vitest";
import { defaultLowmemReserveRatio, lowmemReserve, totalreservePages, zoneWatermarks } from "./watermarks";

// Expected values: live /proc/zoneinfo snapshots of the 6.18 machine quoted in kernel-facts §4.2/§4.4/§4.5,
// and hand arithmetic from the kernel formulas written next to each case.
const x86 = (dma: number, dma32: number, normal: number) =>
  [
    { name: "DMA", pages: dma },
    { name: "DMA32", pages: dma32 },
    { name: "Normal", pages: normal },
    { name: "Movable", pages: 0 },
    { name: "Device", pages: 0 },
  ] as const;

const fmt = (w: { min: number; low: number; high: number; promo?: number }) => [w.min, w.low, w.high, w.promo].join("/");

describe("zoneWatermarks (6.18)", () => {
  it.each([
    // snapshot 1, 2, 3 of kernel-facts §4.2 (min_free_kbytes 67584, wsf 10)
    [163840, ["68/85/102/119", "13883/17353/20823/24293", "2943/3678/4413/5148"]],
    [720896, ["43/53/63/73", "8719/10898/13077/15256", "8133/10166/12199/14232"]],
    [917504, ["38/47/56/65", "7707/9633/11559/13485", "9150/11437/13724/16011"]],
  ] as const)("Normal managed %i reproduces the live snapshot", (normal, expected) => {
    const w = zoneWatermarks(x86(3840, 772808, normal), { minFreeKbytes: 67584 });
    expect(w.slice(0, 3).map(fmt)).toEqual(expected);
    expect(fmt(w[3])).toBe("32/32/32/32"); // Movable: clamp(0/1024, 32, 128), delta 0
    expect(fmt(w[4])).toBe("0/0/0/0"); // Device: tmp = 0
  });

  it("watermark_scale_factor wins over tmp/4 when large", () => {
    // wsf 1000 (10%): DMA32 delta = max(8719>>2 = 2179, 772808*1000/10000 = 77280) = 77280
    const w = zoneWatermarks(x86(3840, 772808, 720896), { minFreeKbytes: 67584, watermarkScaleFactor: 1000 });
    expect(fmt(w[1])).toBe(`8719/${8719 + 77280}/${8719 + 2 * 77280}/${8719 + 3 * 77280}`);
  });

  it("2.6.24: low = min + tmp/4, high = min + tmp/2, HighMem min clamped, no promo", () => {
    // i386 1 GiB: DMA present 4096-ish, Normal 221184, HighMem 32768; min_free_kbytes 3831 -> pages_min 957
    // lowmem = 3000 + 221184 = 224184. DMA tmp = 957*3000/224184 = 12 (12.8) -> 12/15/18
    // Normal tmp = 957*221184/224184 = 944 (944.19) -> 944/1180/1416
    // HighMem tmp = 957*32768/224184 = 139 (139.88); min = clamp(32768/1024 = 32, 32, 128) = 32 -> 32/66/101
    const w = zoneWatermarks(
      [{ name: "DMA", pages: 3000 }, { name: "Normal", pages: 221184 }, { name: "HighMem", pages: 32768 }, { name: "Movable", pages: 0 }],
      { minFreeKbytes: 3831, version: "2.6.24" },
    );
    expect(w.map(fmt)).toEqual(["12/15/18/", "944/1180/1416/", "32/66/101/", "0/0/0/"]);
  });

  it("before 6.0 an x86_64 Movable zone counts as lowmem and gets tmp as its min", () => {
    // 5.15: Normal 1000000, Movable 1000000, min_free_kbytes 16384 -> pages_min 4096, lowmem 2000000
    // each tmp = 4096*1000000/2000000 = 2048; delta = max(512, 1000) = 1000 -> 2048/3048/4048/5048
    const zones = [{ name: "Normal", pages: 1000000 }, { name: "Movable", pages: 1000000 }] as const;
    expect(zoneWatermarks(zones, { minFreeKbytes: 16384, version: "5.15" }).map(fmt)).toEqual(["2048/3048/4048/", "2048/3048/4048/"]);
    // 6.0+: lowmem = 1000000 -> Normal tmp 4096, delta max(1024, 1000) -> 4096/5120/6144/7168;
    // Movable min = clamp(1000000/1024 = 976, 32, 128) = 128, tmp = 4096 -> delta 1024 -> 128/1152/2176/3200
    expect(zoneWatermarks(zones, { minFreeKbytes: 16384, version: "6.0" }).map(fmt)).toEqual(["4096/5120/6144/7168", "128/1152/2176/3200"]);
  });
});

describe("lowmem_reserve", () => {
  it("reproduces the live protection tuples (snapshots 1-3)", () => {
    const r = (normal: number) => lowmemReserve([3840, 772808, normal, 0, 0], [256, 256, 32, 0, 0], "6.18");
    expect(r(163840).slice(0, 2)).toEqual([[0, 3018, 3658, 3658, 3658], [0, 0, 640, 640, 640]]);
    expect(r(720896)).toEqual([[0, 3018, 5834, 5834, 5834], [0, 0, 2816, 2816, 2816], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    expect(r(917504)[0]).toEqual([0, 3018, 6602, 6602, 6602]);
  });

  it("ratio 0: 2.6.24 treats it as 1, 4.16+ as no reserve; ≈5.9+ empty zones reserve nothing", () => {
    expect(lowmemReserve([100, 200, 300], [0, 0, 0], "2.6.24")[0]).toEqual([0, 200, 500]);
    expect(lowmemReserve([100, 200, 300], [0, 0, 0], "4.19")[0]).toEqual([0, 0, 0]);
    expect(lowmemReserve([0, 200, 300], [2, 2, 0], "5.4")[0]).toEqual([0, 100, 250]);
    expect(lowmemReserve([0, 200, 300], [2, 2, 0], "6.18")[0]).toEqual([0, 0, 0]);
  });

  it("default ratios per version", () => {
    expect(defaultLowmemReserveRatio(["DMA", "DMA32", "Normal", "Movable"], "2.6.24")).toEqual([256, 256, 32, 0]);
    expect(defaultLowmemReserveRatio(["DMA", "Normal", "HighMem", "Movable"], "6.18")).toEqual([256, 32, 0, 0]);
  });
});

it("totalreserve_pages reproduces the second trace value 31932 (snapshot 2)", () => {
  // DMA min(5834+63, 3840) = 3840; DMA32 2816+13077 = 15893; Normal 0+12199; Movable min(32, 0) = 0 -> 31932
  expect(
    totalreservePages([
      { pages: 3840, high: 63, lowmemReserve: [0, 3018, 5834, 5834, 5834] },
      { pages: 772808, high: 13077, lowmemReserve: [0, 0, 2816, 2816, 2816] },
      { pages: 720896, high: 12199, lowmemReserve: [0, 0, 0, 0, 0] },
      { pages: 0, high: 32, lowmemReserve: [0, 0, 0, 0, 0] },
      { pages: 0, high: 0, lowmemReserve: [0, 0, 0, 0, 0] },
    ]),
  ).toBe(31932);
});
