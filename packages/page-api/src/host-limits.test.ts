import { getPreset } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { HOST_BYTES_PER_PAGE, checkHostMemory, estimateHostBytes } from "./host-limits";
import { bootKernel } from "./kernel";

describe("host memory limits", () => {
  it("estimates spanned pages x bytes per page (holes in a node's span count, as FLATMEM mem_map)", () => {
    // tiny-16m: pfns 0..4095, 4096 pages
    expect(estimateHostBytes(getPreset("tiny-16m"))).toBe(4096 * HOST_BYTES_PER_PAGE);
    // pc-4g: span pfn 1 .. 0x140000 (5 GiB of addresses with the PCI hole below 4 GiB) = 1310719 pages
    const pc = getPreset("pc-4g");
    expect(estimateHostBytes(pc)).toBe((pc.nodes[0]!.spannedEndPfn - pc.nodes[0]!.spannedStartPfn) * HOST_BYTES_PER_PAGE);
  });

  it("the estimate covers what booting really allocates for mem_map (14 bytes/page in ZoneState)", () => {
    const k = bootKernel({ machine: "pc-4g" });
    let bytes = 0;
    for (const z of k.buddy.zones) for (const v of Object.values(z)) if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    expect(bytes).toBeLessThanOrEqual(estimateHostBytes(k.machine));
    expect(bytes).toBeGreaterThan(estimateHostBytes(k.machine) * 0.8);
  });

  it("refuses a machine too large for the limit before booting, with the memory it would need", () => {
    // server-2s-256g: 256 GiB = 2^26 pages (plus the low holes) x 16 bytes ≈ 1 GiB of mem_map
    expect(() => bootKernel({ machine: "server-2s-256g", maxHostBytes: 256 * 2 ** 20 })).toThrow(
      expect.objectContaining({ code: "HOST_MEMORY_LIMIT", location: "machine", message: expect.stringMatching(/needs about 10\d\d MiB of host memory to simulate, more than the 256 MiB allowed/) }),
    );
    expect(() => checkHostMemory(getPreset("tiny-16m"), 65536)).not.toThrow();
    expect(() => checkHostMemory(getPreset("tiny-16m"), 65535)).toThrow(expect.objectContaining({ code: "HOST_MEMORY_LIMIT" }));
  });
});
