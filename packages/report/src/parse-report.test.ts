import fc from "fast-check";
import { PageallocError } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { F41, F48, F619, F689, fixture, fixtureLine } from "./__fixtures__/fixtures";
import { InvalidReportError } from "./errors";
import { stripLogPrefix } from "./log-prefix";
import { parseFailureReports } from "./parse-report";
import type { FailureReport, ReportZone } from "./report-types";

function only(text: string): FailureReport {
  const { reports, problems } = parseFailureReports(text);
  expect(problems).toEqual([]);
  expect(reports).toHaveLength(1);
  return reports[0] as FailureReport;
}

/** The zone line as the kernel printed it, rebuilt from the parsed fields (field order is kept). */
function renderZoneLine(z: ReportZone): string {
  const head = `${z.nid === null ? "" : `Node ${z.nid} `}${z.name}`;
  const tail = z.allUnreclaimable === null ? [] : [`all_unreclaimable? ${z.allUnreclaimable ? "yes" : "no"}`];
  return [head, ...Object.entries(z.fields).map(([k, q]) => `${k}:${q.value}${q.unit}`), ...tail].join(" ");
}

function renderFreeArea(z: ReportZone): string {
  const fa = z.freeArea;
  if (!fa) return "";
  const parts = fa.orders.map((o) => `${o.count}*${o.sizeKb}kB${o.letters ? ` (${o.letters})` : ""}`);
  return `${z.nid === null ? "" : `Node ${z.nid} `}${z.name}: ${parts.join(" ")} = ${fa.totalKb}kB`;
}

/** Every zone line, lowmem_reserve line and free-area line of a fixture equals the text at the line the parser names. */
function expectZonesMatchText(name: string, r: FailureReport): void {
  for (const z of r.memInfo?.zones ?? []) {
    expect(renderZoneLine(z)).toBe(stripLogPrefix(fixtureLine(name, z.line)).trim());
    expect(`lowmem_reserve[]: ${z.lowmemReserve?.join(" ")}`).toBe(stripLogPrefix(fixtureLine(name, z.lowmemReserveLine ?? 0)).trim());
    expect(renderFreeArea(z)).toBe(stripLogPrefix(fixtureLine(name, z.freeArea?.line ?? 0)).trim());
  }
}

