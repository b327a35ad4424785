import { describe, expect, it } from "vitest";
import { bootKernel } from "@pagealloc/page-api";
import { PAGE_ALLOC, PAGE_FREE, PAGE_HOLE, blockStats, layoutMap, pageStates, renderBlocks } from "./memory-map";

describe("layoutMap", () => {
  it("gives each unit the largest square that fits", () => {
    // 2560 pageblocks (pc-4g) in 960 × 320: sqrt(307200 / 2560) = 10.95 → 10 px, 96 columns, 27 rows = 270 px.
    expect(layoutMap(2560, 960, 320)).toMatchObject({ cell: 10, cols: 96, height: 270, perPixel: 1 });
  });
  it("aggregates units per pixel when there are more units than pixels", () => {
    // 1 TiB = 2^28 pages = 524288 pageblocks > 960 × 320 = 307200 pixels → 2 pageblocks per pixel, 262144 pixels.
    expect(layoutMap(524288, 960, 320)).toMatchObject({ cell: 1, perPixel: 2, height: Math.ceil(262144 / 960) });
  });
});

describe("blockStats and pageStates", () => {
  it("count exactly the buddy's free pages, before and after an allocation", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
    const b = k.buddy;
    const managed = b.zones.reduce((n, z) => n + z.spec.managedPages, 0);
    const nrFree = () => b.zones.reduce((n, z) => n + z.nrFreePages, 0);
    const s0 = blockStats(b, k.machine.maxPfn);
    expect(s0.freePages).toBe(nrFree());
    expect(s0.freePages + s0.pcpPages + s0.allocPages).toBe(managed);
    const page = k.alloc_pages("GFP_DMA", 2);
    expect(page).not.toBeNull();
    const s1 = blockStats(b, k.machine.maxPfn);
    expect(s1.allocPages - s0.allocPages).toBe(4);
    expect(s1.freePages + s1.pcpPages).toBe(s0.freePages + s0.pcpPages - 4);
    const pfn = page!.pfn;
    const pages = pageStates(b, pfn - 4, pfn + 8);
    expect([...pages.state.slice(4, 8)]).toEqual([PAGE_ALLOC, PAGE_ALLOC, PAGE_ALLOC, PAGE_ALLOC]);
    // The order-2 buddy of the block was split off by expand() and is free.
    const buddy = pfn ^ 4;
    expect(pages.state[buddy - (pfn - 4)]).toBe(PAGE_FREE);
  });

  it("marks pfn 0 and the ISA hole of pc-4g as holes", () => {
    const k = bootKernel({ machine: "pc-4g" });
    const p = pageStates(k.buddy, 0, 0x100);
    expect(p.state[0]).toBe(PAGE_HOLE); // e820 starts at 0x1000 = pfn 1
    expect(p.state[0xa0]).toBe(PAGE_HOLE); // 0x9f000–0xfffff is the legacy hole
  });

  it("renders one pixel colour per block state", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const s = blockStats(k.buddy, k.machine.maxPfn);
    const l = layoutMap(s.nrBlocks, 64, 64);
    const px = new Uint32Array(l.width * l.height);
    renderBlocks(s, k.buddy.facts.migratetypeNames, l, px);
    expect(new Set(px).size).toBeGreaterThan(1);
  });
});
