// numactl --hardware of real machines (sources in __fixtures__/README.md); expected values read off the text.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseNumactlHardware } from "./importers";

const read = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");

describe("parseNumactlHardware on real output", () => {
  it("Kunpeng 920 arm64, 4 nodes, 96 CPUs, SLIT 10/16/25/32/33", () => {
    const d = parseNumactlHardware(read("numactl-kunpeng920-arm64-4node.txt"), { arch: "arm64" });
    expect(d.nodes.map((n) => n.cpus?.length)).toEqual([24, 24, 24, 24]);
    expect(d.nodes[3]?.cpus?.[0]).toBe(72);
    // node 0 size: 63379 MB → [0, 63379 MiB) = [0, 0xf7930 << 12)
    expect(d.nodes[0]?.memory).toEqual([{ start: "0x0", end: `0x${(63379n << 20n).toString(16)}` }]);
    expect(d.distance?.[2]).toEqual([32, 25, 10, 16]);
  });
  it("AMD Bergamo + CXL, quoted in a mail: CPU ranges, a CPU-less node, no free lines, distance 255", () => {
    const d = parseNumactlHardware(read("numactl-bergamo-cxl-3node-quoted.txt"));
    // "node 0 cpus: 0-127,256-383" → 256 CPUs
    expect(d.nodes.map((n) => n.cpus?.length)).toEqual([256, 256, 0]);
    expect(d.nodes[1]?.cpus?.slice(0, 2)).toEqual([128, 129]);
    expect(d.nodes[1]?.cpus?.at(-1)).toBe(511);
    expect(d.distance).toEqual([
      [10, 32, 60],
      [32, 10, 50],
      [255, 255, 10],
    ]);
    // 0→2 is 60 but 2→0 is 255: kept as the firmware gave it, marked asymmetric
    expect(d.distanceAsymmetric).toBe(true);
  });
});
