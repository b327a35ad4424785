import { checkInvariants, formatTraceEvent, renderPagetypeinfo, renderVmstat, renderZoneinfo } from "@pagealloc/buddy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Kernel, Page, bootKernel } from "./kernel";
import fs from "node:fs";
import { SNAPSHOT_FORMAT_VERSION, crc32, readSnapshotExtra, restore, snapshot } from "./snapshot";
import { editSnapshotJson, sealSnapshot } from "./test-helpers";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);

/** Every /proc file the model renders, plus what the page API exposes of its own state. */
function procText(k: Kernel): string {
  return [k.buddyinfo(), renderPagetypeinfo(k.buddy), renderZoneinfo(k.buddy, k.zones), renderVmstat(k.buddy), JSON.stringify(k.dmesg()), k.smp_processor_id()].join("\n----\n");
}

const MASKS = ["GFP_KERNEL", "GFP_ATOMIC", "GFP_HIGHUSER_MOVABLE|__GFP_COMP", "GFP_DMA", "GFP_KERNEL|__GFP_ZERO", "GFP_NOWAIT|__GFP_NOWARN"];
type Op = { kind: "alloc"; mask: number; order: number } | { kind: "free"; pick: number } | { kind: "cpu"; cpu: number } | { kind: "drain" } | { kind: "write"; pick: number; byte: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("alloc" as const), mask: fc.nat({ max: MASKS.length - 1 }), order: fc.nat({ max: 4 }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("cpu" as const), cpu: fc.nat({ max: 7 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("drain" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("write" as const), pick: fc.nat(), byte: fc.nat({ max: 255 }) }), weight: 1 },
);

/** Apply ops; blocks still allocated are found again from the kernel (so a restored kernel can continue). */
function apply(k: Kernel, ops: readonly Op[], live: { pfn: number; order: number }[]): string[] {
  const out: string[] = [];
  for (const o of ops) {
    if (o.kind === "alloc") {
      const p = k.alloc_pages(MASKS[o.mask]!, o.order);
      out.push(`alloc ${p?.pfn ?? "null"}`);
      if (p) live.push({ pfn: p.pfn, order: o.order });
    } else if (o.kind === "free" && live.length) {
      const [b] = live.splice(o.pick % live.length, 1);
      k.__free_pages(new Page(b!.pfn), b!.order);
    } else if (o.kind === "cpu") {
      k.set_cpu(o.cpu % k.buddy.cpus);
    } else if (o.kind === "drain") {
      k.drain_all_pages();
    } else if (o.kind === "write" && live.length) {
      const b = live[o.pick % live.length]!;
      const addr = k.page_address(new Page(b.pfn));
      if (addr !== null) k.write(addr + 5n, [o.byte, o.byte ^ 0xff]);
      out.push(addr === null ? "highmem" : Array.from(k.read(addr, 8)).join(","));
    }
  }
  return out;
}

describe("snapshot / restore", () => {
  it("CRC-32 is the IEEE one (check value of \"123456789\" is 0xcbf43926, as zlib)", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("writes the documented header: magic, format version, CRC of the payload, payload length", () => {
    const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x47, 0x53, 0x0d, 0x0a, 0x1a, 0x0a]);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(v.getUint32(8, true)).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(v.getUint32(12, true)).toBe(crc32(bytes.subarray(24)));
    expect(v.getUint32(16, true)).toBe(bytes.length - 24);
  });

  it.each([
    ["tiny-16m", "6.18"],
    ["pc-4g", "5.10"],
    ["book-i386", "2.6.24"],
    ["i386-1g-highmem", "4.4"],
    ["numa-4node", "6.1"],
  ])("save -> load gives identical /proc text and identical future behaviour (%s, %s)", (machine, version) => {
    const k = bootKernel({ machine, version, sysctls: { min_free_kbytes: 4096, watermark_scale_factor: 30 } as never, pagePoisoning: true });
    const live: { pfn: number; order: number }[] = [];
    const ops = fc.sample(fc.array(opArb, { minLength: 60, maxLength: 60 }), { seed: 11, numRuns: 2 });
    apply(k, ops[0]!, live);
    const bytes = snapshot(k);
    const again = restore(bytes);
    if (k.machine.totalPages < 2 ** 20) checkInvariants(again.buddy);
    expect(procText(again)).toBe(procText(k));
    const liveAgain = live.map((b) => ({ ...b }));
    expect(apply(again, ops[1]!, liveAgain)).toEqual(apply(k, ops[1]!, live));
    expect(procText(again)).toBe(procText(k));
  });

  it("run-length codes the blobs: a freshly booted numa-4node is under 1 MB (measured 569,674 bytes; 238,722,559 raw)", () => {
    const k = bootKernel({ machine: "numa-4node" });
    const bytes = snapshot(k);
    // mem_map alone is 16,777,118 pages × (next, prev, refcount: 4 bytes each; priv, flags: 1) = 14 bytes a page
    expect(k.machine.totalPages * 14).toBeGreaterThan(230_000_000);
    expect(bytes.length).toBeLessThan(1_000_000);
    const again = restore(bytes);
    expect(again.buddyinfo()).toBe(k.buddyinfo());
    expect(again.alloc_pages("GFP_KERNEL", 3)?.pfn).toBe(k.alloc_pages("GFP_KERNEL", 3)?.pfn);
  }, 60_000);

  it("keeps frame contents, compound pages, mapcounts, references and pkmap slots", () => {
    const k = bootKernel({ machine: "book-i386", version: "2.6.24" });
    const comp = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 2)!;
    const high = k.alloc_pages("GFP_HIGHUSER", 0)!;
    const vaddr = k.kmap(high);
    k.write(vaddr, [1, 2, 3]);
    k.map_page(comp);
    k.get_page(comp);
    const again = restore(snapshot(k));
    expect(again.PageHead(comp)).toBe(true);
    expect(again.PageTail(new Page(comp.pfn + 1))).toBe(true);
    expect(again.page_mapcount(comp)).toBe(1);
    expect(again.page_count(comp)).toBe(2);
    expect(Array.from(again.read(vaddr, 3))).toEqual([1, 2, 3]);
    expect(again.kmap(high)).toBe(vaddr);
    expect(again.page_contents(high)).toEqual(k.page_contents(high));
  });

  it("the same operations after a restore give the same kmem trace, byte for byte (property)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(opArb, { maxLength: 40 }), fc.constantFrom("2.6.24", "4.4", "6.18"), (before, after, version) => {
        const k = bootKernel({ machine: "tiny-16m", version });
        const live: { pfn: number; order: number }[] = [];
        apply(k, before, live);
        const bytes = snapshot(k);
        const t1: string[] = [];
        const t2: string[] = [];
        const a = restore(bytes, { trace: (e) => t1.push(formatTraceEvent(e)) });
        const b = restore(bytes, { trace: (e) => t2.push(formatTraceEvent(e)) });
        expect(apply(a, after, live.map((x) => ({ ...x })))).toEqual(apply(b, after, live.map((x) => ({ ...x }))));
        expect(t1).toEqual(t2);
        expect(procText(a)).toBe(procText(b));
        // and the original, continued, agrees
        apply(k, after, live);
        expect(procText(a)).toBe(procText(k));
      }),
      { seed: 0x11_5a, numRuns: 20 * SOAK },
    );
  });

  describe("damaged files", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "6.18" });
    k.alloc_pages("GFP_KERNEL", 3);
    const good = snapshot(k);

    it("every truncation is SNAPSHOT_CORRUPT with a byte location", () => {
      for (const len of [0, 7, 8, 23, 24, 25, 100, good.length >> 1, good.length - 1]) {
        expect(() => restore(good.subarray(0, len))).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: expect.stringMatching(/^byte \d+$/) }));
      }
    });

    it("any flipped bit is caught (magic, version, checksum or payload) and nothing is returned", () => {
      fc.assert(
        fc.property(fc.nat({ max: good.length * 8 - 1 }), (bit) => {
          const bad = good.slice();
          bad[bit >> 3]! ^= 1 << (bit & 7);
          expect(() => restore(bad)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SNAPSHOT_(CORRUPT|VERSION)$/) }));
        }),
        { seed: 0x11_b1, numRuns: 200 * SOAK },
      );
    });

    it("junk after the payload, another format version, and not-bytes are refused", () => {
      const longer = new Uint8Array(good.length + 3);
      longer.set(good);
      expect(() => restore(longer)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
      for (const version of [0, 3, 99]) {
        const other = good.slice();
        new DataView(other.buffer).setUint32(8, version, true);
        expect(() => restore(other)).toThrow(expect.objectContaining({ code: "SNAPSHOT_VERSION", location: "byte 8" }));
        expect(() => readSnapshotExtra(other)).toThrow(expect.objectContaining({ code: "SNAPSHOT_VERSION", location: "byte 8" }));
      }
      expect(() => restore("PGS" as never)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
    });

    it("a payload with a valid checksum that does not describe a kernel is SNAPSHOT_CORRUPT, not a TypeError", () => {
      const text = new TextEncoder().encode(JSON.stringify({ boot: { machine: "nope" } }));
      const payload = new Uint8Array(4 + text.length);
      new DataView(payload.buffer).setUint32(0, text.length, true);
      payload.set(text, 4);
      const bytes = sealSnapshot(good, payload);
      expect(() => restore(bytes)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: expect.stringMatching(/^payload/) }));
    });
  });

  describe("the caller's section (extra)", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "6.18" });
    k.alloc_pages("GFP_KERNEL", 2);
    const extra = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

    it("is returned as given, does not change the kernel, and is absent (null) when not given", () => {
      const bytes = snapshot(k, { extra });
      expect(Array.from(readSnapshotExtra(bytes)!)).toEqual(Array.from(extra));
      expect(readSnapshotExtra(snapshot(k))).toBeNull();
      expect(readSnapshotExtra(snapshot(k, { extra: new Uint8Array(0) }))).toEqual(new Uint8Array(0));
      expect(procText(restore(bytes))).toBe(procText(k));
      // a copy: changing it does not change the file
      readSnapshotExtra(bytes)![0] = 99;
      expect(readSnapshotExtra(bytes)![0]).toBe(0);
      // the section sits between the JSON and the blob area: the file is exactly `extra.length` longer
      expect(bytes.length - snapshot(k).length - ('"extra":1000'.length - '"extra":null'.length)).toBe(extra.length);
    });

    it("is covered by the CRC: a flipped bit in it is SNAPSHOT_CORRUPT at byte 12, for restore and readSnapshotExtra", () => {
      const bytes = snapshot(k, { extra });
      const at = bytes.length - snapshot(k).length > 0 ? 24 + 4 + new DataView(bytes.buffer).getUint32(24, true) + 10 : -1;
      const bad = bytes.slice();
      bad[at]! ^= 0x10;
      expect(() => readSnapshotExtra(bad)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: "byte 12" }));
      expect(() => restore(bad)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: "byte 12" }));
    });

    it("readSnapshotExtra refuses truncated and foreign files like restore does", () => {
      const bytes = snapshot(k, { extra });
      for (const len of [0, 23, 24, 100, bytes.length - 1]) {
        expect(() => readSnapshotExtra(bytes.subarray(0, len))).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: expect.stringMatching(/^byte \d+$/) }));
      }
      expect(() => readSnapshotExtra("PGS" as never)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
    });

    it("a section length past the payload (valid CRC) is SNAPSHOT_CORRUPT at a byte", () => {
      const forged = editSnapshotJson(snapshot(k, { extra: new Uint8Array(4) }), (json) => (json.extra = 2 ** 40));
      const jsonLength = new DataView(forged.buffer).getUint32(24, true);
      expect(() => readSnapshotExtra(forged)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location: `byte ${28 + jsonLength}` }));
    });

    it("an extra that is not bytes is a PAGE_API_ARGUMENT error", () => {
      expect(() => snapshot(k, { extra: "line 3" as never })).toThrow(expect.objectContaining({ code: "PAGE_API_ARGUMENT", location: "options.extra" }));
    });
  });

  it("reads format version 1 files (no caller section): src/__fixtures__/snapshot-v1-tiny-16m.pgs", () => {
    const v1 = new Uint8Array(fs.readFileSync(new URL("./__fixtures__/snapshot-v1-tiny-16m.pgs", import.meta.url)));
    expect(new DataView(v1.buffer).getUint32(8, true)).toBe(1);
    expect(readSnapshotExtra(v1)).toBeNull();
    // the operations the fixture's note lists, replayed on a fresh kernel
    // (version 1 could not hold the slow path: its kernels had none)
    const k = bootKernel({ machine: "tiny-16m", version: "6.18", seed: 7, reclaim: false });
    for (let i = 0; i < 20; i++) k.alloc_pages(i % 3 ? "GFP_KERNEL" : "GFP_HIGHUSER_MOVABLE", i % 4);
    k.set_cpu(1);
    k.alloc_pages("GFP_ATOMIC", 1);
    const again = restore(v1);
    expect(again.reclaim).toBeNull();
    expect(procText(again)).toBe(procText(k));
    expect(again.alloc_pages("GFP_KERNEL", 1)?.pfn).toBe(k.alloc_pages("GFP_KERNEL", 1)?.pfn);
  });

  it("saves a kernel with the slow path on (see snapshot-reclaim.test.ts for its state)", () => {
    const k = bootKernel({ machine: "tiny-16m", reclaim: true });
    expect(restore(snapshot(k)).reclaim).not.toBeNull();
    expect(restore(snapshot(bootKernel({ machine: "tiny-16m", reclaim: false }))).reclaim).toBeNull();
  });
});
