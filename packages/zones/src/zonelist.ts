import { type KernelVersion, MAX_NUMNODES, parseKernelVersion, pickByVersion, versionAtLeast } from "@pagealloc/physmem";
import { type ZoneName, gfpThisNode, gfpZone } from "@pagealloc/gfp";
import { InvalidZonelistRequestError } from "./errors";
import { zoneVersionFacts } from "./version-facts";
import type { ZoneSet } from "./zones";

/** One entry of a zonelist (struct zoneref): a zone of a node. */
export interface ZoneRef {
  readonly nid: number;
  readonly zoneIdx: number;
  readonly name: ZoneName;
}

/** PENALTY_FOR_NODE_WITH_CPUS (mm/page_alloc.c): nodes with CPUs are slightly less preferred. */
export const PENALTY_FOR_NODE_WITH_CPUS = 1;

/** How node_load[] is updated when a node starts a new distance group (build_zonelists()). */
type NodeLoadRule =
  /** 2.6.24–5.14: node_load[node] = load, load counting down from nr_online_nodes on every pick; val × (nr_online_nodes × MAX_NUMNODES). */
  | "assign"
  /** ≈5.15: node_load[node] += load ("use accumulated load when building node fallback list"). */
  | "accumulate"
  /**
   * ≈5.17: node_load[node] += nr_online_nodes (the `load` countdown removed), later written as += 1 with
   * val × MAX_NUMNODES: the same order either way.
   */
  | "increment";

interface NodeOrderFacts {
  readonly load: NodeLoadRule;
  /** The local node comes first only when it has memory (≈6.7, memoryless nodes skipped). */
  readonly localNeedsMemory: boolean;
}

// kernel: mm/page_alloc.c find_next_best_node() / build_zonelists() across versions ("≈" = release from the patch date).
// (Before 2.6.23 node_load was accumulated too; the zone-ordering rework of 2.6.23 made it an assignment.)
const NODE_ORDER_ROWS: readonly (readonly [string, NodeOrderFacts])[] = [
  ["2.6.24", { load: "assign", localNeedsMemory: false }],
  ["5.15", { load: "accumulate", localNeedsMemory: false }],
  ["5.17", { load: "increment", localNeedsMemory: false }],
  ["6.7", { load: "increment", localNeedsMemory: true }],
];

/** The zonelists of one node. */
export interface NodeZonelists {
  readonly nid: number;
  /** The node fallback order (what "Fallback order for Node N:" prints). */
  readonly nodeOrder: readonly number[];
  /**
   * ZONELIST_FALLBACK. Modern (2.6.26+): one list (index 0) filtered by zone index at allocation time.
   * 2.6.24: one list per zone type i (containing zones of type ≤ i); index = gfp_zone().
   */
  readonly fallback: readonly (readonly ZoneRef[])[];
  /** ZONELIST_NOFALLBACK (__GFP_THISNODE): this node's zones only; same indexing as `fallback`. */
  readonly thisNode: readonly (readonly ZoneRef[])[];
  /** node_load[] right after this node's list was built (indexed by node position). */
  readonly nodeLoadAfter: readonly number[];
}

/** All zonelists of a zone set. */
export interface Zonelists {
  readonly version: string;
  /** "node" or "zone" ordering (zone ordering: 2.6.24–4.13 only). */
  readonly order: "node" | "zone";
  /** What the boot message calls it: "Default" when chosen automatically, else "Node"/"Zone" (2.6.24–4.13). */
  readonly orderName: "Default" | "Node" | "Zone";
  /** One list per zone type (2.6.24–2.6.25) or one list filtered by zone index. */
  readonly perZoneType: boolean;
  readonly nodes: readonly NodeZonelists[];
  /**
   * zone_reclaim_mode as build_zonelists() leaves it: before 3.16 it is switched on (1) when some node is
   * farther than RECLAIM_DISTANCE from another; from 3.16 it stays 0 (the sysctl decides).
   */
  readonly zoneReclaimMode: 0 | 1;
}

/** Options of {@link buildZonelists}. */
export interface BuildZonelistsOptions {
  /** vm.numa_zonelist_order / numa_zonelist_order= (before 4.14); default: the zone set's sysctl. */
  readonly order?: "default" | "node" | "zone";
}

