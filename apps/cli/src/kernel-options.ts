// Booting a kernel from the common command-line options (--machine, --kernel, --sysctl, --cpus, --seed).
import fs from "node:fs";
import os from "node:os";
import { type BootKernelOptions, type Kernel, bootKernel } from "@pagealloc/page-api";
import { DEFAULT_KERNEL_VERSION, type Machine, loadMachine, parseKernelVersion } from "@pagealloc/physmem";
import { type Sysctls, machineFromZoneinfo, parseSysctlOptions } from "@pagealloc/zones";
import type { Command } from "commander";
import { resolveMachine } from "./commands/machine";
import { intOption, readTextFile } from "./options";

/** Options that choose and boot a machine. */
export interface KernelArgs {
  machine?: string;
  kernel?: string;
  sysctl?: string[];
  cpus?: string;
  seed?: string;
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
  // a machine too large for this host is refused up front (HOST_MEMORY_LIMIT) instead of exhausting memory
  return bootKernel({ machine, version, sysctls: sysctlsOf(args.sysctl), cpus, seed, maxHostBytes: os.totalmem(), ...extra });
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
