import { FrameStore, getPreset, presets, validateMachine } from "@pagealloc/physmem";
import { bench, describe } from "vitest";

const big = {
  name: "4tib",
  arch: "x86_64",
  nodes: Array.from({ length: 8 }, (_, i) => ({ id: i, cpus: `${i * 16}-${i * 16 + 15}`, memory: [{ start: `${i * 512}G`, size: "512G" }] })),
};

describe("machines", () => {
  bench("validateMachine: 8 nodes, 4 TiB", () => {
    validateMachine(big);
  });
  bench("validateMachine: numa-4node preset description", () => {
    validateMachine(presets["numa-4node"].description);
  });
});

describe("FrameStore", () => {
  const mem = FrameStore.forMachine(getPreset("pc-4g"));
  let pfn = 0x100;
  bench("zero an order-10 block (1024 pages)", () => {
    mem.fill(BigInt(pfn) << 12n, 1024 * 4096, 0);
    pfn = pfn >= 0xb0000 ? 0x100 : pfn + 1024;
  });
  bench("read an untouched page (garbage pattern)", () => {
    mem.readPage(0x120000);
  });
});
