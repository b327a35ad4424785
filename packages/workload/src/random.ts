/**
 * A seeded 32-bit PRNG (mulberry32): the only source of randomness in workloads, so that the same
 * seed gives the same run byte for byte.
 *
 * @param seed - any 32-bit integer
 * @returns a function giving floats in [0, 1)
 * @example
 * ```ts
 * import { mulberry32 } from "@pagealloc/workload";
 * const a = mulberry32(42);
 * const b = mulberry32(42);
 * console.log(a() === b(), a() < 1); // => true true
 * ```
 */
export function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = t;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
