// /proc/buddyinfo of other machines and kernels (sources in __fixtures__/realworld/README.md); expected counts
// are read off the text by hand.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBuddyinfo } from "./buddyinfo";
import { InvalidBuddyinfoError } from "./errors";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", "realworld", name), "utf8");

describe("real buddyinfo of old kernels", () => {
  it("2.6.12 i386 16 GB: DMA, Normal, HighMem, 11 orders", () => {
    const z = parseBuddyinfo(fixture("buddyinfo-2.6.12-i386-16g.txt"));
    expect(z.map((x) => x.zone)).toEqual(["DMA", "Normal", "HighMem"]);
    // "Node 0, zone   Normal   7236   3020   3885    104      7      0      0      0      0      0      1"
    expect(z[1]?.nrFree).toEqual([7236, 3020, 3885, 104, 7, 0, 0, 0, 0, 0, 1]);
    expect(z[2]?.nrFree[1]).toBe(503);
  });
  it("3.16 arm: one Normal zone", () => {
    const z = parseBuddyinfo(fixture("buddyinfo-3.16-arm-lg.txt"));
    expect(z).toEqual([{ nid: 0, zone: "Normal", nrFree: [9880, 1489, 647, 332, 177, 64, 24, 10, 1, 1, 1] }]);
  });
  it("3.1 arm Android after an order-3 GFP_ATOMIC failure: 7000 kB free, only 15 blocks of order ≥ 3", () => {
    const z = parseBuddyinfo(fixture("buddyinfo-3.1-arm-android.txt"));
    expect(z[0]?.nrFree).toEqual([949, 0, 0, 2, 3, 3, 0, 0, 1, 1, 0]);
    // Σ count × 4kB × 2^order = 949×4 + 2×32 + 3×64 + 3×128 + 1×1024 + 1×2048 = 7508 kB (meminfo MemFree: 7000 kB, read later)
    expect(z[0]?.nrFree.reduce((a, n, o) => a + n * 4 * 2 ** o, 0)).toBe(7508);
  });
  it("5.x arm32: lines wrapped by a mail client after order 6 are joined", () => {
    const z = parseBuddyinfo(fixture("buddyinfo-5.x-arm32-wrapped.txt"));
    expect(z.map((x) => [x.zone, x.nrFree])).toEqual([
      ["Normal", [2, 1, 9, 15, 11, 2, 1, 0, 1, 1, 0]],
      ["HighMem", [0, 2, 5, 6, 0, 0, 0, 0, 0, 0, 0]],
    ]);
  });
  it("a count-only line with nothing to continue is an error at its line", () => {
    expect(() => parseBuddyinfo("\n     0      1\n")).toThrow(InvalidBuddyinfoError);
    try {
      parseBuddyinfo("Node 0, zone   Normal 1 2\n\n     0      1\n");
    } catch (e) {
      expect((e as InvalidBuddyinfoError).location).toBe("buddyinfo:3");
    }
    // joined, but then one zone has more orders than the others: the line of that zone is named
    expect(() => parseBuddyinfo("Node 0, zone DMA 1 2\nNode 0, zone Normal 1 2\n 3\n")).toThrow(/expected 2 order columns, found 3/);
  });
});
