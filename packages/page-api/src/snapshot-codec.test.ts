import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deltaDecode, deltaEncode, deltaHelps, rleDecode, rleEncode } from "./snapshot-codec";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);

class Corrupt extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(`${reason} at ${at}`);
  }
}
const corrupt = (reason: string, at: number): never => {
  throw new Corrupt(reason, at);
};
const bytesOf = (a: Uint8Array | Int32Array | Float64Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const roundTrip = (a: Uint8Array | Int32Array | Float64Array | Uint16Array) => {
  const b = bytesOf(a);
  return rleDecode(rleEncode(b, a.BYTES_PER_ELEMENT), a.BYTES_PER_ELEMENT, b.length, 0, corrupt);
};

describe("run-length coding of typed arrays (snapshot blobs)", () => {
  it("writes the documented tokens (hand-encoded)", () => {
    // five 7s: a repeat run, header 5·2+1 = 11, then the element; 1, 2: a literal run, header 2·2 = 4, then the bytes
    expect(Array.from(rleEncode(Uint8Array.of(7, 7, 7, 7, 7, 1, 2), 1))).toEqual([11, 7, 4, 1, 2]);
    // 200 zero Int32s: header 401 = 0b1_1001_0001 in LEB128 is 0x91 0x03, then the element's 4 bytes
    expect(Array.from(rleEncode(bytesOf(new Int32Array(200)), 4))).toEqual([0x91, 0x03, 0, 0, 0, 0]);
    // 4-byte elements: a run of 2 is a repeat token (2·2+1 = 5); -1 is ff ff ff ff little-endian
    expect(Array.from(rleEncode(bytesOf(Int32Array.of(-1, -1, 3)), 4))).toEqual([5, 0xff, 0xff, 0xff, 0xff, 2, 3, 0, 0, 0]);
    // 1-byte elements: runs shorter than 4 stay in the literal
    expect(Array.from(rleEncode(Uint8Array.of(1, 1, 1, 2), 1))).toEqual([8, 1, 1, 1, 2]);
    expect(Array.from(rleEncode(new Uint8Array(0), 1))).toEqual([]);
  });

  it("decodes to the same bytes for every width, including NaN payloads and −0 (compared bit for bit)", () => {
    const f = Float64Array.of(NaN, NaN, -0, 0, 0, 1.5, 1.5, Infinity);
    new DataView(f.buffer).setUint32(4, 0x7ff80001, true); // a NaN with another payload
    for (const a of [f, Int32Array.of(5, 5, 5, -2, 7, 7), Uint16Array.of(1, 1, 1, 1, 1, 9), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 3), new Int32Array(100_000).fill(-1)]) {
      expect(Buffer.from(roundTrip(a)).equals(Buffer.from(bytesOf(a)))).toBe(true);
    }
  });

  it("round trip of arrays made of runs and noise, any width and byte offset (property)", () => {
    const runs = fc.array(fc.tuple(fc.nat({ max: 300 }), fc.integer({ min: 1, max: 70 }), fc.boolean()), { maxLength: 40 });
    fc.assert(
      fc.property(runs, fc.constantFrom(1, 2, 4, 8), fc.nat({ max: 3 }), (spec, width, offset) => {
        const parts: number[] = [];
        for (const [v, n, noise] of spec) for (let i = 0; i < n; i++) parts.push(noise ? (v * 31 + i * 7) & 0xff : v & 0xff);
        const elements = Math.floor(parts.length / width);
        const buf = new Uint8Array(offset + elements * width);
        for (let i = 0; i < elements * width; i++) buf[offset + i] = parts[Math.floor(i / width)]! ^ (i % width);
        const b = buf.subarray(offset);
        const coded = rleEncode(b, width);
        expect(Array.from(rleDecode(coded, width, b.length, 0, corrupt))).toEqual(Array.from(b));
        // never much longer than the input: one header per literal run
        expect(coded.length).toBeLessThanOrEqual(b.length + 5 * (spec.length + 1));
      }),
      { seed: 0x11_c0, numRuns: 200 * SOAK },
    );
  });

  it("refuses bad streams with the byte location (file offset) of the bad token, before writing anything", () => {
    const base = 1000;
    const cases: [number[], number, number, number, RegExp][] = [
      // [stream, width, declared size, expected location, reason]
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1, 1, base, /longer than 5 bytes/],
      [[0xff, 0xff, 0xff, 0xff, 0x7f], 1, 1, base, /more than 32 bits/],
      [[0x80], 1, 1, base + 1, /past the end/],
      [[1, 9], 1, 0, base, /element count of 0/],
      [[4, 1], 1, 2, base, /2 data bytes run past the end/],
      [[5, 1, 2, 3], 4, 8, base, /4 data bytes run past the end/],
      [[11, 7, 4, 1, 2], 1, 6, base + 2, /more than the declared 6 bytes/],
      [[11, 7], 1, 9, base + 2, /decode to 5 bytes, the blob declares 9/],
    ];
    for (const [stream, width, size, at, reason] of cases) {
      let err: unknown;
      try {
        rleDecode(Uint8Array.from(stream), width, size, base, corrupt);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(stream)).toBeInstanceOf(Corrupt);
      expect((err as Corrupt).at, JSON.stringify(stream)).toBe(at);
      expect((err as Corrupt).reason).toMatch(reason);
    }
  });

  it("delta codes arrays that count up (links, pfns, slots), exactly, and only those", () => {
    // free-list heads of an empty list point at themselves: 4096, 4097, … raw changes at every element, deltas never
    const heads = Int32Array.from({ length: 100 }, (_, i) => 4096 + i);
    expect(deltaHelps(heads)).toBe(true);
    expect(Array.from(deltaEncode(heads).subarray(0, 4))).toEqual([4096, 1, 1, 1]);
    // mem_map links at boot: a value per 1024-page block head, 0 elsewhere: 2 raw changes a block, 3 delta changes
    expect(deltaHelps(Int32Array.from({ length: 8192 }, (_, i) => (i % 1024 === 0 ? i + 1024 : 0)))).toBe(false);
    // a run of one value is already one token
    expect(deltaHelps(new Uint8Array(100).fill(3))).toBe(false);
    // Float64 pfns: exact safe integers only
    expect(deltaHelps(Float64Array.from({ length: 50 }, (_, i) => 2 ** 40 + 3 * i))).toBe(true);
    expect(deltaHelps(Float64Array.from({ length: 50 }, (_, i) => 0.5 + i))).toBe(false);
    expect(deltaHelps(Float64Array.of(-0, 1, 2, 3, 4))).toBe(false);
    expect(deltaHelps(Float64Array.of(-(2 ** 52), 2 ** 52, 3 * 2 ** 52, 5 * 2 ** 52))).toBe(false); // differences past 2^53
    // the integer types wrap: decoding restores every value, extremes included
    for (const a of [Int32Array.of(2 ** 31 - 1, -(2 ** 31), 5, -7, 2 ** 31 - 1), Uint8Array.of(255, 0, 1, 254, 3), Float64Array.of(9, 2 ** 53 - 1, 0, -(2 ** 53 - 1))]) {
      const d = deltaEncode(a);
      deltaDecode(d);
      expect(Array.from(d)).toEqual(Array.from(a));
    }
  });

  it("per-page arrays at boot are long runs: a zone's prev links code to 11 bytes per 1024-page block", () => {
    // one zone's free pages: a head per 1024-page block (its link), 1023 tails with no link
    const prev = new Int32Array(4 * 1024 * 1024).fill(-1);
    for (let pfn = 0; pfn < prev.length; pfn += 1024) prev[pfn] = pfn - 1024;
    const coded = rleEncode(bytesOf(prev), 4);
    // per block: a literal token (1 header byte + 4) and a repeat token (header 1023·2+1 = 2047: 2 bytes, + 4) = 11
    expect(coded.length).toBe((prev.length / 1024) * 11);
  });
});
