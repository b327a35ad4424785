import { type ArchName, type MachineDescription, archFacts, isArchName } from "@pagealloc/physmem";
import { type ZoneName, isZoneName } from "@pagealloc/gfp";
import { ZoneinfoParseError } from "./errors";
import {
  NODE_STAT_NAMES_6_18,
  NUMA_STAT_NAMES,
  ZONE_STAT_NAMES_2_6_24,
  ZONE_STAT_NAMES_6_18,
  zoneinfoFormat,
} from "./zoneinfo-format";
import { type ZoneInfo, type ZoneSet, structPageSize64 } from "./zones";

/** The dynamic counters of one zone, supplied by the buddy layer (everything defaults to 0). */
export interface ZoneCounters {
  /** NR_FREE_PAGES ("pages free"). */
  readonly freePages?: number;
  /** zone->watermark_boost (added to min/low/high/promo as the kernel prints them). */
  readonly boost?: number;
  /** CMA pages of the zone. */
  readonly cma?: number;
  /** Zone counters in print order (`nr_free_pages` …); default: the version's names with 0 (nr_free_pages = freePages). */
  readonly stats?: readonly (readonly [string, number])[];
  /** NUMA counters (numa_hit …); default zeros. */
  readonly numaStats?: readonly (readonly [string, number])[];
  /** Per online CPU: pcp count and current high (6.7+: the auto-tuned value, 0 until first use). */
  readonly pcp?: readonly { readonly count: number; readonly high?: number }[];
  /** 2.6.24: per CPU, the hot and the cold list count. */
  readonly pcpCold?: readonly { readonly count: number }[];
  /** kswapd_failures ≥ MAX_RECLAIM_RETRIES (node_unreclaimable / all_unreclaimable). */
  readonly unreclaimable?: boolean;
}

/** Counters for the renderer: per-node stats and per-zone counters. */
export interface ZoneinfoCounters {
  /** Per-node stats (4.8+), in print order; default: the 6.18 names with 0. */
  nodeStats?(nid: number): readonly (readonly [string, number])[] | undefined;
  zone?(nid: number, name: ZoneName): ZoneCounters | undefined;
}

/** Options of {@link renderZoneinfoStatic}. */
export interface RenderZoneinfoOptions {
  /** CONFIG_NUMA: print the numa_* counters (default: true on 64-bit arches). */
  readonly numa?: boolean;
  /** CONFIG_SMP: print "vm stats threshold" (default true). */
  readonly smp?: boolean;
}

function statLine(indent: string, name: string, value: number): string {
  return `\n${indent}${name.padEnd(12)} ${value}`;
}

/**
 * /proc/zoneinfo for a zone set, in the layout of the zone set's kernel version: headers, watermarks
 * (+ boost), spanned/present/managed, protection and pagesets exactly as the kernel prints them. The
 * dynamic counters (free pages, per-zone and per-node statistics, pcp counts) come from `counters`
 * and default to 0, so the buddy layer can plug its state in.
 * kernel: mm/vmstat.c zoneinfo_show() / zoneinfo_show_print()
 *
 * @param zoneSet - from {@link buildZones}
 * @param counters - the dynamic part (optional)
 * @param options - NUMA / SMP configuration
 * @returns the file's text
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, renderZoneinfoStatic } from "@pagealloc/zones";
 * const text = renderZoneinfoStatic(buildZones(getPreset("pc-4g")));
 * console.log(text.split("\n").filter((l) => l.startsWith("Node")).join(" | ")); // => Node 0, zone      DMA | Node 0, zone    DMA32 | Node 0, zone   Normal | Node 0, zone  Movable | Node 0, zone   Device
 * ```
 */
