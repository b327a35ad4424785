import { type ArchFacts, type ArchName, type ArchOptions, type ArchZoneName, ARCH_NAMES, archFacts, isArchName } from "./arch";
import { PageallocError } from "./errors";
import { parseCpulist, parseSize } from "./units";

/** A byte address or size in a machine description: a safe integer, or a string like `"0x100000000"`, `"4G"`. */
export type SizeSpec = number | string;

/** A physical memory range in a machine description: `start` plus `end` (exclusive) or `size`. */
export type RangeSpec = { start: SizeSpec; end: SizeSpec; size?: never } | { start: SizeSpec; size: SizeSpec; end?: never };

/** One NUMA node in a machine description. */
export interface NodeDescription {
  /** Node id (nid), 0 ≤ id < 1024 (MAX_NUMNODES with NODES_SHIFT 10). */
  id: number;
  /** CPU ids on this node: an array or a kernel CPU list string (`"0-3,8-11"`). */
  cpus?: number[] | string;
  /** Physical memory ranges (memblock.memory) of this node; page aligned; may be empty (CPU-only node). */
  memory: RangeSpec[];
  /** Boot-time reservations (memblock.reserved) inside this node's memory. */
  reserved?: RangeSpec[];
  /** Per-zone overrides, e.g. `{ "DMA": { "managed": 3840 } }` to match a real /proc/zoneinfo. */
  zones?: Partial<Record<ArchZoneName, { managed?: number }>>;
}

/** The JSON machine description format (schema: {@link machineSchema}, `@pagealloc/physmem/machine.schema.json`). */
export interface MachineDescription {
  $schema?: string;
  name: string;
  description?: string;
  arch: ArchName;
  /** Architecture configuration (5-level paging, arm64 page size / zone_dma_limit, i386 lowmem end). */
  archOptions?: ArchOptions;
  nodes: NodeDescription[];
  /**
   * SLIT node distances, rows and columns in the order of `nodes`. Default: 10 on the diagonal and
   * 20 elsewhere (LOCAL_DISTANCE / REMOTE_DISTANCE, what the kernel uses without a SLIT).
   */
  distance?: number[][];
  /** Allow a non-symmetric distance matrix (some firmware tables are). */
  distanceAsymmetric?: boolean;
  /** Kernel command line parameters carried for the layers above, e.g. `{ "kernelcore": "512M" }`. */
  cmdline?: { kernelcore?: string; movablecore?: string };
}

/** A range of page frames `[startPfn, endPfn)`. */
export interface PfnRange {
  readonly startPfn: number;
  readonly endPfn: number;
}

/** A normalized NUMA node. */
export interface MachineNode {
  readonly id: number;
  /** CPU ids, ascending. */
  readonly cpus: readonly number[];
  /** Memory as pfn ranges: sorted, non-overlapping, adjacent ranges merged (as memblock does). */
  readonly ranges: readonly PfnRange[];
  /** node_start_pfn (0 for a memoryless node). */
  readonly spannedStartPfn: number;
  /** node_start_pfn + node_spanned_pages. */
  readonly spannedEndPfn: number;
  /** Pages in `ranges` (holes excluded). */
  readonly presentPages: number;
  /** Boot-time reservations, sorted and merged. */
  readonly reservedPfns: readonly PfnRange[];
}

/** A per-node per-zone override (e.g. managed pages copied from a real /proc/zoneinfo). */
export interface ZoneOverride {
  readonly nid: number;
  readonly zone: ArchZoneName;
  readonly managedPages: number;
}

/** A validated machine: what the layers above build zones and the buddy allocator on. */
export interface Machine {
  readonly name: string;
  readonly description?: string;
  readonly arch: ArchName;
  readonly archOptions: ArchOptions;
  readonly pageShift: number;
  readonly pageSize: number;
  /** Nodes in ascending id order. */
  readonly nodes: readonly MachineNode[];
  /** distance[i][j]: SLIT distance from `nodes[i]` to `nodes[j]` (see {@link nodeDistance}). */
  readonly distance: readonly (readonly number[])[];
  /** Sum of present pages over all nodes. */
  readonly totalPages: number;
  /** First pfn above all memory (the kernel's max_pfn). */
  readonly maxPfn: number;
  readonly zoneOverrides?: readonly ZoneOverride[];
  readonly cmdline?: { readonly kernelcore?: string; readonly movablecore?: string };
}

