import { type BuddyStateData, type BuddyTraceEvent, checkInvariants, exportState, importState } from "@pagealloc/buddy";
import { type FrameStore, type InitialContent, type Machine, PageallocError, formatKernelVersion } from "@pagealloc/physmem";
import type { ReclaimOptions, ReclaimStateData } from "@pagealloc/reclaim";
import type { Sysctls } from "@pagealloc/zones";
import { PageApiArgumentError } from "./errors";
import { estimateHostBytes } from "./host-limits";
import { type Kernel, type KernelLogLine, bootKernel } from "./kernel";
import { deltaDecode, deltaEncode, deltaHelps, rleCheck, rleDecode, rleEncode } from "./snapshot-codec";

/**
 * Snapshot file layout (all integers little-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 8 | magic `89 50 47 53 0d 0a 1a 0a` (`\x89PGS\r\n\x1a\n`: catches text-mode transfers, like PNG's) |
 * | 8 | 4 | format version ({@link SNAPSHOT_FORMAT_VERSION}) |
 * | 12 | 4 | CRC-32 (IEEE 802.3, as zlib's crc32()) of the payload |
 * | 16 | 8 | payload length in bytes (u32 low, u32 high) |
 * | 24 | 4 | payload: JSON length j |
 * | 28 | j | the JSON (UTF-8) |
 * | 28 + j | e | the caller's section: `extra` bytes, e = the JSON's `"extra"` (null: none, e = 0) |
 * | 28 + j + e | rest | the blob area: the typed arrays the JSON points at |
 *
 * The JSON holds the boot options (machine, version, sysctls, CPUs, seed, page poisoning, initial frame content,
 * the slow path's options that are data) and the small state (CPU, dmesg, compound pages, mapcounts, pkmap);
 * typed arrays (mem_map, free areas, pagesets, pkmap counts, the slow path's slot arrays and LRU links) and written
 * frames are blobs `{ "$ta": type, "o": offset, "n": bytes }` in the blob area, raw, or with `"z": stored bytes`
 * when run-length coded element by element (snapshot-codec.ts: tokens of a LEB128 header h and data; h even: a
 * literal run of h/2 elements and their bytes, h odd: a repeat run of (h−1)/2 copies of the one element that
 * follows), and `"d": 1` when delta coded first (each element minus the one before: links and pfns that count
 * up). Measured: a freshly booted numa-4node (16 M pages, the slow path on) is 569,674 bytes (568,080 without it;
 * 238,722,559 raw in version 1), pc-4g 44,350, tiny-16m 9,638; saving numa-4node takes about 1.0 s, restoring
 * it 0.7 s. Version 1 (no caller section, raw blobs only) is still read.
 * kernel: none (a simulator file format)
 *
 * @example
 * ```ts
 * import { SNAPSHOT_FORMAT_VERSION, bootKernel, snapshot } from "@pagealloc/page-api";
 * const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
 * // the magic's first byte, then the version as a little-endian u32 at byte 8
 * console.log(bytes[0].toString(16), bytes[8] === SNAPSHOT_FORMAT_VERSION, bytes[9]); // => 89 true 0
 * ```
 */
export const SNAPSHOT_FORMAT_VERSION = 2;
/** Format versions {@link restore} reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

// Browsers and Node both have these; the library's tsconfig has no DOM lib, so their shapes are declared here.
declare const TextEncoder: { new (): { encode(text: string): Uint8Array } };
declare const TextDecoder: { new (label: string, options: { fatal: boolean }): { decode(bytes: Uint8Array): string } };
const MAGIC = [0x89, 0x50, 0x47, 0x53, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const HEADER = 24;

/**
 * A snapshot that cannot be read: wrong magic, truncated, checksum mismatch, or a payload that does not describe a kernel.
 * kernel: none
 *
 * @example
 * ```ts
 * import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
 * const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
 * bytes[30] ^= 1;
 * let err;
 * try { restore(bytes); } catch (e) { err = e; }
 * // a flipped payload bit: the CRC-32 at byte 12 no longer matches
 * console.log(err.code, err.location); // => SNAPSHOT_CORRUPT byte 12
 * ```
 */
export class SnapshotCorruptError extends PageallocError {
  constructor(reason: string, location: string) {
    super("SNAPSHOT_CORRUPT", reason, location);
  }
}