export function renderZoneinfoStatic(zoneSet: ZoneSet, counters: ZoneinfoCounters = {}, options: RenderZoneinfoOptions = {}): string {
  const fmt = zoneinfoFormat(zoneSet.version);
  const numa = options.numa ?? (zoneSet.arch === "x86_64" || zoneSet.arch === "arm64");
  const smp = options.smp ?? true;
  const cpus = Array.from({ length: zoneSet.onlineCpus }, (_v, i) => i);
  let out = "";
  for (const node of zoneSet.nodes) {
    const firstPopulated = node.zones.find((z) => z.populated);
    for (const zone of node.zones) {
      if (!zone.populated && !fmt.unpopulated) continue;
      const c = counters.zone?.(node.nid, zone.name) ?? {};
      const boost = c.boost ?? 0;
      const free = c.freePages ?? 0;
      let s = `Node ${node.nid}, zone ${zone.name.padStart(8)}`;
      if (fmt.layout === "node" && zone === firstPopulated) {
        s += "\n  per-node stats";
        const ns = counters.nodeStats?.(node.nid) ?? NODE_STAT_NAMES_6_18.map((n) => [n, 0] as const);
        for (const [name, value] of ns) s += statLine("      ", name, value);
      }
      const w = zone.watermark;
      s += `\n  pages free     ${free}`;
      if (fmt.boost) s += `\n        boost    ${boost}`;
      s += `\n        min      ${w.min + boost}`;
      s += `\n        low      ${w.low + boost}`;
      s += `\n        high     ${w.high + boost}`;
      if (fmt.promo) s += `\n        promo    ${(w.promo ?? w.high) + boost}`;
      if (fmt.scanned) s += fmt.pagesets === "hotCold" ? "\n        scanned  0 (a: 0 i: 0)" : "\n        scanned  0";
      s += `\n        spanned  ${zone.spannedPages}`;
      s += `\n        present  ${zone.presentPages}`;
      if (fmt.managed) s += `\n        managed  ${zone.managedPages}`;
      if (fmt.cma) s += `\n        cma      ${c.cma ?? 0}`;
      const stats = c.stats ?? defaultStats(zoneSet.version, free);
      const numaStats = numa ? (c.numaStats ?? NUMA_STAT_NAMES.map((n) => [n, 0] as const)) : [];
      if (fmt.layout === "old") for (const [name, value] of [...stats, ...numaStats]) s += statLine("    ", name, value);
      s += `\n        protection: (${zone.lowmemReserve.join(", ")})`;
      if (!zone.populated) {
        out += `${s}\n`;
        continue;
      }
      if (fmt.layout === "node") for (const [name, value] of [...stats, ...numaStats]) s += statLine("      ", name, value);
      s += "\n  pagesets";
      for (const cpu of cpus) s += pagesetText(zone, fmt.pagesets, cpu, c, smp);
      if (fmt.layout === "old") {
        s += `\n  all_unreclaimable: ${c.unreclaimable ? 1 : 0}`;
        s += "\n  prev_priority:     12";
        s += `\n  start_pfn:         ${zone.startPfn}`;
      } else {
        s += `\n  node_unreclaimable:  ${c.unreclaimable ? 1 : 0}`;
        s += `\n  start_pfn:           ${zone.startPfn}`;
      }
      out += `${s}\n`;
    }
  }
  return out;
}

function defaultStats(version: string, free: number): (readonly [string, number])[] {
  const names: readonly string[] = zoneinfoFormat(version).layout === "old" ? ZONE_STAT_NAMES_2_6_24 : ZONE_STAT_NAMES_6_18;
  return names.map((n) => [n, n === "nr_free_pages" ? free : 0] as const);
}

function pagesetText(zone: ZoneInfo, style: "hotCold" | "single" | "autotune", cpu: number, c: ZoneCounters, smp: boolean): string {
  const p = zone.pcp;
  const live = c.pcp?.[cpu];
  let s = "";
  if (style === "hotCold") {
    const cold = p.cold ?? { high: 0, batch: 1 };
    s += `\n    cpu: ${cpu} pcp: 0\n              count: ${live?.count ?? 0}\n              high:  ${p.high}\n              batch: ${p.batch}`;
    s += `\n    cpu: ${cpu} pcp: 1\n              count: ${c.pcpCold?.[cpu]?.count ?? 0}\n              high:  ${cold.high}\n              batch: ${cold.batch}`;
  } else if (style === "single") {
    s += `\n    cpu: ${cpu}\n              count: ${live?.count ?? 0}\n              high:  ${live?.high ?? p.high}\n              batch: ${p.batch}`;
  } else {
    s += `\n    cpu: ${cpu}\n              count:    ${live?.count ?? 0}\n              high:     ${live?.high ?? 0}\n              batch:    ${p.batch}`;
    s += `\n              high_min: ${p.highMin}\n              high_max: ${p.highMax}`;
  }
  if (smp) s += `\n  vm stats threshold: ${zone.vmStatThreshold}`;
  return s;
}

