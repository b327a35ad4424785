// `pagealloc whatif --from FILE... --alloc "order=N gfp=EXPR" [--no-compact]`: another request on the memory state a
// failure report (or /proc) printed: the watermark walk, and the real allocation on a machine booted with those free
// lists (@pagealloc/report).
import { DEFAULT_KERNEL_VERSION, isArchName } from "@pagealloc/physmem";
import { parseFailureReports, whatIf } from "@pagealloc/report";
import { parseSysctlOptions } from "@pagealloc/zones";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { readTextFile, writeJson } from "../options";

interface WhatIfCliOptions {
  from: string[];
  alloc: string;
  kernel?: string;
  arch?: string;
  compact?: boolean;
  seed?: string;
  sysctl?: string[];
  json?: boolean;
}

/** `order=4 gfp=GFP_ATOMIC` → { order, gfp }. */
function parseAlloc(text: string): { order: number; gfp: string } {
  let order: number | undefined;
  let gfp: string | undefined;
  for (const item of text.trim().split(/\s+/)) {
    const m = /^(order|gfp)=(.+)$/.exec(item);
    if (!m) throw new UsageError(`--alloc ${JSON.stringify(text)}: expected "order=N gfp=EXPR", not ${JSON.stringify(item)}`);
    if (m[1] === "order") {
      order = Number(m[2]);
      if (!Number.isInteger(order) || order < 0) throw new UsageError(`--alloc: order=${m[2]} is not an order`);
    } else gfp = m[2];
  }
  if (order === undefined || gfp === undefined) throw new UsageError(`--alloc ${JSON.stringify(text)}: both order= and gfp= are needed`);
  return { order, gfp };
}

/** Which /proc file a text is, by its first distinctive line. */
function procFileKind(text: string): "zoneinfo" | "buddyinfo" | "pagetypeinfo" | null {
  if (/^Free pages count per migrate type/m.test(text)) return "pagetypeinfo";
  if (/^Node \d+, zone\s+\S+\s*$/m.test(text)) return "zoneinfo";
  if (/^Node \d+, zone\s+\S+(?:\s+\d+)+\s*$/m.test(text)) return "buddyinfo";
  return null;
}