/**
 * A snapshot written by a newer (or unknown) format version (the u32 at byte 8). kernel: none
 *
 * @example
 * ```ts
 * import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
 * const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
 * bytes[8] = 99;
 * let err;
 * try { restore(bytes); } catch (e) { err = e; }
 * console.log(err.code, err.location); // => SNAPSHOT_VERSION byte 8
 * ```
 */
export class SnapshotVersionError extends PageallocError {
  constructor(found: number) {
    super("SNAPSHOT_VERSION", `snapshot format version ${found} is not supported (this build reads versions ${READABLE_VERSIONS.join(", ")})`, "byte 8");
  }
}

/**
 * A kernel whose state a snapshot cannot hold: a slow-path call in progress (snapshot() called from one of its
 * callbacks), or a slow-path option that is not plain data. kernel: none
 *
 * @example
 * ```ts
 * import { bootKernel, snapshot } from "@pagealloc/page-api";
 * let err;
 * // warn_alloc's report is printed from inside __alloc_pages_slowpath(): the call is not over yet
 * const k = bootKernel({ machine: "tiny-16m", reclaim: { onReport: () => { try { snapshot(k); } catch (e) { err = e; } } } });
 * while (k.alloc_page("GFP_KERNEL|__GFP_NORETRY") !== null);
 * console.log(err.code, err.location, snapshot(k).length > 0); // => SNAPSHOT_UNSUPPORTED kernel.reclaim true
 * ```
 */
export class SnapshotUnsupportedError extends PageallocError {
  constructor(reason: string, location: string) {
    super("SNAPSHOT_UNSUPPORTED", reason, location);
  }
}

/** Options of {@link snapshot}. */
export interface SnapshotOptions {
  /**
   * The caller's own state (e.g. a workload script's position and PRNG state), stored as is in the caller's
   * section, covered by the CRC; {@link readSnapshotExtra} returns it.
   */
  readonly extra?: Uint8Array;
}

const RECLAIM_CALLBACKS = ["trace", "onEvict", "onMigrate", "onReport", "onLog", "oomKill", "renderReport"] as const;
/** The slow path's callbacks: a snapshot holds the slow path's options that are data, not these. */
export type ReclaimCallbacks = Pick<ReclaimOptions, (typeof RECLAIM_CALLBACKS)[number]>;

/** Options of {@link restore}: what a snapshot does not carry (callbacks and debug switches). */
export interface RestoreOptions {
  /** Receives every kmem trace event after the restore. */
  readonly trace?: (event: BuddyTraceEvent) => void;
  /**
   * Callbacks of the slow path (its trace, onEvict, onMigrate, onReport, onLog, oomKill, renderReport), for a snapshot of
   * a kernel booted with `reclaim`; its other options (swap, swappiness, compaction, tasks, background …) come from
   * the snapshot. Ignored for a kernel without the slow path.
   */
  readonly reclaim?: ReclaimCallbacks;
  /** Run the buddy invariant checker after every operation (and once right after the restore). */
  readonly checkInvariants?: boolean;
}