describe("the three real reports parse completely", () => {
  it("6.19-rc5 x86_64 (kswapd0, order 0, GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC)", () => {
    const r = only(fixture(F619));
    // Failure line (line 2 of the file):
    // kswapd0: page allocation failure: order:0, mode:0xc0c40(GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC), nodemask=(null),cpuset=/,mems_allowed=0
    expect(r).toMatchObject({
      line: 2,
      comm: "kswapd0",
      order: 0,
      gfpMask: 0xc0c40,
      gfpNames: "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC",
      form: "colon-named",
      nodemask: null,
      cpuset: "/",
      memsAllowed: "0",
      kernelRelease: "6.19.0-rc5-00027-g40fd0acc45d0",
      hardware: "HP HP Pavilion Aero Laptop 13-be0xxx/8916, BIOS F.17 12/18/2024",
    });
    expect(r.task).toEqual({
      line: 3,
      cpu: 4,
      uid: 0,
      pid: 156,
      comm: "kswapd0",
      tainted: null,
      release: "6.19.0-rc5-00027-g40fd0acc45d0",
      build: "435",
      extra: "PREEMPT(voluntary)",
    });
    const mi = r.memInfo;
    if (!mi) throw new Error("no Mem-Info");
    expect(mi.line).toBe(7);
    // "free:36223 free_pcp:529 free_cma:0" and the other global counters, in pages
    expect(mi.globals).toMatchObject({ active_anon: 511, inactive_anon: 2355672, sec_pagetables: 733, kernel_misc_reclaimable: 0, free: 36223, free_pcp: 529, free_cma: 0 });
    expect(Object.keys(mi.globals)).toHaveLength(20);
    expect(mi.nodes).toHaveLength(1);
    expect(mi.nodes[0]?.fields.anon_thp).toEqual({ value: 8534016, unit: "kB", pages: 2133504 });
    expect(mi.nodes[0]?.fields.Balloon).toEqual({ value: 0, unit: "kB", pages: 0 });
    expect(mi.nodes[0]?.allUnreclaimable).toBe(false);
    expect(mi.pageSizeKb).toBe(4);
    expect(mi.pageSizeFrom).toBe("free-area");
    expect(mi.zones.map((z) => `${z.nid}/${z.name}@${z.line},${z.lowmemReserveLine},${z.freeArea?.line}`)).toEqual([
      "0/DMA@17,18,23",
      "0/DMA32@19,20,24",
      "0/Normal@21,22,25",
    ]);
    const [dma, dma32, normal] = mi.zones as ReportZone[];
    // Node 0 Normal free:79392kB boost:28672kB min:80308kB low:93216kB high:106124kB reserved_highatomic:2048KB free_highatomic:32KB ... managed:9346788kB
    expect(normal?.fields.free).toEqual({ value: 79392, unit: "kB", pages: 19848 });
    expect(normal?.fields.boost?.pages).toBe(7168);
    expect(normal?.fields.min?.pages).toBe(20077);
    expect(normal?.fields.low?.pages).toBe(23304);
    expect(normal?.fields.high?.pages).toBe(26531);
    expect(normal?.fields.reserved_highatomic).toEqual({ value: 2048, unit: "KB", pages: 512 });
    expect(normal?.fields.free_highatomic).toEqual({ value: 32, unit: "KB", pages: 8 });
    expect(normal?.fields.managed?.pages).toBe(2336697);
    expect(dma?.fields.min?.pages).toBe(21);
    expect(dma32?.fields.min?.pages).toBe(3965);
    expect(dma?.lowmemReserve).toEqual([0, 2862, 11990, 11990, 11990]);
    expect(dma32?.lowmemReserve).toEqual([0, 0, 9127, 9127, 9127]);
    expect(normal?.lowmemReserve).toEqual([0, 0, 0, 0, 0]);
    // Node 0 Normal: 1024*4kB (UMEH) 534*8kB (UEH) 409*16kB (UME) 1301*32kB (UME) 154*64kB (UME) 39*128kB (UME) 14*256kB (UM) 1*512kB (U) 2*1024kB (UM) 1*2048kB (U) 0*4096kB = 79584kB
    expect(normal?.freeArea?.orders.map((o) => o.count)).toEqual([1024, 534, 409, 1301, 154, 39, 14, 1, 2, 1, 0]);
    expect(normal?.freeArea?.orders.map((o) => o.letters)).toEqual(["UMEH", "UEH", "UME", "UME", "UME", "UME", "UM", "U", "UM", "U", ""]);
    expect(normal?.freeArea?.totalKb).toBe(79584);
    expect(normal?.freeArea?.sumKb).toBe(79584);
    expect(dma32?.freeArea?.orders.map((o) => o.count)).toEqual([3, 5, 5, 8, 11, 15, 11, 9, 9, 0, 8]);
    expect(mi.hugepages.map((h) => h.sizeKb)).toEqual([1048576, 2048]);
    expect(mi.totals).toEqual({
      "total pagecache pages": 299766,
      "pages in swap cache": 0,
      "pages RAM": 4022646,
      "pages HighMem/MovableOnly": 0,
      "pages reserved": 949254,
      "pages hwpoisoned": 0,
    });
    expect(mi.freeSwapKb).toBe(8387580);
    expect(mi.totalSwapKb).toBe(8387580);
    expectZonesMatchText(F619, r);
  });

  it("6.8.9 ppc32 (no NUMA: zone lines without Node; only DMA shown for GFP_ATOMIC)", () => {
    const r = only(fixture(F689));
    expect(r).toMatchObject({ comm: "kswapd0", order: 0, gfpMask: 0x820, gfpNames: "GFP_ATOMIC", nodemask: null, cpuset: "/", memsAllowed: "0", kernelRelease: "6.8.9-gentoo-PMacG4" });
    expect(r.task).toMatchObject({ cpu: 1, uid: null, pid: 40, build: "1" });
    const mi = r.memInfo;
    if (!mi) throw new Error("no Mem-Info");
    // continuation lines of the global counters carry their own timestamps here
    expect(mi.globals).toMatchObject({ active_anon: 247864, free: 2224, free_pcp: 596, kernel_misc_reclaimable: 0 });
    expect(mi.nodes[0]?.fields.writeback_tmp?.value).toBe(0);
    expect(mi.zones).toHaveLength(1);
    const dma = mi.zones[0] as ReportZone;
    // DMA free:1680kB boost:4096kB min:7548kB low:8408kB high:9268kB reserved_highatomic:0KB ... managed:746656kB
    expect(dma.nid).toBeNull();
    expect(dma.fields.free?.pages).toBe(420);
    expect(dma.fields.boost?.pages).toBe(1024);
    expect(dma.fields.min?.pages).toBe(1887);
    expect(dma.fields.low?.pages).toBe(2102);
    expect(dma.fields.high?.pages).toBe(2317);
    expect(dma.fields.managed?.pages).toBe(186664);
    expect(dma.fields.free_highatomic).toBeUndefined();
    expect(dma.lowmemReserve).toEqual([0, 0, 1280, 1280]);
    // DMA: 2*4kB (UM) 1*8kB (U) 1*16kB (U) 18*32kB (UME) 7*64kB (UM) 0*128kB 1*256kB (M) 1*512kB (M) 0*1024kB 0*2048kB 0*4096kB = 1824kB
    expect(dma.freeArea?.orders.map((o) => `${o.count}${o.letters}`)).toEqual(["2UM", "1U", "1U", "18UME", "7UM", "0", "1M", "1M", "0", "0", "0"]);
    expect(dma.freeArea?.totalKb).toBe(1824);
    expect(mi.totals).toEqual({ "total pagecache pages": 35907, "pages in swap cache": 13813 });
    expectZonesMatchText(F689, r);
  });

  it("4.8 x86_64 (order 4, the 4.8 zone line without boost/highatomic, unstable/pages_scanned per node)", () => {
    const r = only(fixture(F48));
    expect(r).toMatchObject({
      line: 2,
      endLine: 57,
      comm: "modprobe",
      order: 4,
      gfpMask: 0x26040c0,
      gfpNames: "GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK",
      form: "colon-named",
      nodemask: undefined,
      cpuset: undefined,
      kernelRelease: "4.8.0-rc3-3.bug994066-default",
    });
    // the stack dump is kept as text, from the raw stack words to "Leftover inexact backtrace:"
    expect(r.callTrace[0]).toBe("0000000000000000 ffffffff813a2952 0000000000000004 ffff88003fb6ba30");
    expect(r.callTrace).toContain("[<ffffffff81198a4b>] warn_alloc_failed+0xdb/0x150");
    expect(r.callTrace.at(-1)).toBe("Leftover inexact backtrace:");
    const mi = r.memInfo;
    if (!mi) throw new Error("no Mem-Info");
    expect(mi.globals).toMatchObject({ unstable: 0, free: 51321, free_pcp: 68, free_cma: 0, slab_reclaimable: 796425 });
    // "shmem_thp: 0kB" (4.8 printed a space after the colon) and pages_scanned without a unit
    expect(mi.nodes[0]?.fields.shmem_thp).toEqual({ value: 0, unit: "kB", pages: 0 });
    expect(mi.nodes[0]?.fields.pages_scanned).toEqual({ value: 24, unit: "", pages: 24 });
    const [dma, dma32, normal] = mi.zones as ReportZone[];
    expect(dma?.fields.boost).toBeUndefined();
    // Node 0 Normal free:56184kB min:44200kB low:55248kB high:66296kB ... managed:5114880kB
    expect(normal?.fields.free?.pages).toBe(14046);
    expect(normal?.fields.min?.pages).toBe(11050);
    expect(normal?.fields.low?.pages).toBe(13812);
    expect(normal?.fields.kernel_stack?.value).toBe(9104);
    expect(dma32?.lowmemReserve).toEqual([0, 0, 4994, 4994, 4994]);
    // Node 0 DMA32: 13633*4kB (UME) 8035*8kB (UME) 890*16kB (UME) 10*32kB (U) 0*64kB ... = 133372kB
    expect(dma32?.freeArea?.orders.slice(0, 5).map((o) => o.count)).toEqual([13633, 8035, 890, 10, 0]);
    expect(dma32?.freeArea?.totalKb).toBe(133372);
    expect(mi.otherLines).toEqual([{ line: 51, text: "Swap cache stats: add 60025, delete 57831, find 17283/19516" }]);
    expect(mi.totals["pages reserved"]).toBe(52166);
    expectZonesMatchText(F48, r);
  });

  it("4.1.18 arm64 Android: hex-only colon form, Android kmsg prefixes, Reserve (R) letters, per-zone all_unreclaimable", () => {
    const r = only(fixture(F41));
    // sManagerService: page allocation failure: order:2, mode:0x2000d1
    expect(r).toMatchObject({ line: 2, endLine: 37, comm: "sManagerService", order: 2, gfpMask: 0x2000d1, gfpNames: null, form: "colon-hex", nodemask: undefined });
    expect(r.task).toMatchObject({ cpu: 5, pid: 1361, comm: "sManagerService", tainted: "G        W", release: "4.1.18-g09f547b", build: "1" });
    expect(r.hardware).toBe("hi3650 (DT)");
    // "TGID: …" and the lowercase arm64 "Call trace:" stay in the stack text
    expect(r.callTrace.slice(0, 3)).toEqual(["TGID: 981 Comm: system_server", "Call trace:", "[<ffffffc00008a0a4>] dump_backtrace+0x0/0x150"]);
    const mi = r.memInfo;
    if (!mi) throw new Error("no Mem-Info");
    expect(mi.globals).toMatchObject({ active_anon: 491074, unstable: 0, bounce: 72, free: 118678, free_pcp: 58, free_cma: 0 });
    const [dma, normal] = mi.zones as ReportZone[];
    // DMA free:470628kB min:6800kB low:29116kB high:30816kB … pages_scanned:0 all_unreclaimable? no
    expect([dma?.nid, dma?.name, dma?.fields.free?.pages, dma?.fields.min?.pages, dma?.fields.low?.pages, dma?.allUnreclaimable]).toEqual([null, "DMA", 117657, 1700, 7279, false]);
    expect(dma?.lowmemReserve).toEqual([0, 415, 415]);
    expect(normal?.lowmemReserve).toEqual([0, 0, 0]);
    // DMA: 68324*4kB (UEM) 24706*8kB (UER) 2*16kB (U) 0*32kB … = 470976kB
    expect(dma?.freeArea?.orders.slice(0, 3).map((o) => `${o.count}${o.letters}`)).toEqual(["68324UEM", "24706UER", "2U"]);
    expect(normal?.freeArea?.orders.map((o) => o.letters).join(",")).toBe("UMR,UMR,MR,R,R,R,R,,,,");
    expect(mi.totals["pages cma reserved"]).toBe(8192);
    expect(mi.freeSwapKb).toBe(0);
    expectZonesMatchText(F41, r);
  });

  it("the provenance line of a fixture (a mail subject quoting a failure) is not a failure line", () => {
    const text = "# from linux-btrfs mail '[REGRESSION] kswapd0: page allocation failure' 2026-02-22\n";
    expect(parseFailureReports(text)).toEqual({ reports: [], problems: [] });
  });
});

