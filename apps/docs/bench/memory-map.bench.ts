// The playground's rendering on a 64 GiB machine (numa-4node, 2^24 pages): every interaction redraws the map,
// so blockStats + renderBlocks (and the zoomed page view) must stay well under 100 ms.
import { bench, describe } from "vitest";
import { bootKernel } from "@pagealloc/page-api";
import { blockStats, layoutMap, pageStates, renderBlocks, renderPages } from "../docs/.vitepress/theme/lib/memory-map";

const k = bootKernel({ machine: "numa-4node" });
for (let i = 0; i < 2000; i++) k.alloc_pages(i % 3 ? "GFP_HIGHUSER_MOVABLE" : "GFP_KERNEL", i % 4);
const names = k.buddy.facts.migratetypeNames;
const big = bootKernel({ machine: "server-2s-256g" });

describe("memory map, 64 GiB", () => {
  bench("blockStats + renderBlocks (960 × 320)", () => {
    const s = blockStats(k.buddy, k.machine.maxPfn);
    const l = layoutMap(s.nrBlocks, 960, 320);
    renderBlocks(s, names, l, new Uint32Array(l.width * l.height));
  });
  bench("pageStates + renderPages (16 pageblocks)", () => {
    const p = pageStates(k.buddy, 1 << 20, (1 << 20) + 16 * 512);
    const l = layoutMap(16 * 512, 960, 320);
    renderPages(p.state, p.mt, names, l, new Uint32Array(l.width * l.height));
  });
});

describe("memory map, 256 GiB", () => {
  bench("blockStats + renderBlocks (960 × 320)", () => {
    const s = blockStats(big.buddy, big.machine.maxPfn);
    const l = layoutMap(s.nrBlocks, 960, 320);
    renderBlocks(s, big.buddy.facts.migratetypeNames, l, new Uint32Array(l.width * l.height));
  });
});
