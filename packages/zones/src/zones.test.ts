import fs from "node:fs";
import path from "node:path";
import { getPreset, loadMachine } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { InvalidZoneLayoutError } from "./errors";
import { zoneBatchsize } from "./pcp";
import { buildZones } from "./zones";

const layout = (zs: ReturnType<typeof buildZones>) =>
  zs.nodes.flatMap((n) => n.zones.filter((z) => z.spannedPages > 0).map((z) => `${n.nid}:${z.name} ${z.startPfn}+${z.spannedPages} present ${z.presentPages} managed ${z.managedPages}`));

describe("6.18 x86_64 layout (pc-4g: the live machine's low memory layout, kernel-facts §2.2-2.3)", () => {
  it("spans, holes and the managed estimate", () => {
    // DMA: memblock starts at pfn 1 -> spans 1..4095 (4095); RAM [1,0x9f) + [0x100,0x1000) = 158 + 3840 = 3998 present;
    //      managed 3840: x86 reserves the first 1 MiB (live: managed 3840).
    // DMA32: [0x1000, 0x100000) spanned 1044480, RAM [0x1000, 0xc0000) = 782336 present (live values).
    // Normal: [0x100000, 0x140000) 262144 pages; the vmemmap (512 pages per 128 MiB section with memory:
    //      sections 0-23 and 32-39 = 32 sections = 16384 pages) is charged to it -> managed 245760.
    const zs = buildZones(getPreset("pc-4g"), { version: "6.18" });
    expect(layout(zs)).toEqual([
      "0:DMA 1+4095 present 3998 managed 3840",
      "0:DMA32 4096+1044480 present 782336 managed 782336",
      "0:Normal 1048576+262144 present 262144 managed 245760",
    ]);
    expect(zs.nodes[0].zones.map((z) => z.name)).toEqual(["DMA", "DMA32", "Normal", "Movable", "Device"]);
  });

  it("per-zone managed overrides of the machine description win", () => {
    const desc = {
      name: "o",
      arch: "x86_64" as const,
      nodes: [{ id: 0, cpus: [0], memory: [{ start: "0x1000", end: "0x9f000" }, { start: "0x100000", end: "0x40000000" }], zones: { DMA32: { managed: 250000 } } }],
    };
    expect(buildZones(loadMachine(desc)).nodes[0].zones[1].managedPages).toBe(250000);
  });
});