// ---------------------------------------------------------------- CRC-32

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3 polynomial 0xedb88320, reflected), the checksum of zlib, gzip and PNG.
 * kernel: lib/crc32.c crc32_le() (with the ~0 seed and final inversion of zlib's crc32())
 *
 * @param bytes - the data
 * @returns the checksum as an unsigned 32-bit number
 * @example
 * ```ts
 * import { crc32 } from "@pagealloc/page-api";
 * console.log(crc32(new TextEncoder().encode("123456789")).toString(16)); // => cbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- the kernel's private state

/** The Kernel's own bookkeeping beside the buddy arrays (private fields of kernel.ts, reached by name). */
interface KernelInternals {
  cpu: number;
  readonly log: KernelLogLine[];
  readonly warnedOnce: Set<string>;
  readonly compound: Map<number, number>;
  readonly mapcount: Map<number, number>;
  readonly pkmapCount: Int32Array;
  readonly pkmapPfn: Float64Array;
  readonly pkmapOfPfn: Map<number, number>;
  lastPkmapNr: number;
}

interface FrameStoreInternals {
  readonly initial: InitialContent;
  readonly frames: Map<number, Uint8Array | number>;
}

function internals(k: Kernel): KernelInternals {
  const ki = k as unknown as KernelInternals;
  for (const [key, type] of [["log", Array], ["warnedOnce", Set], ["compound", Map], ["mapcount", Map], ["pkmapCount", Int32Array], ["pkmapPfn", Float64Array], ["pkmapOfPfn", Map]] as const) {
    if (!((ki as unknown as Record<string, unknown>)[key] instanceof type)) throw new SnapshotUnsupportedError(`the kernel has no ${key} field of the expected type (page-api changed: update snapshot.ts)`, `kernel.${key}`);
  }
  return ki;
}

function frameStore(m: FrameStore): FrameStoreInternals {
  const f = m as unknown as FrameStoreInternals;
  if (!(f.frames instanceof Map)) throw new SnapshotUnsupportedError("the frame store has no frames map (physmem changed: update snapshot.ts)", "kernel.memory");
  return f;
}

// ---------------------------------------------------------------- encoding

type Typed = Int32Array | Uint8Array | Float64Array;
const TYPED = { Int32Array, Uint8Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;
interface BlobRef {
  readonly $ta: TypedName;
  /** Offset in the blob area. */
  readonly o: number;
  /** Bytes of the array. */
  readonly n: number;
  /** Bytes stored when run-length coded (snapshot-codec.ts); absent: `n` raw bytes. */
  readonly z?: number;
  /** 1: delta coded before the run-length coding (only with `z`). */
  readonly d?: 1;
}

interface SnapshotJson {
  readonly boot: {
    readonly machine: Machine;
    readonly version: string;
    readonly sysctls: Sysctls;
    readonly cpus: number;
    readonly seed: number;
    readonly pagePoisoning: boolean;
    readonly initialContent: InitialContent;
    /** The slow path's options that are data (with `background`), or null/absent: booted without it. */
    readonly reclaim?: Record<string, unknown> | null;
  };
  readonly buddy: unknown;
  /** The slow path's state (Reclaim.exportState(), typed arrays as blobs), or null/absent. */
  readonly reclaim?: unknown;
  readonly kernel: {
    readonly cpu: number;
    readonly log: readonly KernelLogLine[];
    readonly warnedOnce: readonly string[];
    readonly compound: readonly (readonly [number, number])[];
    readonly mapcount: readonly (readonly [number, number])[];
    readonly pkmapCount: unknown;
    readonly pkmapPfn: unknown;
    readonly pkmapOfPfn: readonly (readonly [number, number])[];
    readonly lastPkmapNr: number;
  };
  /** Written frames: [pfn, fill byte] or [pfn, blob of the page]. */
  readonly frames: readonly (readonly [number, number | unknown])[];
  /** Length of the caller's section after the JSON; null or absent (version 1): none. */
  readonly extra?: number | null;
}

/** Blobs of at least this many bytes are run-length coded (smaller ones are not worth a token stream). */
const RLE_MIN_BYTES = 64;

class BlobWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  put(a: Typed): BlobRef {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const type = a.constructor.name as TypedName;
    let ref: BlobRef = { $ta: type, o: this.size, n: bytes.length };
    let stored: Uint8Array | null = null;
    if (bytes.length >= RLE_MIN_BYTES) {
      const delta = deltaHelps(a);
      const src = delta ? deltaEncode(a) : a;
      const coded = rleEncode(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), a.BYTES_PER_ELEMENT);
      if (coded.length < bytes.length) {
        ref = delta ? { ...ref, z: coded.length, d: 1 } : { ...ref, z: coded.length };
        stored = coded;
      }
    }
    stored ??= bytes.slice();
    this.parts.push(stored);
    this.size += stored.length;
    return ref;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) (out.set(p, at), (at += p.length));
    return out;
  }
}

/**
 * Reads blob references back into typed arrays, decoding run-length coded ones, within a budget of decoded bytes
 * (what a kernel of the snapshot's machine can hold), so that a small hand-made file cannot ask for gigabytes.
 */
class BlobReader {
  constructor(
    private readonly blobs: Uint8Array,
    /** File offset of the blob area (for error locations). */
    private readonly base: number,
    private budget: number,
    /** Only check the references and token streams (readSnapshotExtra): decode nothing, allocate nothing. */
    private readonly checkOnly = false,
  ) {}

  decode(v: unknown, where: string): unknown {
    if (Array.isArray(v)) return v.map((x, i) => this.decode(x, `${where}[${i}]`));
    if (v && typeof v === "object") {
      const r = v as Partial<BlobRef>;
      if (typeof r.$ta === "string") return this.blob(r, where);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.decode(x, `${where}.${k}`)]));
    }
    return v;
  }

  private blob(r: Partial<BlobRef>, where: string): Typed | null {
    const T = Object.hasOwn(TYPED, r.$ta!) ? TYPED[r.$ta as TypedName] : undefined;
    const { o, n, z, d } = r;
    const stored = z === undefined ? n : z;
    if (!T || (d !== undefined && (d !== 1 || z === undefined)) || !Number.isSafeInteger(o) || !Number.isSafeInteger(n) || !Number.isSafeInteger(stored) || o! < 0 || n! < 0 || stored! < 0 || o! + stored! > this.blobs.length || n! % T.BYTES_PER_ELEMENT !== 0) {
      throw new SnapshotCorruptError(`bad blob reference ${JSON.stringify(r)}`, where);
    }
    if (n! > this.budget) throw new SnapshotCorruptError(`a blob of ${n} bytes is more than a kernel of this machine holds (${this.budget} bytes left)`, where);
    this.budget -= n!;
    const at = this.base + o!;
    const corrupt = (reason: string, byte: number): never => {
      throw new SnapshotCorruptError(`${where}: ${reason}`, `byte ${byte}`);
    };
    if (this.checkOnly) {
      if (z !== undefined) rleCheck(this.blobs.subarray(o!, o! + z), T.BYTES_PER_ELEMENT, n!, at, corrupt);
      return null;
    }
    if (z === undefined) return new T(this.blobs.slice(o!, o! + n!).buffer);
    const bytes = rleDecode(this.blobs.subarray(o!, o! + z), T.BYTES_PER_ELEMENT, n!, at, corrupt);
    const out = new T(bytes.buffer);
    if (d === 1) deltaDecode(out);
    return out;
  }
}

/** Replace every typed array in a value by a blob reference (deep; plain objects and arrays only). */
function encodeValue(v: unknown, w: BlobWriter): unknown {
  if (v instanceof Int32Array || v instanceof Uint8Array || v instanceof Float64Array) return w.put(v);
  if (Array.isArray(v)) return v.map((x) => encodeValue(x, w));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x, w)]));
  return v;
}

/** Is a value plain data that JSON keeps as it is (finite numbers, strings, booleans, null, arrays, plain objects)? */
function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainData);
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every((x) => x === undefined || isPlainData(x));
  return false;
}

/** The slow path's options a snapshot keeps: everything but the callbacks (which restore takes again). */
function reclaimBootOptions(options: ReclaimOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || typeof value === "function") continue;
    if (!isPlainData(value)) throw new SnapshotUnsupportedError(`the slow path's option ${key} is not plain data (numbers, strings, arrays, plain objects)`, `kernel.reclaim.options.${key}`);
    out[key] = value;
  }
  return out;
}

