// Option helpers shared by every command: files, repeatable options, sysctls, JSON output, colours,
// --help examples and the exit status of failed checks. Commands should use these rather than their own.
import fs from "node:fs";
import type { Command } from "commander";
import pc from "picocolors";
import { type Io, UsageError, processIo } from "./io";

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

/**
 * The entries of a directory named on the command line (a /proc/sys/vm copy, a sysfs node folder). A missing or
 * unreadable directory is a usage error naming it, never a stack trace.
 */
export function readDirEntries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    throw new UsageError(`${dir}: not a readable directory`);
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

/** Parse a non-negative integer option value (`--seed 7`), or throw a usage error naming the option. */
export function intOption(value: string | undefined, option: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || !/^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value)) throw new UsageError(`${option} ${value}: expected an integer >= ${min}`);
  return n;
}

/** Colour functions: active only when writing to a terminal and NO_COLOR is not set (https://no-color.org). */
export interface Colors {
  heading(s: string): string;
  bad(s: string): string;
  good(s: string): string;
  dim(s: string): string;
}

/** The colours for `io`: plain text unless it is the process's stdout on a TTY without NO_COLOR. */
export function colorsFor(io: Io): Colors {
  const on = io === processIo && process.stdout.isTTY === true && !process.env.NO_COLOR;
  if (!on) return { heading: (s) => s, bad: (s) => s, good: (s) => s, dim: (s) => s };
  return { heading: (s) => pc.bold(pc.cyan(s)), bad: (s) => pc.red(s), good: (s) => pc.green(s), dim: (s) => pc.dim(s) };
}

/**
 * A check the user asked for failed (an `expect` line, a replay conflict under --strict): exit status 1.
 * The message has been printed already.
 */
export class CheckFailedError extends Error {
  readonly code = "CLI_CHECK_FAILED";
}

/** Append examples to a command's --help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}