/** One thing wrong with a machine description. */
export interface MachineProblem {
  /** JSON path of the offending value, e.g. `$.nodes[1].memory[0].end`. */
  readonly path: string;
  readonly reason: string;
}

/** The result of {@link validateMachine}. */
export type MachineValidation = { ok: true; machine: Machine } | { ok: false; problems: MachineProblem[] };

/** A machine description has problems; `problems` lists all of them. */
export class InvalidMachineError extends PageallocError {
  readonly problems: readonly MachineProblem[];
  constructor(problems: readonly MachineProblem[]) {
    const first = problems[0];
    const rest = problems.slice(1, 11).map((p) => `${p.path}: ${p.reason}`);
    if (problems.length > 11) rest.push(`(${problems.length - 11} not shown)`);
    const more = rest.length ? `; and ${problems.length - 1} more: ${rest.join("; ")}` : "";
    super("INVALID_MACHINE", `invalid machine description: ${first ? first.reason : "unknown problem"}${more}`, first?.path ?? "$");
    this.problems = problems;
  }
}

/** LOCAL_DISTANCE and REMOTE_DISTANCE (include/linux/topology.h). */
export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;
/** MAX_NUMNODES with the largest NODES_SHIFT (10) x86_64 allows. */
export const MAX_NUMNODES = 1024;
/** NR_CPUS with CONFIG_MAXSMP on x86_64. */
export const MAX_NR_CPUS = 8192;

const TOP_KEYS = new Set(["$schema", "name", "description", "arch", "archOptions", "nodes", "distance", "distanceAsymmetric", "cmdline"]);
const NODE_KEYS = new Set(["id", "cpus", "memory", "reserved", "zones"]);
const RANGE_KEYS = new Set(["start", "end", "size"]);
const ARCH_OPTION_KEYS = new Set(["fiveLevelPaging", "lowmemLimitPfn", "zoneDmaLimit", "pageShift", "zoneDevice"]);
const CMDLINE_KEYS = new Set(["kernelcore", "movablecore"]);
// kernel: mm/mm_init.c cmdline_parse_kernelcore()/cmdline_parse_movablecore(): memparse size, nn% (4.17+), or "mirror" (kernelcore only)
const CORE_RE = /^\s*(?:(?:0x[0-9a-f]+|\d+)\s*[kmgtpe]?|\d{1,3}%)\s*$/i;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function has(o: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function get(o: Obj, key: string): unknown {
  return has(o, key) ? o[key] : undefined;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === "object") return "an object";
  return String(v);
}

function keyPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

interface ByteRange {
  start: bigint;
  end: bigint;
  path: string;
}

class Checker {
  readonly problems: MachineProblem[] = [];
  add(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }
  unknownKeys(o: Obj, allowed: Set<string>, path: string): void {
    for (const k of Object.keys(o)) if (!allowed.has(k)) this.add(keyPath(path, k), `unknown property (allowed: ${[...allowed].join(", ")})`);
  }
}

function checkArchOptions(c: Checker, value: unknown, path: string): ArchOptions | undefined {
  if (value === undefined) return {};
  if (!isObject(value)) {
    c.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }
  c.unknownKeys(value, ARCH_OPTION_KEYS, path);
  const opts: ArchOptions = {};
  let ok = true;
  for (const k of ["fiveLevelPaging", "zoneDevice"] as const) {
    const v = get(value, k);
    if (v === undefined) continue;
    if (typeof v === "boolean") opts[k] = v;
    else {
      c.add(`${path}.${k}`, `must be true or false, got ${describe(v)}`);
      ok = false;
    }
  }
  const shift = get(value, "pageShift");
  if (shift !== undefined) {
    if (shift === 12 || shift === 14 || shift === 16) opts.pageShift = shift;
    else {
      c.add(`${path}.pageShift`, `must be 12, 14 or 16, got ${describe(shift)}`);
      ok = false;
    }
  }
  const lowmem = get(value, "lowmemLimitPfn");
  if (lowmem !== undefined) {
    if (typeof lowmem === "number" && Number.isSafeInteger(lowmem)) opts.lowmemLimitPfn = lowmem;
    else {
      c.add(`${path}.lowmemLimitPfn`, `must be an integer pfn, got ${describe(lowmem)}`);
      ok = false;
    }
  }
  const dma = get(value, "zoneDmaLimit");
  if (dma !== undefined) {
    const bytes = parseSize(dma);
    if (bytes === null) {
      c.add(`${path}.zoneDmaLimit`, `must be a size like "1G" or 1073741824, got ${describe(dma)}`);
      ok = false;
    } else opts.zoneDmaLimit = bytes;
  }
  return ok ? opts : undefined;
}

