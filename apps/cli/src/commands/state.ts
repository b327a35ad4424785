// `pagealloc buddyinfo|pagetypeinfo|zoneinfo|vmstat --after SCRIPT`: the kernel's text after a workload.
// buddyinfo/pagetypeinfo (commands/buddy.ts) and zoneinfo (commands/zones.ts) print the booted state;
// this file adds --after to them (running the script, then printing through @pagealloc/workload's
// renderState) and adds vmstat.
import { renderState, runScript } from "@pagealloc/workload";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { type KernelArgs, bootFromArgs, kernelOptions } from "../kernel-options";
import { examples, intOption, readTextFile, writeJson } from "../options";

const FILES = ["buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat"] as const;

interface StateArgs extends KernelArgs {
  after?: string;
  json?: boolean;
}

/** Boot, run `--after` when given, and print `/proc/<file>`. */
function printState(io: Io, file: (typeof FILES)[number], opts: StateArgs & { sysctlDir?: string }): void {
  if (opts.sysctlDir !== undefined) throw new UsageError("--sysctl-dir cannot be combined with --after; pass the values with --sysctl vm.NAME=VALUE");
  const k = bootFromArgs(opts);
  if (opts.after) {
    const r = runScript(k, readTextFile(opts.after), { file: opts.after, seed: intOption(opts.seed, "--seed") ?? k.seed });
    if (!r.ok) io.err(`pagealloc: ${opts.after}: ${r.expectations.filter((e) => !e.ok).length} expectation(s) failed (see pagealloc run)\n`);
  }
  const text = renderState(k, file);
  if (opts.json) writeJson(io, { file: `/proc/${file}`, machine: k.machine.name, version: k.version.raw, after: opts.after ?? null, text });
  else io.out(text);
}

/**
 * Register `vmstat` and give `buddyinfo`, `pagetypeinfo` and `zoneinfo` an `--after SCRIPT` option: with it,
 * the command boots, runs the script and prints the file through this action; without it the original
 * command runs unchanged.
 */
export function registerState(program: Command, io: Io): void {
  for (const file of FILES) {
    let cmd = program.commands.find((c) => c.name() === file);
    if (!cmd) {
      cmd = program.command(file).description(`print /proc/${file} of a machine after boot, or after a workload script (--after)`);
      kernelOptions(cmd);
      cmd.option("--json", "JSON: { file, machine, version, after, text }");
      cmd.action((opts: StateArgs) => printState(io, file, opts));
    }
    const has = (flag: string) => cmd!.options.some((o) => o.long === flag);
    // Options this file adds to another engineer's command: when one is used, this action prints.
    const added = ["after"];
    cmd.option("--after <script>", "run this workload script first, then print the state");
    for (const [flag, key, add] of [
      ["--seed", "seed", (c: Command) => c.option("--seed <n>", "seed of the script's random choices (with --after)")],
      ["--sysctl", "sysctl", (c: Command) => c.option("--sysctl <vm.name=value>", "a sysctl (repeatable)", (v: string, prev: string[] = []) => [...prev, v])],
      ["--json", "json", (c: Command) => c.option("--json", "JSON: { file, machine, version, after, text }")],
    ] as const) {
      if (has(flag)) continue;
      add(cmd);
      added.push(key);
    }
    examples(cmd, [`pagealloc ${file} --machine pc-4g`, `pagealloc ${file} --machine tiny-16m --after examples/fragmentation.pa`]);
    cmd.hook("preAction", (_cmd, action) => {
      const opts = action.opts<StateArgs>();
      if (!added.some((key) => (opts as Record<string, unknown>)[key] !== undefined)) return;
      printState(io, file, opts);
      // The state was printed; the original action must not run.
      action.action(() => undefined);
    });
  }
}
