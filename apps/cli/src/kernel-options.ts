// Booting a kernel from the common command-line options (--machine, --kernel, --sysctl, --cpus, --seed)
// and the output conventions every reporting command shares (--json, --quiet, colours).
import { type BootKernelOptions, type Kernel, bootKernel } from "@pagealloc/page-api";
import { DEFAULT_KERNEL_VERSION, parseKernelVersion } from "@pagealloc/physmem";
import { type Machine, loadMachine } from "@pagealloc/physmem";
import { type Sysctls, machineFromZoneinfo, parseSysctlOptions } from "@pagealloc/zones";
import fs from "node:fs";
import { readTextFile } from "./options";
import type { Command } from "commander";
import pc from "picocolors";
import { type Io, UsageError, processIo } from "./io";
import { resolveMachine } from "./commands/machine";

/** Options that choose and boot a machine. */
export interface KernelArgs {
  machine?: string;
  kernel?: string;
  sysctl?: string[];
  cpus?: string;
  seed?: string;
}

/** Parse a non-negative integer option value (`--seed 7`), or throw a usage error naming the option. */
export function intOption(value: string | undefined, option: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || !/^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value)) throw new UsageError(`${option} ${value}: expected an integer >= ${min}`);
  return n;
}

/**
 * A machine from `--machine`: a preset, a machine JSON file, or a saved /proc/zoneinfo (imported with
 * `machineFromZoneinfo`, so that a trace can be replayed on the machine it was recorded on).
 */
export function machineFromSpec(spec: string): Machine {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) {
    const text = readTextFile(spec);
    if (/^\s*Node\s+\d+,\s+zone\s+/.test(text)) return loadMachine(machineFromZoneinfo(text, { name: spec }));
  }
  return resolveMachine(spec);
}

/**
 * Boot a kernel from `--machine` (preset or JSON file; default pc-4g), `--kernel`, `--sysctl vm.NAME=VALUE`,
 * `--cpus`, `--seed`.
 */
export function bootFromArgs(args: KernelArgs, extra: Pick<BootKernelOptions, "trace" | "checkInvariants" | "reclaim"> = {}): Kernel {
  const machine = machineFromSpec(args.machine ?? "pc-4g");
  const version = parseKernelVersion(args.kernel ?? DEFAULT_KERNEL_VERSION).raw;
  const cpus = intOption(args.cpus, "--cpus", 1);
  const seed = intOption(args.seed, "--seed");
  return bootKernel({ machine, version, sysctls: sysctlsOf(args.sysctl), cpus, seed, ...extra });
}

/**
 * `--sysctl vm.NAME=VALUE` options as the zone layer reads them. bootKernel() types its `sysctls` as a full
 * `Sysctls` but hands them to buildZones(), which fills the unset ones with the kernel's defaults.
 */
export function sysctlsOf(list: readonly string[] = []): Sysctls {
  return parseSysctlOptions(list) as Sysctls;
}

/** Add --machine, --kernel, --sysctl (and optionally --cpus, --seed) to a command. */
export function kernelOptions(cmd: Command, more: { cpus?: boolean; seed?: boolean } = {}): Command {
  cmd
    .option("--machine <machine>", "preset name, machine JSON file or a saved /proc/zoneinfo", "pc-4g")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--sysctl <vm.name=value>", "a sysctl (vm.min_free_kbytes=…, repeatable)", (v: string, prev: string[] = []) => [...prev, v]);
  if (more.cpus) cmd.option("--cpus <n>", "online CPUs (default: the machine's)");
  if (more.seed) cmd.option("--seed <n>", "seed of the random choices", "1");
  return cmd;
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