function checkRange(c: Checker, r: unknown, path: string, pageSize: bigint, limit: bigint | null): ByteRange | null {
  if (!isObject(r)) {
    c.add(path, `a memory range must be an object {start, end} or {start, size}, got ${describe(r)}`);
    return null;
  }
  c.unknownKeys(r, RANGE_KEYS, path);
  const startRaw = get(r, "start");
  const endRaw = get(r, "end");
  const sizeRaw = get(r, "size");
  let ok = true;
  const num = (v: unknown, p: string): bigint | null => {
    const n = parseSize(v);
    if (n === null) {
      c.add(p, `must be a non-negative integer or a size string like "0x100000000" or "4G", got ${describe(v)}`);
      ok = false;
    }
    return n;
  };
  if (startRaw === undefined) {
    c.add(path, "missing start");
    ok = false;
  }
  const start = startRaw === undefined ? null : num(startRaw, `${path}.start`);
  let end: bigint | null = null;
  if (endRaw !== undefined && sizeRaw !== undefined) {
    c.add(path, "give either end or size, not both");
    ok = false;
  } else if (endRaw === undefined && sizeRaw === undefined) {
    c.add(path, "missing end or size");
    ok = false;
  } else if (endRaw !== undefined) {
    end = num(endRaw, `${path}.end`);
  } else {
    const size = num(sizeRaw, `${path}.size`);
    if (size !== null && start !== null) end = start + size;
  }
  if (!ok || start === null || end === null) return null;
  if (end <= start) {
    c.add(path, `empty or inverted range: end ${hex(end)} is not above start ${hex(start)}`);
    return null;
  }
  if (start % pageSize !== 0n) c.add(`${path}.start`, `${hex(start)} is not aligned to the page size (${pageSize})`);
  if (end % pageSize !== 0n) c.add(`${path}.${endRaw !== undefined ? "end" : "size"}`, `end ${hex(end)} is not aligned to the page size (${pageSize})`);
  if (limit !== null && end > limit) {
    c.add(path, `range end ${hex(end)} is beyond the architecture's physical address limit ${hex(limit)}`);
  }
  return { start, end, path };
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function checkRangeList(c: Checker, list: unknown, path: string, pageSize: bigint, limit: bigint | null): ByteRange[] {
  if (!Array.isArray(list)) {
    c.add(path, `must be an array of ranges, got ${describe(list)}`);
    return [];
  }
  const out: ByteRange[] = [];
  list.forEach((r, i) => {
    const br = checkRange(c, r, `${path}[${i}]`, pageSize, limit);
    if (br) out.push(br);
  });
  return out;
}

/** Report every range that overlaps an earlier one (sweep in address order), within or across nodes. */
function reportOverlaps(c: Checker, ranges: ByteRange[]): void {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let furthest: ByteRange | null = null;
  for (const r of sorted) {
    if (furthest && r.start < furthest.end) {
      c.add(r.path, `overlaps ${furthest.path} ([${hex(r.start)}, ${hex(r.end)}) and [${hex(furthest.start)}, ${hex(furthest.end)}))`);
    }
    if (!furthest || r.end > furthest.end) furthest = r;
  }
}

function toPfnRanges(ranges: ByteRange[], shift: bigint): PfnRange[] {
  const sorted = ranges
    .map((r) => ({ startPfn: Number(r.start >> shift), endPfn: Number(r.end >> shift) }))
    .sort((a, b) => a.startPfn - b.startPfn);
  const merged: { startPfn: number; endPfn: number }[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.startPfn <= last.endPfn) last.endPfn = Math.max(last.endPfn, r.endPfn);
    else merged.push({ ...r });
  }
  return merged;
}

