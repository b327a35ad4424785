import { describe, expect, it } from "vitest";
import { ARCH_NAMES, UnsupportedArchError, archFacts } from "./arch";
import { InvalidKernelVersionError, PageallocError } from "./errors";

describe("archFacts x86_64", () => {
  it("6.18: 4K pages, 46-bit physical addresses, direct map at 0xffff888000000000, 5 zones (kernel-facts 2.1 LIVE)", () => {
    const f = archFacts("x86_64", "6.18");
    expect(f.pageShift).toBe(12);
    expect(f.pageSize).toBe(4096);
    expect(f.physAddrBits).toBe(46);
    expect(f.pageOffset).toBe(0xffff888000000000n);
    expect(f.zoneTypes).toEqual(["DMA", "DMA32", "Normal", "Movable", "Device"]);
    // MAX_DMA_PFN = 16 MiB >> 12, MAX_DMA32_PFN = 4 GiB >> 12 (kernel-facts 2.2)
    expect(f.zoneLimitsPfn).toEqual({ DMA: 4096, DMA32: 1048576 });
    expect(f.lowmemLimitPfn).toBeNull();
    expect(f.is64bit).toBe(true);
    expect(f.physAddrLimit).toBe(1n << 46n);
    expect(f.pfnLimit).toBe(2 ** 34);
  });

  it("the live boot log's zone ranges follow from the limits (DMA ends at 0xffffff, DMA32 at 0xffffffff)", () => {
    const f = archFacts("x86_64");
    expect(((BigInt(f.zoneLimitsPfn.DMA!) << 12n) - 1n).toString(16)).toBe("ffffff");
    expect(((BigInt(f.zoneLimitsPfn.DMA32!) << 12n) - 1n).toString(16)).toBe("ffffffff");
  });

  it("2.6.24: direct map at 0xffff810000000000 (include/asm-x86/page_64.h), 46 bits, no ZONE_DEVICE", () => {
    const f = archFacts("x86_64", "2.6.24");
    expect(f.pageOffset).toBe(0xffff810000000000n);
    expect(f.physAddrBits).toBe(46);
    expect(f.zoneTypes).toEqual(["DMA", "DMA32", "Normal", "Movable"]);
  });

  it("the direct map moved to 0xffff880000000000 (2.6.27..4.19) and then 0xffff888000000000 (4.20)", () => {
    expect(archFacts("x86_64", "4.19.0").pageOffset).toBe(0xffff880000000000n);
    expect(archFacts("x86_64", "4.18.0-80.el8.x86_64").zoneTypes).toContain("Device");
    expect(archFacts("x86_64", "4.2").zoneTypes).not.toContain("Device");
    expect(archFacts("x86_64", "4.20").pageOffset).toBe(0xffff888000000000n);
    // backported to 4.19.5 (kexec-tools names the old value X86_64_PAGE_OFFSET_PRE_4_19_5)
    expect(archFacts("x86_64", "4.19.5").pageOffset).toBe(0xffff888000000000n);
    expect(archFacts("x86_64", "2.6.26").pageOffset).toBe(0xffff810000000000n); // X86_64_PAGE_OFFSET_PRE_2_6_27
  });

  it("5-level paging: 52 bits, direct map at 0xff11000000000000; refused before 4.14", () => {
    const f = archFacts("x86_64", "6.18", { fiveLevelPaging: true });
    expect(f.physAddrBits).toBe(52);
    expect(f.pageOffset).toBe(0xff11000000000000n);
    expect(() => archFacts("x86_64", "4.4", { fiveLevelPaging: true })).toThrow(UnsupportedArchError);
  });

  it("ZONE_DEVICE can be configured out", () => {
    expect(archFacts("x86_64", "6.18", { zoneDevice: false }).zoneTypes).toEqual(["DMA", "DMA32", "Normal", "Movable"]);
  });
});

