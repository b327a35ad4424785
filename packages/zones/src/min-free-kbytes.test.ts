import { expect, it } from "vitest";
import { defaultMinFreeKbytes, intSqrt } from "./min-free-kbytes";

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
