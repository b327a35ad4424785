import { describe, expect, it } from "vitest";
import { formatCpulist, formatMemRange, formatPhysAddr, formatSize, parseCpulist, parseSize } from "./units";

describe("parseSize (memparse rules: binary suffixes K..E, decimal or 0x hex)", () => {
  it.each([
    ["4096", 4096n],
    ["0x9f000", 0x9f000n],
    ["4K", 4096n],
    ["512M", 512n << 20n],
    ["4G", 4n << 30n],
    ["4g", 4n << 30n],
    ["4GiB", 4n << 30n],
    ["2T", 2n << 40n],
    ["1P", 1n << 50n],
    ["0x100000000", 1n << 32n],
    [4096, 4096n],
    [0, 0n],
  ] as const)("%j", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "x", "-4K", "4Q", "1.5G", "0x", null, -1, 1.5, 2 ** 60, {}, []])("rejects %j", (v) => {
    expect(parseSize(v)).toBeNull();
  });
});

describe("CPU lists (bitmap_parselist format)", () => {
  it("parses and formats the sysfs cpulist format", () => {
    expect(parseCpulist("0-15,32-47\n")).toEqual([...Array(16).keys(), ...Array.from({ length: 16 }, (_, i) => 32 + i)]);
    expect(parseCpulist("")).toEqual([]);
    expect(parseCpulist("3-1")).toBeNull();
    expect(parseCpulist("a")).toBeNull();
    expect(formatCpulist([16, 17, 18, 19, 48, 50, 51])).toBe("16-19,48,50-51");
  });
});

describe("kernel range notation", () => {
  it("formats like the live boot log 'node 0: [mem 0x...-0x...]' (kernel-facts 2.2)", () => {
    expect(formatMemRange(0x100, 0xc0000)).toBe("[mem 0x0000000000100000-0x00000000bfffffff]");
    expect(formatMemRange(0x100000, 0x640000)).toBe("[mem 0x0000000100000000-0x000000063fffffff]");
    expect(formatPhysAddr(0xffff888000000000n)).toBe("0xffff888000000000");
  });

  it("formatSize is read back by parseSize", () => {
    for (const b of [0n, 1n, 4096n, 651264n, 3n << 30n, 5n << 40n]) expect(parseSize(formatSize(b))).toBe(b);
    expect(formatSize(128n << 30n)).toBe("128G");
  });
});
