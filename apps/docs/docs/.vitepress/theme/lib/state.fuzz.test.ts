// Fuzzing of the playground's URL state (issue 11): decodeState on random and mutated hashes must return a valid
// state or throw a PlaygroundHashError naming the field, never another exception; a decoded state re-encodes to a
// hash that decodes to the same state. Budget: 300 cases per property (x100 under `pnpm test:soak`), fixed seed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlaygroundHashError, decodeState, encodeState } from "./state";

const SEED = 0x11_d0c5;
// (the docs code is type-checked without Node's types: reach the env through globalThis)
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const RUNS = 300 * Math.max(1, Number(env.PAGEALLOC_SOAK ?? 1) || 1);
const HASHES = [
  "m=numa-4node&v=2.6.24&s=min_free_kbytes:2048,watermark_scale_factor:30&r=1",
  "m=tiny-16m&v=6.18",
  "m=pc-4g&v=5.10&step=0",
  "m=custom&mj=eyJhcmNoIjoieDg2XzY0Iiwibm9kZXMiOlt7ImlkIjowLCJjcHVzIjpbMF0sIm1lbW9yeSI6W3sic3RhcnQiOjAsInNpemUiOiIxNk0ifV19XX0&v=6.18",
];
const mutation = fc.record({ at: fc.nat(), kind: fc.nat({ max: 4 }), text: fc.constantFrom("~", "&", "=", ".", "%", "%ZZ", "-1", "1e308", "0.5", "\u0000", "ops=", "step=99999999999", "a.GFP_KERNEL.3.0.0", "f.0.0") });

function decodeOrTyped(hash: string): ReturnType<typeof decodeState> | PlaygroundHashError {
  try {
    return decodeState(hash);
  } catch (e) {
    if (!(e instanceof PlaygroundHashError)) throw new Error(`untyped exception for #${hash}: ${String(e)}`, { cause: e });
    expect(e.code).toBe("PLAYGROUND_BAD_HASH");
    return e;
  }
}

describe("fuzz: playground URL state", () => {
  it("mutated hashes decode to a state that round-trips, or throw PlaygroundHashError", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HASHES), fc.array(mutation, { minLength: 1, maxLength: 4 }), (base, ms) => {
        let h = base;
        for (const m of ms) {
          const at = m.at % (h.length + 1);
          h = m.kind === 0 ? h.slice(0, at) : m.kind === 1 ? h.slice(0, at) + h.slice(at + 1) : h.slice(0, at) + m.text + h.slice(at);
        }
        const s = decodeOrTyped(h);
        if (!(s instanceof PlaygroundHashError)) expect(decodeState(encodeState(s))).toEqual(s);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => void decodeOrTyped(t)), { seed: SEED, numRuns: RUNS });
  });
});
