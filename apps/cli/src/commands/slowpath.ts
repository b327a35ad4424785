// `pagealloc slowpath [SCENARIO] [--kernel V] [--trace] [--report] [--json]`: a built-in scenario of the allocator's
// slow path (@pagealloc/reclaim) with what happened on the way: each request's steps, the vm counters, the
// vmscan/compaction trace events and the warn_alloc reports.
import { formatGfp } from "@pagealloc/gfp";
import { SLOW_PATH_SCENARIOS, formatReclaimTraceLine, runSlowPathScenario } from "@pagealloc/reclaim";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { writeJson } from "../options";

interface SlowPathCliOptions {
  kernel?: string;
  trace?: boolean;
  report?: boolean;
  json?: boolean;
}

export function registerSlowPath(program: Command, io: Io): void {
  program
    .command("slowpath")
    .description("run a slow-path scenario (kswapd, direct reclaim, compaction, OOM decision, warn_alloc) and show what happened")
    .argument("[scenario]", `one of: ${SLOW_PATH_SCENARIOS.join(", ")} (omit to list them)`)
    .option("--kernel <version>", "kernel version (default 6.18; 2.6.24 runs the book's flow)")
    .option("--trace", "print the mm_vmscan_* / mm_compaction_* trace events as ftrace lines")
    .option("--report", "print the warn_alloc reports in full")
    .option("--json", "machine-readable output")
    .action((name: string | undefined, opts: SlowPathCliOptions) => {
      if (name === undefined) {
        for (const n of SLOW_PATH_SCENARIOS) io.out(`${n.padEnd(14)} ${runSlowPathScenarioDescription(n)}\n`);
        return;
      }
      if (!SLOW_PATH_SCENARIOS.includes(name)) throw new UsageError(`unknown scenario ${JSON.stringify(name)}: expected one of ${SLOW_PATH_SCENARIOS.join(", ")}`);
      const s = runSlowPathScenario(name, { version: opts.kernel });
      if (opts.json) {
        writeJson(io, s);
        return;
      }
      io.out(`${s.name} (kernel ${s.version}): ${s.description}\n\n`);
      const shown = s.requests.length > 12 ? [...s.requests.slice(0, 3), null, ...s.requests.slice(-3)] : s.requests;
      for (const r of shown) {
        if (r === null) {
          io.out(`  … ${s.requests.length - 6} more requests …\n`);
          continue;
        }
        const result = r.result ?? "fast path";
        io.out(`  ${r.label}: order ${r.order} → ${r.pfn >= 0 ? `pfn 0x${r.pfn.toString(16)}` : "NULL"} (${result})\n`);
        if (r.steps.length) io.out(`    steps: ${r.steps.join(", ")}\n`);
        if (r.reason) io.out(`    why: ${r.reason}\n`);
      }
      io.out(`\n  zone Normal: free ${s.zone.free} (min ${s.zone.min} low ${s.zone.low} high ${s.zone.high}), boost ${s.zone.boost}, reserved_highatomic ${s.zone.reservedHighatomic}\n`);
      io.out("\n  vmstat:\n");
      for (const [k, v] of Object.entries(s.vmstat)) io.out(`    ${k} ${v}\n`);
      io.out(`\n  trace events: ${s.events.length}, warn_alloc reports: ${s.reports.length}\n`);
      if (opts.trace) {
        io.out("\n");
        s.events.forEach((e, i) => {
          const kswapd = e.event.startsWith("mm_vmscan_kswapd") || e.event === "mm_compaction_kcompactd_wake";
          const ctx = kswapd ? { comm: e.event.includes("kcompactd") ? "kcompactd0" : "kswapd0", pid: 90, cpu: 0 } : { comm: "sim", pid: 1, cpu: 0 };
          io.out(`${formatReclaimTraceLine({ ...ctx, timestampUs: 1_000_000 + i }, e, (g) => formatGfp(g, s.version, "trace"), s.version)}\n`);
        });
      }
      if (opts.report) for (const text of s.reports) io.out(`\n${text}\n`);
    });
}

function runSlowPathScenarioDescription(name: string): string {
  return runSlowPathScenario(name).description;
}
