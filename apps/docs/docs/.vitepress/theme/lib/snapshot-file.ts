// Save the playground's kernel as a snapshot file (@pagealloc/page-api snapshot(), the same .pgs format as
// `pagealloc run --save`) and load one back: the restored kernel becomes the start of a new history.
import { type Kernel, readSnapshotExtra, snapshot } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import { DEFAULT_STATE, type LoadedSnapshot, type PlaygroundState, decodeState, encodeState } from "./state";

/** `format` of the playground's section in a snapshot (the CLI writes `pagealloc-script-state` there). */
export const PLAYGROUND_SNAPSHOT_FORMAT = "pagealloc-playground";

/** The playground's section: where the history stood, so that a loaded snapshot goes on as the saved page would. */
interface PlaygroundSection {
  readonly format: typeof PLAYGROUND_SNAPSHOT_FORMAT;
  readonly version: 1;
  /** Operations applied before the save, counted from boot: a later script op N uses seed N, as it would have. */
  readonly opBase: number;
  /** The URL hash of the state saved (machine, version, sysctls; its history up to the save). */
  readonly state: string;
}

/**
 * The snapshot of the session's kernel, with the playground's section.
 * @throws {PageallocError} SNAPSHOT_UNSUPPORTED for a state the format cannot hold
 */
export function saveSnapshot(k: Kernel, state: PlaygroundState): Uint8Array {
  const { snapshot: _loaded, ...rest } = state;
  const section: PlaygroundSection = { format: PLAYGROUND_SNAPSHOT_FORMAT, version: 1, opBase: opBase(state) + state.step, state: encodeState(rest) };
  return snapshot(k, { extra: new TextEncoder().encode(JSON.stringify(section)) });
}

/** The number of operations between boot and the first op of `state`'s history (0 unless it starts from a loaded snapshot). */
export function opBase(state: PlaygroundState): number {
  return state.snapshot?.opBase ?? 0;
}

let loads = 0;

/**
 * The state that starts from a snapshot file: no operations yet, its kernel restored from the bytes by the session.
 * The file is checked here (magic, version, CRC-32); the machine, version and sysctls shown come from the
 * playground's section when the playground wrote it, else they are read from the restored kernel by the caller.
 * @throws {PageallocError} SNAPSHOT_CORRUPT / SNAPSHOT_VERSION for a file that cannot be read, with its location
 */
export function loadSnapshot(bytes: Uint8Array, name: string): PlaygroundState {
  const extra = readSnapshotExtra(bytes);
  const section = extra ? playgroundSection(extra, name) : null;
  const saved = section ? decodeState(section.state) : DEFAULT_STATE;
  const loaded: LoadedSnapshot = { name, bytes, opBase: section?.opBase ?? 0, fromPlayground: section !== null, id: ++loads };
  return { ...saved, freeCounts: undefined, ops: [], step: 0, snapshot: loaded };
}

/** The playground's section, or null for another program's (the CLI's script state). */
function playgroundSection(extra: Uint8Array, name: string): PlaygroundSection | null {
  let doc: Partial<PlaygroundSection> | null;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(extra)) as Partial<PlaygroundSection> | null;
  } catch {
    return null;
  }
  if (doc?.format !== PLAYGROUND_SNAPSHOT_FORMAT) return null;
  if (doc.version !== 1 || !Number.isSafeInteger(doc.opBase) || doc.opBase! < 0 || typeof doc.state !== "string") {
    throw new PageallocError("SNAPSHOT_CORRUPT", "the playground section is not version 1 with opBase and state", `${name}: playground section`);
  }
  return doc as PlaygroundSection;
}