function checkCpus(c: Checker, value: unknown, path: string): number[] {
  if (value === undefined) return [];
  let list: unknown[];
  if (typeof value === "string") {
    const parsed = parseCpulist(value);
    if (!parsed) {
      c.add(path, `not a CPU list like "0-3,8-11": ${describe(value)}`);
      return [];
    }
    list = parsed;
  } else if (Array.isArray(value)) {
    list = value;
  } else {
    c.add(path, `must be an array of CPU ids or a CPU list string, got ${describe(value)}`);
    return [];
  }
  const out: number[] = [];
  const seen = new Set<number>();
  list.forEach((cpu, i) => {
    const p = typeof value === "string" ? path : `${path}[${i}]`;
    if (typeof cpu !== "number" || !Number.isInteger(cpu) || cpu < 0 || cpu >= MAX_NR_CPUS) {
      c.add(p, `CPU id must be an integer in [0, ${MAX_NR_CPUS}), got ${describe(cpu)}`);
    } else if (seen.has(cpu)) {
      c.add(p, `CPU ${cpu} is listed twice on this node`);
    } else {
      seen.add(cpu);
      out.push(cpu);
    }
  });
  return out.sort((a, b) => a - b);
}

function checkDistance(c: Checker, value: unknown, n: number, asymmetric: boolean): number[][] | null {
  if (value === undefined) {
    return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? LOCAL_DISTANCE : REMOTE_DISTANCE)));
  }
  if (!Array.isArray(value)) {
    c.add("$.distance", `must be an array of ${n} rows, got ${describe(value)}`);
    return null;
  }
  let ok = true;
  if (value.length !== n) {
    c.add("$.distance", `must have one row per node (${n}), has ${value.length}`);
    ok = false;
  }
  const rows: number[][] = [];
  value.forEach((row, i) => {
    const p = `$.distance[${i}]`;
    if (!Array.isArray(row)) {
      c.add(p, `must be an array of ${n} distances, got ${describe(row)}`);
      ok = false;
      return;
    }
    if (row.length !== n) {
      c.add(p, `must have one distance per node (${n}), has ${row.length} (the matrix must be square)`);
      ok = false;
    }
    const out: number[] = [];
    row.forEach((d, j) => {
      const q = `${p}[${j}]`;
      // kernel: drivers/acpi/numa/srat.c slit_valid(): LOCAL_DISTANCE on the diagonal, above it elsewhere (a u8)
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > 255) {
        c.add(q, `a distance must be an integer 10..255, got ${describe(d)}`);
        ok = false;
      } else if (i === j && d !== LOCAL_DISTANCE) {
        c.add(q, `the distance of a node to itself must be ${LOCAL_DISTANCE}, got ${d}`);
        ok = false;
      } else if (i !== j && d <= LOCAL_DISTANCE) {
        c.add(q, `the distance between two nodes must be above ${LOCAL_DISTANCE}, got ${d}`);
        ok = false;
      }
      out.push(typeof d === "number" ? d : Number.NaN);
    });
    rows.push(out);
  });
  if (!ok) return null;
  if (!asymmetric) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (rows[i][j] !== rows[j][i]) {
          c.add(`$.distance[${j}][${i}]`, `not symmetric: ${rows[j][i]} here but ${rows[i][j]} at $.distance[${i}][${j}] (set distanceAsymmetric: true if intended)`);
          ok = false;
        }
      }
    }
  }
  return ok ? rows : null;
}

