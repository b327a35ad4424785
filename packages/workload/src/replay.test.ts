import fs from "node:fs";
import path from "node:path";
import { bootKernel } from "@pagealloc/page-api";
import { loadMachine } from "@pagealloc/physmem";
import { machineFromZoneinfo } from "@pagealloc/zones";
import { describe, expect, it } from "vitest";
import { TraceParseError } from "./errors";
import { TraceReplayer } from "./replay";
import { parseTraceLine } from "./trace";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8").split("\n").slice(1).join("\n");
const traceText = fixture("trace-6.18.txt");
// The machine the trace was recorded on, rebuilt from its /proc/zoneinfo.
const liveMachine = () => loadMachine(machineFromZoneinfo(fixture("zoneinfo-6.18.txt"), { name: "live-6.18" }));

describe("parseTraceLine", () => {
  it("reads the 6.18 ftrace layout (pfn in hex)", () => {
    const r = parseTraceLine("            node-18990   [000] .....   963.827985: mm_page_alloc: page=00000000fac30e70 pfn=0x17a9a7 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", 7);
    expect(r).toMatchObject({ event: "mm_page_alloc", comm: "node", pid: 18990, cpu: 0, timestamp: 963.827985, pfn: 0x17a9a7, order: 0, migratetype: 1, gfp: "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", failed: false, line: 7 });
  });
  it("reads a comm with dashes and the pid column of 5.9 and older (%-5d, four flag characters)", () => {
    const r = parseTraceLine("     kworker/0:0-154   [001] d..2   12.000001: mm_page_pcpu_drain: page=ffffea0000123400 pfn=4660 order=0 migratetype=0", 1);
    // 2.6.32–5.13 print pfn=%lu in decimal.
    expect(r).toMatchObject({ comm: "kworker/0:0", pid: 154, cpu: 1, pfn: 4660, order: 0 });
  });
  it("reads trace-cmd report and perf script lines, and the 2.6.32 event names", () => {
    expect(parseTraceLine("           bash-1234  [001]  5.250000: mm_page_free:         page=0xffffea0000040000 pfn=4096 order=1", 1)).toMatchObject({ event: "mm_page_free", pid: 1234, cpu: 1, pfn: 4096, order: 1 });
    expect(parseTraceLine("         python3 19204 [000]   963.863731: kmem:mm_page_free: page=0x5607aae3 pfn=0x1db80e order=0", 1)).toMatchObject({ comm: "python3", pid: 19204, pfn: 0x1db80e });
    // perf script with the sample period column, and ftrace with record-tgid.
    expect(parseTraceLine("            bash  4242 [003]  5107.118711:          1 kmem:mm_page_alloc: page=0xffffea0004d7c000 pfn=1269504 order=0 migratetype=0 gfp_flags=GFP_KERNEL", 1)).toMatchObject({ comm: "bash", pid: 4242, cpu: 3, pfn: 1269504 });
    expect(parseTraceLine("            bash-4242    (   4240) [003] ..... 5107.1: mm_page_free: page=00000000deadbeef pfn=0x10 order=1", 1)).toMatchObject({ pid: 4242, cpu: 3, pfn: 16, order: 1 });
    expect(parseTraceLine("  x-1 [000] 1.0: mm_pagevec_free: page=ffff pfn=77 order=0 cold=0", 1)).toMatchObject({ event: "mm_pagevec_free", pfn: 77 });
    expect(parseTraceLine("  x-1 [000] 1.0: mm_page_free_direct: page=ffff pfn=78 order=2", 1)).toMatchObject({ event: "mm_page_free_direct", order: 2 });
  });
  it("a failed allocation prints a NULL page (kmem.h: pfn printed 0)", () => {
    expect(parseTraceLine("  a-1 [000] ..... 1.0: mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE", 1)?.failed).toBe(true);
  });
  it("skips headers and other events; a kmem page event without order is an error with its line", () => {
    expect(parseTraceLine("# tracer: nop", 1)).toBeNull();
    expect(parseTraceLine("  bash-1 [001] d..2. 965.1: mm_setup_per_zone_wmarks: node_id=0 zone name=DMA watermark min=38", 2)).toBeNull();
    expect(() => parseTraceLine("  a-1 [000] ..... 1.0: mm_page_free: page=00 pfn=0x10", 9, "t.txt")).toThrow(TraceParseError);
    expect(() => parseTraceLine("  a-1 [000] ..... 1.0: mm_page_free: page=00 pfn=0x10", 9, "t.txt")).toThrow(/t\.txt:9/);
  });
});

