// Fuzzing of snapshot reading (issue 11): damaged files, and damaged run-length coded blobs behind a valid CRC (a
// hand-made file), must restore or throw SNAPSHOT_CORRUPT/SNAPSHOT_VERSION with a location, quickly; decoding
// time grows linearly with the stream.
import { PageallocError } from "@pagealloc/physmem";
import { FUZZ_RUNS, fuzzHelpers } from "@pagealloc/vitest-config/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootKernel } from "./kernel";
import { SnapshotCorruptError, readSnapshotExtra, restore, snapshot } from "./snapshot";
import { rleDecode } from "./snapshot-codec";
import { editSnapshotJson, sealSnapshot } from "./test-helpers";

const SEED = 0x11_f5a;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const k = bootKernel({ machine: "tiny-16m", version: "6.18", reclaim: true });
for (let i = 0; i < 200; i++) {
  const p = k.alloc_pages(i % 3 ? "GFP_HIGHUSER_MOVABLE" : "GFP_KERNEL", i % 4);
  if (p && i % 3) k.mark_page_cache(p, { order: i % 4, dirty: i % 2 === 0 });
}
const good = snapshot(k, { extra: new TextEncoder().encode("line 9") });
const jsonLength = new DataView(good.buffer).getUint32(24, true);
const json = JSON.parse(new TextDecoder().decode(good.subarray(28, 28 + jsonLength))) as Record<string, unknown>;
const blobsAt = 28 + jsonLength + 6;

/** Every run-length coded blob reference of the snapshot: [offset in the blob area, stored bytes]. */
function codedBlobs(v: unknown, out: [number, number][] = []): [number, number][] {
  if (Array.isArray(v)) for (const x of v) codedBlobs(x, out);
  else if (v && typeof v === "object") {
    const r = v as { $ta?: string; o?: number; z?: number };
    if (typeof r.$ta === "string" && r.z !== undefined) out.push([r.o!, r.z]);
    else for (const x of Object.values(v)) codedBlobs(x, out);
  }
  return out;
}
const coded = codedBlobs(json);

/** The file with its payload changed by `edit`, and the CRC and length fixed up: only the payload's own checks can tell. */
const forged = (edit: (payload: Uint8Array) => Uint8Array) => sealSnapshot(good, edit(good.slice(24)));

describe("snapshot reading under fuzzing", () => {
  it("the snapshot has run-length coded blobs to damage (buddy arrays, the slow path's slot arrays)", () => {
    expect(coded.length).toBeGreaterThan(10);
  });

  it("damaged coded blobs behind a valid CRC: a restored kernel or SNAPSHOT_CORRUPT with a location", () => {
    let decoderRefused = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 3 }), (which, pos, byte, kind) => {
        const [o, z] = coded[which % coded.length]!;
        const at = blobsAt - 24 + o + (pos % z);
        const bad = forged((p) => {
          if (kind === 0) p[at] = byte; // a changed header or data byte
          else if (kind === 1) p[at] = 0x80 | byte; // a header that goes on
          else if (kind === 2) p.copyWithin(at, at + 1); // a byte lost (the stream shifts)
          else p[at] = 0; // a zero count
          return p;
        });
        const out = typedOrOk(() => restore(bad), `blob at ${o}+${pos % z} kind ${kind}`);
        // readSnapshotExtra checks the token streams as restore reads them: the same verdict on the decoder's refusals
        const extra = typedOrOk(() => readSnapshotExtra(bad));
        if (out instanceof PageallocError && /token|decode to/.test(out.message)) expect(extra).toBeInstanceOf(PageallocError);
        if (out instanceof PageallocError) {
          expect(out.code).toMatch(/^SNAPSHOT_(CORRUPT|VERSION)$/);
          expect(out.location).toMatch(/^(byte \d+|payload.*|[a-z].*)$/);
          // the decoder's own refusals point into the damaged blob
          if (/token|decode to/.test(out.message)) {
            decoderRefused++;
            expect(Number(out.location!.slice(5))).toBeGreaterThanOrEqual(blobsAt + o);
            // (a lost byte shifts every later blob too: those may be read first)
            if (kind !== 2) expect(Number(out.location!.slice(5))).toBeLessThanOrEqual(blobsAt + o + z);
          }
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
    expect(decoderRefused).toBeGreaterThan(FUZZ_RUNS / 4);
  });

  it("random bytes, truncations and splices of the whole file: only typed errors (restore and readSnapshotExtra)", () => {
    fc.assert(
      fc.property(fc.nat({ max: good.length }), fc.uint8Array({ maxLength: 64 }), fc.nat({ max: good.length }), (cut, junk, at) => {
        const bad = new Uint8Array(cut + junk.length);
        bad.set(good.subarray(0, cut));
        bad.set(junk, Math.min(cut, at));
        for (const f of [restore, readSnapshotExtra] as const) {
          const out = typedOrOk(() => f(bad));
          if (out instanceof PageallocError) expect(out.code).toMatch(/^SNAPSHOT_(CORRUPT|VERSION)$/);
        }
      }),
      { seed: SEED + 1, numRuns: FUZZ_RUNS },
    );
  });

  it("a small blob that declares gigabytes (a decompression bomb) is refused before anything is allocated", () => {
    // a coded Int32Array blob whose reference declares 4 GiB: a run-length stream can describe that in 9 bytes
    // (one repeat token), but a tiny-16m kernel holds about 8 × 64 KiB of arrays
    const bytes = editSnapshotJson(good, (j) => {
      const ref = (j.buddy.zones as { arrays: Record<string, { $ta: string; n: number; z?: number }> }[]).flatMap((z) => Object.values(z.arrays)).find((r) => r.$ta === "Int32Array" && r.z !== undefined)!;
      ref.n = 2 ** 32;
    });
    expect(() => restore(bytes)).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", message: expect.stringMatching(/more than a kernel of this machine holds/) }));
  });

  it("decoding time is linear in the stream", () => {
    // unit: a repeat token of 5 bytes of 7 and a literal of 1, 2 (7 decoded bytes per 5 stream bytes)
    const unit = String.fromCharCode(11, 7, 4, 1, 2);
    const fail = (reason: string, at: number): never => {
      throw new SnapshotCorruptError(reason, `byte ${at}`);
    };
    expectLinear((s) => rleDecode(Uint8Array.from(s, (c) => c.charCodeAt(0)), 1, (s.length / 5) * 7, 0, fail), unit);
    // and a stream that is wrong only at its very end is read once, not once per token
    expectLinear((s) => rleDecode(Uint8Array.from(s, (c) => c.charCodeAt(0)), 1, (s.length / 5) * 7 + 1, 0, fail), unit);
  });
});
