import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { PageUse } from "./memory-use";
import { createReclaim } from "./reclaim";
import { renderWarnAlloc } from "./warn-alloc";
import { consumeTo, oneZone } from "./test-helpers";

// A real 6.19-rc5 report (first line of the fixture says where it came from), kernel log prefixes stripped.
const real = fs
  .readFileSync(path.join(__dirname, "__fixtures__", "warn_alloc_6.19-rc5_x86_64.txt"), "utf8")
  .split("\n")
  .slice(1)
  .map((l) => l.replace(/^\[\s*[\d.]+\]\s?/, "").replace(/^\s{16}/, " "));

/** The `name:` keys of a line, in order (values dropped). */
const keys = (line: string) => [...line.matchAll(/([A-Za-z_()]+[?:])/g)].map((m) => m[1]);

describe("warn_alloc + show_mem layout (6.18 = the 6.19 layout of the real sample)", () => {
  const { a, r, gfp } = oneZone(4096, { min: 128, low: 160, high: 192 });
  const pfns = consumeTo(a, 40);
  for (const pfn of pfns.slice(0, 1000)) r.markPage(pfn, 0, PageUse.FILE_DIRTY);
  for (const pfn of pfns.slice(1000, 1500)) r.markPage(pfn, 0, PageUse.ANON);
  a.allocPages(gfp("GFP_ATOMIC"), 0);
  const ours = r.lastOutcome!.report!.split("\n");
  const find = (lines: string[], re: RegExp) => lines.find((l) => re.test(l))!;

  it("prints the same fields in the same order as the real kernel", () => {
    for (const re of [/^Node 0 active_anon:/, /^Node 0 Normal free:/, /^Mem-Info:/, /^ free:/, /^active_anon:/, /^ kernel_misc_reclaimable:/]) {
      expect(keys(find(ours, re)), String(re)).toEqual(keys(find(real, re)));
    }
    expect(find(ours, /^Node 0 hugepages_total=/)).toBe("Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB");
    const tail = (lines: string[]) => lines.slice(lines.findIndex((l) => /total pagecache pages$/.test(l))).map((l) => l.replace(/\d+/g, "N"));
    expect(tail(ours)).toEqual(tail(real.filter((l) => l !== "")));
  });

  it("prints the model's state: counters in pages and kB, free areas with migratetype letters", () => {
    // 1000 dirty page-cache pages and 500 anon pages, all on the inactive lists (new pages start inactive)
    expect(find(ours, /^active_anon:/)).toBe("active_anon:0 inactive_anon:500 isolated_anon:0");
    expect(find(ours, /^ active_file:/)).toBe(" active_file:0 inactive_file:1000 isolated_file:0");
    expect(find(ours, /^ unevictable:/)).toBe(" unevictable:0 dirty:1000 writeback:0");
    expect(find(ours, /^Node 0 Normal free:/)).toContain("free:160kB boost:0kB min:512kB low:640kB high:768kB");
    expect(find(ours, /^Node 0 Normal free:/)).toContain("inactive_anon:2000kB active_file:0kB inactive_file:4000kB unevictable:0kB writepending:4000kB");
    // the 40 free pages as buddy blocks: Σ count × size must equal free
    const freeArea = find(ours, /^Node 0 Normal: /);
    const sum = [...freeArea.matchAll(/(\d+)\*(\d+)kB/g)].reduce((s, m) => s + Number(m[1]) * Number(m[2]), 0);
    expect(sum).toBe(160);
    expect(freeArea.endsWith("= 160kB")).toBe(true);
    expect(find(ours, /total pagecache pages$/)).toBe("1000 total pagecache pages");
  });
});