describe("failure line forms", () => {
  it("2.6.x: `page allocation failure. order:N, mode:0x…` (hex only, full stop)", () => {
    const r = only("swapper: page allocation failure. order:1, mode:0x20\n");
    expect(r).toMatchObject({ comm: "swapper", order: 1, gfpMask: 0x20, gfpNames: null, form: "dot-hex", nodemask: undefined });
  });

  it("≈3.0–4.5: `page allocation failure: order:N, mode:0x…` (hex only, colon)", () => {
    const r = only("kworker/u8:2: page allocation failure: order:2, mode:0x2084020\n");
    expect(r).toMatchObject({ comm: "kworker/u8:2", order: 2, gfpMask: 0x2084020, gfpNames: null, form: "colon-hex" });
  });

  it("4.6+: hex and names; 0 prints as `mode:0x0()` with empty names", () => {
    expect(only("a: page allocation failure: order:0, mode:0x0()\n")).toMatchObject({ gfpMask: 0, gfpNames: "", form: "colon-named" });
  });

  it("4.10+: `, nodemask=` with a node list, then `,cpuset=…,mems_allowed=…`", () => {
    const r = only("java: page allocation failure: order:3, mode:0x14000c0(GFP_KERNEL), nodemask=0-1,cpuset=/docker/abc,mems_allowed=0-1\n");
    expect(r).toMatchObject({ nodemask: "0-1", cpuset: "/docker/abc", memsAllowed: "0-1", gfpNames: "GFP_KERNEL" });
  });

  it("≈4.10–5.x: the cpuset on its own line `COMM cpuset=NAME mems_allowed=LIST`", () => {
    const r = only(
      ["[ 5.1] java: page allocation failure: order:3, mode:0x14000c0(GFP_KERNEL), nodemask=(null)", "[ 5.1] java cpuset=/ mems_allowed=0"].join("\n"),
    );
    expect(r).toMatchObject({ nodemask: null, cpuset: "/", memsAllowed: "0", endLine: 2 });
  });

  it("old and tainted task lines give the kernel release", () => {
    const old = only("a: page allocation failure: order:1, mode:0x20\nPid: 30467, comm: modprobe Not tainted 2.6.32-5-amd64 #1\n");
    expect(old.task).toMatchObject({ pid: 30467, comm: "modprobe", cpu: null, release: "2.6.32-5-amd64", build: "1" });
    const tainted = only("a: page allocation failure: order:1, mode:0x20\nCPU: 0 PID: 1 Comm: Web Content Tainted: G        W  O      5.10.0-8-amd64 #1 Debian 5.10.46-4\n");
    expect(tainted.task).toMatchObject({ cpu: 0, pid: 1, comm: "Web Content", tainted: "G        W  O", release: "5.10.0-8-amd64", extra: "Debian 5.10.46-4" });
    expect(tainted.kernelRelease).toBe("5.10.0-8-amd64");
  });

  it("an unreadable failure line is a problem with its line number, not a guess", () => {
    const { reports, problems } = parseFailureReports("x\nfoo: page allocation failure: order:, mode:0x20\n");
    expect(reports).toEqual([]);
    expect(problems).toEqual([{ line: 2, reason: expect.stringContaining("order:N, mode:0x") }]);
  });

  it("a mail Subject: quoting a failure is ignored; text longer than a task name before the mark is a problem", () => {
    const text = ["Subject: Re: 2.6.9-rc1-mm1 kjournald: page allocation failure. order:1,", " mode:0x20", "", "weird-prefix 12:00 kjournald: page allocation failure. order:1, mode:0x20"].join("\n");
    const { reports, problems } = parseFailureReports(text);
    expect(reports).toEqual([]);
    expect(problems).toEqual([{ line: 4, reason: '"weird-prefix 12:00 kjournald" is longer than a task name (15 characters): an unknown log prefix? not read as a report' }]);
  });

  it("text after the mode that is not nodemask/cpuset is reported", () => {
    const { reports, problems } = parseFailureReports("a: page allocation failure: order:1, mode:0x20 what\n");
    expect(reports).toHaveLength(1);
    expect(problems).toEqual([{ line: 1, reason: 'cannot read "what" after the mode' }]);
  });
});