function reclaimState(r: NonNullable<Kernel["reclaim"]>): ReclaimStateData {
  try {
    return r.exportState();
  } catch (e) {
    // the only refusal: a snapshot asked for from a slow-path callback, while the call runs
    throw new SnapshotUnsupportedError(`the slow path's state cannot be saved now: ${e instanceof Error ? e.message : String(e)}`, "kernel.reclaim");
  }
}

/**
 * Save the complete state of a simulated kernel: boot options, the buddy allocator's arrays and counters, per-CPU
 * lists, compound pages, mapcounts, pkmap slots, the kernel log, the contents of every written frame and, for a
 * kernel booted with `reclaim`, the slow path's options (not its callbacks) and state (memory-use model and LRU
 * lists, kswapd and kcompactd per node, compaction deferral per zone, vm event counters, reports, last outcome).
 * kernel: none (a simulator facility; the nearest kernel analogue is hibernation's kernel/power/snapshot.c,
 * which saves every page frame in use)
 *
 * @param k - the kernel
 * @param options - `extra`: the caller's own bytes, stored beside the kernel (see {@link readSnapshotExtra})
 * @returns the snapshot bytes (format: see {@link SNAPSHOT_FORMAT_VERSION})
 * @throws {PageApiArgumentError} (code `PAGE_API_ARGUMENT`) for an `extra` that is not a Uint8Array
 * @throws {SnapshotUnsupportedError} (code `SNAPSHOT_UNSUPPORTED`) when called from a slow-path callback while the
 *   call runs, or for a slow-path option that is not plain data
 * @example
 * ```ts
 * import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
 * const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
 * k.alloc_pages("GFP_KERNEL", 3);
 * const again = restore(snapshot(k));
 * console.log(again.buddyinfo() === k.buddyinfo()); // => true
 * ```
 */
