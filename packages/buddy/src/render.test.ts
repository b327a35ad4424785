import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { parseBuddyinfo } from "./buddyinfo";
import { getPreset } from "@pagealloc/physmem";
import { buildZones } from "@pagealloc/zones";
import { buddyinfoZones, renderBuddyinfo, renderPagetypeinfo, renderVmstat, renderZoneinfo, zoneinfoDynamic } from "./render";
import { bootBuddyFromZoneSet } from "./zoneset";
import { zoneSpec } from "./test-helpers";
import { type BuddyTraceEvent, formatTraceLine } from "./trace";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", "6.18-x86_64", name), "utf8");

// The live machine's DMA zone (proc_zoneinfo.txt + dmesg): start_pfn 1, spanned 4095, present 3998 (pfns 0x9f–0xff,
// 97 pages, are the legacy hole: "zone DMA: 97 pages in unavailable ranges"), managed 3840 → the 158 present pages of the
// first memory range (pfn 1–158) stay reserved; memblock_free_all frees 256..4095.
const dma = zoneSpec({
  name: "DMA",
  zoneIdx: 0,
  startPfn: 1,
  spannedPages: 4095,
  presentPages: 3998,
  managedPages: 3840,
  holes: [{ startPfn: 0x9f, endPfn: 0x100 }],
  watermark: { min: 38, low: 47, high: 56 },
  pcp: { batch: 1, high: 0, highMin: 23, highMax: 240 },
});

describe("boot state against the real 6.18 DMA zone", () => {
  const a = bootBuddy([dma], { cpus: 2 });
  it("buddyinfo DMA line equals the kernel's (256 o8, 512 o9, 1024/2048/3072 o10)", () => {
    const real = fixture("proc_buddyinfo.txt").split("\n")[0] + "\n";
    expect(renderBuddyinfo(a)).toBe(real);
  });
  it("NR_FREE_PAGES equals zoneinfo's 'pages free 3840'", () => {
    expect(fixture("proc_zoneinfo.txt")).toContain("pages free     3840\n");
    expect(zoneinfoDynamic(a, a.zone(0, "DMA")).nrFreePages).toBe(3840);
    // nr_free_pages_blocks: free pages in blocks of order ≥ pageblock_order 9 = 512 + 3072
    expect(zoneinfoDynamic(a, a.zone(0, "DMA")).nrFreePagesBlocks).toBe(3584);
  });
  it("pagetypeinfo: header, column layout and block table as the kernel prints them", () => {
    const ours = renderPagetypeinfo(a).split("\n");
    const real = fixture("proc_pagetypeinfo.txt").split("\n");
    expect(ours.slice(0, 4)).toEqual(real.slice(0, 4)); // Page block order / Pages per block / blank / order header
    // Five DMA rows in the kernel's type order and widths; at boot everything free is Movable.
    expect(ours.slice(4, 9).map((l) => l.slice(0, 44))).toEqual(real.slice(4, 9).map((l) => l.slice(0, 44)));
    expect(ours[5]).toBe("Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      1      1      3 ");
    expect(ours[9]).toBe("");
    expect(ours[10]).toBe(real[20]); // "Number of blocks type     Unmovable      Movable ..."
    // pageblocks counted from zone_start_pfn = 1 in steps of 512: 1, 513, …, 3585 → 8 blocks (the kernel shows 1 + 7).
    expect(ours[11]).toBe("Node 0, zone      DMA            0            8            0            0            0 ");
    expect(real[21]).toBe("Node 0, zone      DMA            1            7            0            0            0 ");
  });
  it("per-type rows sum to buddyinfo (the kernel's own sample obeys the same rule)", () => {
    const real = fixture("proc_pagetypeinfo.txt").split("\n");
    // DMA and DMA32 were steady between the two captures (the busy Normal zone was not).
    ["DMA", "DMA32"].forEach((zone, k) => {
      const rows = real.filter((l) => l.includes(`zone ${zone.padStart(8)}, type`)).map((l) => l.slice(44).trim().split(/ +/).map(Number));
      expect(rows).toHaveLength(5);
      const sums = rows[0]!.map((_, o) => rows.reduce((s, r) => s + r[o]!, 0));
      expect(sums).toEqual(parseBuddyinfo(fixture("proc_buddyinfo.txt"))[k]!.nrFree);
    });
    expect(buddyinfoZones(a)[0]!.nrFree).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]);
  });
  it("vmstat lines", () => {
    expect(renderVmstat(a)).toContain("nr_free_pages 3840\n");
    expect(renderVmstat(a)).toContain("pgfree 3840\n");
    expect(renderVmstat(a)).toContain("pgalloc_dma 0\n");
  });
});

