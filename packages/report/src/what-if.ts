import { buddyVersionFacts } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import type { Sysctls } from "@pagealloc/zones";
import { PageallocError } from "@pagealloc/physmem";
import { ReportExplainError } from "./errors";
import { type ExplainOptions, type ReportExplanation, explainReport } from "./explain";
import { type ProcFiles, memInfoFromProc } from "./proc-state";
import type { FailureReport, ReportMemInfo } from "./report-types";
import { type SimulationResult, machineFromMemInfo, machineFromProc, simulateRequest, withSysctls } from "./simulate";

/** A hypothetical request: an order and a gfp mask (number, or an expression such as `GFP_ATOMIC|__GFP_COMP`). */
export interface WhatIfRequest extends ExplainOptions {
  readonly order: number;
  readonly gfp: number | string;
  /** Seed of the simulated machine's block placement (default 1). */
  readonly seed?: number;
  /**
   * Run the rest of the slow path (compaction, reclaim, retries) with @pagealloc/reclaim when the first retry fails
   * (default true, as the kernel does); `false` stops after the first retry at min.
   */
  readonly compact?: boolean;
  /** vm sysctls for the simulated machine (min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio). */
  readonly sysctls?: Partial<Sysctls>;
  /** Skip booting the simulated machine (arithmetic only). */
  readonly arithmeticOnly?: boolean;
}

/** What `whatIf` answers. */
export interface WhatIfResult {
  readonly order: number;
  readonly gfpMask: number;
  /**
   * Whether the request succeeds: the simulated machine's answer when it could be booted, else true when some zone
   * of the walk passes the fast path's or the slow path's watermark check.
   */
  readonly wouldSucceed: boolean | null;
  /** The zone that serves it, and on which path (fast: low mark; slow: min mark, after waking kswapd). */
  readonly servedBy: { readonly nid: number | null; readonly zone: string; readonly path: "fast" | "slow" } | null;
  /**
   * The real allocation on a simulated machine whose free lists match the Mem-Info (or /proc files): buddy's
   * get_page_from_freelist with the version's rules; null when the state cannot be booted (no free-area lines,
   * unknown version) or with `arithmeticOnly`.
   */
  readonly simulation: SimulationResult | null;
  /** The full walk with the arithmetic (its `kind` reads as for a failure: `not-explained` = the request passes). */
  readonly explanation: ReportExplanation;
}

/**
 * Ask what the allocator would have done with another request on the memory state a report printed:
 * the same zonelist walk and watermark checks as {@link explainReport}, for the given order and mask.
 * kernel: mm/page_alloc.c get_page_from_freelist() (fast path at the low mark, then the slow path at min)
 *
 * @param source - a parsed report with its Mem-Info, or a Mem-Info alone (e.g. from {@link memInfoFromProc}; then
 *   `version` is needed)
 * @param request - `order`, `gfp` (number or expression, read with that version's flags), optional `version`, `arch`
 * @returns whether it would pass, in which zone and on which path, and the walk
 * @throws {ReportExplainError} for an order outside 0..15 or a mask the version cannot read
 * @example
 * ```ts
 * import { parseFailureReports, whatIf } from "@pagealloc/report";
 * const log = "a: page allocation failure: order:3, mode:0xcc0(GFP_KERNEL)\nCPU: 0 PID: 1 Comm: a Not tainted 6.18.0 #1\n" +
 *   "Mem-Info:\nNode 0 Normal free:4000kB min:400kB low:500kB high:600kB\nlowmem_reserve[]: 0 0 0 0 0\n" +
 *   "Node 0 Normal: 1000*4kB (UM) 0*8kB 0*16kB 0*32kB = 4000kB\n";
 * const w = whatIf(parseFailureReports(log).reports[0], { order: 0, gfp: "GFP_KERNEL" });
 * console.log(w.wouldSucceed, w.servedBy.zone, w.servedBy.path); // => true Normal fast
 * ```
 */
export function whatIf(source: FailureReport | ReportMemInfo | ProcFiles, request: WhatIfRequest): WhatIfResult {
  const { order, gfp, seed, compact, sysctls, arithmeticOnly, ...options } = request;
  const proc = "zoneinfo" in source ? source : null;
  const report: FailureReport = "zoneinfo" in source ? memInfoReport(memInfoFromProc(source)) : "gfpMask" in source ? source : memInfoReport(source);
  if (!Number.isInteger(order) || order < 0 || order > 15) throw new ReportExplainError(`order ${order} is not an order (0..15)`, "order");
  let gfpMask: number;
  try {
    gfpMask = typeof gfp === "number" ? gfp : parseGfp(gfp, options.version ?? report.kernelRelease ?? undefined);
  } catch (e) {
    if (e instanceof PageallocError) throw new ReportExplainError(`cannot read the gfp mask ${JSON.stringify(gfp)}: ${e.message}`, "gfp");
    throw e;
  }
  const explanation = explainReport({ ...report, order, gfpMask, gfpNames: null }, options);
  let simulation: SimulationResult | null = null;
  if (!arithmeticOnly && explanation.version !== null && explanation.zone !== null && report.memInfo !== null) {
    const version = explanation.version;
    const maxOrder = buddyVersionFacts(version).nrPageOrders - 1;
    const layout = explanation.zone.layout;
    const booted = proc ? machineFromProc(proc, layout, maxOrder) : machineFromMemInfo(report.memInfo, layout, maxOrder);
    const machine = sysctls ? withSysctls(booted, sysctls, version, layout) : booted;
    if (machine.zones.length > 0) simulation = simulateRequest(machine, { order, gfpMask, version, arch: explanation.zone.arch, seed, compact: compact ?? true });
  }
  const checked = explanation.zonelist.filter((z) => z.slow !== null);
  if (simulation !== null && simulation.zones.length > 0) {
    return {
      order,
      gfpMask,
      wouldSucceed: simulation.succeeded,
      servedBy: simulation.zone && simulation.path ? { nid: simulation.zone.nid, zone: simulation.zone.name, path: simulation.path } : null,
      simulation,
      explanation,
    };
  }
  if (explanation.kind === "insufficient-data" || (checked.length === 0 && explanation.kind !== "no-eligible-zone")) {
    return { order, gfpMask, wouldSucceed: null, servedBy: null, simulation, explanation };
  }
  const fast = checked.find((z) => z.fast?.ok);
  const slow = checked.find((z) => z.slow?.ok);
  const hit = fast ? { z: fast, path: "fast" as const } : slow ? { z: slow, path: "slow" as const } : null;
  return {
    order,
    gfpMask,
    wouldSucceed: hit !== null,
    servedBy: hit === null ? null : { nid: hit.z.nid, zone: hit.z.name, path: hit.path },
    simulation,
    explanation,
  };
}

/** A report shell around a Mem-Info that did not come from a report (no failure line, no task). */
function memInfoReport(memInfo: ReportMemInfo): FailureReport {
  return {
    line: memInfo.line,
    endLine: memInfo.line,
    comm: "(request)",
    order: 0,
    gfpMask: 0,
    gfpNames: null,
    form: "colon-hex",
    nodemask: undefined,
    cpuset: undefined,
    memsAllowed: undefined,
    task: null,
    kernelRelease: null,
    hardware: null,
    callTrace: [],
    memInfo,
  };
}
