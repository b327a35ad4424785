import { describe, expect, it } from "vitest";
import { renderPagetypeinfo } from "@pagealloc/buddy";
import { replay } from "./session";
import type { PlaygroundState } from "./state";

const ops: PlaygroundState["ops"] = [
  { kind: "alloc", gfp: "GFP_KERNEL", order: 2, node: -1, cpu: 0 },
  { kind: "alloc", gfp: "GFP_HIGHUSER_MOVABLE", order: 0, node: -1, cpu: 1 },
  { kind: "free", of: 0, cpu: 1 },
  { kind: "script", text: "alloc a order=1 gfp=GFP_KERNEL count=5\nfree a", cpu: 0 },
  { kind: "alloc", gfp: "GFP_DMA", order: 3, node: -1, cpu: 0 },
  { kind: "free", of: 0, cpu: 0 },
];

describe("PlaygroundSession", () => {
  it("going back (rewind + replay) shows exactly what a fresh replay shows", () => {
    const base: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, ops, step: 6 };
    const s = replay(base);
    expect(s.results[5]!.error).toMatch(/already freed/); // op 5 frees op 0 a second time: refused, nothing changes
    const back = { ...base, step: 3 };
    expect(s.canAdvanceTo(back)).toBe(false);
    expect(s.rewind()).toBe(true);
    s.advanceTo(back);
    const fresh = replay(back);
    expect(s.results).toEqual(fresh.results);
    expect(s.trace).toEqual(fresh.trace);
    expect(s.walk).toEqual(fresh.walk);
    expect(renderPagetypeinfo(s.kernel.buddy)).toBe(renderPagetypeinfo(fresh.kernel.buddy));
  });

  it("records the zonelist walk of the last allocation with the watermark arithmetic", () => {
    const s = replay({ machine: "pc-4g", version: "6.18", sysctls: {}, ops: [{ kind: "alloc", gfp: "GFP_DMA32", order: 0, node: -1, cpu: 0 }], step: 1 });
    // gfp_zone(GFP_DMA32) = DMA32: the walk is DMA32 then DMA (Normal is above the highest zone), low watermark.
    expect(s.walk!.zones.map((z) => z.zone)).toEqual(["DMA32", "DMA"]);
    expect(s.walk!.zones.every((z) => z.markName === "low")).toBe(true);
    expect(s.walk!.zones[0]!.chosen).toBe(true);
    // lowmem_reserve[DMA32] of DMA = managed(DMA32) / 256 (kernel-facts §4.4).
    const dma32 = s.kernel.buddy.zones.find((z) => z.spec.name === "DMA32")!;
    expect(s.walk!.zones[1]!.lowmemReserve).toBe(Math.floor(dma32.spec.managedPages / 256));
  });
});
