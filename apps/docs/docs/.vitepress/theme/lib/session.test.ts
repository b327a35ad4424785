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

describe("a pasted /proc/buddyinfo boots that state", () => {
  it("the free lists hold exactly the pasted counts; history and step-back work on top of it", async () => {
    const { renderBuddyinfo } = await import("@pagealloc/buddy");
    const fresh = replay({ machine: "tiny-16m", version: "6.18", sysctls: {}, ops: [], step: 0 });
    const zones = fresh.kernel.buddy.zones.filter((z) => z.spec.managedPages > 0).map((z) => z.spec.name);
    // an order-3 block, two order-1 blocks and five order-0 pages in each zone: 8 + 4 + 5 = 17 free pages
    const pasted = zones.map((name) => `Node 0, zone ${name.padStart(8)}      5      2      0      1      0      0      0      0      0      0      0 `).join("\n");
    const base: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, freeCounts: pasted, ops: [{ kind: "alloc", gfp: "GFP_KERNEL", order: 0, node: -1, cpu: 0 }], step: 0 };
    const s = replay(base);
    expect(renderBuddyinfo(s.kernel.buddy).trim().split("\n").map((l) => l.trim().split(/\s+/).slice(4).join(" "))).toEqual(zones.map(() => "5 2 0 1 0 0 0 0 0 0 0"));
    for (const z of s.kernel.buddy.zones.filter((x) => x.spec.managedPages > 0)) expect(z.nrFreePages).toBe(17);
    s.advanceTo({ ...base, step: 1 });
    expect(s.rewind()).toBe(true);
    s.advanceTo({ ...base, step: 0 });
    expect(renderBuddyinfo(s.kernel.buddy)).toBe(renderBuddyinfo(replay(base).kernel.buddy));
    // counts that do not fit a zone: booting says so
    expect(() => replay({ ...base, freeCounts: "Node 0, zone   Normal 0 0 0 0 0 0 0 0 0 0 999999" })).toThrow(/do not fit|no zone/);
  });
});

describe("PlaygroundSession and the slow path", () => {
  it("boots with the slow path unless the state says reclaim: false (the 'slow path' checkbox)", () => {
    const base: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, ops: [], step: 0 };
    expect(replay(base).kernel.reclaim).not.toBeNull();
    expect(replay({ ...base, reclaim: false }).kernel.reclaim).toBeNull();
  });
});