/**
 * The 2.6.24–4.13 automatic choice between node and zone ordering: node order when there is no
 * DMA/DMA32 memory, when DMA/DMA32 is more than half of all memory, or when a node larger than the
 * average has more than 70% of its memory in DMA/DMA32; zone order otherwise. From 3.16 64-bit
 * kernels always use node order.
 * kernel: mm/page_alloc.c default_zonelist_order()
 *
 * @param zoneSet - the zones
 * @returns "node" or "zone"
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, defaultZonelistOrder } from "@pagealloc/zones";
 * console.log(defaultZonelistOrder(buildZones(getPreset("numa-4node"), { version: "2.6.24" }))); // => zone
 * ```
 */
export function defaultZonelistOrder(zoneSet: ZoneSet): "node" | "zone" {
  const v = parseKernelVersion(zoneSet.version);
  if (versionAtLeast(v, "4.14")) return "node";
  if (versionAtLeast(v, "3.16") && (zoneSet.arch === "x86_64" || zoneSet.arch === "arm64")) return "node";
  const normalIdx = zoneSet.zoneTypes.indexOf("Normal");
  const sizes = zoneSet.nodes.map((n) => {
    let low = 0;
    let total = 0;
    for (const z of n.zones) {
      if (!z.populated) continue;
      if (z.zoneIdx < normalIdx) low += z.presentPages;
      total += z.presentPages;
    }
    return { low, total };
  });
  const low = sizes.reduce((s, x) => s + x.low, 0);
  const total = sizes.reduce((s, x) => s + x.total, 0);
  if (!low || low > Math.floor(total / 2)) return "node";
  const withMemory = zoneSet.nodes.filter((n) => n.zones.some((z) => z.populated)).length;
  const average = Math.floor(total / (withMemory + 1));
  for (const s of sizes) if (s.low && s.total > average && s.low > Math.floor((s.total * 70) / 100)) return "node";
  return "zone";
}

/** build_zonerefs_node(): a node's populated zones of type ≤ maxIdx, highest first. */
function zonerefsOfNode(zoneSet: ZoneSet, pos: number, maxIdx: number): ZoneRef[] {
  const node = zoneSet.nodes[pos];
  const out: ZoneRef[] = [];
  for (let i = Math.min(maxIdx, node.zones.length - 1); i >= 0; i--) {
    const z = node.zones[i];
    if (z.populated) out.push({ nid: node.nid, zoneIdx: z.zoneIdx, name: z.name });
  }
  return out;
}

/**
 * Build every node's zonelists as __build_all_zonelists() does: node_load[] starts at zero once for
 * the whole rebuild; for each node (ascending id) find_next_best_node() picks the local node first,
 * then repeatedly the unused node with memory minimising
 * (distance + (n < local) + PENALTY_FOR_NODE_WITH_CPUS if n has CPUs) × K + node_load[n]
 * (ties: lowest id), and the first node of each new distance group gets its node_load raised.
 * The fallback list is the nodes' zones (highest zone first) in that order ("node" order), or, in
 * 2.6.24–4.13 "zone" order, zone type by zone type across the ordered nodes.
 * kernel: mm/page_alloc.c __build_all_zonelists(), build_zonelists(), find_next_best_node(), build_zonerefs_node()
 *
 * @param zoneSet - from {@link buildZones}
 * @param version - kernel version (default: the zone set's)
 * @param options - the zonelist order (2.6.24–4.13)
 * @returns every node's fallback and this-node lists
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, buildZonelists } from "@pagealloc/zones";
 * const zl = buildZonelists(buildZones(getPreset("numa-4node")));
 * console.log(zl.nodes.map((n) => n.nodeOrder.join(" ")).join(" | ")); // => 0 1 2 3 | 1 3 0 2 | 2 3 0 1 | 3 2 1 0
 * ```
 */
