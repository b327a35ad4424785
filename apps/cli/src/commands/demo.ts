// `pagealloc demo`: the main job. The workload and its report live in @pagealloc/workload (the docs
// playground runs the same code); this file only parses options and prints.
import { renderDemo, runDemo } from "@pagealloc/workload";
import { parseKernelVersion } from "@pagealloc/physmem";
import type { Command } from "commander";
import type { Io } from "../io";
import { kernelOptions, machineFromSpec, sysctlsOf } from "../kernel-options";
import { colorsFor, examples, intOption, writeJson } from "../options";

interface DemoArgs {
  machine: string;
  kernel: string;
  sysctl?: string[];
  seed: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerDemo(program: Command, io: Io): void {
  const cmd = program
    .command("demo")
    .description("boot a machine, run a mixed workload until fragmentation shows, and explain what happened; then show the slow path (kswapd, direct reclaim, compaction, GFP_NOFS) on a small machine")
    .option("--json", "the report as JSON (fields: machine, version, seed, phases, kinds, before, after, watermarks, failures, legend, pageblocks, slowPath)")
    .option("--quiet", "only the workload summary and the failures");
  kernelOptions(cmd, { seed: true });
  examples(cmd, ["pagealloc demo", "pagealloc demo --machine tiny-16m --seed 7", "pagealloc demo --kernel 2.6.24 --machine book-i386", "pagealloc demo --json | jq .failures[0].explanation"]);
  cmd.action((opts: DemoArgs) => {
    const report = runDemo({
      machine: machineFromSpec(opts.machine),
      version: parseKernelVersion(opts.kernel).raw,
      seed: intOption(opts.seed, "--seed"),
      sysctls: sysctlsOf(opts.sysctl),
    });
    if (opts.json) return writeJson(io, report);
    io.out(renderDemo(report, colorsFor(io), { brief: opts.quiet }));
  });
}