describe("2.6.24-style Mem-info", () => {
  // Built from the 2.6.24 formats (kernel-facts §9.6: show_free_areas and the i386 show_mem tail).
  const text = [
    "<4>swapper: page allocation failure. order:1, mode:0x20",
    "<4>Mem-info:",
    "<4>DMA per-cpu:",
    "<4>CPU    0: Hot: hi:    0, btch:   1 usd:   0   Cold: hi:    0, btch:   1 usd:   0",
    "<4>Active:5033 inactive:2181 dirty:12 writeback:0 unstable:0",
    "<4> free:1060 slab:1566 mapped:1474 pagetables:126 bounce:0",
    "<4>DMA free:1200kB min:128kB low:160kB high:192kB active:0kB inactive:0kB present:16240kB pages_scanned:0 all_unreclaimable? yes",
    "<4>lowmem_reserve[]: 0 238 238 238",
    "<4>Normal free:3040kB min:2036kB low:2544kB high:3052kB active:20132kB inactive:8724kB present:243776kB pages_scanned:0 all_unreclaimable? no",
    "<4>lowmem_reserve[]: 0 0 0 0",
    "<4>DMA: 0*4kB 0*8kB 1*16kB 1*32kB 2*64kB 2*128kB 1*256kB 1*512kB 0*1024kB 0*2048kB 0*4096kB = 1200kB",
    "<4>Normal: 500*4kB 65*8kB 6*16kB 3*32kB 2*64kB 1*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 2968kB",
    "<4>Swap cache: add 0, delete 0, find 0/0, race 0+0",
    "<4>Free swap  = 0kB",
    "<4>Total swap = 0kB",
    "<4>65520 pages of RAM",
    "<4>0 pages of HIGHMEM",
    "eth0: link up",
  ].join("\n");

  it("reads the zones without migratetype letters, all_unreclaimable per zone, and the 2.6.24 totals", () => {
    const r = only(text);
    expect(r.form).toBe("dot-hex");
    expect(r.endLine).toBe(17);
    const mi = r.memInfo;
    if (!mi) throw new Error("no Mem-info");
    expect(mi.globals).toEqual({ Active: 5033, inactive: 2181, dirty: 12, writeback: 0, unstable: 0, free: 1060, slab: 1566, mapped: 1474, pagetables: 126, bounce: 0 });
    expect(mi.zones.map((z) => [z.nid, z.name, z.allUnreclaimable, z.fields.min?.pages, z.lowmemReserve])).toEqual([
      [null, "DMA", true, 32, [0, 238, 238, 238]],
      [null, "Normal", false, 509, [0, 0, 0, 0]],
    ]);
    expect(mi.zones[1]?.freeArea?.orders.map((o) => o.letters).join("")).toBe("");
    expect(mi.zones[1]?.freeArea?.sumKb).toBe(2968);
    expect(mi.otherLines.map((l) => l.line)).toEqual([3, 4, 13]);
    expect(mi.totals).toEqual({ "pages of RAM": 65520, "pages of HIGHMEM": 0 });
  });
});