export function buildZonelists(zoneSet: ZoneSet, version: KernelVersion | string = zoneSet.version, options: BuildZonelistsOptions = {}): Zonelists {
  const v = typeof version === "string" ? parseKernelVersion(version) : version;
  const facts = zoneVersionFacts(v);
  const rule = pickByVersion(NODE_ORDER_ROWS, v);
  const nodes = zoneSet.nodes;
  const n = nodes.length;
  const hasMemory = nodes.map((node) => node.zones.some((z) => z.populated));
  const hasCpus = nodes.map((node) => node.cpus.length > 0);
  const distance = (a: number, b: number) => zoneSet.distance[a]?.[b] ?? (a === b ? 10 : 20);
  const requested = options.order ?? zoneSet.sysctls.numa_zonelist_order;
  let order: "node" | "zone" = "node";
  let orderName: Zonelists["orderName"] = "Node";
  if (facts.zonelistOrder === "nodeOrZone") {
    order = requested === "default" ? defaultZonelistOrder({ ...zoneSet, version: v.raw }) : requested;
    orderName = requested === "default" ? "Default" : requested === "node" ? "Node" : "Zone";
  }
  const factor = rule.load === "increment" ? MAX_NUMNODES : n * MAX_NUMNODES;
  const nodeLoad = new Array<number>(n).fill(0);
  const maxZone = zoneSet.zoneTypes.length - 1;
  let zoneReclaimMode: 0 | 1 = 0;
  const lists = nodes.map((local, L): NodeZonelists => {
    const used = new Array<boolean>(n).fill(false);
    const findNextBestNode = (): number => {
      if (!used[L] && (!rule.localNeedsMemory || hasMemory[L])) {
        used[L] = true;
        return L;
      }
      let best = -1;
      let min = Infinity;
      for (let m = 0; m < n; m++) {
        if (used[m] || !hasMemory[m]) continue;
        let val = distance(L, m);
        if (nodes[m].nid < local.nid) val += 1;
        if (hasCpus[m]) val += PENALTY_FOR_NODE_WITH_CPUS;
        val = val * factor + nodeLoad[m];
        if (val < min) {
          min = val;
          best = m;
        }
      }
      if (best >= 0) used[best] = true;
      return best;
    };
    const orderPos: number[] = [];
    let prev = L;
    let load = n;
    for (let m = findNextBestNode(); m >= 0; m = findNextBestNode()) {
      // kernel: build_zonelists() before 3.16: "if (distance > RECLAIM_DISTANCE) zone_reclaim_mode = 1"
      if (!versionAtLeast(v, "3.16") && distance(L, m) > facts.reclaimDistance) zoneReclaimMode = 1;
      if (distance(L, m) !== distance(L, prev)) {
        if (rule.load === "assign") nodeLoad[m] = load;
        else if (rule.load === "accumulate") nodeLoad[m] += load;
        else nodeLoad[m] += 1;
      }
      orderPos.push(m);
      prev = m;
      load--;
    }
    const listFor = (maxIdx: number): ZoneRef[] => {
      if (order === "node") return orderPos.flatMap((m) => zonerefsOfNode(zoneSet, m, maxIdx));
      // kernel: build_zonelists_in_zone_order(): zone type by zone type, nodes in order
      const out: ZoneRef[] = [];
      for (let t = maxIdx; t >= 0; t--) for (const m of orderPos) out.push(...zonerefsOfNode(zoneSet, m, t).filter((z) => z.zoneIdx === t));
      return out;
    };
    const indices = facts.zonelistPerZoneType ? zoneSet.zoneTypes.map((_z, i) => i) : [maxZone];
    return {
      nid: local.nid,
      nodeOrder: orderPos.map((m) => nodes[m].nid),
      fallback: indices.map(listFor),
      thisNode: indices.map((i) => zonerefsOfNode(zoneSet, L, i)),
      nodeLoadAfter: [...nodeLoad],
    };
  });
  return { version: v.raw, order, orderName, perZoneType: facts.zonelistPerZoneType, nodes: lists, zoneReclaimMode };
}

/** Options of {@link zonelistFor}. */
export interface ZonelistForOptions {
  /** __GFP_THISNODE: the node's own zones only (ZONELIST_NOFALLBACK). */
  readonly thisNode?: boolean;
  /** gfp_zone() of the request: selects the list on 2.6.24-style per-zone-type zonelists (default: the highest). */
  readonly highestZoneIdx?: number;
}

const zonelistCache = new WeakMap<ZoneSet, Zonelists>();

/** The zonelists of a zone set (built once per zone set, at its own version). */
function zonelistsOf(source: Zonelists | ZoneSet): Zonelists {
  if (!("zoneTypes" in source)) return source;
  let zl = zonelistCache.get(source);
  if (!zl) {
    zl = buildZonelists(source);
    zonelistCache.set(source, zl);
  }
  return zl;
}