describe("/proc/zoneinfo through @pagealloc/zones", () => {
  it("6.18 pc-4g: pages free, nr_free_pages(_blocks) and the pcp count/high after one allocation", () => {
    const m = getPreset("pc-4g");
    const zs = buildZones(m, { version: "6.18" });
    const a = bootBuddyFromZoneSet(zs, m);
    a.allocPages(0xcc0, 0); // GFP_KERNEL on CPU 0: Normal's pcp refills 63 pages, hands out one; high becomes 1257 + 63
    const text = renderZoneinfo(a, zs);
    const normal = text.slice(text.indexOf("zone   Normal"), text.indexOf("zone  Movable"));
    const free = a.zone(0, "Normal").nrFreePages;
    expect(free).toBe(245760 - 63);
    expect(normal).toContain(`pages free     ${free}\n`);
    expect(normal).toContain(`      nr_free_pages ${free}\n`);
    expect(normal).toContain("    cpu: 0\n              count:    62\n              high:     1320\n              batch:    63\n              high_min: 1257\n              high_max: 7680\n");
    expect(normal).toContain("    cpu: 1\n              count:    0\n              high:     0\n");
    expect(normal).toContain("      numa_hit     1\n");
  });
  it("2.6.24: hot and cold list counts", () => {
    const m = getPreset("tiny-16m");
    const zs = buildZones(m, { version: "2.6.24" });
    const a = bootBuddyFromZoneSet(zs, m);
    const text = renderZoneinfo(a, zs);
    expect(text).toContain(`  pages free     ${a.zone(0, "DMA").nrFreePages}\n`);
    expect(text).toContain("    cpu: 0 pcp: 1\n              count: 0\n");
  });
});

it("2.6.24 pagetypeinfo uses the 2.6.24 names; the fifth (Isolate) entry is NULL in migratetype_names", () => {
  const a = bootBuddy([zoneSpec({ startPfn: 0, spannedPages: 4096 })], { version: "2.6.24" });
  const lines = renderPagetypeinfo(a).split("\n");
  expect(lines[4]).toMatch(/^Node {4}0, zone {3}Normal, type {4}Unmovable /);
  expect(lines[5]).toMatch(/type  Reclaimable /);
  expect(lines[6]).toBe("Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      4 ");
  expect(lines[7]).toMatch(/type      Reserve /);
  expect(lines[8]).toMatch(/type       \(null\) /);
});

describe("trace lines in the kernel's layout (samples from a 6.18 trace)", () => {
  // Rebuild each sample line from its fields; the expected text is the kernel's own line.
  const lines = fixture("tracefs_trace_sample.txt")
    .split("\n")
    .filter((l) => /mm_page_(alloc|free|free_batched|alloc_zone_locked|pcpu_drain): /.test(l));
  const re = /^\s*(.+)-(\d+)\s+\[(\d{3})\] (\S{5})\s+(\d+)\.(\d{6}): (\w+): page=([0-9a-f]{16}) pfn=0x([0-9a-f]+) (.*)$/;
  it.each(lines.map((l) => [l]))("%s", (line) => {
    const m = re.exec(line);
    expect(m).not.toBeNull();
    const [, comm, pid, cpu, flags, secs, usecs, name, ptr, pfnHex, rest] = m!;
    const pfn = parseInt(pfnHex!, 16);
    const num = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(rest!)![1]);
    let e: BuddyTraceEvent;
    if (name === "mm_page_alloc") e = { event: name, pfn, order: num("order"), migratetype: num("migratetype"), gfp: 1 };
    else if (name === "mm_page_free") e = { event: name, pfn, order: num("order") };
    else if (name === "mm_page_free_batched") e = { event: name, pfn };
    else if (name === "mm_page_alloc_zone_locked") e = { event: name, pfn, order: num("order"), migratetype: num("migratetype"), percpuRefill: num("percpu_refill") === 1 };
    else e = { event: "mm_page_pcpu_drain", pfn, order: num("order"), migratetype: num("migratetype") };
    const gfpText = /gfp_flags=(\S+)/.exec(rest!)?.[1];
    const out = formatTraceLine({ comm: comm!.trim(), pid: Number(pid), cpu: Number(cpu), flags, timestampUs: Number(secs) * 1e6 + Number(usecs) }, e, {
      pagePointer: () => parseInt(ptr!, 16),
      formatGfp: () => gfpText ?? "",
    });
    expect(out).toBe(line);
  });
});

describe("live /proc/pagetypeinfo", () => {
  let live: string | null = null;
  try {
    live = fs.readFileSync("/proc/pagetypeinfo", "utf8");
  } catch {
    live = null;
  }
  it.skipIf(live === null)("our header and table headings equal this kernel's (pageblock order 9, 11 orders, 6.18 types)", () => {
    const ours = renderPagetypeinfo(bootBuddy([dma])).split("\n");
    const real = live!.split("\n");
    expect(ours.slice(0, 4)).toEqual(real.slice(0, 4));
    expect(real).toContain(ours[10]); // "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate "
  });
});

describe("live /proc/vmstat", () => {
  let live: string | null = null;
  try {
    live = fs.readFileSync("/proc/vmstat", "utf8");
  } catch {
    live = null;
  }
  it.skipIf(live === null)("every counter we print exists in this kernel's /proc/vmstat, in the same order", () => {
    const ours = renderVmstat(bootBuddy([dma])).trim().split("\n").map((l) => l.split(" ")[0]!);
    const names = live!.trim().split("\n").map((l) => l.split(" ")[0]!);
    const positions = ours.map((n) => names.indexOf(n));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });
});