/** One per-CPU list as /proc/zoneinfo shows it. */
export interface ParsedPageset {
  readonly cpu: number;
  /** 2.6.24: 0 = hot list, 1 = cold list. */
  readonly pcp?: number;
  readonly count: number;
  readonly high: number;
  readonly batch: number;
  readonly highMin?: number;
  readonly highMax?: number;
  /** ≤ 2.6.15: the list's `low:` mark. */
  readonly low?: number;
  /** ≤ 2.6.17: the per-CPU NUMA counters printed after the cold list (`numa_hit:` … `other_node:`), in print order. */
  readonly numaStats?: readonly (readonly [string, number])[];
}

/** One zone parsed from /proc/zoneinfo: every number it shows (sizes and computed values). */
export interface ParsedZone {
  readonly nid: number;
  readonly name: ZoneName;
  /** 1-based line of the zone header. */
  readonly line: number;
  readonly freePages: number;
  readonly boost?: number;
  readonly min: number;
  readonly low: number;
  readonly high: number;
  readonly promo?: number;
  readonly spanned: number;
  readonly present: number;
  readonly managed?: number;
  readonly cma?: number;
  readonly protection: readonly number[];
  readonly stats: readonly (readonly [string, number])[];
  readonly pagesets: readonly ParsedPageset[];
  readonly vmStatThreshold?: number;
  readonly startPfn?: number;
}

/** A parsed /proc/zoneinfo. */
export interface ParsedZoneinfo {
  readonly zones: readonly ParsedZone[];
  /** Per-node stats by node id. */
  readonly nodeStats: Readonly<Record<number, readonly (readonly [string, number])[]>>;
  /** The online CPU ids seen in the pagesets. */
  readonly cpus: readonly number[];
  /** Which layout the text is in: "old" (2.6.x–4.7) or "node" (4.8+). */
  readonly layout: "old" | "node";
}

const HEADER_RE = /^Node (\d+), zone\s+(\S+)\s*$/;
const FIELD_RE = /^\s+(pages free|boost|min|low|high|promo|spanned|present|managed|cma)\s+(\d+)\s*$/;

/**
 * Parse /proc/zoneinfo of any kernel from 2.6.24 to 6.x.
 * kernel: mm/vmstat.c zoneinfo_show_print() (the format it parses)
 *
 * @param text - the file's content
 * @returns every zone with its numbers, node stats and the CPUs
 * @throws {ZoneinfoParseError} with `zoneinfo:LINE` when a line cannot be understood
 * @example
 * ```ts
 * import { parseZoneinfo } from "@pagealloc/zones";
 * const p = parseZoneinfo("Node 0, zone      DMA\n  pages free     3840\n        min      38\n        low      47\n        high     56\n        spanned  4095\n        present  3998\n        managed  3840\n        protection: (0, 3018)\n");
 * console.log(p.zones[0].name, p.zones[0].present, p.zones[0].protection.join(",")); // => DMA 3998 0,3018
 * ```
 */