describe("ZONE_MOVABLE from kernelcore= / movablecore= (find_zone_movable_pfns_for_nodes)", () => {
  it("movablecore=512M on pc-4g", () => {
    // required_movablecore = 131072 pages (already a multiple of 1024); corepages = 1048478 - 131072 = 917406
    // = required_kernelcore. Node 0 ranges: [1,0x9f) and [0x100,0xc0000) lie below usable_startpfn (Normal's
    // start, 1048576) and count as kernelcore: 917406 - 158 - 786176 = 131072 left; [0x100000, 0x140000): the
    // first 131072 pages stay kernel -> zone_movable_pfn = 1048576 + 131072 = 1179648 (multiple of 1024).
    const zs = buildZones(getPreset("pc-4g"), { sysctls: { movablecore: "512M" } });
    expect(zs.zoneMovablePfn).toEqual([1179648]);
    const normal = zs.nodes[0].zones[2];
    const movable = zs.nodes[0].zones[3];
    expect([normal.startPfn, normal.spannedPages, movable.startPfn, movable.spannedPages]).toEqual([1048576, 131072, 1179648, 131072]);
    // 6.0+: Movable's min watermark = clamp(131072/1024 = 128, 32, 128)
    expect(movable.watermark.min).toBe(128);
  });

  it("kernelcore=1G is used up by the memory below 4 GiB: all of Normal becomes Movable", () => {
    // required_kernelcore 262144: [1,0x9f) (158) and [0x100,0xc0000) (786176) are below usable_startpfn and
    // consume it; in [0x100000, ...) nothing is left -> zone_movable_pfn = 0x100000 = 1048576.
    const zs = buildZones(getPreset("pc-4g"), { sysctls: { kernelcore: "1G" } });
    expect(zs.zoneMovablePfn).toEqual([1048576]);
    expect(zs.nodes[0].zones[2].spannedPages).toBe(0);
    expect(zs.nodes[0].zones[3].spannedPages).toBe(262144);
  });

  it("movablecore=25% (4.17+): a percentage of all present pages", () => {
    // required_movablecore = 1048478 × 100 × 25 / 10000 = 262119 -> rounded up to 1024: 262144;
    // corepages = 1048478 - 262144 = 786334 = required_kernelcore, used up below 4 GiB (158 + 786176)
    // -> zone_movable_pfn = 0x100000: all of Normal is Movable.
    const zs = buildZones(getPreset("pc-4g"), { sysctls: { movablecore: "25%" } });
    expect(zs.zoneMovablePfn).toEqual([1048576]);
    expect([zs.nodes[0].zones[2].spannedPages, zs.nodes[0].zones[3].startPfn, zs.nodes[0].zones[3].spannedPages]).toEqual([0, 1048576, 262144]);
  });

  it("kernelcore=16G on numa-4node is spread evenly: 1048576 pages per node", () => {
    // kernelcore_node = 4194304 / 4 = 1048576. Node 0: 158 + 786176 pages below usable_startpfn (1048576)
    // count first, 262242 more from [0x100000, ...) -> 1310818, rounded up to 1024 -> 1311744.
    // Nodes 1-3 (all above 4 GiB): node start + 1048576 = 5505024, 9699328, 13893632; required_kernelcore reaches 0.
    const zs = buildZones(getPreset("numa-4node"), { sysctls: { kernelcore: "16G" } });
    expect(zs.zoneMovablePfn).toEqual([1311744, 5505024, 9699328, 13893632]);
    const n0 = zs.nodes[0].zones;
    expect([n0[2].startPfn, n0[2].spannedPages, n0[3].startPfn, n0[3].spannedPages]).toEqual([1048576, 263168, 1311744, 4456448 - 1311744]);
  });

  it("kernelcore >= all memory means no ZONE_MOVABLE; percentages need 4.17", () => {
    expect(buildZones(getPreset("pc-4g"), { sysctls: { kernelcore: "100%" } }).zoneMovablePfn).toEqual([0]);
    expect(() => buildZones(getPreset("pc-4g"), { version: "4.14", sysctls: { kernelcore: "50%" } })).toThrow(InvalidZoneLayoutError);
    expect(() => buildZones(getPreset("pc-4g"), { sysctls: { kernelcore: "mirror" } })).toThrow(InvalidZoneLayoutError);
  });
});