describe("TraceReplayer on the real 6.18 trace sample", () => {
  // The sample: 5 mm_page_alloc (order 0, movable), 3 mm_page_free + 3 mm_page_free_batched of the same pfns,
  // 3 mm_page_alloc_zone_locked (order 3), 3 mm_page_pcpu_drain, and non-page kmem events.
  it("recorded: places the 5 allocations at their pfns; the 3 frees are of pages allocated before the trace", () => {
    const k = bootKernel({ machine: liveMachine() });
    const r = new TraceReplayer(k, { mode: "recorded", file: "trace-6.18.txt" });
    for (const l of traceText.split("\n")) r.line(l);
    const s = r.finish();
    expect(s.events).toEqual({
      mm_page_alloc: { 0: 5 },
      mm_page_free: { 0: 3 },
      mm_page_free_batched: { 0: 3 },
      mm_page_alloc_zone_locked: { 3: 3 },
      mm_page_pcpu_drain: { 0: 3 },
    });
    expect(s.applied).toEqual({ allocs: 5, frees: 0 });
    expect(s.preTraceFrees).toBe(3);
    expect(s.notApplied).toBe(9);
    expect(s.conflicts + s.outside).toBe(0);
    // The five pfns 0x17a9a3..0x17a9a7 are now allocated: 5 pages fewer free than at boot.
    const free = (t: string) => t.trim().split("\n").flatMap((l) => l.trim().split(/\s+/).slice(4).map((n, o) => Number(n) * 2 ** o)).reduce((a, b) => a + b, 0);
    expect(free(s.before.buddyinfo) - free(s.after.buddyinfo)).toBe(5);
    for (const pfn of [0x17a9a3, 0x17a9a4, 0x17a9a5, 0x17a9a6, 0x17a9a7]) expect(k.buddy.pageBuddyOrder(pfn)).toBe(-1);
  });

  it("simulate: our allocator serves the 5 allocations; the frees are pre-trace", () => {
    const k = bootKernel({ machine: liveMachine() });
    const r = new TraceReplayer(k, { mode: "simulate" });
    for (const l of traceText.split("\n")) r.line(l);
    const s = r.finish();
    expect(s.applied).toEqual({ allocs: 5, frees: 0 });
    expect(s.failures).toBe(0);
    expect(s.preTraceFrees).toBe(3);
  });

  it("recorded on a smaller machine counts the pfns outside it", () => {
    const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
    for (const l of traceText.split("\n")) r.line(l);
    expect(r.finish().outside).toBe(8);
  });

  it("recorded: an allocation inside a larger free block splits it around the pfn and the free merges it back", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const before = k.buddyinfo();
    const r = new TraceReplayer(k, { mode: "recorded" });
    r.line("  a-1 [000] ..... 1.0: mm_page_alloc: page=01 pfn=0x805 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
    expect(k.buddy.pageBuddyOrder(0x804)).toBe(0); // the order-0 buddy of 0x805 is free
    r.line("  a-1 [000] ..... 1.0: mm_page_alloc: page=01 pfn=0x805 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
    r.line("  a-1 [000] ..... 1.0: mm_page_free: page=01 pfn=0x805 order=0");
    const s = r.finish();
    expect(s.conflicts).toBe(1); // the second allocation of a page in use
    expect(k.buddyinfo()).toBe(before);
  });
});

describe("TraceReplayer recorded mode and the machine's holes", () => {
  it("pfns in a hole of the machine count as outside, not as conflicts", () => {
    // pc-4g: e820 RAM [0x100000, 0xc0000000) then [0x100000000, ...): pfns 0xc0000..0xfffff are the PCI hole.
    const r = new TraceReplayer(bootKernel({ machine: "pc-4g" }), { mode: "recorded" });
    r.line("  a-1 [000] ..... 1.0: mm_page_alloc: page=01 pfn=0xc0010 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE");
    r.line("  a-1 [000] ..... 1.0: mm_page_free: page=01 pfn=0xc0020 order=0");
    const s = r.finish();
    expect([s.outside, s.conflicts, s.preTraceFrees]).toEqual([2, 0, 0]);
  });
});
