// Machines and helpers shared by page-api's tests (not exported from the package).
import { type MachineDescription, getPreset } from "@pagealloc/physmem";
import { crc32 } from "./snapshot";

// Browsers and Node both have these; the library's tsconfig has no DOM lib (as in snapshot.ts).
declare const TextEncoder: { new (): { encode(text: string): Uint8Array } };
declare const TextDecoder: { new (): { decode(bytes: Uint8Array): string } };

/**
 * numa-4node's shape (four nodes, its SLIT, ZONE_DMA and ZONE_DMA32 on node 0 only, ZONE_Normal on the others)
 * at 1/512 of its size, so that checkInvariants() after every step stays cheap.
 */
export const MINI_NUMA: MachineDescription = {
  name: "mini-numa-4node",
  arch: "x86_64",
  nodes: [
    { id: 0, cpus: "0-1", memory: [{ start: "0x1000", end: "0x9f000" }, { start: "0x100000", end: "0x3000000" }] },
    { id: 1, cpus: "2-3", memory: [{ start: "0x100000000", size: "32M" }] },
    { id: 2, cpus: "4-5", memory: [{ start: "0x102000000", size: "32M" }] },
    { id: 3, cpus: "6-7", memory: [{ start: "0x104000000", size: "32M" }] },
  ],
  // the preset's SLIT: neighbours 16, the diagonal partner 22
  distance: getPreset("numa-4node").distance.map((row) => [...row]),
};

/**
 * A snapshot file around `payload`, with the magic and format version of `like` and a correct CRC and length: only
 * the payload's own checks can refuse it (a hand-made or foreign file).
 */
export function sealSnapshot(like: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + payload.length);
  out.set(like.subarray(0, 12));
  const v = new DataView(out.buffer);
  v.setUint32(12, crc32(payload), true);
  v.setUint32(16, payload.length, true);
  out.set(payload, 24);
  return out;
}

/** The snapshot `bytes` with its JSON section changed by `edit`, sealed again (the sections after it unchanged). */
export function editSnapshotJson(bytes: Uint8Array, edit: (json: Record<string, any>) => void): Uint8Array {
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(24, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(28, 28 + jsonLength))) as Record<string, any>;
  edit(json);
  const text = new TextEncoder().encode(JSON.stringify(json));
  const rest = bytes.subarray(28 + jsonLength);
  const payload = new Uint8Array(4 + text.length + rest.length);
  new DataView(payload.buffer).setUint32(0, text.length, true);
  payload.set(text, 4);
  payload.set(rest, 4 + text.length);
  return sealSnapshot(bytes, payload);
}
