// `pagealloc replay TRACE`: kmem page events from ftrace / trace-cmd / perf script text, streamed line by
// line into the model (parser and replay in @pagealloc/workload).
import fs from "node:fs";
import { type FragmentationRow, type ReplayMode, type ReplaySummary, TraceReplayer } from "@pagealloc/workload";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { InterruptedError, watchInterrupts } from "../interrupt";
import { type Io, UsageError, processIo } from "../io";
import { type KernelArgs, bootFromArgs, kernelOptions } from "../kernel-options";
import { CheckFailedError, type Colors, colorsFor, examples, writeJson } from "../options";

interface ReplayArgs extends KernelArgs {
  mode: string;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

const MODES = ["recorded", "simulate", "both"] as const;

function fragLines(before: readonly FragmentationRow[], after: readonly FragmentationRow[]): string[] {
  const orders = Object.keys(before[0]?.extfrag ?? {}).map(Number);
  const fmt = (v: number) => (v < 0 ? "-1.000" : (v / 1000).toFixed(3));
  const out = [`  ${"zone".padEnd(12)} ${orders.map((o) => `extfrag@${o} before->after`.padStart(28)).join("")}`];
  for (const b of before) {
    const a = after.find((x) => x.nid === b.nid && x.zone === b.zone)!;
    out.push(`  ${`${b.nid}/${b.zone}`.padEnd(12)} ${orders.map((o) => `${fmt(b.extfrag[o]!)} -> ${fmt(a.extfrag[o]!)}`.padStart(28)).join("")}`);
  }
  return out;
}

function renderSummary(s: ReplaySummary, c: Colors, quiet: boolean): string {
  const out: string[] = [c.heading(`== mode ${s.mode} ==`)];
  const total = Object.values(s.events).reduce((n, byOrder) => n + Object.values(byOrder).reduce((a, b) => a + b, 0), 0);
  out.push(`${s.lines} lines, ${total} kmem page events`);
  if (!quiet) {
    for (const [event, byOrder] of Object.entries(s.events)) {
      out.push(`  ${event.padEnd(26)} ${Object.entries(byOrder).map(([o, n]) => `order ${o}: ${n}`).join(", ")}`);
    }
  }
  out.push(`applied: ${s.applied.allocs} allocations, ${s.applied.frees} frees`);
  out.push(`counted: ${s.preTraceFrees} frees of pages allocated before the trace began, ${s.notApplied} pcp/batched/extfrag events (kernel-internal moves)`);
  if (s.conflicts || s.outside) out.push(c.bad(`not placed: ${s.conflicts} conflicts with the model's state, ${s.outside} outside the machine (pass the traced machine's /proc/zoneinfo as --machine)`));
  out.push(`failures: ${s.recordedFailures} recorded by the kernel, ${s.mode === "simulate" ? `${s.failures} in our allocator` : "n/a (recorded mode places pages where the kernel did)"}`);
  for (const f of s.failureDetails.slice(0, quiet ? 3 : 10)) out.push(`  ${c.bad("FAIL")} line ${f.line}: ${f.explanation}`);
  if (!quiet) {
    out.push("fragmentation index (-1: the order is available; towards 1: failure from fragmentation):");
    out.push(...fragLines(s.before.fragmentation, s.after.fragmentation));
    out.push("/proc/buddyinfo after:", s.after.buddyinfo.trimEnd());
  }
  return `${out.join("\n")}\n`;
}

/** Bytes read from a trace file at a time: each chunk is replayed whole, and Ctrl-C is seen between chunks. */
export const REPLAY_CHUNK_BYTES = 64 * 1024;

export function registerReplay(program: Command, io: Io): void {
  const cmd = program
    .command("replay")
    .description("replay kmem page events (ftrace text, trace-cmd report, perf script; any kernel version) and summarise")
    .argument("<trace>", "the trace file ('-' reads stdin)")
    .option("--mode <mode>", "recorded: at the recorded pfns; simulate: our allocator chooses; both: compare", "recorded")
    .option("--json", "the summaries as JSON (fields: trace, machine, version, results[]: mode, lines, events, applied, preTraceFrees, conflicts, outside, notApplied, recordedFailures, failures, failureDetails, before, after)")
    .option("--quiet", "only the totals")
    .option("--strict", "exit 1 when an event could not be placed (conflict, outside the machine) or our allocator failed where the kernel succeeded")
    .option("--no-progress", "no progress bar (it is shown only on a terminal anyway)");
  kernelOptions(cmd, { cpus: true });
  examples(cmd, [
    "pagealloc replay trace.txt --machine saved-zoneinfo.txt",
    "pagealloc replay trace.txt --mode both --json",
    "trace-cmd report | pagealloc replay - --mode simulate",
    "perf script | pagealloc replay - --machine pc-4g",
  ]);
  cmd.action(async (file: string, opts: ReplayArgs) => {
    if (!(MODES as readonly string[]).includes(opts.mode)) throw new UsageError(`--mode ${opts.mode}: expected ${MODES.join(", ")}`);
    const modes: ReplayMode[] = opts.mode === "both" ? ["recorded", "simulate"] : [opts.mode as ReplayMode];
    let size = 0;
    let input: NodeJS.ReadableStream;
    if (file === "-") input = process.stdin;
    else {
      try {
        size = fs.statSync(file).size;
        input = fs.createReadStream(file, { highWaterMark: REPLAY_CHUNK_BYTES });
      } catch {
        throw new UsageError(`${file}: no such file`);
      }
    }
    // Ctrl-C: stop after the line under way (every replayer has applied it), then summarise what was replayed.
    // Installed before the boot, so that a signal during it is seen at the first line.
    const intr = watchInterrupts();
    let kernels;
    try {
      kernels = modes.map(() => bootFromArgs(opts));
    } catch (e) {
      intr.dispose();
      throw e;
    }
    const replayers = modes.map((mode, i) => new TraceReplayer(kernels[i]!, { mode, file }));
    const bar =
      io === processIo && process.stderr.isTTY && opts.progress !== false && size > 0 && !opts.quiet
        ? new cliProgress.SingleBar({ format: "replay [{bar}] {percentage}% | {value}/{total} bytes", stream: process.stderr }, cliProgress.Presets.shades_classic)
        : undefined;
    bar?.start(size, 0);
    let bytes = 0;
    try {
      // the file's bytes go to the replayers as they come (TraceReplayer.write splits lines as readline does and reads
      // the standard layout without a string per line); Ctrl-C is seen between chunks
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        for (const r of replayers) r.write(b);
        bytes += b.length;
        bar?.update(Math.min(bytes, size));
        if (intr.checkpoint()) break;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "EISDIR") throw new UsageError(`${file}: cannot be read`);
      throw e;
    } finally {
      intr.dispose();
      bar?.stop();
      if (input !== process.stdin) (input as fs.ReadStream).destroy();
    }
    const lines = replayers[0]!.linesRead;
    const interrupted = intr.signal ? `interrupted (${intr.signal}) after ${lines} lines${size > 0 ? ` (${Math.min(bytes, size)} of ${size} bytes)` : ""}` : undefined;
    const summaries = replayers.map((r) => r.finish({ partial: intr.signal ? "drop" : "replay" }));
    const k = kernels[0]!;
    if (opts.json) writeJson(io, { trace: file, machine: k.machine.name, version: k.version.raw, results: summaries, ...(interrupted ? { interrupted } : {}) });
    else {
      const c = colorsFor(io);
      io.out(`replay ${file} on ${k.machine.name} (Linux ${k.version.raw})\n${summaries.map((s) => renderSummary(s, c, opts.quiet ?? false)).join("\n")}${interrupted ? `${c.bad(interrupted)}\n` : ""}`);
    }
    if (intr.signal) throw new InterruptedError(intr.signal);
    const problems = summaries.reduce((n, s) => n + s.conflicts + s.outside + s.failures, 0);
    if (opts.strict && problems > 0) throw new CheckFailedError(`${file}: ${problems} events not replayed as recorded`);
  });
}