export function parseZoneinfo(text: string): ParsedZoneinfo {
  if (typeof text !== "string") throw new ZoneinfoParseError("zoneinfo text must be a string", "zoneinfo");
  const lines = text.split("\n");
  const zones: ParsedZone[] = [];
  const nodeStats: Record<number, [string, number][]> = {};
  const cpus = new Set<number>();
  let layout: "old" | "node" = "old";
  type Draft = { nid: number; name: ZoneName; line: number; fields: Record<string, number>; protection?: number[]; stats: [string, number][]; pagesets: ParsedPageset[]; threshold?: number; startPfn?: number };
  let cur: Draft | null = null;
  let inNodeStats = false;
  let statsNid = 0;
  let pageset: { cpu: number; pcp?: number; values: Record<string, number>; numa: [string, number][] } | null = null;
  const flushPageset = () => {
    if (cur && pageset) {
      const v = pageset.values;
      const loc = `zoneinfo:${cur.line}`;
      for (const k of ["count", "high", "batch"]) if (v[k] === undefined) throw new ZoneinfoParseError(`pageset of cpu ${pageset.cpu} has no ${k}`, loc);
      cur.pagesets.push({ cpu: pageset.cpu, ...(pageset.pcp !== undefined ? { pcp: pageset.pcp } : {}), count: v.count, high: v.high, batch: v.batch,
        ...(v.high_min !== undefined ? { highMin: v.high_min } : {}), ...(v.high_max !== undefined ? { highMax: v.high_max } : {}),
        ...(v.low !== undefined ? { low: v.low } : {}), ...(pageset.numa.length ? { numaStats: pageset.numa } : {}) });
    }
    pageset = null;
  };
  const flush = () => {
    flushPageset();
    if (!cur) return;
    const f = cur.fields;
    const loc = `zoneinfo:${cur.line}`;
    for (const k of ["pages free", "min", "low", "high", "spanned", "present"]) {
      if (f[k] === undefined) throw new ZoneinfoParseError(`zone ${cur.name} of node ${cur.nid} has no "${k}" line`, loc);
    }
    if (!cur.protection) throw new ZoneinfoParseError(`zone ${cur.name} of node ${cur.nid} has no protection line`, loc);
    zones.push({
      nid: cur.nid, name: cur.name, line: cur.line, freePages: f["pages free"], min: f.min, low: f.low, high: f.high,
      ...(f.boost !== undefined ? { boost: f.boost } : {}), ...(f.promo !== undefined ? { promo: f.promo } : {}),
      spanned: f.spanned, present: f.present, ...(f.managed !== undefined ? { managed: f.managed } : {}), ...(f.cma !== undefined ? { cma: f.cma } : {}),
      protection: cur.protection, stats: cur.stats, pagesets: cur.pagesets,
      ...(cur.threshold !== undefined ? { vmStatThreshold: cur.threshold } : {}), ...(cur.startPfn !== undefined ? { startPfn: cur.startPfn } : {}),
    });
    cur = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    const loc = `zoneinfo:${lineNo}`;
    if (raw.trim() === "") continue;
    const h = HEADER_RE.exec(raw);
    if (h) {
      flush();
      if (!isZoneName(h[2])) throw new ZoneinfoParseError(`unknown zone name ${JSON.stringify(h[2])}`, loc);
      cur = { nid: Number(h[1]), name: h[2], line: lineNo, fields: {}, stats: [], pagesets: [] };
      inNodeStats = false;
      continue;
    }
    if (/^Node \d+, per-node stats\s*$/.test(raw)) {
      flush();
      layout = "node";
      inNodeStats = true;
      statsNid = Number(/^Node (\d+)/.exec(raw)![1]);
      nodeStats[statsNid] = [];
      continue;
    }
    if (/^Node /.test(raw)) throw new ZoneinfoParseError(`unrecognised header ${JSON.stringify(raw)}`, loc);
    if (!cur && !inNodeStats) throw new ZoneinfoParseError(`line outside any zone: ${JSON.stringify(raw)}`, loc);
    if (raw === "  per-node stats") {
      layout = "node";
      inNodeStats = true;
      if (cur) statsNid = cur.nid;
      nodeStats[statsNid] = [];
      continue;
    }
    const fm = FIELD_RE.exec(raw);
    if (fm && cur && !pageset) {
      inNodeStats = false;
      cur.fields[fm[1]] = Number(fm[2]);
      continue;
    }
    const stat = /^\s+([a-z_][a-z0-9_]*)\s+(\d+)\s*$/.exec(raw);
    if (stat && !pageset) {
      if (inNodeStats) nodeStats[statsNid].push([stat[1], Number(stat[2])]);
      else if (cur) cur.stats.push([stat[1], Number(stat[2])]);
      continue;
    }
    if (!cur) throw new ZoneinfoParseError(`unexpected line ${JSON.stringify(raw)}`, loc);
    const scanned = /^\s+scanned\s+\d+/.exec(raw);
    if (scanned) continue;
    const prot = /^\s+protection: \(([-\d, ]*)\)\s*$/.exec(raw);
    if (prot) {
      cur.protection = prot[1].split(",").map((x) => Number(x.trim()));
      if (cur.protection.some((x) => !Number.isFinite(x))) throw new ZoneinfoParseError(`bad protection tuple ${JSON.stringify(raw.trim())}`, loc);
      continue;
    }
    if (raw === "  pagesets") continue;
    const cpu = /^\s+cpu: (\d+)(?: pcp: (\d+))?\s*$/.exec(raw);
    if (cpu) {
      flushPageset();
      pageset = { cpu: Number(cpu[1]), ...(cpu[2] !== undefined ? { pcp: Number(cpu[2]) } : {}), values: {}, numa: [] };
      cpus.add(Number(cpu[1]));
      continue;
    }
    // `low:` until 2.6.15 (struct per_cpu_pages had a low mark); high_min/high_max from 6.7.
    const pv = /^\s+(count|low|high|batch|high_min|high_max):\s+(-?\d+)\s*$/.exec(raw);
    if (pv && pageset) {
      pageset.values[pv[1]] = Number(pv[2]);
      continue;
    }
    // ≤ 2.6.17 printed the CPU's NUMA counters inside its pageset, after the cold list.
    const pn = /^\s+(numa_hit|numa_miss|numa_foreign|interleave_hit|local_node|other_node):\s+(\d+)\s*$/.exec(raw);
    if (pn && pageset) {
      pageset.numa.push([pn[1], Number(pn[2])]);
      continue;
    }
    const thr = /^\s+vm stats threshold: (\d+)\s*$/.exec(raw);
    if (thr) {
      flushPageset();
      cur.threshold = Number(thr[1]);
      continue;
    }
    // 2.6.x–4.7 "all_unreclaimable", ≤ 2.6.35 "prev_priority", ≤ 2.6.15 "temp_priority", 2.6.28–4.7 "inactive_ratio".
    const tail = /^\s+(node_unreclaimable|all_unreclaimable|prev_priority|temp_priority|start_pfn|inactive_ratio):\s+(-?\d+)\s*$/.exec(raw);
    if (tail) {
      flushPageset();
      if (tail[1] === "start_pfn") cur.startPfn = Number(tail[2]);
      if (tail[1] === "node_unreclaimable") layout = "node";
      continue;
    }
    throw new ZoneinfoParseError(`unexpected line ${JSON.stringify(raw)}`, loc);
  }
  flush();
  if (zones.length === 0) throw new ZoneinfoParseError("no zones found (expected lines like \"Node 0, zone      DMA\")", "zoneinfo:1");
  return { zones, nodeStats, cpus: [...cpus].sort((a, b) => a - b), layout };
}

