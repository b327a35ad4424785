// `pagealloc run SCRIPT`: a workload script (language in @pagealloc/workload's README) on a booted kernel.
import fs from "node:fs";
import { type BuddyTraceEvent, formatTraceLine } from "@pagealloc/buddy";
import { formatGfp } from "@pagealloc/gfp";
import type { Kernel } from "@pagealloc/page-api";
import { versionAtLeast } from "@pagealloc/physmem";
import { type ScriptResult, type ScriptState, ScriptOwners, runScriptAsync, scriptHeader } from "@pagealloc/workload";
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
  // the slow path runs unless --no-reclaim (owners are created exactly when it runs)
  const reclaim = owners ? { ...owners.hooks } : false;
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
/** Header flags: `--reclaim` (a no-op: the slow path is on by default) and `--no-reclaim`, as on the command line. */
const HEADER_FLAGS: ReadonlyMap<string, ["reclaim", boolean]> = new Map([
  ["reclaim", ["reclaim", true]],
  ["no-reclaim", ["reclaim", false]],
]);

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
    const flag = HEADER_FLAGS.get(key);
    if (flag) {
      if (cmd.getOptionValueSource(flag[0]) === undefined) (opts as unknown as Record<string, unknown>)[flag[0]] = flag[1];
      i -= 1;
      continue;
    }
    const value = a[i + 1];
    if (!a[i]!.startsWith("--") || !HEADER_OPTIONS.has(key) || value === undefined) {
      throw new UsageError(`${file}:${header.line}: pagealloc-run: expected --reclaim, --no-reclaim, or --machine, --kernel, --seed, --cpus or --sysctl with a value, got ${JSON.stringify(a[i])}`);
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
    .description(
      "run a workload script (alloc/free/repeat/random/show/expect lines, or JSON Lines); exit 1 when an expect line fails. Several scripts run one after the other on the same kernel, each continuing the previous one (its random() sequence and named allocations), as `--save` then `--load` would",
    )
    .argument("<script...>", "the script file(s); only the first one's `# pagealloc-run:` line applies")
    .option("--trace <file>", "write the kmem trace events (mm_page_alloc, mm_page_free, ...) in ftrace text format")
    .option("--check", "run the buddy invariant checker after every step (slow)")
    .option("--reclaim", "accepted for compatibility and does nothing: the slow path (@pagealloc/reclaim: kswapd, direct reclaim, compaction) runs by default")
    .option("--no-reclaim", "fast path only: an allocation the fast path cannot serve fails at once (no kswapd, direct reclaim or compaction; `mark` is refused, `reclaimable` only recorded)")
    .option("--json", "results as JSON (fields: script, machine, version, seed, ok, expectations, failures, shows, allocations, steps, dmesg; an array of these for several scripts)")
    .option("--quiet", "print only failed expectations")
    .option(
      "--save <file>",
      "after the script(s), save the complete simulator state to FILE (written atomically: temporary file + rename), with the script state: the random() generator and the named allocations",
    )
    .option(
      "--load <file>",
      "start from a state saved with --save instead of booting (its machine, version, sysctls, CPUs and seed apply); the script continues the saved run's random() sequence and may free its named allocations (a file without script state: random() starts again from the seed, said once on stderr)",
    );
  kernelOptions(cmd, { cpus: true, seed: true });
  examples(cmd, [
    "pagealloc run examples/fragmentation.pa",
    "pagealloc run examples/dma-exhaustion.pa --machine tiny-16m --check",
    "pagealloc run my.pa --kernel 5.15 --seed 42 --trace /tmp/kmem.trace",
    "pagealloc run examples/atomic-bursts.pa --no-reclaim",
    "pagealloc run setup.pa --save state.pgs && pagealloc run more.pa --load state.pgs",
  ]);
  cmd.action(async (files: string[], opts: RunArgs) => {
    const texts = files.map((f) => readTextFile(f));
    applyHeader(cmd, files[0]!, texts[0]!, opts);
    const fd = opts.trace ? openTrace(opts.trace) : undefined;
    const runs: ScriptRun[] = [];
    let k: Kernel;
    // Ctrl-C: the script stops after the step under way (runScriptAsync lets the handler run between steps)
    const intr = watchInterrupts();
    const signal = {
      get aborted() {
        return intr.checkpoint();
      },
    };
    try {
      const owners = opts.reclaim !== false ? new ScriptOwners() : undefined;
      // --load: the saved kernel says whether the slow path runs (only an explicit --reclaim/--no-reclaim conflicts),
      // and --trace needs a boot-time sink
      if (opts.load && (cmd.getOptionValueSource("reclaim") === "cli" || opts.trace)) throw new UsageError("--load cannot be combined with --reclaim, --no-reclaim or --trace");
      let resume: ScriptState | undefined;
      let scriptOwners = owners;
      if (opts.load) {
        // the saved kernel says whether the slow path runs; the blocks the saved run marked stay followed
        // (reclaim's evictions and compaction's moves reach their names)
        const loadOwners = new ScriptOwners();
        const loaded = loadSnapshotFile(opts.load, { checkInvariants: opts.check, reclaim: { ...loadOwners.hooks } });
        k = loaded.kernel;
        scriptOwners = k.reclaim ? loadOwners : undefined;
        resume = loaded.script ?? undefined;
        if (!loaded.script) io.err(`pagealloc run: --load ${opts.load} holds no script state (${loaded.noScriptReason}): random() starts again from seed ${k.seed}, earlier named allocations are not known\n`);
      } else {
        k = bootTraced(opts, fd, opts.check ?? false, owners);
      }
      // a turn for the signal handlers every 50 ms (steps cost 1 µs to 1 ms with --trace/--check)
      let turnAt = Date.now() + 50;
      const shouldYield = () => {
        if (Date.now() < turnAt) return false;
        turnAt = Date.now() + 50;
        return true;
      };
      for (const [i, file] of files.entries()) {
        const result = await runScriptAsync(k, texts[i]!, { file, seed: k.seed, resume, owners: scriptOwners, signal, shouldYield });
        // the log as this script left it (a later script of the same run adds to it)
        runs.push({ file, result, dmesg: k.dmesg().map((l) => l.text) });
        resume = result.state;
        if (result.interrupted) break;
      }
    } finally {
      intr.dispose();
      if (fd !== undefined) fs.closeSync(fd);
    }
    if (opts.save) saveSnapshotFile(opts.save, k, { script: runs.at(-1)!.result.state });
    if (opts.json) {
      const objects = runs.map((r) => reportJson(r, k, intr.signal));
      writeJson(io, objects.length === 1 ? objects[0] : objects);
    } else {
      io.out(runs.map((r) => reportText(r, opts, io, intr.signal)).join(""));
    }
    if (runs.at(-1)!.result.interrupted) throw new InterruptedError(intr.signal ?? "SIGINT");
    const failed = runs.flatMap(({ file, result }) => (result.ok ? [] : [`${file}: ${result.expectations.filter((e) => !e.ok).length} expectation(s) failed`]));
    if (failed.length) throw new CheckFailedError(failed.join("; "));
  });
}

