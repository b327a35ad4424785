// `pagealloc run --save FILE` / `--load FILE`: a simulator snapshot (@pagealloc/page-api snapshot()) on disk, with the
// script's state (@pagealloc/workload encodeScriptState()) in the snapshot's caller section.
import fs from "node:fs";
import { type Kernel, type RestoreOptions, readSnapshotExtra, restore, snapshot } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import { type ScriptState, ScriptStateError, decodeScriptState, encodeScriptState } from "@pagealloc/workload";
import { type AtomicWriteHooks, writeFileAtomic } from "./atomic-write";
import { UsageError } from "./io";

/** Options of {@link saveSnapshotFile}. */
export interface SaveSnapshotOptions {
  /** The script run's state, so that `--load` continues its random() sequence and named allocations. */
  readonly script?: ScriptState;
  /** Test hooks of the atomic write. */
  readonly hooks?: AtomicWriteHooks;
}

/** Write the kernel's snapshot (and the script state) to `file`, atomically (a crash leaves the previous file intact). */
export function saveSnapshotFile(file: string, k: Kernel, options: SaveSnapshotOptions = {}): void {
  const bytes = snapshot(k, options.script ? { extra: encodeScriptState(options.script) } : {});
  try {
    writeFileAtomic(file, bytes, options.hooks);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`--save ${file}: cannot be written (${code})`);
    throw e;
  }
}

/** A restored snapshot: the kernel, and the saved script state (null in a file without one, e.g. format version 1). */
export interface LoadedSnapshot {
  readonly kernel: Kernel;
  readonly script: ScriptState | null;
  /** Why `script` is null: no caller section, or the `format` of another program's section (the playground's). */
  readonly noScriptReason?: string;
}

const SCRIPT_STATE_FORMAT = "pagealloc-script-state";

/** The `format` field of a caller section written as JSON (the playground's, a script state), if it has one. */
function sectionFormat(extra: Uint8Array): string | undefined {
  try {
    const doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(extra)) as { format?: unknown };
    return typeof doc?.format === "string" ? doc.format : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read and restore a snapshot. A missing file is a usage error; a damaged one a PageallocError with the snapshot
 * code (SNAPSHOT_CORRUPT, SNAPSHOT_VERSION) located in the file; a bad script section SCRIPT_STATE_INVALID with
 * the file and the JSON path. The script section is checked before the kernel boots.
 */
export function loadSnapshotFile(file: string, options: RestoreOptions = {}): LoadedSnapshot {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--load ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : "cannot be read"}`);
  }
  try {
    const extra = readSnapshotExtra(bytes);
    // a section of another format (the playground's) holds no script state; one that says it is a script state must be valid
    const format = extra ? sectionFormat(extra) : undefined;
    if (extra && format === SCRIPT_STATE_FORMAT) return { kernel: restore(bytes, options), script: decodeScriptState(extra) };
    const noScriptReason = extra ? `its extra section is ${format ? JSON.stringify(format) : "not a script state"}` : "saved without script state: an older version";
    return { kernel: restore(bytes, options), script: null, noScriptReason };
  } catch (e) {
    if (e instanceof PageallocError) throw new PageallocError(e.code, `--load: ${e instanceof ScriptStateError ? "the script state: " : ""}${e.message}`, file);
    throw e;
  }
}