/**
 * The zonelist an allocation on node `nid` uses (node_zonelist()).
 * kernel: include/linux/gfp.h node_zonelist(), gfp_zonelist()
 *
 * @param source - zonelists from {@link buildZonelists}, or a zone set (its zonelists are built once and cached)
 * @param nid - the preferred node id
 * @param options - __GFP_THISNODE, gfp zone index
 * @returns the zone references in fallback order
 * @throws {InvalidZonelistRequestError} for an unknown node
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, zonelistFor } from "@pagealloc/zones";
 * const zs = buildZones(getPreset("server-2s-256g"));
 * console.log(zonelistFor(zs, 1).map((z) => `${z.nid}:${z.name}`).join(" ")); // => 1:Normal 0:Normal 0:DMA32 0:DMA
 * ```
 */
export function zonelistFor(source: Zonelists | ZoneSet, nid: number, options: ZonelistForOptions = {}): readonly ZoneRef[] {
  const zonelists = zonelistsOf(source);
  const node = zonelists.nodes.find((x) => x.nid === nid);
  if (!node) throw new InvalidZonelistRequestError(`no node ${nid} (nodes: ${zonelists.nodes.map((x) => x.nid).join(", ")})`, "nid");
  const lists = options.thisNode ? node.thisNode : node.fallback;
  if (!zonelists.perZoneType) return lists[0];
  const idx = options.highestZoneIdx ?? lists.length - 1;
  if (!(idx >= 0 && idx < lists.length)) throw new InvalidZonelistRequestError(`zone index ${idx} out of range 0..${lists.length - 1}`, "highestZoneIdx");
  return lists[idx];
}

/**
 * The zones an allocation walks, in order: the zonelist's entries with zone index ≤ highest_zoneidx
 * and (if a nodemask is given) node in the mask.
 * kernel: include/linux/mmzone.h for_each_zone_zonelist_nodemask(), first_zones_zonelist()
 *
 * @param zonelist - a zonelist ({@link zonelistFor})
 * @param highestZoneIdx - gfp_zone() as an index
 * @param nodemask - allowed node ids (default: all)
 * @returns the candidate zones in order
 * @example
 * ```ts
 * import { forEachCandidateZone } from "@pagealloc/zones";
 * const list = [{ nid: 0, zoneIdx: 2, name: "Normal" }, { nid: 0, zoneIdx: 1, name: "DMA32" }, { nid: 0, zoneIdx: 0, name: "DMA" }];
 * console.log(forEachCandidateZone(list, 1).map((z) => z.name).join(" ")); // => DMA32 DMA
 * ```
 */
export function forEachCandidateZone(zonelist: readonly ZoneRef[], highestZoneIdx: number, nodemask?: Iterable<number>): ZoneRef[] {
  const allowed = nodemask ? new Set(nodemask) : null;
  return zonelist.filter((z) => z.zoneIdx <= highestZoneIdx && (!allowed || allowed.has(z.nid)));
}

/** The result of {@link candidateZones}. */
export interface CandidateZones {
  /** gfp_zone(gfp). */
  readonly highestZone: ZoneName;
  readonly highestZoneIdx: number;
  /** __GFP_THISNODE was set (NUMA): the no-fallback list was used. */
  readonly thisNode: boolean;
  /** The zonelist used (before filtering). */
  readonly zonelist: readonly ZoneRef[];
  /** The zones get_page_from_freelist() would try, in order; the first is the preferred zone. */
  readonly zones: readonly ZoneRef[];
}

/**
 * The zones an allocation with `gfp` on node `nid` would try, in order, as prepare_alloc_pages()
 * and get_page_from_freelist() walk them: highest_zoneidx = gfp_zone(gfp), the fallback list (or the
 * this-node list for __GFP_THISNODE on NUMA), filtered by zone index and nodemask.
 * kernel: mm/page_alloc.c prepare_alloc_pages(), get_page_from_freelist()
 *
 * @param zonelists - from {@link buildZonelists}
 * @param zoneSet - the zones (for the arch's zone types)
 * @param gfp - the gfp mask (a number; parse text with `parseGfp` from @pagealloc/gfp)
 * @param options - preferred node and nodemask
 * @returns the zone index, the list and the candidate zones
 * @throws {BadGfpZoneError} for a mask with conflicting zone modifiers
 * @throws {InvalidZonelistRequestError} for an unknown node
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, buildZonelists, candidateZones } from "@pagealloc/zones";
 * const zs = buildZones(getPreset("pc-4g"));
 * const c = candidateZones(buildZonelists(zs), zs, 0xcc0); // GFP_KERNEL
 * console.log(c.highestZone, c.zones.map((z) => z.name).join(" ")); // => Normal Normal DMA32 DMA
 * ```
 */
