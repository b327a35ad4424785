import { expect, it } from "vitest";
import { defaultMinFreeKbytes, intSqrt, minFreeKbytes, thpRecommendedMinFreeKbytes } from "./min-free-kbytes";

// The kernel's comment table beside calculate_min_free_kbytes() (kernel-facts §4.1), checked
// by hand against the formula: the comment says 11584k for 8192MB, but
// int_sqrt(8388608 * 16) = int_sqrt(134217728) = 11585 (11585^2 = 134212225 <= 134217728 < 11586^2),
// so the code, which we model, gives 11585.
it.each([
  [16, 512], [32, 724], [64, 1024], [128, 1448], [256, 2048], [512, 2896],
  [1024, 4096], [2048, 5792], [4096, 8192], [8192, 11585], [16384, 16384],
])("%i MB of lowmem -> %i kB", (mb, kb) => {
  expect(defaultMinFreeKbytes(mb * 1024)).toBe(kb);
});

it("int_sqrt floors", () => {
  expect(intSqrt(15)).toBe(3);
  expect(intSqrt(16)).toBe(4);
  expect(intSqrt(2 ** 52 + 1)).toBe(2 ** 26);
});

it("clamps to [128, 65536] before 5.7 and [128, 262144] from 5.7", () => {
  // 1 TiB of lowmem: int_sqrt(2^30 * 16) = 2^17 = 131072
  expect(minFreeKbytes({ lowmemKbytes: 2 ** 30, version: "5.6" })).toBe(65536);
  expect(minFreeKbytes({ lowmemKbytes: 2 ** 30, version: "5.7" })).toBe(131072);
  expect(minFreeKbytes({ lowmemKbytes: 100 })).toBe(128); // int_sqrt(1600) = 40 -> 128
});

it("a user value at least as large as the computed one is kept", () => {
  expect(minFreeKbytes({ lowmemKbytes: 1024 * 1024, userMinFreeKbytes: 90000 })).toBe(90000);
  expect(minFreeKbytes({ lowmemKbytes: 1024 * 1024, userMinFreeKbytes: 1000 })).toBe(4096);
});

it("THP recommendation: live 67584 kB (512 × 3 zones × 11 pages × 4) and the 5% cap", () => {
  expect(thpRecommendedMinFreeKbytes({ pageblockNrPages: 512, nrZones: 3, nrFreeBufferPages: 915150 })).toBe(67584);
  // 100000 lowmem pages: 5% = 5000 pages < 16896 -> 20000 kB
  expect(thpRecommendedMinFreeKbytes({ pageblockNrPages: 512, nrZones: 3, nrFreeBufferPages: 100000 })).toBe(20000);
});