describe("2.6.24: present = spanned - holes - memmap (struct page 32 bytes on i386)", () => {
  it("reproduces a real 2.6.2x i386 boot log (book-i386 preset)", () => {
    const log = fs.readFileSync(path.join(__dirname, "__fixtures__", "dmesg-2.6.2x-i386-2g.txt"), "utf8");
    const memmap = Object.fromEntries([...log.matchAll(/(\w+) zone: (\d+) pages used for memmap/g)].map((m) => [m[1], Number(m[2])]));
    const pages = Object.fromEntries([...log.matchAll(/(\w+) zone: (\d+) pages, LIFO batch:(\d+)/g)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
    const zs = buildZones(getPreset("book-i386"), { version: "2.6.24" });
    for (const z of zs.nodes[0].zones.filter((x) => x.spannedPages > 0)) {
      const name = z.name === "HighMem" ? "HighMem" : z.name;
      expect(Math.floor((z.spannedPages * 32) / 4096), `${name} memmap`).toBe(memmap[name]);
      expect([z.presentPages, zoneBatchsize(z.presentPages, "2.6.24")], name).toEqual(pages[name]);
    }
    // "Zone PFN ranges": DMA 0 -> 4096, Normal 4096 -> 229376, HighMem 229376 -> 522192
    expect(zs.nodes[0].zones.slice(0, 3).map((z) => [z.startPfn, z.startPfn + z.spannedPages])).toEqual([[0, 4096], [4096, 229376], [229376, 522192]]);
  });
});

describe("2.6.24 x86_64: struct page is 56 bytes, and dma_reserve comes off the DMA zone", () => {
  it("reproduces a real 2.6.2x x86_64 boot log", () => {
    const log = fs.readFileSync(path.join(__dirname, "__fixtures__", "dmesg-2.6.2x-x86_64-4g.txt"), "utf8");
    const ranges = [...log.matchAll(/^ {4}0: +(\d+) -> +(\d+)$/gm)].map((m) => ({ start: Number(m[1]) * 4096, end: Number(m[2]) * 4096 }));
    const dmaReserve = Number(/DMA zone: (\d+) pages reserved/.exec(log)![1]);
    // the boot reservations of the DMA zone (kernel-facts §2.3: dma_reserve), placed at 1 MiB
    const machine = loadMachine({ name: "x", arch: "x86_64", nodes: [{ id: 0, cpus: [0], memory: ranges, reserved: [{ start: 0x100000, size: dmaReserve * 4096 }] }] });
    const zs = buildZones(machine, { version: "2.6.24" });
    const memmap = Object.fromEntries([...log.matchAll(/(\w+) zone: (\d+) pages used for memmap/g)].map((m) => [m[1], Number(m[2])]));
    const pages = Object.fromEntries([...log.matchAll(/(\w+) zone: (\d+) pages, LIFO batch:(\d+)/g)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
    for (const z of zs.nodes[0].zones.filter((x) => x.spannedPages > 0)) {
      expect(Math.floor((z.spannedPages * 56) / 4096), `${z.name} memmap`).toBe(memmap[z.name]);
      expect([z.presentPages, zoneBatchsize(z.presentPages, "2.6.24")], z.name).toEqual(pages[z.name]);
    }
    expect(zs.nodes[0].zones.slice(0, 3).map((z) => [z.startPfn, z.startPfn + z.spannedPages])).toEqual([[0, 4096], [4096, 1048576], [1048576, 1245184]]);
  });
});

describe("min_free_kbytes at boot", () => {
  it("sqrt default without THP; the THP recommendation when it is larger", () => {
    // pc-4g 6.18, THP off: lowmem = Σ managed of DMA, DMA32, Normal = 3840 + 782336 + 245760 = 1031936 pages
    // = 4127744 kB -> int_sqrt(4127744 * 16) = int_sqrt(66043904) = 8126 (8126² = 66031876 <= 66043904 < 8127²)
    expect(buildZones(getPreset("pc-4g"), { sysctls: { transparent_hugepage: false } }).minFreeKbytes).toBe(8126);
    // THP on: 512 pages × 3 zones × 11 = 16896 pages -> 67584 kB (5% of lowmem is ~51000 pages: no cap)
    expect(buildZones(getPreset("pc-4g")).minFreeKbytes).toBe(67584);
    // tiny-16m: one zone, 5% of lowmem caps the recommendation: DMA managed 4096 - 256 - 512 = 3328 pages;
    // sqrt: int_sqrt(3328*4*16) = int_sqrt(212992) = 461; watermarks with 461 kB (115 pages): high = 115 + 2*28 = 171;
    // nr_free_buffer_pages = 3328 - 171 = 3157 -> /20 = 157 pages -> 628 kB > 461 -> 628
    expect(buildZones(getPreset("tiny-16m")).minFreeKbytes).toBe(628);
    // the sysctl, when given, is taken as is
    expect(buildZones(getPreset("tiny-16m"), { sysctls: { min_free_kbytes: 1024 } }).minFreeKbytes).toBe(1024);
  });
});