function checkCmdline(c: Checker, value: unknown): Machine["cmdline"] | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    c.add("$.cmdline", `must be an object, got ${describe(value)}`);
    return undefined;
  }
  c.unknownKeys(value, CMDLINE_KEYS, "$.cmdline");
  const out: { kernelcore?: string; movablecore?: string } = {};
  for (const k of ["kernelcore", "movablecore"] as const) {
    const v = get(value, k);
    if (v === undefined) continue;
    const okText = typeof v === "string" && (CORE_RE.test(v) || (k === "kernelcore" && v.trim() === "mirror"));
    if (!okText) c.add(`$.cmdline.${k}`, `must be a size ("512M"), a percentage ("20%")${k === "kernelcore" ? " or \"mirror\"" : ""}, got ${describe(v)}`);
    else out[k] = v.trim();
  }
  return out;
}

/**
 * Check a machine description (any JSON value) and normalize it. Never throws: every problem is
 * reported at once, each with the JSON path of the offending value.
 *
 * Checked: shape and unknown properties, known arch and valid arch options, node ids (integers,
 * unique, below MAX_NUMNODES), CPU ids (valid, not on two nodes), ranges (start + end or size,
 * page aligned, non-empty, below the arch's physical address limit, no overlap within or between
 * nodes), reservations inside their node's memory, zone overrides naming a zone of the arch, the
 * distance matrix (square, 10 on the diagonal, above 10 elsewhere, at most 255, symmetric unless
 * `distanceAsymmetric`), kernelcore/movablecore syntax, some memory in total.
 *
 * @param json - a parsed JSON value
 * @returns `{ ok: true, machine }` or `{ ok: false, problems }`
 * @example
 * ```ts
 * import { validateMachine } from "@pagealloc/physmem";
 * const r = validateMachine({ name: "x", arch: "x86_64", nodes: [{ id: 0, cpus: [0], memory: [{ start: 0, end: "16M" }] }] });
 * console.log(r.ok, r.machine.totalPages); // => true 4096
 * const bad = validateMachine({ name: "y", arch: "vax", nodes: [{ id: 0, memory: [{ start: 1, size: "4K" }] }] });
 * console.log(bad.problems.map((p) => p.path).join(" ")); // => $.arch $.nodes[0].memory[0].start $.nodes[0].memory[0].size
 * ```
 */
