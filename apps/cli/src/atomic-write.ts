// Atomic file replacement for the CLI (snapshots with `run --save`): the data goes to a temporary file in the same
// directory, is fsync'ed, and only then renamed over the target. rename(2) within one file system is atomic, so a
// crash or a kill at any point leaves either the old file or the complete new one, never a mix.
import fs from "node:fs";
import path from "node:path";

/** Test hooks: called after each chunk is written and before the rename (to simulate a crash there). */
export interface AtomicWriteHooks {
  readonly afterChunk?: (written: number, total: number) => void;
  readonly beforeRename?: (tempFile: string) => void;
}

const CHUNK = 1 << 20;

/**
 * Replace `file` with `bytes` atomically (temporary file in the same directory + fsync + rename + fsync of the
 * directory). On an error the temporary file is removed and `file` is untouched.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, hooks: AtomicWriteHooks = {}): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(temp, "wx", 0o644);
  let renamed = false;
  try {
    try {
      for (let at = 0; at < bytes.length; at += CHUNK) {
        const end = Math.min(bytes.length, at + CHUNK);
        let off = at;
        while (off < end) off += fs.writeSync(fd, bytes, off, end - off);
        hooks.afterChunk?.(end, bytes.length);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    hooks.beforeRename?.(temp);
    fs.renameSync(temp, target);
    renamed = true;
    syncDir(dir);
  } finally {
    if (!renamed) fs.rmSync(temp, { force: true });
  }
}

/** fsync the directory so the rename itself is durable (not supported everywhere: best effort). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Windows and some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