export function snapshot(k: Kernel, options: SnapshotOptions = {}): Uint8Array {
  const extra = options.extra;
  if (extra !== undefined && !(extra instanceof Uint8Array)) throw new PageApiArgumentError("options.extra must be a Uint8Array", "options.extra");
  const ki = internals(k);
  const mem = frameStore(k.memory);
  const w = new BlobWriter();
  const frames: [number, unknown][] = [];
  for (const [pfn, f] of [...mem.frames].sort((a, b) => a[0] - b[0])) frames.push([pfn, typeof f === "number" ? f : w.put(f)]);
  const json: SnapshotJson = {
    boot: {
      machine: k.machine,
      version: formatKernelVersion(k.version),
      sysctls: k.zones.sysctls,
      cpus: k.buddy.cpus,
      seed: k.seed,
      pagePoisoning: k.pagePoisoning,
      initialContent: mem.initial,
      reclaim: k.reclaim ? reclaimBootOptions(k.reclaim.options) : null,
    },
    buddy: encodeValue(exportState(k.buddy), w),
    reclaim: k.reclaim ? encodeValue(reclaimState(k.reclaim), w) : null,
    kernel: {
      cpu: ki.cpu,
      log: ki.log,
      warnedOnce: [...ki.warnedOnce],
      compound: [...ki.compound],
      mapcount: [...ki.mapcount],
      pkmapCount: w.put(ki.pkmapCount),
      pkmapPfn: w.put(ki.pkmapPfn),
      pkmapOfPfn: [...ki.pkmapOfPfn],
      lastPkmapNr: ki.lastPkmapNr,
    },
    frames,
    extra: extra ? extra.length : null,
  };
  const text = new TextEncoder().encode(JSON.stringify(json));
  const blobs = w.concat();
  const extraLength = extra ? extra.length : 0;
  const payload = new Uint8Array(4 + text.length + extraLength + blobs.length);
  const pv = new DataView(payload.buffer);
  pv.setUint32(0, text.length, true);
  payload.set(text, 4);
  if (extra) payload.set(extra, 4 + text.length);
  payload.set(blobs, 4 + text.length + extraLength);
  const out = new Uint8Array(HEADER + payload.length);
  out.set(MAGIC, 0);
  const hv = new DataView(out.buffer);
  hv.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  hv.setUint32(12, crc32(payload), true);
  hv.setUint32(16, payload.length % 2 ** 32, true);
  hv.setUint32(20, Math.floor(payload.length / 2 ** 32), true);
  out.set(payload, HEADER);
  return out;
}

/** The sections of a snapshot whose header, checksum and JSON have been checked. */
interface Container {
  readonly json: SnapshotJson;
  /** The caller's section (null: none, always for version 1). */
  readonly extra: Uint8Array | null;
  readonly blobs: Uint8Array;
  /** File offset of the blob area. */
  readonly blobsAt: number;
}