/** One script of a `run`: its result and the kernel log when it ended. */
interface ScriptRun {
  readonly file: string;
  readonly result: ScriptResult;
  readonly dmesg: readonly string[];
}

function interruptedText({ file, result }: ScriptRun, signal: string | undefined): string | undefined {
  const last = result.steps.at(-1);
  return result.interrupted ? `interrupted (${signal}) after ${result.steps.length} steps${last ? `, at ${file}:${last.line}` : ""}` : undefined;
}

/** One script's `--json` object. */
function reportJson(run: ScriptRun, k: Kernel, signal: string | undefined): object {
  const { file, result } = run;
  const interrupted = interruptedText(run, signal);
  return {
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
    dmesg: run.dmesg,
    ...(interrupted ? { interrupted } : {}),
  };
}

/** The text `run` prints for one script. */
function reportText(run: ScriptRun, opts: RunArgs, io: Io, signal: string | undefined): string {
  const { file, result, dmesg } = run;
  const interrupted = interruptedText(run, signal);
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
  if (!opts.quiet && dmesg.length) out += `${c.heading("# dmesg")}\n${dmesg.join("\n")}\n`;
  for (const e of result.expectations) {
    if (e.ok && opts.quiet) continue;
    out += e.ok ? `${c.good("ok")}   ${file}:${e.line}: ${e.text}\n` : `${c.bad("FAIL")} ${file}:${e.line}: ${e.text} (found ${e.actual})\n`;
  }
  if (!opts.quiet) {
    const failed = result.expectations.filter((e) => !e.ok).length;
    out += `${result.steps.length} steps, ${result.failures.length} failed allocations, ${result.expectations.length - failed}/${result.expectations.length} expectations held\n`;
  }
  if (interrupted) out += `${c.bad(interrupted)}\n`;
  return out;
}