// Real 4.8 (x86_64, NUMA) and 4.1.18 (arm64 Android, no NUMA) reports: our report for a similar machine must print the
// same lines with the same field names in the same order (values differ: they are the model's state).
function realLines(file: string): string[] {
  return fs
    .readFileSync(path.join(__dirname, "__fixtures__", file), "utf8")
    .split("\n")
    .slice(1)
    .map((l) =>
      l
        .replace(/^\d\d-\d\d [\d:.]+ <\d>\[[\d.]+s\](?:\[pid:[^\]]*\])?/, "")
        .replace(/^\[\s*[\d.]+\]\s?/, "")
        .replace(/^\s{16}/, " "),
    )
    .filter((l) => l !== "" && !/^ *(?:\[<|\[ *<|[0-9a-f]{16} )/.test(l));
}

/** One line reduced to its shape: numbers → N, migratetype letters → (L). */
const shape = (line: string) => line.replace(/ \([A-Z]+\)/g, "").replace(/\d+/g, "N");

/** A machine with the given zones (x86_64 indices), filled so that an order-4 GFP_KERNEL request fails. */
function machine(version: string, arch: "x86_64" | "arm64", zones: readonly { name: string; idx: number; pages: number }[], nrZoneTypes: number, numa: boolean) {
  let start = 0;
  const events: unknown[] = [];
  const r = createReclaim({ trace: (e) => events.push(e), renderReport: (ctx) => renderWarnAlloc(ctx, { numa, hugepageSizesKb: arch === "arm64" ? [] : undefined }) });
  const a = bootBuddy(
    zones.map((z) => {
      const spec = { nid: 0, name: z.name, zoneIdx: z.idx, startPfn: start, spannedPages: z.pages, presentPages: z.pages, managedPages: z.pages - 8, watermark: { min: 16, low: 20, high: 24 }, lowmemReserve: new Array(nrZoneTypes).fill(0), pcp: { batch: 1, high: 0 } };
      start += z.pages;
      return spec;
    }),
    { version, gfp: gfpDecoder(version, arch), slowPath: r.slowPath },
  );
  r.attach(a);
  // everything but 12 pages per zone goes to unmovable kernel memory, pages freed alternately so no order-4 block exists
  for (const z of a.zones) {
    const req = { highestZoneIdx: z.spec.zoneIdx, migratetype: a.facts.mt.UNMOVABLE };
    const got: number[] = [];
    while (z.nrFreePages > 0) {
      const pfn = a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
      if (pfn < 0) break;
      got.push(pfn);
    }
    got.sort((x, y) => x - y);
    for (let k = 1; k < 24; k += 2) a.freePages(got[k]!, 0, { bypassPcp: true });
  }
  const GFP_KERNEL = parseGfp("GFP_KERNEL", version);
  expect(a.allocPages(GFP_KERNEL, 4)).toBe(-1);
  return r.lastOutcome!.report!.split("\n");
}

describe("layouts of the middle kernels against real reports", () => {
  it("4.8: the node-based LRU layout of the real 4.8.0-rc3 report", () => {
    const real = realLines("warn_alloc_4.8_x86_64.txt");
    const ours = machine("4.8", "x86_64", [{ name: "DMA", idx: 0, pages: 1024 }, { name: "DMA32", idx: 1, pages: 2048 }, { name: "Normal", idx: 2, pages: 2048 }], 5, true);
    const from = (lines: string[], re: RegExp) => lines.slice(lines.findIndex((l) => re.test(l)));
    // from Mem-Info: to the end, minus the driver's own line after the report
    const realTail = from(real, /^Mem-Info:$/).filter((l) => !/^nfsd:/.test(l)).map(shape);
    expect(from(ours, /^Mem-Info:$/).map(shape)).toEqual(realTail);
    // warn_alloc's line: 4.8 has the names but no nodemask yet (4.10)
    expect(ours[0]).toMatch(/^sim: page allocation failure: order:4, mode:0x[0-9a-f]+\(GFP_KERNEL\)$/);
    expect(ours[1]).toMatch(/^CPU: 0 PID: 1 Comm: sim Not tainted 4\.8\.0 #1$/);
  });

  it("4.1.18: free_pcp in the global and zone lines, no per-cpu lines, no Node prefix without NUMA", () => {
    const real = realLines("warn_alloc_4.1.18_arm64_android.txt");
    const ours = machine("4.1.18", "arm64", [{ name: "DMA", idx: 0, pages: 2048 }, { name: "Normal", idx: 1, pages: 1024 }], 3, false);
    const section = (lines: string[]) => lines.slice(lines.findIndex((l) => l === "Mem-Info:"), lines.findIndex((l) => /pages reserved$/.test(l)) + 1).map(shape);
    expect(section(ours)).toEqual(section(real));
    expect(ours[0]).toBe(`sim: page allocation failure: order:4, mode:0x${parseGfp("GFP_KERNEL", "4.1.18").toString(16)}`);
  });

  it("3.10 and 2.6.32 print the per-cpu lines and their own zone fields (read in their show_free_areas)", () => {
    const z3 = machine("3.10", "x86_64", [{ name: "DMA", idx: 0, pages: 1024 }, { name: "Normal", idx: 2, pages: 2048 }], 4, true);
    expect(z3).toContain("Node 0 DMA per-cpu:");
    expect(z3).toContain("CPU    0: hi:    0, btch:   1 usd:   0");
    // the global counters end with " free_cma:%lu" (3.10); per-cpu lines come first
    expect(z3.indexOf(" free_cma:0")).toBeGreaterThan(z3.indexOf("CPU    0: hi:    0, btch:   1 usd:   0"));
    const zone = z3.find((l) => l.startsWith("Node 0 Normal free:"))!;
    expect(zone.replace(/:[^ ]*(?= |$)/g, ":")).toBe(
      "Node 0 Normal free: min: low: high: active_anon: inactive_anon: active_file: inactive_file: unevictable: isolated(anon): isolated(file): present: managed: mlocked: dirty: writeback: mapped: shmem: slab_reclaimable: slab_unreclaimable: kernel_stack: pagetables: unstable: bounce: free_cma: writeback_tmp: pages_scanned: all_unreclaimable? no",
    );
    // free areas with letters (3.x): the 12 free pages per zone are order-0 unmovable blocks
    expect(z3).toContain("Node 0 Normal: 12*4kB (U) 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 48kB");
    expect(z3[1]).toBe("CPU: 0 PID: 1 Comm: sim Not tainted 3.10.0 #1");
    const z2 = machine("2.6.32", "x86_64", [{ name: "DMA", idx: 0, pages: 1024 }, { name: "Normal", idx: 2, pages: 2048 }], 4, true);
    expect(z2[0]).toBe(`sim: page allocation failure. order:4, mode:0x${parseGfp("GFP_KERNEL", "2.6.32").toString(16)}`);
    expect(z2[1]).toBe("Pid: 1, comm: sim Not tainted 2.6.32 #1");
    expect(z2).toContain("Node 0 Normal: 12*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 48kB");
    expect(z2.find((l) => l.startsWith("Node 0 Normal free:"))).not.toContain("managed:");
    expect(z2.find((l) => l.startsWith(" mapped:"))).toBe(" mapped:0 shmem:0 pagetables:0 bounce:0");
  });
});