export function registerWhatIf(program: Command, io: Io): void {
  program
    .command("whatif")
    .description("would another request have succeeded on the memory a failure report printed? (watermark walk + the real allocation on a simulated machine)")
    .requiredOption(
      "--from <file...>",
      "failure reports (their Mem-Info is the memory state), or /proc/zoneinfo with /proc/buddyinfo (and /proc/pagetypeinfo for migratetypes)",
    )
    .requiredOption("--alloc <request>", 'the request, e.g. "order=4 gfp=GFP_ATOMIC" (gfp: names or hex, read with the kernel\'s flags)')
    .option("--kernel <version>", `kernel version to use instead of the one each report names (/proc files: default ${DEFAULT_KERNEL_VERSION})`)
    .option("--arch <arch>", "zone layout: x86_64, i386, i386-pae or arm64")
    .option("--sysctl <vm.name=value>", "a sysctl for the simulated machine: min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--compact", "accepted for compatibility and does nothing: when the first slow-path retry fails, the rest of the slow path (compaction, reclaim, retries) runs by default")
    .option("--no-compact", "stop after the slow path's first retry at min (no compaction, reclaim or retries)")
    .option("--seed <n>", "seed of the simulated machine's free-block placement (default 1)")
    .option("--json", "machine-readable output")
    .action((opts: WhatIfCliOptions) => {
      const seed = opts.seed === undefined ? undefined : Number(opts.seed);
      if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed ${opts.seed}: expected an integer`);
      const sysctls = opts.sysctl === undefined ? undefined : parseSysctlOptions(opts.sysctl);
      if (opts.arch !== undefined && !isArchName(opts.arch)) throw new UsageError(`--arch ${opts.arch}: expected x86_64, i386, i386-pae or arm64`);
      const arch = opts.arch !== undefined && isArchName(opts.arch) ? opts.arch : undefined;
      const request = parseAlloc(opts.alloc);
      const results: { file: string; line: number; result: ReturnType<typeof whatIf> }[] = [];
      const proc: { zoneinfo?: string; buddyinfo?: string; pagetypeinfo?: string } = {};
      const procNames: string[] = [];
      for (const file of opts.from) {
        const text = readTextFile(file);
        const kind = procFileKind(text);
        if (kind !== null) {
          proc[kind] = text;
          procNames.push(file);
          continue;
        }
        const { reports } = parseFailureReports(text);
        if (reports.length === 0) {
          throw new UsageError(`${file}: neither a page allocation failure report nor /proc/zoneinfo, /proc/buddyinfo or /proc/pagetypeinfo`);
        }
        for (const r of reports) results.push({ file, line: r.line, result: whatIf(r, { ...request, version: opts.kernel, arch, compact: opts.compact, seed, sysctls }) });
      }
      if (procNames.length > 0) {
        if (proc.zoneinfo === undefined) throw new UsageError(`${procNames.join(", ")}: /proc/zoneinfo is needed too (watermarks and free pages)`);
        const files = { zoneinfo: proc.zoneinfo, buddyinfo: proc.buddyinfo, pagetypeinfo: proc.pagetypeinfo };
        results.push({ file: procNames.join("+"), line: 0, result: whatIf(files, { ...request, version: opts.kernel ?? DEFAULT_KERNEL_VERSION, arch, compact: opts.compact, seed, sysctls }) });
      }
      if (opts.json) {
        writeJson(io, results.map(({ file, line, result }) => ({ file, line, ...result })));
        return;
      }
      for (const { file, line, result } of results) {
        const e = result.explanation;
        const what = `order-${result.order} ${e.gfp?.decoded || e.gfp?.hex} (highest zone ${e.zone?.name ?? "?"}, kernel ${e.version ?? "?"})`;
        const sim = result.simulation;
        const pathText = (p: string) => (p === "fast" ? "fast path (low watermark)" : sim?.slowPath ? "slow path" : "slow path (min watermark)");
        const verdict =
          result.wouldSucceed === null
            ? `cannot tell: ${e.notes[0] ?? e.summary}`
            : result.servedBy
              ? `would succeed from ${result.servedBy.nid === null ? "" : `Node ${result.servedBy.nid} `}${result.servedBy.zone} on the ${pathText(result.servedBy.path)}`
              : sim
                ? `would fail (${e.kind})`
                : `would fail every watermark check (${e.kind})${e.allows?.directReclaim ? "; the slow path would then reclaim/compact" : ""}`;
        io.out(`${line > 0 ? `${file}:${line}` : file}: ${what}: ${verdict}\n`);
        io.out("  watermark arithmetic (as printed):\n");
        for (const z of e.zonelist) {
          io.out(`  ${z.nid === null ? "" : `Node ${z.nid} `}${z.name}: fast ${z.fast?.ok ? "pass" : "fail"}, slow ${z.slow?.ok ? "pass" : `fail (${z.slow?.outcome ?? "not checked"})`}\n`);
        }
        if (sim) {
          io.out("  simulated machine (free lists rebuilt from the printed counts, the allocator of that version):\n");
          for (const z of sim.zones) {
            const blocks = Object.entries(z.freeBlocks)
              .map(([mt, orders]) => `${mt} ${Object.entries(orders).map(([o, n]) => `${n}×o${o}`).join(" ")}`)
              .join("; ");
            io.out(`    Node ${z.nid} ${z.name}: free ${z.freePages}, fast ${z.fastOk ? "pass" : "fail"}, min ${z.slowOk ? "pass" : "fail"}; free blocks of order ≥ ${result.order}: ${blocks || "none"}\n`);
          }
          io.out(`    ${sim.succeeded ? "succeeds" : "fails"}: ${sim.reason}\n`);
          if (sim.fromBlock) io.out(`    pfn ${sim.pfn} from the free order-${sim.fromBlock.order} ${sim.fromBlock.migratetype} block at pfn ${sim.fromBlock.pfn}\n`);
          for (const n of sim.notes) io.out(`    note: ${n}\n`);
        }
      }
    });
}