/** Options of {@link machineFromZoneinfo}. */
export interface MachineFromZoneinfoOptions {
  /** Machine name (default "imported"). */
  readonly name?: string;
  /** Architecture; default: i386 when a HighMem zone exists, else x86_64. */
  readonly arch?: ArchName;
  /**
   * Which kernel wrote the text: before 3.8 (no managed line) present pages already exclude the memmap,
   * which the importer then adds back so that the model subtracts it again. Default: detected.
   */
  readonly version?: string;
  /** CPU ids per node id; default: the pageset CPUs, split evenly over the nodes in id order. */
  readonly cpusByNode?: Readonly<Record<number, readonly number[]>>;
}

function hex(n: number): string {
  return `0x${(BigInt(n) << 12n).toString(16)}`;
}

/**
 * A machine description (physmem JSON) from a /proc/zoneinfo: nodes, memory ranges reproducing each
 * zone's start pfn, spanned and present pages, the managed pages as per-zone overrides, and the CPUs
 * from the pagesets. Watermarks, protection and pcp sizes in the text are NOT copied: the zone layer
 * recomputes them from the sizes and the sysctls.
 * kernel: mm/vmstat.c zoneinfo_show_print() (the input), mm/mm_init.c free_area_init() (what the ranges must reproduce)
 *
 * @param text - /proc/zoneinfo
 * @param options - name, arch, version, CPU placement
 * @returns a machine description for physmem's loadMachine
 * @throws {ZoneinfoParseError} when the text is not a zoneinfo or its sizes are inconsistent
 * @example
 * ```ts
 * import { machineFromZoneinfo } from "@pagealloc/zones";
 * const m = machineFromZoneinfo("Node 0, zone      DMA\n  pages free     0\n        min      0\n        low      0\n        high     0\n        spanned  4095\n        present  3998\n        managed  3840\n        protection: (0)\n  pagesets\n    cpu: 0\n              count: 0\n              high:  0\n              batch: 1\n  start_pfn:           1\n");
 * console.log(JSON.stringify(m.nodes[0].memory), JSON.stringify(m.nodes[0].zones)); // => [{"start":"0x1000","end":"0xf9e000"},{"start":"0xfff000","end":"0x1000000"}] {"DMA":{"managed":3840}}
 * ```
 */