/** Check the header, checksum and section bounds; returns the JSON, the caller's section and the blob area. */
function readContainer(bytes: Uint8Array): Container {
  if (!(bytes instanceof Uint8Array)) throw new SnapshotCorruptError("a snapshot must be bytes (Uint8Array)", "snapshot");
  if (bytes.length < HEADER) throw new SnapshotCorruptError(`truncated: ${bytes.length} bytes, the header alone is ${HEADER}`, `byte ${bytes.length}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new SnapshotCorruptError("not a pagealloc snapshot (bad magic)", `byte ${i}`);
  const hv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = hv.getUint32(8, true);
  if (!READABLE_VERSIONS.includes(version)) throw new SnapshotVersionError(version);
  const length = hv.getUint32(16, true) + hv.getUint32(20, true) * 2 ** 32;
  if (bytes.length - HEADER < length) throw new SnapshotCorruptError(`truncated: the payload should be ${length} bytes, ${bytes.length - HEADER} are present`, `byte ${bytes.length}`);
  if (bytes.length - HEADER > length) throw new SnapshotCorruptError(`${bytes.length - HEADER - length} bytes of junk after the payload`, `byte ${HEADER + length}`);
  const payload = bytes.subarray(HEADER);
  const crc = crc32(payload);
  if (crc !== hv.getUint32(12, true)) throw new SnapshotCorruptError(`checksum mismatch (stored ${hv.getUint32(12, true).toString(16)}, computed ${crc.toString(16)})`, "byte 12");
  const jsonLength = payload.length >= 4 ? new DataView(payload.buffer, payload.byteOffset).getUint32(0, true) : -1;
  if (jsonLength < 0 || 4 + jsonLength > payload.length) throw new SnapshotCorruptError("the JSON section runs past the payload", `byte ${HEADER}`);
  let json: SnapshotJson;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(4, 4 + jsonLength))) as SnapshotJson;
  } catch {
    throw new SnapshotCorruptError("the JSON section does not parse", `byte ${HEADER + 4}`);
  }
  if (!json || typeof json !== "object") throw new SnapshotCorruptError("the JSON section is not an object", `byte ${HEADER + 4}`);
  let at = 4 + jsonLength;
  let extra: Uint8Array | null = null;
  if (version >= 2 && json.extra != null) {
    const n = json.extra;
    if (!Number.isSafeInteger(n) || n! < 0) throw new SnapshotCorruptError(`bad length of the caller's section: ${JSON.stringify(n)}`, `byte ${HEADER + 4}`);
    if (at + n! > payload.length) throw new SnapshotCorruptError(`the caller's section (${n} bytes) runs past the payload`, `byte ${HEADER + at}`);
    extra = payload.slice(at, at + n!);
    at += n!;
  }
  return { json, extra, blobs: payload.subarray(at), blobsAt: HEADER + at };
}

/**
 * The caller's section of a snapshot (the `extra` bytes given to {@link snapshot}), without booting the kernel.
 * The file is checked like {@link restore} checks it (magic, format version, length, CRC-32, sections, every blob
 * reference and run-length token stream, without decoding them or booting the machine), so a caller can read its
 * own state first and trust it.
 * kernel: none (a simulator facility)
 *
 * @param bytes - a snapshot from {@link snapshot}
 * @returns a copy of the caller's bytes, or null when the snapshot has none (every format version 1 file)
 * @throws {SnapshotCorruptError} (code `SNAPSHOT_CORRUPT`) for a truncated or damaged snapshot
 * @throws {SnapshotVersionError} (code `SNAPSHOT_VERSION`) for an unknown format version
 * @example
 * ```ts
 * import { bootKernel, readSnapshotExtra, restore, snapshot } from "@pagealloc/page-api";
 * const k = bootKernel({ machine: "tiny-16m" });
 * const state = new TextEncoder().encode(JSON.stringify({ line: 12, prng: [1, 2, 3, 4] }));
 * const bytes = snapshot(k, { extra: state });
 * console.log(new TextDecoder().decode(readSnapshotExtra(bytes))); // => {"line":12,"prng":[1,2,3,4]}
 * console.log(readSnapshotExtra(snapshot(k)), restore(bytes).buddyinfo() === k.buddyinfo()); // => null true
 * ```
 */
export function readSnapshotExtra(bytes: Uint8Array): Uint8Array | null {
  const { json, extra, blobs, blobsAt } = readContainer(bytes);
  // the blob references and token streams restore would read (without decoding them or booting the machine)
  const reader = new BlobReader(blobs, blobsAt, Number.POSITIVE_INFINITY, true);
  for (const [key, value] of Object.entries(json)) if (key !== "boot") reader.decode(value, key);
  return extra;
}

