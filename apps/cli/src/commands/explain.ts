// `pagealloc explain REPORT`: read a page allocation failure report and explain it with the kernel's rules (@pagealloc/report).
import { isArchName } from "@pagealloc/physmem";
import { explainReport, parseFailureReports, renderExplanation } from "@pagealloc/report";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { readTextFile, writeJson } from "../options";

interface ExplainCliOptions {
  kernel?: string;
  arch?: string;
  report?: string;
  json?: boolean;
}

export function registerExplain(program: Command, io: Io): void {
  program
    .command("explain")
    .description("explain a 'page allocation failure' report (dmesg, syslog, logcat or a mail): the gfp mask, the zonelist and each zone's watermark check with its arithmetic")
    .argument("<report>", "a file holding one or more reports")
    .option("--kernel <version>", "kernel version to use instead of the one the report names (uname -r form accepted)")
    .option("--arch <arch>", "zone layout: x86_64, i386, i386-pae or arm64 (default: x86_64 if the report shows DMA32, else i386)")
    .option("--report <n>", "explain only the n-th report of the file (1-based)")
    .option("--json", "machine-readable output (fields documented in the @pagealloc/report README)")
    .action((file: string, opts: ExplainCliOptions) => {
      if (opts.arch !== undefined && !isArchName(opts.arch)) throw new UsageError(`--arch ${opts.arch}: expected x86_64, i386, i386-pae or arm64`);
      const arch = opts.arch !== undefined && isArchName(opts.arch) ? opts.arch : undefined;
      const { reports, problems } = parseFailureReports(readTextFile(file));
      if (reports.length === 0) {
        for (const p of problems) io.err(`pagealloc: ${file}:${p.line}: ${p.reason}\n`);
        throw new UsageError(`${file}: no page allocation failure report found`);
      }
      let chosen = reports.map((r, i) => ({ r, n: i + 1 }));
      if (opts.report !== undefined) {
        const n = Number(opts.report);
        if (!Number.isInteger(n) || n < 1 || n > reports.length) throw new UsageError(`--report ${opts.report}: the file has ${reports.length} report(s)`);
        chosen = chosen.filter((c) => c.n === n);
      }
      const explained = chosen.map(({ r, n }) => ({ n, r, e: explainReport(r, { version: opts.kernel, arch }) }));
      if (opts.json) {
        writeJson(io, {
          file,
          reports: explained.map(({ n, r, e }) => ({ index: n, line: r.line, report: r, explanation: e })),
          problems,
        });
      } else {
        io.out(explained.map(({ n, r, e }) => `report ${n} of ${reports.length}, ${renderExplanation(r, e)}`).join("\n"));
      }
      for (const p of problems) io.err(`pagealloc: ${file}:${p.line}: ${p.reason}\n`);
      if (problems.length > 0) throw new UsageError(`${file}: ${problems.length} line(s) could not be read`);
    });
}
