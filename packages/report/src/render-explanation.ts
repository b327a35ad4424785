import type { ReportExplanation, WatermarkCheck } from "./explain";
import type { FailureReport } from "./report-types";

const yesNo = (b: boolean): string => (b ? "yes" : "no");

function checkLines(c: WatermarkCheck, indent: string): string[] {
  const out = c.steps.map((s) => `${indent}${s}`);
  if (c.boostRetry) out.push(...checkLines(c.boostRetry, indent));
  return out;
}

/**
 * Render an explanation as a readable walk-through with the arithmetic (the text output of
 * `pagealloc explain`).
 *
 * @param report - the parsed report (for its failure line)
 * @param e - its explanation
 * @returns text, one item a line, ending with a newline
 * @example
 * ```ts
 * import { parseFailureReports, explainReport, renderExplanation } from "@pagealloc/report";
 * const { reports } = parseFailureReports("a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)\n");
 * const text = renderExplanation(reports[0], explainReport(reports[0], { version: "6.18" }));
 * console.log(text.split("\n")[2]); // => diagnosis: insufficient-data
 * ```
 */
export function renderExplanation(report: FailureReport, e: ReportExplanation): string {
  const lines: string[] = [];
  const mode = `mode:0x${report.gfpMask.toString(16)}${report.gfpNames === null ? "" : `(${report.gfpNames})`}`;
  // As the kernel printed it: 2.6.x "failure. order:", later "failure: order:".
  lines.push(`line ${report.line}: ${report.comm}: page allocation failure${report.form === "dot-hex" ? "." : ":"} order:${report.order}, ${mode}`);
  lines.push(e.version === null ? "kernel: unknown" : `kernel: ${e.version} (${e.versionFrom === "option" ? "given" : "from the report"})`);
  lines.push(`diagnosis: ${e.kind}`);
  lines.push(`  ${e.summary}`);
  if (e.gfp) {
    const printed = e.gfp.printed === null ? "hex only in the report" : e.gfp.matchesPrinted ? "as printed" : `printed as ${e.gfp.printed}`;
    lines.push(`gfp: ${e.gfp.hex} = ${e.gfp.decoded || "(no flags)"} (${printed}); migratetype ${e.gfp.migratetype ?? "invalid"}`);
    lines.push(`  bits: ${e.gfp.bits.join(" ") || "(none)"}`);
  }
  if (e.zone) lines.push(`highest zone (gfp_zone): ${e.zone.name}, index ${e.zone.index} of ${e.zone.layout.join(", ")} (${e.zone.arch} layout)`);
  if (e.allows) {
    const a = e.allows;
    lines.push(
      `allowed: direct reclaim ${yesNo(a.directReclaim)}, kswapd ${yesNo(a.kswapd)}, compaction ${yesNo(a.compaction)}, ` +
        `high priority ${yesNo(a.highPriority)}, highatomic reserve ${yesNo(a.highatomic)}, nomemalloc ${yesNo(a.noMemalloc)}, ` +
        `nofail ${yesNo(a.noFail)}, noretry ${yesNo(a.noRetry)}, costly order ${yesNo(a.costly)}`,
    );
    lines.push(`retries: ${a.retries}`);
  }
  if (e.allocFlags) lines.push(`alloc flags: fast path ${e.allocFlags.fast.join("|")}; slow path ${e.allocFlags.slow.join("|")}`);
  if (e.zonelist.length > 0) {
    lines.push("zonelist walk (the slow path's check decides; the fast path's is shown for comparison):");
    for (const z of e.zonelist) {
      const name = `${z.nid === null ? "" : `Node ${z.nid} `}${z.name}`;
      if (!z.slow) {
        lines.push(`  ${name} (line ${z.line}): not checked (numbers missing)`);
        continue;
      }
      lines.push(`  ${name} (line ${z.line}): ${z.slow.ok ? "PASS" : `FAIL (${z.slow.outcome})`}`);
      if (z.fast) lines.push(`    fast path, low mark ${z.fast.mark}: ${z.fast.ok ? "pass" : "fail"} (usable ${z.fast.usable} vs ${z.fast.minAfterFlags} + ${z.fast.lowmemReserve})`);
      lines.push("    slow path:");
      lines.push(...checkLines(z.slow, "      "));
    }
  }
  if (e.suggestions.length > 0) {
    lines.push("what would have helped:");
    for (const s of e.suggestions) lines.push(`  - ${s.kind}: ${s.text}`);
  }
  if (e.notes.length > 0) {
    lines.push("notes:");
    for (const n of e.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join("\n")}\n`;
}