export function machineFromZoneinfo(text: string, options: MachineFromZoneinfoOptions = {}): MachineDescription {
  const parsed = parseZoneinfo(text);
  const arch: ArchName = options.arch ?? (parsed.zones.some((z) => z.name === "HighMem") ? "i386" : "x86_64");
  if (!isArchName(arch)) throw new ZoneinfoParseError(`unknown arch ${JSON.stringify(arch)}`, "arch");
  const hasManaged = parsed.zones.some((z) => z.managed !== undefined);
  const version = options.version ?? (hasManaged ? "6.18" : "2.6.24");
  const memmapInPresent = !hasManaged;
  const structPage = arch === "x86_64" || arch === "arm64" ? structPageSize64(version) : 32;
  const nids = [...new Set(parsed.zones.map((z) => z.nid))].sort((a, b) => a - b);
  const cpus = parsed.cpus.length ? parsed.cpus : [0];
  const perNode = Math.ceil(cpus.length / nids.length);
  const nodes = nids.map((nid, ni) => {
    const zones = parsed.zones.filter((z) => z.nid === nid && z.spanned > 0);
    const memory: { start: string; end: string }[] = [];
    zones.forEach((z, k) => {
      const loc = `zoneinfo:${z.line}`;
      if (z.startPfn === undefined) throw new ZoneinfoParseError(`zone ${z.name} of node ${nid} has pages but no start_pfn`, loc);
      let present = z.present;
      if (memmapInPresent) present = Math.min(z.spanned, present + Math.floor((z.spanned * structPage) / 4096));
      if (present > z.spanned) throw new ZoneinfoParseError(`zone ${z.name}: present ${z.present} > spanned ${z.spanned}`, loc);
      const start = z.startPfn;
      const end = z.startPfn + z.spanned;
      if (present === z.spanned) memory.push({ start: hex(start), end: hex(end) });
      else if (present > 0) {
        // the holes' positions are not in zoneinfo: keep memory at both ends so the zone's span is reproduced
        const last = k === zones.length - 1;
        if (present === 1) memory.push(last ? { start: hex(end - 1), end: hex(end) } : { start: hex(start), end: hex(start + 1) });
        else memory.push({ start: hex(start), end: hex(start + present - 1) }, { start: hex(end - 1), end: hex(end) });
      }
    });
    const managed: Partial<Record<ZoneName, { managed: number }>> = {};
    if (hasManaged) for (const z of zones) if (z.managed !== undefined && z.present > 0) managed[z.name] = { managed: z.managed };
    const nodeCpus = options.cpusByNode?.[nid] ?? cpus.slice(ni * perNode, (ni + 1) * perNode);
    return { id: nid, cpus: [...nodeCpus], memory, ...(Object.keys(managed).length ? { zones: managed } : {}) };
  });
  // merge adjacent ranges of a node (DMA ends where DMA32 starts, ...)
  for (const n of nodes) {
    const merged: { start: string; end: string }[] = [];
    for (const r of n.memory) {
      const prev = merged[merged.length - 1];
      if (prev && prev.end === r.start) prev.end = r.end;
      else merged.push({ ...r });
    }
    n.memory = merged;
  }
  const desc: MachineDescription = { name: options.name ?? "imported", arch, nodes };
  const movable = parsed.zones.filter((z) => z.name === "Movable" && z.present > 0).reduce((s, z) => s + z.present, 0);
  if (movable > 0) desc.cmdline = { movablecore: `${movable * 4}K` };
  const zoneNames = new Set(parsed.zones.map((z) => z.name));
  const facts = archFacts(arch, hasManaged ? version : "2.6.24");
  const archOptions: NonNullable<MachineDescription["archOptions"]> = {};
  if (facts.zoneTypes.includes("Device") && !zoneNames.has("Device") && parsed.layout === "node") archOptions.zoneDevice = false;
  const high = parsed.zones.find((z) => z.name === "HighMem" && z.spanned > 0 && z.startPfn !== undefined);
  if (high && (arch === "i386" || arch === "i386-pae")) archOptions.lowmemLimitPfn = high.startPfn;
  if (Object.keys(archOptions).length) desc.archOptions = archOptions;
  return desc;
}
