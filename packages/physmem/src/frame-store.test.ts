import { describe, expect, it } from "vitest";
import { PageallocError } from "./errors";
import { FrameStore, PAGE_POISON, PhysAddressError, initialFrameByte } from "./frame-store";
import { getPreset } from "./presets";

describe("FrameStore", () => {
  it("PAGE_POISON is the kernel's 0xaa (include/linux/poison.h)", () => {
    expect(PAGE_POISON).toBe(0xaa);
  });

  it("untouched frames read as a reproducible per-pfn pattern and cost nothing", () => {
    const a = new FrameStore(4096);
    const b = new FrameStore(4096);
    const p = a.readPage(1234);
    expect(p).toEqual(b.readPage(1234));
    expect(p).not.toEqual(a.readPage(1235));
    expect(Array.from(p)).toEqual(Array.from({ length: 4096 }, (_, i) => initialFrameByte(1234, i)));
    expect(Array.from(a.read(1234 * 4096 + 4094, 5))).toEqual([4094, 4095, 0, 1, 2].map((o, i) => initialFrameByte(i < 2 ? 1234 : 1235, o)));
    expect(new Set(p).size).toBeGreaterThan(200); // junk, not a constant
    expect(a.touchedFrames).toBe(0);
    expect(new FrameStore(4096, { initial: "zero" }).readPage(9).every((x) => x === 0)).toBe(true);
  });

  it("writes and reads across page boundaries; the rest of a touched page keeps its initial content", () => {
    const m = new FrameStore(4096);
    const before = m.readPage(2);
    m.write(0x2ffe, new Uint8Array([1, 2, 3, 4, 5]));
    expect(Array.from(m.read(0x2ffdn, 7))).toEqual([before[4093], 1, 2, 3, 4, 5, initialFrameByte(3, 3)]);
    expect(m.readPage(2)[0]).toBe(before[0]);
    expect(m.touchedFrames).toBe(2);
  });

  it("zeroPage / poisonPage / fill of whole pages store one number, partial fills a page", () => {
    const m = new FrameStore(4096);
    m.zeroPage(5);
    m.poisonPage(6);
    expect(m.readPage(5).every((x) => x === 0)).toBe(true);
    expect(m.readPage(6).every((x) => x === 0xaa)).toBe(true);
    m.fill(6 * 4096 + 10, 2, 0x11);
    expect(Array.from(m.read(6 * 4096 + 9, 4))).toEqual([0xaa, 0x11, 0x11, 0xaa]);
    m.discardPage(6);
    expect(m.readPage(6)[0]).toBe(initialFrameByte(6, 0));
  });

  it("copy is a memmove (overlap-safe)", () => {
    const m = new FrameStore(4096, { initial: "zero" });
    m.write(0, [1, 2, 3, 4, 5, 6]);
    m.copy(2, 0, 4);
    expect(Array.from(m.read(0, 6))).toEqual([1, 2, 1, 2, 3, 4]);
    m.copy(4096 * 3 - 2, 0, 4); // into a page boundary
    expect(Array.from(m.read(4096 * 3 - 2, 4))).toEqual([1, 2, 1, 2]);
  });

  it("addresses beyond 2^53 work as bigint; 4 TiB machines are fine", () => {
    const m = new FrameStore(4096, { maxPfn: 2 ** 40 });
    const addr = (4n << 40n) - 8n;
    m.write(addr, [9, 9]);
    expect(Array.from(m.read(addr, 2))).toEqual([9, 9]);
  });

  it("out-of-range and hole accesses are typed errors carrying the address, and change nothing", () => {
    const m = FrameStore.forMachine(getPreset("pc-4g"), "zero");
    let err: unknown;
    try {
      m.write(0x9eff0n, new Uint8Array(32)); // runs from RAM into the 0x9f000 hole
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PhysAddressError);
    expect((err as PhysAddressError).address).toBe(0x9f000n);
    expect((err as PhysAddressError).code).toBe("BAD_PHYS_ADDR");
    expect(m.touchedFrames).toBe(0);
    expect(() => m.read(0, 1)).toThrow(/0x0 is not RAM/);
    expect(() => m.readPage(0x140000)).toThrow(PhysAddressError);
    expect(() => m.read(-1n, 1)).toThrow(PhysAddressError);
    expect(() => m.fill(0x1000, 1, 256)).toThrow(PageallocError);
    expect(() => new FrameStore(3000)).toThrow(PageallocError);
    expect(m.read(0x1000, 4)).toEqual(new Uint8Array(4));
  });
});
