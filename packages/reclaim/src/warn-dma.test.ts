import { bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { describe, expect, it } from "vitest";
import { createReclaim } from "./reclaim";

// A node whose ZONE_DMA has no managed page (all of it reserved at boot, as on machines whose first 16 MiB are
// firmware or crashkernel memory) and a Normal zone with plenty free. A GFP_DMA request can only use ZONE_DMA
// (gfp_zone(__GFP_DMA) = ZONE_DMA, and the zonelist walk stops at the highest allowed zone), so it fails.
function dmaLess(version: string) {
  const r = createReclaim();
  const a = bootBuddy(
    [
      { nid: 0, name: "DMA", zoneIdx: 0, startPfn: 0, spannedPages: 4096, presentPages: 4096, managedPages: 0, watermark: { min: 0, low: 0, high: 0 }, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } },
      { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 4096, spannedPages: 8192, presentPages: 8192, managedPages: 8192, watermark: { min: 64, low: 80, high: 96 }, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } },
    ],
    { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath },
  );
  r.attach(a);
  return { a, r, gfp: (expr: string) => parseGfp(expr, version) };
}

describe("warn_alloc and has_managed_dma()", () => {
  it("5.17+: a failed GFP_DMA request on a machine without managed DMA memory prints no report", () => {
    // 6.18 warn_alloc(): `if ((gfp_mask & __GFP_NOWARN) || !__ratelimit(&nopage_rs) || ((gfp_mask & __GFP_DMA) && !has_managed_dma())) return;`
    const { a, r, gfp } = dmaLess("6.18");
    expect(a.allocPages(gfp("GFP_KERNEL|__GFP_DMA"), 0)).toBe(-1);
    expect(r.lastOutcome!.report).toBeUndefined();
    expect(r.reports).toHaveLength(0);
    // the rate limiter ran before the check: the call is not counted as suppressed
    expect(r.lastOutcome!.reportSuppressed).toBeUndefined();
    // a request the machine can satisfy still works
    expect(a.allocPages(gfp("GFP_KERNEL"), 0)).toBeGreaterThanOrEqual(4096);
  });

  it("5.16 and earlier report it", () => {
    const { a, r, gfp } = dmaLess("5.16");
    expect(a.allocPages(gfp("GFP_KERNEL|__GFP_DMA"), 0)).toBe(-1);
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]).toMatch(/page allocation failure: order:0, mode:0x[0-9a-f]+\(GFP_KERNEL\|GFP_DMA\)/);
  });
});