export function validateMachine(json: unknown): MachineValidation {
  const c = new Checker();
  if (!isObject(json)) {
    c.add("$", `a machine description must be a JSON object, got ${describe(json)}`);
    return { ok: false, problems: c.problems };
  }
  c.unknownKeys(json, TOP_KEYS, "$");

  const name = get(json, "name");
  if (typeof name !== "string" || name.trim() === "") c.add("$.name", `must be a non-empty string, got ${describe(name)}`);
  const description = get(json, "description");
  if (description !== undefined && typeof description !== "string") c.add("$.description", `must be a string, got ${describe(description)}`);
  const schemaRef = get(json, "$schema");
  if (schemaRef !== undefined && typeof schemaRef !== "string") c.add("$.$schema", `must be a string, got ${describe(schemaRef)}`);

  const arch = get(json, "arch");
  const archOptions = checkArchOptions(c, get(json, "archOptions"), "$.archOptions");
  let facts: ArchFacts | null = null;
  if (!isArchName(arch)) {
    c.add("$.arch", `unknown architecture ${describe(arch)} (known: ${ARCH_NAMES.join(", ")})`);
  } else if (archOptions) {
    try {
      facts = archFacts(arch, undefined, archOptions);
    } catch (e) {
      if (!(e instanceof PageallocError)) throw e;
      c.add(e.location ? `$.archOptions.${e.location.replace(/^options\./, "")}` : "$.archOptions", e.message.replace(/ \(at [^)]*\)$/, ""));
    }
  }
  // Without valid arch facts, still check alignment to 4 KiB (the smallest page size modelled).
  const pageSize = facts ? BigInt(facts.pageSize) : 4096n;
  const shift = facts ? BigInt(facts.pageShift) : 12n;
  const limit = facts ? facts.physAddrLimit : null;

  const nodesRaw = get(json, "nodes");
  const nodes: MachineNode[] = [];
  const overrides: ZoneOverride[] = [];
  const allRanges: ByteRange[] = [];
  const cpuOwner = new Map<number, string>();
  const idOwner = new Map<number, string>();
  let nodeCount = 0;
  if (!Array.isArray(nodesRaw) || nodesRaw.length === 0) {
    c.add("$.nodes", `must be a non-empty array of nodes, got ${describe(nodesRaw)}`);
  } else {
    nodeCount = nodesRaw.length;
    nodesRaw.forEach((nodeRaw, i) => {
      const p = `$.nodes[${i}]`;
      if (!isObject(nodeRaw)) {
        c.add(p, `a node must be an object {id, cpus, memory}, got ${describe(nodeRaw)}`);
        return;
      }
      c.unknownKeys(nodeRaw, NODE_KEYS, p);
      const id = get(nodeRaw, "id");
      let idOk = false;
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= MAX_NUMNODES) {
        c.add(`${p}.id`, `node id must be an integer in [0, ${MAX_NUMNODES}), got ${describe(id)}`);
      } else if (idOwner.has(id)) {
        c.add(`${p}.id`, `duplicate node id ${id} (also ${idOwner.get(id)})`);
      } else {
        idOwner.set(id, p);
        idOk = true;
      }
      const cpus = checkCpus(c, get(nodeRaw, "cpus"), `${p}.cpus`);
      for (const cpu of cpus) {
        const other = cpuOwner.get(cpu);
        if (other) c.add(`${p}.cpus`, `CPU ${cpu} is also on ${other}`);
        else cpuOwner.set(cpu, p);
      }
      const memory = get(nodeRaw, "memory");
      if (memory === undefined) c.add(p, "missing memory (use [] for a memoryless node)");
      const ranges = memory === undefined ? [] : checkRangeList(c, memory, `${p}.memory`, pageSize, limit);
      allRanges.push(...ranges);
      const reservedRaw = get(nodeRaw, "reserved");
      const reserved = reservedRaw === undefined ? [] : checkRangeList(c, reservedRaw, `${p}.reserved`, pageSize, limit);
      for (const r of reserved) {
        // a reservation must lie inside one memory range of its node (memblock.reserved ⊆ memblock.memory here)
        const inside = ranges.some((m) => r.start >= m.start && r.end <= m.end);
        if (!inside && ranges.length > 0) c.add(r.path, `reservation [${hex(r.start)}, ${hex(r.end)}) is not inside one memory range of this node`);
        else if (!inside) c.add(r.path, "reservation on a node without memory");
      }
      const zones = get(nodeRaw, "zones");
      if (zones !== undefined) {
        if (!isObject(zones)) c.add(`${p}.zones`, `must be an object keyed by zone name, got ${describe(zones)}`);
        else {
          for (const zoneName of Object.keys(zones)) {
            const zp = keyPath(`${p}.zones`, zoneName);
            const z = zones[zoneName];
            if (facts && !(facts.zoneTypes as readonly string[]).includes(zoneName)) {
              c.add(zp, `${facts.arch} has no zone ${JSON.stringify(zoneName)} (zones: ${facts.zoneTypes.join(", ")})`);
              continue;
            }
            if (!isObject(z)) {
              c.add(zp, `must be an object like {"managed": 3840}, got ${describe(z)}`);
              continue;
            }
            c.unknownKeys(z, new Set(["managed"]), zp);
            const managed = get(z, "managed");
            if (managed === undefined) continue;
            if (typeof managed !== "number" || !Number.isSafeInteger(managed) || managed < 0) {
              c.add(`${zp}.managed`, `must be a non-negative integer number of pages, got ${describe(managed)}`);
            } else if (idOk && facts) {
              overrides.push({ nid: id as number, zone: zoneName as ArchZoneName, managedPages: managed });
            }
          }
        }
      }
      if (!idOk) return;
      const pfnRanges = toPfnRanges(ranges, shift);
      const present = pfnRanges.reduce((s, r) => s + (r.endPfn - r.startPfn), 0);
      for (const o of overrides) {
        if (o.nid === id && o.managedPages > present) {
          c.add(keyPath(`${p}.zones`, o.zone), `managed ${o.managedPages} exceeds the node's present pages ${present}`);
        }
      }
      nodes.push({
        id: id as number,
        cpus,
        ranges: pfnRanges,
        spannedStartPfn: pfnRanges.length ? pfnRanges[0].startPfn : 0,
        spannedEndPfn: pfnRanges.length ? pfnRanges[pfnRanges.length - 1].endPfn : 0,
        presentPages: present,
        reservedPfns: toPfnRanges(reserved, shift),
      });
    });
  }
  reportOverlaps(c, allRanges);
  if (Array.isArray(nodesRaw) && nodesRaw.length > 0 && allRanges.length === 0 && c.problems.length === 0) {
    c.add("$.nodes", "the machine has no memory");
  }

  const asym = get(json, "distanceAsymmetric");
  if (asym !== undefined && typeof asym !== "boolean") c.add("$.distanceAsymmetric", `must be true or false, got ${describe(asym)}`);
  const distance = checkDistance(c, get(json, "distance"), nodeCount, asym === true);
  const cmdline = checkCmdline(c, get(json, "cmdline"));

  if (c.problems.length > 0 || !facts || !archOptions || !distance) {
    if (c.problems.length === 0) c.add("$", "invalid machine description");
    return { ok: false, problems: c.problems };
  }
  // Nodes sorted by id; the distance matrix is permuted to the same order.
  const order = nodes.map((n, i) => ({ n, i })).sort((a, b) => a.n.id - b.n.id);
  const machine: Machine = {
    name: (name as string).trim(),
    ...(typeof description === "string" ? { description } : {}),
    arch: facts.arch,
    archOptions,
    pageShift: facts.pageShift,
    pageSize: facts.pageSize,
    nodes: order.map((o) => o.n),
    distance: order.map((a) => order.map((b) => distance[a.i][b.i])),
    totalPages: nodes.reduce((s, n) => s + n.presentPages, 0),
    maxPfn: nodes.reduce((m, n) => Math.max(m, n.spannedEndPfn), 0),
    ...(overrides.length ? { zoneOverrides: overrides.sort((a, b) => a.nid - b.nid) } : {}),
    ...(cmdline && Object.keys(cmdline).length ? { cmdline } : {}),
  };
  return { ok: true, machine: deepFreeze(machine) };
}