describe("log prefixes", () => {
  const body = [
    "kswapd0: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0",
    "CPU: 1 PID: 40 Comm: kswapd0 Not tainted 6.8.9-gentoo-PMacG4 #1",
    "Mem-Info:",
    "active_anon:247864 inactive_anon:215615 isolated_anon:0",
    " free:2224 free_pcp:596 free_cma:0",
    "DMA free:1680kB boost:4096kB min:7548kB low:8408kB high:9268kB managed:746656kB",
    "lowmem_reserve[]: 0 0 1280 1280",
    "DMA: 2*4kB (UM) 1*8kB (U) 0*16kB = 16kB",
    "35907 total pagecache pages",
  ];
  const plain = parseFailureReports(body.join("\n"));
  const prefixes: [string, (l: string, i: number) => string][] = [
    ["dmesg timestamps", (l, i) => `[   72.28${i}833] ${l}`],
    ["printk levels", (l) => `<4>${l}`],
    ["/dev/kmsg style level + timestamp", (l, i) => `<4>[   72.${i}] ${l}`],
    ["syslog", (l, i) => `Mar  3 10:00:0${i} host kernel: [  72.${i}] ${l}`],
    ["journalctl short-iso", (l) => `2026-03-03T10:00:00+0100 host kernel: ${l}`],
    ["dmesg -T", (l) => `[Tue Mar  3 10:00:00 2026] ${l}`],
    ["printk caller id", (l, i) => `[   72.${i}][  T40] ${l}`],
    ["Android logcat threadtime", (l, i) => `01-02 03:04:0${i}.678     0     0 W         : ${l}`],
    ["Android logcat brief", (l) => `W/kernel  (    0): ${l}`],
    ["mail quote", (l) => `> ${l}`],
    ["double mail quote + timestamp", (l, i) => `> > [ 1.${i}] ${l}`],
    ["CRLF line ends", (l) => `${l}\r`],
    ["dmesg -x facility and level", (l, i) => `kern  :warn  : [  177.1${i}] ${l}`],
    ["Android kmsg dump (date, level, s-timestamp, pid tag)", (l, i) => `07-13 08:41:51.34${i} <4>[309805.65814${i}s][pid:1361,cpu5,sManagerService]${l}`],
  ];
  it.each(prefixes)("%s give the same report as the bare text", (_name, wrap) => {
    const { reports, problems } = parseFailureReports(body.map(wrap).join("\n"));
    expect(problems).toEqual([]);
    expect(reports).toEqual(plain.reports);
  });
  it("the bare text parses", () => {
    expect(plain.problems).toEqual([]);
    expect(plain.reports[0]?.memInfo?.zones[0]?.freeArea?.totalKb).toBe(16);
  });
});

