import type { ZoneState } from "@pagealloc/buddy";
import { formatGfp } from "@pagealloc/gfp";
import { formatKernelVersion, type KernelVersion, parseKernelVersion } from "@pagealloc/physmem";
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

const LETTERS: Record<string, string> = { Unmovable: "U", Movable: "M", Reclaimable: "E", HighAtomic: "H", CMA: "C", Isolate: "I" };

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
 * The kernel log text of an allocation failure: warn_alloc's line, dump_stack's task line, and show_mem (Mem-Info,
 * per-node and per-zone lines, lowmem_reserve, the free areas, hugepages and the totals) in the layout of the
 * allocator's version, from the model's state at the failure. Zones above gfp_zone(gfp) are left out (modern).
 * kernel: mm/page_alloc.c warn_alloc(), mm/show_mem.c __show_mem() / show_free_areas(); 2.6.24 __alloc_pages() nopage + show_mem()
 *
 * @param ctx - the failure: reclaim model, allocator, gfp, order, request
 * @param o - task and machine details the kernel prints
 * @returns the report text, lines separated by "\n"
 */
export function renderWarnAlloc(ctx: FailureContext, o: WarnAllocOptions = {}): string {
  const { reclaim: r, allocator: a, gfp, order, request } = ctx;
  const facts = r.versionFacts;
  const version: KernelVersion = typeof a.version === "string" ? parseKernelVersion(a.version) : a.version;
  const release = formatKernelVersion(version);
  const comm = o.comm ?? r.options.current?.comm ?? "sim";
  const pid = o.pid ?? r.options.current?.pid ?? 1;
  const cpu = o.cpu ?? request.cpu ?? 0;
  const kb = o.pageSizeKb ?? 4;
  const K = (pages: number) => `${pages * kb}kB`;
  const nodes = a.nodeIds();
  const numa = o.numa ?? (facts.showMem === "modern" || nodes.length > 1);
  const nodePrefix = (z: ZoneState) => (numa ? `Node ${z.spec.nid} ` : "");
  const maxZoneIdx = facts.showMem === "modern" ? request.highestZoneIdx : Infinity;
  const zones = a.zones.filter((z) => z.spec.presentPages > 0 && z.spec.zoneIdx <= maxZoneIdx).sort((x, y) => x.spec.nid - y.spec.nid || x.spec.zoneIdx - y.spec.zoneIdx);
  const counts = new Map(a.zones.map((z) => [z, zoneCounts(r, z)]));
  const all = [...counts.values()];
  const lines: string[] = [];
  const hex = `0x${gfp.toString(16)}`;
  if (facts.failureLine === "dot-hex") lines.push(`${comm}: page allocation failure. order:${order}, mode:${hex}`);
  else if (facts.failureLine === "colon-hex") lines.push(`${comm}: page allocation failure: order:${order}, mode:${hex}`);
  else {
    let line = `${comm}: page allocation failure: order:${order}, mode:${hex}(${formatGfp(gfp, version)})`;
    if (facts.failureLineNodemask) line += `, nodemask=${request.nodemask ? rangeList(request.nodemask) : "(null)"},cpuset=/,mems_allowed=${rangeList(nodes)}`;
    lines.push(line);
  }
  if (facts.showMem === "2.6.24") {
    lines.push(`Pid: ${pid}, comm: ${comm} Not tainted ${release} #1`);
    lines.push("Call Trace:");
    lines.push("Mem-info:");
    for (const z of a.zones.filter((x) => x.spec.presentPages > 0)) {
      lines.push(`${nodePrefix(z)}${z.spec.name} per-cpu:`);
      for (let c = 0; c < a.cpus; c++) {
        const w = (v: number, n: number) => String(v).padStart(n);
        lines.push(
          `CPU ${w(c, 4)}: Hot: hi:${w(z.pcpHigh[c * 2]!, 5)}, btch:${w(z.pcpBatch[c * 2]!, 4)} usd:${w(z.pcpCount[c * 2]!, 4)}   Cold: hi:${w(z.pcpHigh[c * 2 + 1]!, 5)}, btch:${w(z.pcpBatch[c * 2 + 1]!, 4)} usd:${w(z.pcpCount[c * 2 + 1]!, 4)}`,
        );
      }
    }
    const active = sum(all, "activeAnon") + sum(all, "activeFile");
    const inactive = sum(all, "inactiveAnon") + sum(all, "inactiveFile");
    const free = a.zones.reduce((s, z) => s + z.nrFreePages, 0);
    lines.push(`Active:${active} inactive:${inactive} dirty:${sum(all, "dirty")} writeback:0 unstable:0`);
    lines.push(` free:${free} slab:${sum(all, "slab")} mapped:0 pagetables:0 bounce:0`);
    for (const z of a.zones.filter((x) => x.spec.presentPages > 0)) {
      const c = counts.get(z)!;
      const w = z.spec.watermark;
      lines.push(
        `${nodePrefix(z)}${z.spec.name} free:${K(z.nrFreePages)} min:${K(w.min)} low:${K(w.low)} high:${K(w.high)} active:${K(c.activeAnon + c.activeFile)} inactive:${K(c.inactiveAnon + c.inactiveFile)} present:${K(z.spec.presentPages)} pages_scanned:0 all_unreclaimable? no`,
      );
      lines.push(`lowmem_reserve[]:${z.spec.lowmemReserve.map((v) => ` ${v}`).join("")}`);
    }
    for (const z of a.zones.filter((x) => x.spec.presentPages > 0)) {
      let total = 0;
      const parts: string[] = [];
      for (let ord = 0; ord < a.nrOrders; ord++) {
        const n = z.nrFree[ord]!;
        parts.push(`${n}*${kb * 2 ** ord}kB`);
        total += n * kb * 2 ** ord;
      }
      lines.push(`${nodePrefix(z)}${z.spec.name}: ${parts.join(" ")} = ${total}kB`);
    }
    const swapFree = (r.memory.swapTotal - r.memory.swapUsed) * kb;
    lines.push("Swap cache: add 0, delete 0, find 0/0, race 0+0");
    lines.push(`Free swap  = ${swapFree}kB`);
    lines.push(`Total swap = ${r.memory.swapTotal * kb}kB`);
    lines.push(`Free swap:       ${String(swapFree).padStart(6)}kB`);
    const ram = a.zones.reduce((s, z) => s + z.spec.presentPages, 0);
    const high = a.zones.filter((z) => z.spec.name === "HighMem").reduce((s, z) => s + z.spec.presentPages, 0);
    const reserved = a.zones.reduce((s, z) => s + z.spec.presentPages - z.spec.managedPages, 0);
    lines.push(`${ram} pages of RAM`, `${high} pages of HIGHMEM`, `${reserved} reserved pages`, "0 pages shared", "0 pages swap cached");
    lines.push(`${sum(all, "dirty")} pages dirty`, "0 pages writeback", "0 pages mapped", `${sum(all, "slab")} pages slab`, "0 pages pagetables");
    return lines.join("\n");
  }
  lines.push(`CPU: ${cpu} UID: 0 PID: ${pid} Comm: ${comm} Not tainted ${release} #1 PREEMPT(voluntary) `);
  lines.push("Hardware name: pagealloc simulated machine");
  lines.push("Call Trace:");
  lines.push(" <TASK>");
  lines.push(" </TASK>");
  lines.push("Mem-Info:");
  const free = a.zones.reduce((s, z) => s + z.nrFreePages, 0);
  const freePcp = a.zones.reduce((s, z) => s + pcpPages(z), 0);
  lines.push(
    [
      `active_anon:${sum(all, "activeAnon")} inactive_anon:${sum(all, "inactiveAnon")} isolated_anon:0`,
      ` active_file:${sum(all, "activeFile")} inactive_file:${sum(all, "inactiveFile")} isolated_file:0`,
      ` unevictable:${sum(all, "unevictable")} dirty:${sum(all, "dirty")} writeback:0`,
      ` slab_reclaimable:${sum(all, "slab")} slab_unreclaimable:0`,
      " mapped:0 shmem:0 pagetables:0",
      " sec_pagetables:0 bounce:0",
      " kernel_misc_reclaimable:0",
      ` free:${free} free_pcp:${freePcp} free_cma:0`,
    ].join("\n"),
  );
  for (const nid of nodes) {
    const nz = a.nodeZones(nid).filter((z) => z.spec.managedPages > 0 && z.spec.zoneIdx <= maxZoneIdx);
    if (nz.length === 0) continue;
    const c = nz.map((z) => counts.get(z)!);
    const unreclaimable = r.kswapdFailures(nid) >= MAX_RECLAIM_RETRIES ? "yes" : "no";
    let line = `Node ${nid} active_anon:${K(sum(c, "activeAnon"))} inactive_anon:${K(sum(c, "inactiveAnon"))} active_file:${K(sum(c, "activeFile"))} inactive_file:${K(sum(c, "inactiveFile"))} unevictable:${K(sum(c, "unevictable"))} isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:${K(sum(c, "dirty"))} writeback:0kB shmem:0kB shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB`;
    if (facts.nodeLine.writebackTmp) line += " writeback_tmp:0kB";
    line += ` kernel_stack:0kB pagetables:0kB sec_pagetables:0kB all_unreclaimable? ${unreclaimable}`;
    if (facts.nodeLine.balloon) line += " Balloon:0kB";
    lines.push(line);
  }
  for (const z of zones) {
    const c = counts.get(z)!;
    const w = z.spec.watermark;
    const localPcp = z.pcpCount[cpu] ?? 0;
    let line = `${nodePrefix(z)}${z.spec.name} free:${K(z.nrFreePages)}`;
    if (facts.zoneLine.boost) line += ` boost:${K(z.watermarkBoost)}`;
    line += ` min:${K(w.min)} low:${K(w.low)} high:${K(w.high)} reserved_highatomic:${z.nrReservedHighatomic * kb}KB`;
    if (facts.zoneLine.freeHighatomic) line += ` free_highatomic:${z.nrFreeHighatomic * kb}KB`;
    line += ` active_anon:${K(c.activeAnon)} inactive_anon:${K(c.inactiveAnon)} active_file:${K(c.activeFile)} inactive_file:${K(c.inactiveFile)} unevictable:${K(c.unevictable)} writepending:${K(c.dirty)}`;
    if (facts.zoneLine.zspages) line += " zspages:0kB";
    line += ` present:${K(z.spec.presentPages)} managed:${K(z.spec.managedPages)} mlocked:0kB bounce:0kB free_pcp:${K(pcpPages(z))} local_pcp:${K(localPcp)} free_cma:0kB`;
    lines.push(line);
    lines.push(`lowmem_reserve[]:${z.spec.lowmemReserve.map((v) => ` ${v}`).join("")}`);
  }
  const names = a.facts.migratetypeNames;
  for (const z of zones) {
    let total = 0;
    const parts: string[] = [];
    for (let ord = 0; ord < a.nrOrders; ord++) {
      const n = z.nrFree[ord]!;
      total += n * kb * 2 ** ord;
      let letters = "";
      if (n > 0) for (let mt = 0; mt < z.nrTypes; mt++) if (!z.listEmpty(z.freeListNode(ord, mt))) letters += LETTERS[names[mt] ?? ""] ?? "";
      parts.push(n > 0 ? `${n}*${kb * 2 ** ord}kB (${letters})` : `${n}*${kb * 2 ** ord}kB`);
    }
    lines.push(`${nodePrefix(z)}${z.spec.name}: ${parts.join(" ")} = ${total}kB`);
  }
  for (const nid of nodes) {
    for (const size of o.hugepageSizesKb ?? [1048576, 2048]) lines.push(`Node ${nid} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=${size}kB`);
  }
  const fileTotal = sum(all, "activeFile") + sum(all, "inactiveFile");
  lines.push(`${fileTotal} total pagecache pages`);
  lines.push("0 pages in swap cache");
  lines.push(`Free swap  = ${(r.memory.swapTotal - r.memory.swapUsed) * kb}kB`);
  lines.push(`Total swap = ${r.memory.swapTotal * kb}kB`);
  const populated = a.zones.filter((z) => z.spec.presentPages > 0);
  lines.push(`${populated.reduce((s, z) => s + z.spec.presentPages, 0)} pages RAM`);
  lines.push(`${populated.filter((z) => z.spec.name === "HighMem" || z.spec.name === "Movable").reduce((s, z) => s + z.spec.presentPages, 0)} pages HighMem/MovableOnly`);
  lines.push(`${populated.reduce((s, z) => s + z.spec.presentPages - z.spec.managedPages, 0)} pages reserved`);
  lines.push("0 pages hwpoisoned");
  return lines.join("\n");
}
