// Option helpers shared by every command: files, repeatable options, sysctls, JSON output.
import fs from "node:fs";
import { UsageError } from "./io";
import type { Io } from "./io";

/** Commander collector for repeatable options (`--sysctl a=1 --sysctl b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Read a text file named on the command line. A missing or unreadable file is a usage error
 * naming the file, never a stack trace.
 */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : "cannot be read";
    throw new UsageError(`${file}: ${reason}`);
  }
}

/** Read a JSON file; a syntax error is reported with the file and line. */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split("\n").length : undefined;
    throw new UsageError(`${file}${line ? `:${line}` : ""}: invalid JSON (${msg.replace(/^.*?: /, "")})`);
  }
}

/**
 * Parse `--sysctl vm.NAME=VALUE` options into `{ NAME: "VALUE" }` (the `vm.` prefix is optional).
 */
export function parseSysctlOptions(list: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^(?:vm\.)?([a-z_][a-z0-9_]*)=(.*)$/.exec(item.trim());
    if (!m) throw new UsageError(`--sysctl ${item}: expected vm.NAME=VALUE`);
    out[m[1]] = m[2].trim();
  }
  return out;
}

/** Write a value as pretty JSON with a trailing newline (bigints as strings). */
export function writeJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v), 2)}\n`);
}