/**
 * Boot a kernel from a snapshot and put its saved state back: the /proc text and every later operation are those
 * of the saved kernel.
 * kernel: none (a simulator facility; cf. kernel/power/snapshot.c, which restores a hibernation image)
 *
 * @param bytes - a snapshot from {@link snapshot}
 * @param options - trace callback and invariant checking (not part of a snapshot)
 * @returns the restored kernel
 * @throws {SnapshotCorruptError} (code `SNAPSHOT_CORRUPT`) for a truncated or damaged snapshot; nothing is booted
 * @throws {SnapshotVersionError} (code `SNAPSHOT_VERSION`) for an unknown format version
 * @example
 * ```ts
 * import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
 * const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
 * try {
 *   restore(bytes.subarray(0, 100));
 * } catch (e) {
 *   console.log(e.code); // => SNAPSHOT_CORRUPT
 * }
 * ```
 */
export function restore(bytes: Uint8Array, options: RestoreOptions = {}): Kernel {
  const { json, blobs, blobsAt } = readContainer(bytes);
  try {
    const b = json.boot;
    if (b.reclaim != null && (typeof b.reclaim !== "object" || Array.isArray(b.reclaim))) throw new SnapshotCorruptError("the slow path's options are not an object", "boot.reclaim");
    // callbacks are never saved: a file that names one is hand-made (and would fail later, inside an allocation)
    for (const key of RECLAIM_CALLBACKS) if (b.reclaim && key in b.reclaim) throw new SnapshotCorruptError(`the slow path's ${key} is a callback, not data`, `boot.reclaim.${key}`);
    const k = bootKernel({
      machine: b.machine,
      version: b.version,
      sysctls: b.sysctls,
      cpus: b.cpus,
      seed: b.seed,
      pagePoisoning: b.pagePoisoning,
      initialContent: b.initialContent,
      reclaim: b.reclaim ? { ...b.reclaim, ...options.reclaim } : false,
      trace: options.trace,
      checkInvariants: options.checkInvariants,
    });
    // what the kernel's arrays (buddy ~14, slow path up to ~90 bytes a page) and the written frames can take
    const frameCount = Array.isArray(json.frames) ? json.frames.length : 0;
    const reader = new BlobReader(blobs, blobsAt, 8 * estimateHostBytes(k.machine) + frameCount * k.memory.pageSize + 2 ** 20);
    importState(k.buddy, reader.decode(json.buddy, "buddy") as BuddyStateData);
    if (k.reclaim) k.reclaim.importState(reader.decode(json.reclaim, "reclaim") as ReclaimStateData);
    const ki = internals(k);
    const s = json.kernel;
    k.set_cpu(s.cpu);
    ki.log.push(...s.log.map((l) => ({ level: l.level, text: String(l.text) })));
    for (const key of s.warnedOnce) ki.warnedOnce.add(String(key));
    for (const [pfn, order] of s.compound) ki.compound.set(pfn, order);
    for (const [pfn, n] of s.mapcount) ki.mapcount.set(pfn, n);
    const pkc = reader.decode(s.pkmapCount, "kernel.pkmapCount") as Int32Array;
    const pkp = reader.decode(s.pkmapPfn, "kernel.pkmapPfn") as Float64Array;
    if (pkc.length !== ki.pkmapCount.length || pkp.length !== ki.pkmapPfn.length) throw new SnapshotCorruptError("pkmap arrays of the wrong size", "kernel.pkmapCount");
    ki.pkmapCount.set(pkc);
    ki.pkmapPfn.set(pkp);
    for (const [pfn, slot] of s.pkmapOfPfn) ki.pkmapOfPfn.set(pfn, slot);
    ki.lastPkmapNr = s.lastPkmapNr;
    const mem = frameStore(k.memory);
    for (const [pfn, f] of json.frames) {
      const frame = typeof f === "number" ? f : (reader.decode(f, `frames[${pfn}]`) as Uint8Array);
      if (!Number.isSafeInteger(pfn) || (typeof frame !== "number" && (!(frame instanceof Uint8Array) || frame.length !== k.memory.pageSize))) throw new SnapshotCorruptError(`bad frame ${pfn}`, "frames");
      mem.frames.set(pfn, frame);
    }
    if (options.checkInvariants) checkInvariants(k.buddy);
    return k;
  } catch (e) {
    if (e instanceof SnapshotCorruptError) throw e;
    // a payload with a valid checksum that still does not describe a kernel (hand-made, or from another build)
    throw new SnapshotCorruptError(`the snapshot does not describe a kernel this build can boot: ${e instanceof Error ? e.message : String(e)}`, e instanceof PageallocError && e.location ? `payload: ${e.location}` : "payload");
  }
}
