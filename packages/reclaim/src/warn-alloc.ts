import type { ZoneState } from "@pagealloc/buddy";
import { formatGfp } from "@pagealloc/gfp";
import { formatKernelVersion, type KernelVersion, parseKernelVersion, pickByVersion } from "@pagealloc/physmem";
import { MAX_RECLAIM_RETRIES } from "./constants";
import { LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_SLAB, PageUse } from "./memory-use";
import type { FailureContext, Reclaim } from "./reclaim";

/** Options of {@link renderWarnAlloc}. */
export interface WarnAllocOptions {
  /** current->comm and pid (default `sim`, 1). */
  readonly comm?: string;
  readonly pid?: number;
  readonly cpu?: number;
  /** Page size in kB (default 4). */
  readonly pageSizeKb?: number;
  /** CONFIG_NUMA: zone lines start with `Node N ` (default: true for the modern layout, more than one node for 2.6.24). */
  readonly numa?: boolean;
  /** Huge page sizes in kB printed per node (default x86_64: 1048576 and 2048; 2.6.24 none). */
  readonly hugepageSizesKb?: readonly number[];
}

const LETTERS: Record<string, string> = { Unmovable: "U", Movable: "M", Reclaimable: "E", Reserve: "R", HighAtomic: "H", CMA: "C", Isolate: "I" };