export function candidateZones(zonelists: Zonelists, zoneSet: ZoneSet, gfp: number, options: { nid?: number; nodemask?: Iterable<number> } = {}): CandidateZones {
  const version = zonelists.version;
  const highestZone = gfpZone(gfp, { arch: zoneSet.arch, version });
  const highestZoneIdx = zoneSet.zoneTypes.indexOf(highestZone);
  if (highestZoneIdx < 0) throw new InvalidZonelistRequestError(`zone ${highestZone} is not configured on ${zoneSet.arch}`, "gfp");
  const numa = zoneSet.nodes.length > 1;
  const thisNode = numa && gfpThisNode(gfp, version);
  const nid = options.nid ?? zoneSet.nodes[0].nid;
  const zonelist = zonelistFor(zonelists, nid, { thisNode, highestZoneIdx });
  return { highestZone, highestZoneIdx, thisNode, zonelist, zones: forEachCandidateZone(zonelist, highestZoneIdx, options.nodemask) };
}

/** MIGRATE_TYPES without CMA (Unmovable, Movable, Reclaimable, HighAtomic/Reserve, Isolate). */
const MIGRATE_TYPES = 5;

/**
 * The boot messages of build_all_zonelists(): one "Fallback order for Node N: " line per node (≈5.14+),
 * the "Built … zonelists" line, whose total is Σ present pages of the zones up to
 * gfp_zone(GFP_HIGHUSER_MOVABLE) (at that moment managed = present and the watermarks are 0;
 * mobility grouping is off below pageblock_nr_pages × MIGRATE_TYPES pages), and on NUMA kernels
 * "Policy zone:" (the highest populated zone below Movable).
 * kernel: mm/page_alloc.c build_all_zonelists(), build_zonelists(), check_highest_zone() (pr_info lines)
 *
 * @param zoneSet - the zones
 * @param zonelists - from {@link buildZonelists}
 * @param options - CONFIG_NUMA (default: true on 64-bit arches)
 * @returns the lines, without newlines
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { buildZones, buildZonelists, zonelistBootMessages } from "@pagealloc/zones";
 * const zs = buildZones(getPreset("pc-4g"));
 * console.log(zonelistBootMessages(zs, buildZonelists(zs)).join("|")); // => Fallback order for Node 0: 0 |Built 1 zonelists, mobility grouping on.  Total pages: 1048478|Policy zone: Normal
 * ```
 */
export function zonelistBootMessages(zoneSet: ZoneSet, zonelists: Zonelists, options: { numa?: boolean } = {}): string[] {
  const numa = options.numa ?? (zoneSet.arch === "x86_64" || zoneSet.arch === "arm64");
  const highest = zoneSet.zoneTypes.indexOf("Movable");
  let total = 0;
  for (const node of zoneSet.nodes) for (const z of node.zones) if (z.zoneIdx <= highest) total += z.presentPages;
  const grouping = total < zoneSet.pageblockNrPages * MIGRATE_TYPES ? "off" : "on";
  const lines: string[] = [];
  if (numa && versionAtLeast(zonelists.version, "5.14")) {
    for (const n of zonelists.nodes) lines.push(`Fallback order for Node ${n.nid}: ${n.nodeOrder.map((x) => `${x} `).join("")}`);
  }
  lines.push(
    zonelists.perZoneType
      ? `Built ${zonelists.nodes.length} zonelists in ${zonelists.orderName} order, mobility grouping ${grouping}.  Total pages: ${total}`
      : `Built ${zonelists.nodes.length} zonelists, mobility grouping ${grouping}.  Total pages: ${total}`,
  );
  if (numa) {
    let policy = 0;
    for (const node of zoneSet.nodes) for (const z of node.zones) if (z.populated && z.name !== "Movable" && z.zoneIdx > policy) policy = z.zoneIdx;
    lines.push(`Policy zone: ${zoneSet.zoneTypes[policy]}`);
  }
  return lines;
}