/** Hard-wrap a text at spaces so that no line is longer than `width` (as a mail client does), with an optional quote prefix. */
function mailWrap(text: string, width: number, quote = ""): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    let rest = line;
    while (rest.length > width) {
      let cut = rest.lastIndexOf(" ", width);
      if (cut <= 0) cut = rest.indexOf(" ", width);
      if (cut <= 0) break;
      out.push(quote + rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
    out.push(quote + rest);
  }
  return out.join("\n");
}

/** What must survive wrapping: everything but line numbers and free text (hardware name, stack, the task line tail after the build number). */
function comparable(reports: readonly FailureReport[]): unknown {
  return JSON.parse(
    JSON.stringify(reports, (k, v) => (["line", "endLine", "lastLine", "lowmemReserveLine", "hardware", "callTrace", "otherLines", "extra"].includes(k) ? undefined : v)),
  );
}

describe("mail-wrapped reports", () => {
  it.each([F619, F48, F689])("%s wrapped at 72 columns and quoted reads the same", (name) => {
    const orig = parseFailureReports(fixture(name));
    const wrapped = parseFailureReports(mailWrap(fixture(name), 72, "> "));
    expect(wrapped.problems).toEqual([]);
    expect(comparable(wrapped.reports)).toEqual(comparable(orig.reports));
    expect(wrapped.reports[0]?.memInfo?.zones.length).toBe(orig.reports[0]?.memInfo?.zones.length);
  });

  it("any wrap width from 60 to 100 columns reads the same (property)", () => {
    const text = fixture(F619);
    const want = comparable(parseFailureReports(text).reports);
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 100 }), fc.boolean(), (width, quoted) => {
        const got = parseFailureReports(mailWrap(text, width, quoted ? "> " : ""));
        expect(got.problems).toEqual([]);
        expect(comparable(got.reports)).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });

  it("a syslog line broken inside `page allocation failure` is still found", () => {
    const text = [
      "Mar  3 10:00:00 myhost kernel: [93348.306369] kworker/u16:3: page allocation",
      "failure: order:4, mode:0x26040c0(GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK)",
    ].join("\n");
    expect(only(text)).toMatchObject({ line: 1, comm: "kworker/u16:3", order: 4, gfpMask: 0x26040c0 });
  });

  it("a wrapped free-area line without its total is reported, not guessed", () => {
    const { problems } = parseFailureReports("a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal: 1*4kB (U) 2*8kB\n");
    expect(problems).toEqual([{ line: 3, reason: 'free-area line has no "= NkB" total (cut off?)' }]);
  });
});

