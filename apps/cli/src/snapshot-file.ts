// `pagealloc run --save FILE` / `--load FILE`: a simulator snapshot (@pagealloc/page-api snapshot()) on disk.
import fs from "node:fs";
import { type Kernel, type RestoreOptions, restore, snapshot } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import { type AtomicWriteHooks, writeFileAtomic } from "./atomic-write";
import { UsageError } from "./io";

/** Write the kernel's snapshot to `file`, atomically (a crash leaves the previous file intact). */
export function saveSnapshotFile(file: string, k: Kernel, hooks?: AtomicWriteHooks): void {
  const bytes = snapshot(k);
  try {
    writeFileAtomic(file, bytes, hooks);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`--save ${file}: cannot be written (${code})`);
    throw e;
  }
}

/**
 * Read and restore a snapshot. A missing file is a usage error; a damaged one a PageallocError with the snapshot
 * code (SNAPSHOT_CORRUPT, SNAPSHOT_VERSION) located in the file.
 */
export function loadSnapshotFile(file: string, options: RestoreOptions = {}): Kernel {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--load ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : "cannot be read"}`);
  }
  try {
    return restore(bytes, options);
  } catch (e) {
    if (e instanceof PageallocError) throw new PageallocError(e.code, `--load: ${e.message}`, file);
    throw e;
  }
}