/** Machines are shared between layers (and cached presets): make "read-only" true at run time. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Validate and normalize a machine description.
 *
 * @param json - a parsed JSON value (or a MachineDescription object)
 * @returns the normalized machine
 * @throws {InvalidMachineError} listing every problem (code `INVALID_MACHINE`)
 * @example
 * ```ts
 * import { loadMachine } from "@pagealloc/physmem";
 * const m = loadMachine({ name: "two", arch: "x86_64", nodes: [
 *   { id: 1, cpus: "2-3", memory: [{ start: "1G", size: "1G" }] },
 *   { id: 0, cpus: [0, 1], memory: [{ start: "0x1000", end: "0x9f000" }, { start: "1M", end: "1G" }] },
 * ], distance: [[10, 21], [21, 10]] });
 * console.log(m.nodes.map((n) => n.id).join(","), m.nodes[0].presentPages, m.maxPfn); // => 0,1 262046 524288
 * ```
 */
export function loadMachine(json: unknown): Machine {
  const r = validateMachine(json);
  if (!r.ok) throw new InvalidMachineError(r.problems);
  return r.machine;
}

/**
 * The SLIT distance between two node ids of a machine.
 *
 * @throws {PageallocError} (code `NO_SUCH_NODE`) when a node id is not in the machine
 * @example
 * ```ts
 * import { getPreset, nodeDistance } from "@pagealloc/physmem";
 * console.log(nodeDistance(getPreset("server-2s-256g"), 0, 1)); // => 21
 * ```
 */
// kernel: include/linux/topology.h node_distance() / __node_distance()
export function nodeDistance(machine: Machine, from: number, to: number): number {
  const i = machine.nodes.findIndex((n) => n.id === from);
  const j = machine.nodes.findIndex((n) => n.id === to);
  if (i < 0 || j < 0) throw new PageallocError("NO_SUCH_NODE", `no node ${i < 0 ? from : to} in machine ${machine.name}`, "nid");
  return machine.distance[i][j];
}
