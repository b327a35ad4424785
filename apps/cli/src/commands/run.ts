// `pagealloc run SCRIPT`: a workload script (language in @pagealloc/workload's README) on a booted kernel.
import fs from "node:fs";
import { type BuddyTraceEvent, formatTraceLine } from "@pagealloc/buddy";
import { formatGfp } from "@pagealloc/gfp";
import type { Kernel } from "@pagealloc/page-api";
import { versionAtLeast } from "@pagealloc/physmem";
import { ScriptOwners, runScriptAsync, scriptHeader } from "@pagealloc/workload";
import type { Command } from "commander";
import { InterruptedError, watchInterrupts } from "../interrupt";
import { type Io, UsageError } from "../io";
import { type KernelArgs, bootFromArgs, kernelOptions } from "../kernel-options";
import { CheckFailedError, colorsFor, examples, readTextFile, writeJson } from "../options";
import { loadSnapshotFile, saveSnapshotFile } from "../snapshot-file";

interface RunArgs extends KernelArgs {
  trace?: string;
  reclaim?: boolean;
  check?: boolean;
  json?: boolean;
  quiet?: boolean;
  save?: string;
  load?: string;
}

/** Open `file` for the trace; a bad path is a usage error naming the option. */
function openTrace(file: string): number {
  try {
    return fs.openSync(file, "w");
  } catch (e) {
    throw new UsageError(`--trace ${file}: cannot be written (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/**
 * Boot with a trace sink writing ftrace lines to `fd` (comm `pagealloc`, one microsecond per event so that
 * the file is deterministic).
 */
function bootTraced(args: KernelArgs, fd: number | undefined, check: boolean, owners: ScriptOwners | undefined): Kernel {
  const reclaim = owners ? { ...owners.hooks } : undefined;
  if (fd === undefined) return bootFromArgs(args, { checkInvariants: check, reclaim });
  let tick = 0;
  let k: Kernel | undefined;
  const header = "# tracer: nop\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n#              | |         |   |||||     |         |\n";
  fs.writeSync(fd, header);
  const sink = (e: BuddyTraceEvent) => {
    const cpu = k ? k.smp_processor_id() : 0;
    const version = k?.version;
    // kmem.h prints pfn=%lu (decimal) until 5.13 and pfn=0x%lx from 5.14 (53d884a6675b).
    const line = formatTraceLine({ comm: "pagealloc", pid: 1, cpu, timestampUs: 1_000_000 + tick++ }, e, {
      formatGfp: version ? (g) => formatGfp(g, version, "trace") : undefined,
      pfnHex: version ? versionAtLeast(version, "5.14") : true,
    });
    fs.writeSync(fd, `${line}\n`);
  };
  k = bootFromArgs(args, { trace: sink, checkInvariants: check, reclaim });
  return k;
}

const HEADER_OPTIONS = new Set(["machine", "kernel", "seed", "cpus", "sysctl"]);
const HEADER_FLAGS = new Set(["reclaim"]);

/**
 * Options from the script's `# pagealloc-run: --machine M --kernel V` line, for those the command line
 * left at their defaults.
 */
function applyHeader(cmd: Command, file: string, text: string, opts: RunArgs): void {
  const header = scriptHeader(text);
  if (!header) return;
  const a = header.args;
  for (let i = 0; i < a.length; i += 2) {
    const key = a[i]!.replace(/^--/, "");
    if (HEADER_FLAGS.has(key)) {
      if (cmd.getOptionValueSource(key) === undefined) (opts as unknown as Record<string, unknown>)[key] = true;
      i -= 1;
      continue;
    }
    const value = a[i + 1];
    if (!a[i]!.startsWith("--") || !HEADER_OPTIONS.has(key) || value === undefined) {
      throw new UsageError(`${file}:${header.line}: pagealloc-run: expected --reclaim, or --machine, --kernel, --seed, --cpus or --sysctl with a value, got ${JSON.stringify(a[i])}`);
    }
    const source = cmd.getOptionValueSource(key);
    if (source !== undefined && source !== "default") continue;
    const o = opts as unknown as Record<string, unknown>;
    if (key === "sysctl") o.sysctl = [...((o.sysctl as string[] | undefined) ?? []), value];
    else o[key] = value;
  }
}

export function registerRun(program: Command, io: Io): void {
  const cmd = program
    .command("run")
    .description("run a workload script (alloc/free/repeat/random/show/expect lines, or JSON Lines); exit 1 when an expect line fails")
    .argument("<script>", "the script file")
    .option("--trace <file>", "write the kmem trace events (mm_page_alloc, mm_page_free, ...) in ftrace text format")
    .option("--check", "run the buddy invariant checker after every step (slow)")
    .option("--reclaim", "run the slow path (@pagealloc/reclaim: kswapd, direct reclaim, compaction); `mark`/`reclaimable` memory can then be reclaimed")
    .option("--json", "results as JSON (fields: script, machine, version, seed, ok, expectations, failures, shows, allocations, steps, dmesg)")
    .option("--quiet", "print only failed expectations")
    .option("--save <file>", "after the script, save the complete simulator state to FILE (written atomically: temporary file + rename)")
    .option("--load <file>", "start from a state saved with --save instead of booting (its machine, version, sysctls, CPUs and seed apply)");
  kernelOptions(cmd, { cpus: true, seed: true });
  examples(cmd, [
    "pagealloc run examples/fragmentation.pa",
    "pagealloc run examples/dma-exhaustion.pa --machine tiny-16m --check",
    "pagealloc run my.pa --kernel 5.15 --seed 42 --trace /tmp/kmem.trace",
    "pagealloc run examples/page-cache-reclaim.pa --reclaim",
  ]);
  cmd.action(async (file: string, opts: RunArgs) => {
    const text = readTextFile(file);
    applyHeader(cmd, file, text, opts);
    const fd = opts.trace ? openTrace(opts.trace) : undefined;
    let result;
    let k: Kernel;
    // Ctrl-C: the script stops after the step under way (runScriptAsync lets the handler run between steps)
    const intr = watchInterrupts();
    const signal = {
      get aborted() {
        return intr.checkpoint();
      },
    };
    try {
      const owners = opts.reclaim ? new ScriptOwners() : undefined;
      // snapshots (--load/--save): the slow path's state is not in the format, and --trace needs a boot-time sink
      if (opts.load && (opts.reclaim || opts.trace)) throw new UsageError("--load cannot be combined with --reclaim or --trace");
      k = opts.load ? loadSnapshotFile(opts.load, { checkInvariants: opts.check }) : bootTraced(opts, fd, opts.check ?? false, owners);
      // a turn for the signal handlers every 50 ms (steps cost 1 µs to 1 ms with --trace/--check)
      let turnAt = Date.now() + 50;
      const shouldYield = () => {
        if (Date.now() < turnAt) return false;
        turnAt = Date.now() + 50;
        return true;
      };
      result = await runScriptAsync(k, text, { file, seed: k.seed, owners, signal, shouldYield });
    } finally {
      intr.dispose();
      if (fd !== undefined) fs.closeSync(fd);
    }
    const last = result.steps.at(-1);
    const interrupted = result.interrupted ? `interrupted (${intr.signal}) after ${result.steps.length} steps${last ? `, at ${file}:${last.line}` : ""}` : undefined;
    if (opts.save) saveSnapshotFile(opts.save, k);
    if (opts.json) {
      writeJson(io, {
        script: file,
        machine: k.machine.name,
        version: k.version.raw,
        seed: k.seed,
        ok: result.ok,
        expectations: result.expectations,
        failures: result.failures,
        shows: result.shows,
        allocations: result.allocations,
        steps: result.steps.length,
        dmesg: k.dmesg().map((l) => l.text),
        ...(interrupted ? { interrupted } : {}),
      });
    } else {
      const c = colorsFor(io);
      let out = "";
      if (!opts.quiet) {
        const events = [
          ...result.shows.map((s) => ({ line: s.line, text: `${c.heading(`# ${file}:${s.line}: show ${s.file}`)}\n${s.text}` })),
          ...result.failures.map((f) => ({ line: f.line, text: `${c.dim(`${file}:${f.line}: alloc ${f.name} failed:`)} ${f.explanation}\n` })),
        ].sort((a, b) => a.line - b.line);
        // Repeated failures of one line are printed once with a count.
        const seen = new Map<string, number>();
        for (const e of events) seen.set(e.text, (seen.get(e.text) ?? 0) + 1);
        for (const [t, n] of seen) out += n > 1 ? t.replace(/\n$/, ` (x${n})\n`) : t;
      }
      const log = k.dmesg();
      if (!opts.quiet && log.length) out += `${c.heading("# dmesg")}\n${log.map((l) => l.text).join("\n")}\n`;
      for (const e of result.expectations) {
        if (e.ok && opts.quiet) continue;
        out += e.ok ? `${c.good("ok")}   ${file}:${e.line}: ${e.text}\n` : `${c.bad("FAIL")} ${file}:${e.line}: ${e.text} (found ${e.actual})\n`;
      }
      if (!opts.quiet) {
        const failed = result.expectations.filter((e) => !e.ok).length;
        out += `${result.steps.length} steps, ${result.failures.length} failed allocations, ${result.expectations.length - failed}/${result.expectations.length} expectations held\n`;
      }
      if (interrupted) out += `${c.bad(interrupted)}\n`;
      io.out(out);
    }
    if (result.interrupted) throw new InterruptedError(intr.signal ?? "SIGINT");
    if (!result.ok) throw new CheckFailedError(`${file}: ${result.expectations.filter((e) => !e.ok).length} expectation(s) failed`);
  });
}