describe("archFacts i386", () => {
  it("2.6.24: lowmem ends at 896 MiB = pfn 229376 (MAXMEM = -PAGE_OFFSET - 128 MiB vmalloc reserve)", () => {
    const f = archFacts("i386", "2.6.24");
    // -0xC0000000 mod 2^32 = 1 GiB; minus 128 MiB = 896 MiB; 896 MiB >> 12 = 229376
    expect(f.lowmemLimitPfn).toBe(((2 ** 32 - 0xc0000000) - 128 * 2 ** 20) / 4096);
    expect(f.lowmemLimitPfn).toBe(229376);
    expect(f.pageOffset).toBe(0xc0000000n);
    expect(f.physAddrBits).toBe(32);
    expect(f.zoneTypes).toEqual(["DMA", "Normal", "HighMem", "Movable"]);
    expect(f.zoneLimitsPfn).toEqual({ DMA: 4096 });
    expect(f.is64bit).toBe(false);
  });

  it("modern: lowmem ends lower (0x377fe from a real boot log: 'Normal 0x00001000 -> 0x000377fe'), overridable", () => {
    expect(archFacts("i386", "6.18").lowmemLimitPfn).toBe(0x377fe);
    expect(archFacts("i386", "6.18", { lowmemLimitPfn: 0x373fe }).lowmemLimitPfn).toBe(0x373fe);
  });

  it("PAE: 36-bit physical addresses, same zones", () => {
    const f = archFacts("i386-pae", "2.6.24");
    expect(f.physAddrBits).toBe(36);
    expect(f.lowmemLimitPfn).toBe(229376);
    expect(f.zoneTypes).toEqual(["DMA", "Normal", "HighMem", "Movable"]);
  });
});

describe("archFacts arm64", () => {
  it("6.18: 4K pages, 48 bits, flipped VA space (PAGE_OFFSET 0xffff000000000000), DMA covers 32-bit memory by default", () => {
    const f = archFacts("arm64", "6.18");
    expect(f.pageSize).toBe(4096);
    expect(f.physAddrBits).toBe(48);
    expect(f.pageOffset).toBe(0xffff000000000000n);
    expect(f.zoneTypes).toEqual(["DMA", "DMA32", "Normal", "Movable", "Device"]);
    expect(f.zoneLimitsPfn).toEqual({ DMA: 1048576, DMA32: 1048576 });
  });

  it("zone_dma_limit 1 GiB (Raspberry Pi 4: 30-bit DMA) and 64K pages", () => {
    expect(archFacts("arm64", "6.18", { zoneDmaLimit: 1n << 30n }).zoneLimitsPfn).toEqual({ DMA: 262144, DMA32: 1048576 });
    const f = archFacts("arm64", "6.18", { pageShift: 16 });
    expect(f.pageSize).toBe(65536);
    expect(f.zoneLimitsPfn).toEqual({ DMA: 65536, DMA32: 65536 });
  });

  it("5.5-5.10: fixed 30-bit ZONE_DMA; 4.16-5.4: DMA32 only; before: one 'DMA' zone up to 4 GiB, old PAGE_OFFSET", () => {
    expect(archFacts("arm64", "5.10").zoneLimitsPfn.DMA).toBe(262144);
    const old = archFacts("arm64", "4.14");
    expect(old.zoneTypes).toEqual(["DMA", "Normal", "Movable"]);
    expect(old.zoneLimitsPfn).toEqual({ DMA: 1048576 });
    expect(old.pageOffset).toBe(0xffff800000000000n);
    expect(archFacts("arm64", "4.19").zoneTypes).toEqual(["DMA32", "Normal", "Movable"]);
    expect(archFacts("arm64", "5.4").zoneLimitsPfn).toEqual({ DMA32: 1048576 });
  });

  it("did not exist in 2.6.24", () => {
    expect(() => archFacts("arm64", "2.6.24")).toThrow(InvalidKernelVersionError);
  });
});

describe("bad input", () => {
  it("unknown arch and misplaced options are typed errors", () => {
    expect(() => archFacts("vax" as never)).toThrow(UnsupportedArchError);
    expect(() => archFacts("i386", "6.18", { fiveLevelPaging: true })).toThrow(PageallocError);
    expect(() => archFacts("x86_64", "6.18", { zoneDmaLimit: 1 << 30 })).toThrow(/arm64 option/);
    expect(() => archFacts("x86_64", "6.18", { pageShift: 16 })).toThrow(/4 KiB pages only/);
    expect(() => archFacts("arm64", "6.18", { zoneDmaLimit: 5 * 2 ** 30 })).toThrow(/zoneDmaLimit/);
    expect(() => archFacts("arm64", "5.4", { zoneDmaLimit: 2 ** 30 })).toThrow(/no ZONE_DMA/);
  });

  it("every arch has facts for 6.18", () => {
    for (const a of ARCH_NAMES) expect(archFacts(a).zoneTypes).toContain("Normal");
  });
});