/** The kernel's %*pbl: a node list as ranges (`0`, `0-1`, `0,2-3`). kernel: lib/vsprintf.c bitmap_list_string() */
function rangeList(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

interface ZoneCounts {
  activeAnon: number;
  inactiveAnon: number;
  activeFile: number;
  inactiveFile: number;
  unevictable: number;
  dirty: number;
  slab: number;
}

function zoneCounts(r: Reclaim, z: ZoneState): ZoneCounts {
  const m = r.memory;
  const inZone = (use: number) => {
    let n = 0;
    for (const list of [LRU_INACTIVE_FILE, LRU_ACTIVE_FILE]) {
      for (let pfn = m.oldest(z.spec.nid, list); pfn >= 0; pfn = m.oldest(z.spec.nid, list, pfn)) {
        if (pfn >= z.startPfn && pfn < z.endPfn && m.useOfPfn(pfn) === use) n += 2 ** m.orderOfPfn(pfn);
      }
    }
    return n;
  };
  return {
    activeAnon: r.lruZonePages(z, LRU_ACTIVE_ANON),
    inactiveAnon: r.lruZonePages(z, LRU_INACTIVE_ANON),
    activeFile: r.lruZonePages(z, LRU_ACTIVE_FILE),
    inactiveFile: r.lruZonePages(z, LRU_INACTIVE_FILE),
    unevictable: 0,
    dirty: inZone(PageUse.FILE_DIRTY),
    slab: r.lruZonePages(z, LRU_SLAB),
  };
}

function sum(list: readonly ZoneCounts[], key: keyof ZoneCounts): number {
  return list.reduce((s, c) => s + c[key], 0);
}

function pcpPages(z: ZoneState): number {
  let n = 0;
  for (let i = 0; i < z.pcpCount.length; i++) n += z.pcpCount[i]!;
  return n;
}

/**
 * The report layout of one kernel version: which lines show_mem() / show_free_areas() print and with which fields.
 * Each era is named by the release whose text it reproduces; [SRC] eras were read in that release's
 * mm/page_alloc.c / lib/show_mem.c, [REAL] ones are checked against a real report in @pagealloc/report's fixtures,
 * [≈] boundaries are dated from the commit history, not read.
 */
export interface ShowMemLayoutFacts {
  /** dump_stack's first line: `Pid: %d, comm: %.20s` (x86 ≤ 3.9), `CPU: %d PID: %d Comm: %s` (3.10 dump_stack_print_info), with `UID:` and the preempt model (≈6.10). */
  readonly taskLine: "pid-comm" | "cpu-pid" | "cpu-uid-pid";
  /** ` <TASK>` / ` </TASK>` around the x86 call trace (≈5.16). */
  readonly taskMarkers: boolean;
  /** The header: `Mem-info:` (arch show_mem ≤ 2.6.29) or `Mem-Info:` (lib/show_mem.c 2.6.30+). */
  readonly header: "Mem-info:" | "Mem-Info:";
  /** Per-cpu pageset lines: hot and cold (2.6.24), one list (2.6.25–3.x [SRC 2.6.32, 3.10, 3.18]), none (≈4.0, free_pcp instead [REAL 4.1.18]). */
  readonly pcpLines: "hot-cold" | "single" | "none";
  /** The global counters (in pages): 2.6.24, 2.6.28 (split LRU), 2.6.32 [SRC], 3.8 (+free_cma [SRC 3.10]), 4.0 (free_pcp [REAL 4.1.18, 4.8]), modern (6.x [REAL 6.19]). */
  readonly globals: "2.6.24" | "2.6.28" | "2.6.32" | "3.8" | "4.0" | "modern";
  /** The per-node line (node-based LRU, 4.8 [REAL 4.8]; modern [REAL 6.19]). */
  readonly nodeLine: "none" | "4.8" | "modern";
  /** The per-zone line: 2.6.24, 2.6.28, 2.6.32 [SRC], 3.8 (managed, free_cma [SRC 3.10]), 4.0 (free_pcp, local_pcp [REAL 4.1.18]), 4.8 [REAL], modern [REAL 6.19]. */
  readonly zoneLine: "2.6.24" | "2.6.28" | "2.6.32" | "3.8" | "4.0" | "4.8" | "modern";
  /** Migratetype letters after each non-empty order (≈3.8 [SRC 3.10]). */
  readonly letters: boolean;
  /** Zones above gfp_zone(gfp) are left out (modern __show_mem(max_zone_idx)). */
  readonly filterZones: boolean;
  /** `Node N hugepages_total=…` per node and size (hugetlb_show_meminfo, ≈3.8 [SRC 3.10]). */
  readonly hugepages: boolean;
  /** `%ld total pagecache pages` (2.6.28 [≈]; [SRC 2.6.32]). */
  readonly pagecacheTotal: boolean;
  /** show_swap_cache_info(): 2.6.24 (`Swap cache: add …, race …`), 2.6.28 (`pages in swap cache` + `Swap cache stats:` [REAL 4.1.18, 4.8]), modern (no stats line [REAL 6.19]). */
  readonly swapInfo: "2.6.24" | "2.6.28" | "modern";
  /** show_mem's tail: the i386 arch one (≤ 2.6.29), lib/show_mem.c of 2.6.30 (RAM, reserved, shared, non-shared), of ≈3.14+ (RAM, HighMem/MovableOnly, reserved, hwpoisoned [REAL 4.8, 6.19]). */
  readonly tail: "2.6.24" | "2.6.30" | "3.14";
}

const L2_6_24: ShowMemLayoutFacts = {
  taskLine: "pid-comm",
  taskMarkers: false,
  header: "Mem-info:",
  pcpLines: "hot-cold",
  globals: "2.6.24",
  nodeLine: "none",
  zoneLine: "2.6.24",
  letters: false,
  filterZones: false,
  hugepages: false,
  pagecacheTotal: false,
  swapInfo: "2.6.24",
  tail: "2.6.24",
};
const L2_6_28: ShowMemLayoutFacts = { ...L2_6_24, pcpLines: "single", globals: "2.6.28", zoneLine: "2.6.28", pagecacheTotal: true, swapInfo: "2.6.28" };
const L2_6_32: ShowMemLayoutFacts = { ...L2_6_28, header: "Mem-Info:", tail: "2.6.30", globals: "2.6.32", zoneLine: "2.6.32" };
const L3_8: ShowMemLayoutFacts = { ...L2_6_32, globals: "3.8", zoneLine: "3.8", letters: true, hugepages: true };
const L4_0: ShowMemLayoutFacts = { ...L3_8, taskLine: "cpu-pid", pcpLines: "none", globals: "4.0", zoneLine: "4.0", tail: "3.14" };
const L4_8: ShowMemLayoutFacts = { ...L4_0, nodeLine: "4.8", zoneLine: "4.8" };
const MODERN_LAYOUT: ShowMemLayoutFacts = { ...L4_8, globals: "modern", nodeLine: "modern", zoneLine: "modern", filterZones: true, swapInfo: "modern" };

const LAYOUT_ROWS: readonly (readonly [string, ShowMemLayoutFacts])[] = [
  ["2.6.24", L2_6_24],
  ["2.6.25", { ...L2_6_24, pcpLines: "single" }],
  ["2.6.28", L2_6_28],
  ["2.6.30", { ...L2_6_28, header: "Mem-Info:", tail: "2.6.30" }],
  ["2.6.32", L2_6_32],
  ["3.8", L3_8],
  ["3.10", { ...L3_8, taskLine: "cpu-pid" }],
  ["3.14", { ...L3_8, taskLine: "cpu-pid", tail: "3.14" }],
  ["4.0", L4_0],
  ["4.8", L4_8],
  ["4.9", MODERN_LAYOUT],
  ["5.16", { ...MODERN_LAYOUT, taskMarkers: true }],
  ["6.10", { ...MODERN_LAYOUT, taskMarkers: true, taskLine: "cpu-uid-pid" }],
];

/**
 * The warn_alloc / show_mem layout of `version`.
 *
 * @param version - kernel version (2.6.24 or later)
 * @returns the row that applies
 * @example
 * ```ts
 * import { showMemLayout } from "@pagealloc/reclaim";
 * console.log(showMemLayout("3.10").zoneLine, showMemLayout("4.1").pcpLines, showMemLayout("4.8").nodeLine); // => 3.8 none 4.8
 * ```
 */
export function showMemLayout(version: KernelVersion | string): ShowMemLayoutFacts {
  return pickByVersion(LAYOUT_ROWS, version);
}

/**
 * The kernel log text of an allocation failure: warn_alloc's line, dump_stack's task line, and show_mem (header,
 * per-cpu lines, global counters, per-node and per-zone lines, lowmem_reserve, the free areas, hugepages, swap and
 * the totals) in the layout of the allocator's version ({@link showMemLayout}), from the model's state at the failure.
 * kernel: mm/page_alloc.c warn_alloc() / warn_alloc_failed() (3.0–4.8) / the nopage printk (≤ 2.6.x), show_free_areas(),
 * lib/show_mem.c show_mem(), mm/show_mem.c __show_mem() (6.x)
 *
 * @param ctx - the failure: reclaim model, allocator, gfp, order, request
 * @param o - task and machine details the kernel prints
 * @returns the report text, lines separated by "\n"
 */
export function renderWarnAlloc(ctx: FailureContext, o: WarnAllocOptions = {}): string {
  const { reclaim: r, allocator: a, gfp, order, request } = ctx;
  const facts = r.versionFacts;
  const version: KernelVersion = typeof a.version === "string" ? parseKernelVersion(a.version) : a.version;
  const L = showMemLayout(version);
  const release = formatKernelVersion(version);
  const comm = o.comm ?? r.options.current?.comm ?? "sim";
  const pid = o.pid ?? r.options.current?.pid ?? 1;
  const cpu = o.cpu ?? request.cpu ?? 0;
  const kb = o.pageSizeKb ?? 4;
  const K = (pages: number) => `${pages * kb}kB`;
  const nodes = a.nodeIds();
  const numa = o.numa ?? (L.zoneLine !== "2.6.24" || nodes.length > 1);
  const nodePrefix = (z: ZoneState) => (numa ? `Node ${z.spec.nid} ` : "");
  const maxZoneIdx = L.filterZones ? request.highestZoneIdx : Infinity;
  const populated = a.zones.filter((z) => z.spec.presentPages > 0).sort((x, y) => x.spec.nid - y.spec.nid || x.spec.zoneIdx - y.spec.zoneIdx);
  const zones = populated.filter((z) => z.spec.zoneIdx <= maxZoneIdx);
  const counts = new Map(a.zones.map((z) => [z, zoneCounts(r, z)]));
  const all = [...counts.values()];
  const free = a.zones.reduce((s, z) => s + z.nrFreePages, 0);
  const freePcp = a.zones.reduce((s, z) => s + pcpPages(z), 0);
  const slab = sum(all, "slab");
  const dirty = sum(all, "dirty");
  const lines: string[] = [];
  const hex = `0x${gfp.toString(16)}`;
  // warn_alloc's line
  if (facts.failureLine === "dot-hex") lines.push(`${comm}: page allocation failure. order:${order}, mode:${hex}`);
  else if (facts.failureLine === "colon-hex") lines.push(`${comm}: page allocation failure: order:${order}, mode:${hex}`);
  else {
    let line = `${comm}: page allocation failure: order:${order}, mode:${hex}(${formatGfp(gfp, version)})`;
    if (facts.failureLineNodemask) line += `, nodemask=${request.nodemask ? rangeList(request.nodemask) : "(null)"},cpuset=/,mems_allowed=${rangeList(nodes)}`;
    lines.push(line);
  }
  // dump_stack()
  if (L.taskLine === "pid-comm") lines.push(`Pid: ${pid}, comm: ${comm} Not tainted ${release} #1`);
  else {
    lines.push(L.taskLine === "cpu-pid" ? `CPU: ${cpu} PID: ${pid} Comm: ${comm} Not tainted ${release} #1` : `CPU: ${cpu} UID: 0 PID: ${pid} Comm: ${comm} Not tainted ${release} #1 PREEMPT(voluntary) `);
    lines.push("Hardware name: pagealloc simulated machine");
  }
  lines.push("Call Trace:");
  if (L.taskMarkers) lines.push(" <TASK>", " </TASK>");
  lines.push(L.header);
  // per-cpu pagesets
  if (L.pcpLines !== "none") {
    for (const z of populated) {
      lines.push(`${nodePrefix(z)}${z.spec.name} per-cpu:`);
      const per = Math.max(1, Math.floor(z.pcpCount.length / a.cpus));
      const w = (v: number, n: number) => String(v).padStart(n);
      for (let c = 0; c < a.cpus; c++) {
        if (L.pcpLines === "hot-cold") {
          lines.push(
            `CPU ${w(c, 4)}: Hot: hi:${w(z.pcpHigh[c * 2]!, 5)}, btch:${w(z.pcpBatch[c * 2]!, 4)} usd:${w(z.pcpCount[c * 2]!, 4)}   Cold: hi:${w(z.pcpHigh[c * 2 + 1]!, 5)}, btch:${w(z.pcpBatch[c * 2 + 1]!, 4)} usd:${w(z.pcpCount[c * 2 + 1]!, 4)}`,
          );
        } else {
          let usd = 0;
          for (let k = 0; k < per; k++) usd += z.pcpCount[c * per + k] ?? 0;
          lines.push(`CPU ${w(c, 4)}: hi:${w(z.pcpHigh[c * per]!, 5)}, btch:${w(z.pcpBatch[c * per]!, 4)} usd:${w(usd, 4)}`);
        }
      }
    }
  }
  // global counters (one printk with embedded "\n ")
  const aa = sum(all, "activeAnon");
  const ia = sum(all, "inactiveAnon");
  const af = sum(all, "activeFile");
  const inf = sum(all, "inactiveFile");
  const unev = sum(all, "unevictable");
  switch (L.globals) {
    case "2.6.24":
      lines.push(`Active:${aa + af} inactive:${ia + inf} dirty:${dirty} writeback:0 unstable:0`, ` free:${free} slab:${slab} mapped:0 pagetables:0 bounce:0`);
      break;
    case "2.6.28":
      lines.push(`Active_anon:${aa} active_file:${af} inactive_anon:${ia}`, ` inactive_file:${inf} unevictable:${unev} dirty:${dirty} writeback:0 unstable:0`, ` free:${free} slab:${slab} mapped:0 pagetables:0 bounce:0`);
      break;
    case "2.6.32":
    case "3.8":
      lines.push(
        `active_anon:${aa} inactive_anon:${ia} isolated_anon:0`,
        ` active_file:${af} inactive_file:${inf} isolated_file:0`,
        ` unevictable:${unev} dirty:${dirty} writeback:0 unstable:0`,
        ` free:${free} slab_reclaimable:${slab} slab_unreclaimable:0`,
        " mapped:0 shmem:0 pagetables:0 bounce:0",
      );
      if (L.globals === "3.8") lines.push(" free_cma:0");
      break;
    case "4.0":
      lines.push(
        `active_anon:${aa} inactive_anon:${ia} isolated_anon:0`,
        ` active_file:${af} inactive_file:${inf} isolated_file:0`,
        ` unevictable:${unev} dirty:${dirty} writeback:0 unstable:0`,
        ` slab_reclaimable:${slab} slab_unreclaimable:0`,
        " mapped:0 shmem:0 pagetables:0 bounce:0",
        ` free:${free} free_pcp:${freePcp} free_cma:0`,
      );
      break;
    case "modern":
      lines.push(
        `active_anon:${aa} inactive_anon:${ia} isolated_anon:0`,
        ` active_file:${af} inactive_file:${inf} isolated_file:0`,
        ` unevictable:${unev} dirty:${dirty} writeback:0`,
        ` slab_reclaimable:${slab} slab_unreclaimable:0`,
        " mapped:0 shmem:0 pagetables:0",
        " sec_pagetables:0 bounce:0",
        " kernel_misc_reclaimable:0",
        ` free:${free} free_pcp:${freePcp} free_cma:0`,
      );
      break;
  }
  // per-node lines (node-based LRU)
  if (L.nodeLine !== "none") {
    for (const nid of nodes) {
      const nz = a.nodeZones(nid).filter((z) => z.spec.managedPages > 0 && z.spec.zoneIdx <= maxZoneIdx);
      if (nz.length === 0) continue;
      const c = nz.map((z) => counts.get(z)!);
      const unreclaimable = r.kswapdFailures(nid) >= MAX_RECLAIM_RETRIES ? "yes" : "no";
      const lru = `Node ${nid} active_anon:${K(sum(c, "activeAnon"))} inactive_anon:${K(sum(c, "inactiveAnon"))} active_file:${K(sum(c, "activeFile"))} inactive_file:${K(sum(c, "inactiveFile"))} unevictable:${K(sum(c, "unevictable"))} isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:${K(sum(c, "dirty"))} writeback:0kB shmem:0kB`;
      if (L.nodeLine === "4.8") {
        // 4.8 printed the THP fields with a space after the colon
        lines.push(`${lru} shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB unstable:0kB pages_scanned:0 all_unreclaimable? ${unreclaimable}`);
        continue;
      }
      let line = `${lru} shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB`;
      if (facts.nodeLine.writebackTmp) line += " writeback_tmp:0kB";
      line += ` kernel_stack:0kB pagetables:0kB sec_pagetables:0kB all_unreclaimable? ${unreclaimable}`;
      if (facts.nodeLine.balloon) line += " Balloon:0kB";
      lines.push(line);
    }
  }
  // per-zone lines and lowmem_reserve
  for (const z of zones) {
    const c = counts.get(z)!;
    const w = z.spec.watermark;
    const localPcp = z.pcpCount[cpu] ?? 0;
    const unreclaimable = r.kswapdFailures(z.spec.nid) >= MAX_RECLAIM_RETRIES ? "yes" : "no";
    const wm = `free:${K(z.nrFreePages)} min:${K(w.min)} low:${K(w.low)} high:${K(w.high)}`;
    const lru = `active_anon:${K(c.activeAnon)} inactive_anon:${K(c.inactiveAnon)} active_file:${K(c.activeFile)} inactive_file:${K(c.inactiveFile)} unevictable:${K(c.unevictable)}`;
    const isolated = "isolated(anon):0kB isolated(file):0kB";
    const mid = `mlocked:0kB dirty:${K(c.dirty)} writeback:0kB mapped:0kB shmem:0kB slab_reclaimable:${K(c.slab)} slab_unreclaimable:0kB kernel_stack:0kB pagetables:0kB unstable:0kB bounce:0kB`;
    let line = `${nodePrefix(z)}${z.spec.name} `;
    switch (L.zoneLine) {
      case "2.6.24":
        line += `${wm} active:${K(c.activeAnon + c.activeFile)} inactive:${K(c.inactiveAnon + c.inactiveFile)} present:${K(z.spec.presentPages)} pages_scanned:0 all_unreclaimable? ${unreclaimable}`;
        break;
      case "2.6.28":
        line += `${wm} ${lru} present:${K(z.spec.presentPages)} pages_scanned:0 all_unreclaimable? ${unreclaimable}`;
        break;
      case "2.6.32":
        line += `${wm} ${lru} ${isolated} present:${K(z.spec.presentPages)} ${mid} writeback_tmp:0kB pages_scanned:0 all_unreclaimable? ${unreclaimable}`;
        break;
      case "3.8":
        line += `${wm} ${lru} ${isolated} present:${K(z.spec.presentPages)} managed:${K(z.spec.managedPages)} ${mid} free_cma:0kB writeback_tmp:0kB pages_scanned:0 all_unreclaimable? ${unreclaimable}`;
        break;
      case "4.0":
        line += `${wm} ${lru} ${isolated} present:${K(z.spec.presentPages)} managed:${K(z.spec.managedPages)} ${mid} free_pcp:${K(pcpPages(z))} local_pcp:${K(localPcp)} free_cma:0kB writeback_tmp:0kB pages_scanned:0 all_unreclaimable? ${unreclaimable}`;
        break;
      case "4.8":
        line += `${wm} ${lru} writepending:${K(c.dirty)} present:${K(z.spec.presentPages)} managed:${K(z.spec.managedPages)} mlocked:0kB slab_reclaimable:${K(c.slab)} slab_unreclaimable:0kB kernel_stack:0kB pagetables:0kB bounce:0kB free_pcp:${K(pcpPages(z))} local_pcp:${K(localPcp)} free_cma:0kB`;
        break;
      case "modern":
        line += `free:${K(z.nrFreePages)}`;
        if (facts.zoneLine.boost) line += ` boost:${K(z.watermarkBoost)}`;
        line += ` min:${K(w.min)} low:${K(w.low)} high:${K(w.high)} reserved_highatomic:${z.nrReservedHighatomic * kb}KB`;
        if (facts.zoneLine.freeHighatomic) line += ` free_highatomic:${z.nrFreeHighatomic * kb}KB`;
        line += ` ${lru} writepending:${K(c.dirty)}`;
        if (facts.zoneLine.zspages) line += " zspages:0kB";
        line += ` present:${K(z.spec.presentPages)} managed:${K(z.spec.managedPages)} mlocked:0kB bounce:0kB free_pcp:${K(pcpPages(z))} local_pcp:${K(localPcp)} free_cma:0kB`;
        break;
    }
    lines.push(line);
    lines.push(`lowmem_reserve[]:${z.spec.lowmemReserve.map((v) => ` ${v}`).join("")}`);
  }
  // free areas
  const names = a.facts.migratetypeNames;
  for (const z of zones) {
    let total = 0;
    const parts: string[] = [];
    for (let ord = 0; ord < a.nrOrders; ord++) {
      const n = z.nrFree[ord]!;
      total += n * kb * 2 ** ord;
      let letters = "";
      if (L.letters && n > 0) for (let mt = 0; mt < z.nrTypes; mt++) if (!z.listEmpty(z.freeListNode(ord, mt))) letters += LETTERS[names[mt] ?? ""] ?? "";
      parts.push(L.letters && n > 0 ? `${n}*${kb * 2 ** ord}kB (${letters})` : `${n}*${kb * 2 ** ord}kB`);
    }
    lines.push(`${nodePrefix(z)}${z.spec.name}: ${parts.join(" ")} = ${total}kB`);
  }
  if (L.hugepages) {
    for (const nid of nodes) {
      for (const size of o.hugepageSizesKb ?? [1048576, 2048]) lines.push(`Node ${nid} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=${size}kB`);
    }
  }
  if (L.pagecacheTotal) lines.push(`${af + inf} total pagecache pages`);
  const swapFree = (r.memory.swapTotal - r.memory.swapUsed) * kb;
  if (L.swapInfo === "2.6.24") lines.push("Swap cache: add 0, delete 0, find 0/0, race 0+0");
  else lines.push("0 pages in swap cache");
  if (L.swapInfo === "2.6.28") lines.push("Swap cache stats: add 0, delete 0, find 0/0");
  lines.push(`Free swap  = ${swapFree}kB`);
  lines.push(`Total swap = ${r.memory.swapTotal * kb}kB`);
  const ram = populated.reduce((s, z) => s + z.spec.presentPages, 0);
  const reserved = populated.reduce((s, z) => s + z.spec.presentPages - z.spec.managedPages, 0);
  if (L.tail === "2.6.24") {
    const high = populated.filter((z) => z.spec.name === "HighMem").reduce((s, z) => s + z.spec.presentPages, 0);
    lines.push(`Free swap:       ${String(swapFree).padStart(6)}kB`);
    lines.push(`${ram} pages of RAM`, `${high} pages of HIGHMEM`, `${reserved} reserved pages`, "0 pages shared", "0 pages swap cached");
    lines.push(`${dirty} pages dirty`, "0 pages writeback", "0 pages mapped", `${slab} pages slab`, "0 pages pagetables");
  } else if (L.tail === "2.6.30") {
    lines.push(`${ram} pages RAM`, `${reserved} pages reserved`, "0 pages shared", `${ram - reserved - free} pages non-shared`);
  } else {
    lines.push(`${ram} pages RAM`);
    lines.push(`${populated.filter((z) => z.spec.name === "HighMem" || z.spec.name === "Movable").reduce((s, z) => s + z.spec.presentPages, 0)} pages HighMem/MovableOnly`);
    lines.push(`${reserved} pages reserved`);
    lines.push("0 pages hwpoisoned");
  }
  return lines.join("\n");
}
