import { describe, expect, it, vi } from "vitest";
import { F48, F619, fixture } from "./__fixtures__/fixtures";
import { ReportExplainError } from "./errors";
import { parseFailureReports } from "./parse-report";
import type { FailureReport } from "./report-types";
import { whatIf } from "./what-if";

// each whatIf boots a simulated machine of several GiB (typed arrays per page): seconds, not milliseconds
vi.setConfig({ testTimeout: 60_000 });

const r48 = parseFailureReports(fixture(F48)).reports[0] as FailureReport;
const r619 = parseFailureReports(fixture(F619)).reports[0] as FailureReport;

describe("whatIf on a report's Mem-Info", () => {
  it("4.8: the same GFP_KERNEL at order 3 is served from DMA32 on the fast path", () => {
    // Fast path, low mark. Normal: 14046 − (2^3 − 1) = 14039 > low 13812, but no block of order ≥ 3 → fail.
    // DMA32: 33298 − 7 = 33291 > low 7263 + lowmem_reserve[Normal] 4994 = 12257, and 10 order-3 blocks (U) → pass.
    const w = whatIf(r48, { order: 3, gfp: "GFP_KERNEL" });
    expect(w.gfpMask).toBe(0x24000c0);
    expect(w.wouldSucceed).toBe(true);
    expect(w.servedBy).toEqual({ nid: 0, zone: "DMA32", path: "fast" });
    expect(w.explanation.zonelist[1]?.fast).toMatchObject({ usable: 33291, minAfterFlags: 7263, lowmemReserve: 4994, ok: true });
  });

  it("6.19: GFP_ATOMIC order 0 fails the fast path everywhere but passes Normal's reduced min on the slow path", () => {
    // Fast (low): Normal 19848 − free_highatomic 8 = 19840 ≤ 23304; DMA32 13046 ≤ 4956 + 9127; DMA 3329 ≤ 26 + 11990.
    // Slow: GFP_ATOMIC (0x820) → ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK: reserve access, no highatomic subtraction;
    // min 20077 − 10038 = 10039, − 2509 = 7530; 19848 > 7530 + 0 → pass in Normal.
    const w = whatIf(r619, { order: 0, gfp: "GFP_ATOMIC" });
    expect(w.servedBy).toEqual({ nid: 0, zone: "Normal", path: "slow" });
    expect(w.explanation.zonelist.map((z) => z.fast?.ok)).toEqual([false, false, false]);
    expect(w.explanation.zonelist[0]?.slow).toMatchObject({ usable: 19848, highatomic: 0, minAfterFlags: 7530 });
  });

  it("6.19: GFP_KERNEL order 0 fails the watermark checks as the report did (reclaim is not modelled)", () => {
    const w = whatIf(r619, { order: 0, gfp: 0xcc0 });
    expect(w.wouldSucceed).toBe(false);
    expect(w.servedBy).toBeNull();
    expect(w.explanation.kind).toBe("watermark");
  });

  it("without Mem-Info the answer is unknown; bad requests are typed errors", () => {
    const bare = parseFailureReports("a: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)\n").reports[0] as FailureReport;
    expect(whatIf(bare, { order: 0, gfp: "GFP_KERNEL", version: "6.18" }).wouldSucceed).toBeNull();
    expect(() => whatIf(r619, { order: 99, gfp: "GFP_KERNEL" })).toThrow(ReportExplainError);
    expect(() => whatIf(r619, { order: 0, gfp: "GFP_BANANA" })).toThrow(ReportExplainError);
  });
});