describe("several reports in one file", () => {
  it("reads each report, in order, with other messages between them ignored", () => {
    const text = [fixture(F48), "usb 1-1: new high-speed USB device", fixture(F689), fixture(F619)].join("\n");
    const { reports, problems } = parseFailureReports(text);
    expect(problems).toEqual([]);
    expect(reports.map((r) => [r.comm, r.order, r.kernelRelease?.slice(0, 5)])).toEqual([
      ["modprobe", 4, "4.8.0"],
      ["kswapd0", 0, "6.8.9"],
      ["kswapd0", 0, "6.19."],
    ]);
    const lines48 = fixture(F48).split("\n").length;
    expect(reports[1]?.line).toBe(lines48 + 1 + 2);
  });

  it("a report without Mem-Info has memInfo null", () => {
    const { reports } = parseFailureReports("a: page allocation failure: order:1, mode:0x20\nCall Trace:\n foo+0x1/0x2\n");
    expect(reports[0]?.memInfo).toBeNull();
    expect(reports[0]?.callTrace).toEqual(["Call Trace:", "foo+0x1/0x2"]);
  });
});

describe("problems, never guesses", () => {
  it("names the line of an unreadable field and of an unknown Mem-Info line", () => {
    const text = ["a: page allocation failure: order:1, mode:0x20", "Mem-Info:", "Normal free:12kB min:x low:8kB", "lowmem_reserve[]: 0 0", "what is this", "Normal: 3*4kB = 12kB"].join("\n");
    const { reports, problems } = parseFailureReports(text);
    expect(problems).toEqual([
      { line: 3, reason: 'cannot read the value of min: "x"' },
      { line: 5, reason: 'unrecognised line in Mem-Info: "what is this"' },
    ]);
    expect(reports[0]?.memInfo?.zones[0]?.fields.min).toBeUndefined();
    expect(reports[0]?.memInfo?.zones[0]?.fields.low?.pages).toBe(2);
  });

  it("a kB value that is not a whole number of pages has pages null and a problem", () => {
    const { reports, problems } = parseFailureReports("a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal free:10kB\nlowmem_reserve[]: 0\nNormal: 1*8kB = 8kB\n");
    expect(reports[0]?.memInfo?.pageSizeKb).toBe(8);
    expect(reports[0]?.memInfo?.zones[0]?.fields.free).toEqual({ value: 10, unit: "kB", pages: null });
    expect(problems).toEqual([{ line: 3, reason: "free:10kB is not a whole number of 8kB pages" }]);
  });

  it("throws a typed error only for non-text input", () => {
    expect(() => parseFailureReports(42 as unknown as string)).toThrow(InvalidReportError);
  });
});

