import { PageallocError } from "./errors";

/**
 * A seeded pseudo-random generator whose whole state is one 32-bit number, so that a run can be saved and
 * continued exactly (a snapshot stores {@link Prng.state}, {@link prngFromState} resumes).
 */
export interface Prng {
  /** The next float in [0, 1) (a multiple of 2^-32). */
  next(): number;
  /** The state: an integer in 0..2^32-1. `prngFromState(p.state())` continues with the same sequence as `p`. */
  state(): number;
}

/** mulberry32's step: advance the 32-bit counter and mix it (Tommy Ettinger's public-domain generator). */
function mulberry32Step(t: number): number {
  let x = t;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

class Mulberry32 implements Prng {
  private t: number;
  constructor(state: number) {
    this.t = state;
  }
  next(): number {
    this.t = (this.t + 0x6d2b79f5) >>> 0;
    return mulberry32Step(this.t);
  }
  state(): number {
    return this.t;
  }
}

/**
 * The project's one seeded generator (mulberry32): every random choice of the model (workload scripts, demo
 * workloads, the placement of free blocks from /proc counts) comes from it, so the same seed gives the same run
 * byte for byte, in Node and in the browser. Spread matters here, not statistical quality.
 *
 * @param seed - any number; it is taken as a 32-bit unsigned integer (`seed >>> 0`)
 * @returns a generator whose state starts at the seed
 * @example
 * ```ts
 * import { createPrng, prngFromState } from "@pagealloc/physmem";
 * const a = createPrng(42);
 * a.next();
 * const saved = a.state();
 * const b = prngFromState(saved);
 * console.log(a.next() === b.next(), a.state() === b.state()); // => true true
 * ```
 */
export function createPrng(seed: number): Prng {
  return new Mulberry32(seed >>> 0);
}

/**
 * A generator that continues from a saved {@link Prng.state}.
 *
 * @param state - a value returned by `state()`: an integer in 0..2^32-1
 * @param location - where the state came from, for the error (default `state`)
 * @returns the generator in that state
 * @throws {PageallocError} (code `INVALID_ARGUMENT`) for anything else; nothing is created
 * @example
 * ```ts
 * import { createPrng, prngFromState } from "@pagealloc/physmem";
 * console.log(prngFromState(createPrng(7).state()).next() === createPrng(7).next()); // => true
 * try { prngFromState(-1); } catch (e) { console.log(e.code); } // => INVALID_ARGUMENT
 * ```
 */
export function prngFromState(state: number, location = "state"): Prng {
  if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
    throw new PageallocError("INVALID_ARGUMENT", `a PRNG state is an integer in 0..4294967295, got ${String(state)}`, location);
  }
  return new Mulberry32(state);
}

/**
 * {@link createPrng} as a plain function giving floats in [0, 1), for callers that need no saved state.
 *
 * @param seed - any number, taken as a 32-bit unsigned integer
 * @returns the generator's `next`
 * @example
 * ```ts
 * import { mulberry32 } from "@pagealloc/physmem";
 * const a = mulberry32(42);
 * const b = mulberry32(42);
 * console.log(a() === b(), a() < 1); // => true true
 * ```
 */
export function mulberry32(seed: number): () => number {
  const p = createPrng(seed);
  return () => p.next();
}
