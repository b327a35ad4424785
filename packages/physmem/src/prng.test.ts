import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPrng, mulberry32, prngFromState } from "./prng";

/**
 * mulberry32 as published (Tommy Ettinger, 2017), written again with BigInt arithmetic mod 2^32 so that it
 * shares no code with the implementation: t += 0x6D2B79F5; z = (t ^ t>>>15) * (t | 1);
 * z ^= z + (z ^ z>>>7) * (z | 61); return (z ^ z>>>14) / 2^32.
 */
function referenceSequence(seed: number, n: number): number[] {
  const M = 0x1_0000_0000n;
  const mul = (a: bigint, b: bigint) => (a * b) % M;
  let t = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    t = (t + 0x6d2b79f5n) % M;
    let z = mul(t ^ (t >> 15n), t | 1n);
    z = (z ^ ((z + mul(z ^ (z >> 7n), z | 61n)) % M)) % M;
    out.push(Number(z ^ (z >> 14n)) / 2 ** 32);
  }
  return out;
}

describe("createPrng", () => {
  it("gives the published mulberry32 sequence", () => {
    for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
      const p = createPrng(seed);
      expect(Array.from({ length: 50 }, () => p.next())).toEqual(referenceSequence(seed, 50));
    }
  });

  it("its state is the seed plus 0x6D2B79F5 per draw, mod 2^32 (hand arithmetic)", () => {
    const p = createPrng(1);
    expect(p.state()).toBe(1);
    p.next();
    p.next();
    // 1 + 2 * 0x6D2B79F5 = 1 + 0xDA56F3EA = 0xDA56F3EB (no wrap yet)
    expect(p.state()).toBe(0xda56f3eb);
    p.next();
    // 0xDA56F3EB + 0x6D2B79F5 = 0x1_4782_6DE0, wraps to 0x47826DE0
    expect(p.state()).toBe(0x47826de0);
  });

  it("takes the seed as a 32-bit unsigned integer", () => {
    expect(createPrng(-1).state()).toBe(0xffffffff);
    expect(createPrng(2 ** 32 + 5).next()).toBe(createPrng(5).next());
  });

  it("mulberry32() is the same sequence as a function", () => {
    const f = mulberry32(99);
    expect([f(), f(), f()]).toEqual(referenceSequence(99, 3));
  });
});

describe("prngFromState", () => {
  it("continues any generator exactly (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(40), (seed, skip) => {
        const a = createPrng(seed);
        for (let i = 0; i < skip; i++) a.next();
        const b = prngFromState(a.state());
        for (let i = 0; i < 10; i++) if (a.next() !== b.next()) return false;
        return a.state() === b.state();
      }),
    );
  });

  it("rejects a state that is not a 32-bit unsigned integer, with its location", () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => prngFromState(bad, "$.prng")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", location: "$.prng" }));
    }
  });
});