describe("robustness (fuzz)", () => {
  const realTexts = [fixture(F48), fixture(F689), fixture(F619)];

  function neverUntyped(text: string): void {
    try {
      const r = parseFailureReports(text);
      expect(Array.isArray(r.reports)).toBe(true);
    } catch (e) {
      expect(e).toBeInstanceOf(PageallocError);
    }
  }

  it("random strings: returns, or throws a PageallocError", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), neverUntyped), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.constantFrom("Node 0 ", "DMA", ": ", "free:", "1*4kB", "(U)", " = ", "kB", "\n", "lowmem_reserve[]:", " 0", "Mem-Info:", "a: page allocation failure: order:1, mode:0x20", "(", ")", ",", ">", "[ 1.0] "), { maxLength: 80 }).map((a) => a.join("")), neverUntyped), { numRuns: 300 });
  });

  it("mutated real reports: returns, or throws a PageallocError", () => {
    fc.assert(
      fc.property(fc.nat(2), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 8 }), (which, edits) => {
        let t = realTexts[which] as string;
        for (const [pos, del, ins] of edits) {
          const p = pos % (t.length + 1);
          t = t.slice(0, p) + ins + t.slice(p + del);
        }
        neverUntyped(t);
      }),
      { numRuns: 300 },
    );
  });

  it("adversarial long lines are read in linear time (no catastrophic backtracking)", () => {
    const n = 200_000;
    const inputs = [
      `a: page allocation failure: order:1, mode:0x20(${"(".repeat(n)}`,
      `CPU: 1 PID: 2 Comm: ${"x ".repeat(n)}`,
      `Node 0 ${"A".repeat(n)} free:1kB`,
      `a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal free:1kB\n${"1*4kB ".repeat(n)}`,
      `${"Tainted: ".repeat(n)}`,
      `a: page allocation failure: order:1, mode:0x20\n${"x cpuset= mems_allowed=".repeat(n / 10)}`,
      `a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal free:4kB\n${"free_cma:0kB\n".repeat(n / 10)}`,
      `${"> ".repeat(n)}`,
      `a: page allocation failure: order:1, mode:0x20\nCPU: 1 PID: 2 Comm: x Not tainted\n${"y\n".repeat(n)}`,
      `a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNode 0 hugepages_total=0\n${"y\n".repeat(n)}`,
      `a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal free:4kB\n${"y z\n".repeat(n)}`,
    ];
    // Many zones: each free-area line finds its zone without a scan.
    const zones = Array.from({ length: 20_000 }, (_, i) => `Node 0 Z${i} free:4kB\nlowmem_reserve[]: 0`).join("\n");
    const areas = Array.from({ length: 20_000 }, (_, i) => `Node 0 Z${i}: 1*4kB = 4kB`).join("\n");
    inputs.push(`a: page allocation failure: order:1, mode:0x20\nMem-Info:\n${zones}\n${areas}`);
    for (const text of inputs) neverUntyped(text);
    expect(parseFailureReports(inputs.at(-1) as string).reports[0]?.memInfo?.zones.at(-1)?.freeArea?.totalKb).toBe(4);
  });
});
