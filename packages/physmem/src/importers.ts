import { type ArchName } from "./arch";
import { PageallocError } from "./errors";
import { type MachineDescription, type NodeDescription, type RangeSpec, validateMachine } from "./machine";
import { parseCpulist, parseSize } from "./units";

/** Input to an importer was malformed; `location` is `source:line` (or `source:file`). */
export class MachineImportError extends PageallocError {
  constructor(reason: string, location: string) {
    super("BAD_MACHINE_IMPORT", reason, location);
  }
}

/** Options shared by the importers (the inputs do not say which architecture or name). */
export interface ImportOptions {
  /** Architecture of the machine (default `x86_64`). */
  arch?: ArchName;
  /** Machine name (default `imported`). */
  name?: string;
  /** Name used in error locations (default `numactl` / `sysfs`). */
  source?: string;
}

interface NodeDraft {
  id: number;
  cpus: number[];
  bytes: bigint | null;
  line: number;
  blocks?: bigint[];
}

const PAGE = 4096n;

/** Contiguous ranges, one per node in node-id order, starting at physical address 0. */
function synthesizeRanges(drafts: NodeDraft[]): Map<number, RangeSpec[]> {
  const out = new Map<number, RangeSpec[]>();
  let next = 0n;
  for (const d of [...drafts].sort((a, b) => a.id - b.id)) {
    const bytes = d.bytes === null ? 0n : (d.bytes / PAGE) * PAGE;
    out.set(d.id, bytes > 0n ? [{ start: hex(next), end: hex(next + bytes) }] : []);
    next += bytes;
  }
  return out;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/**
 * Validate an imported description; the first problem becomes an import error at the input
 * location `locate` gives for its JSON path (the node or distance row it came from).
 */
function checkImported(desc: MachineDescription, locate: (kind: "nodes" | "distance" | null, index: number) => string): MachineDescription {
  const r = validateMachine(desc);
  if (r.ok) return desc;
  const p = r.problems[0];
  const m = /^\$\.(nodes|distance)\[(\d+)\]/.exec(p.path);
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problems)` : "";
  throw new MachineImportError(`${p.reason} [${p.path}]${more}`, m ? locate(m[1] as "nodes" | "distance", Number(m[2])) : locate(null, 0));
}

/**
 * Build a machine description from the output of `numactl --hardware`. numactl gives node sizes,
 * not addresses, so each node gets one synthesized range: nodes in id order, contiguous from
 * physical address 0, each `size` MB long (rounded down to 4 KiB pages). `free` lines are ignored.
 * Without a distance table ("No distance information available.") the default SLIT 10/20 applies.
 *
 * @param text - the output of `numactl --hardware` (`numactl -H`)
 * @param options - arch and name of the machine
 * @returns a valid machine description
 * @throws {MachineImportError} (code `BAD_MACHINE_IMPORT`, location `numactl:LINE`) for malformed input
 * @example
 * ```ts
 * import { parseNumactlHardware } from "@pagealloc/physmem";
 * const d = parseNumactlHardware(["available: 2 nodes (0-1)", "node 0 cpus: 0 1", "node 0 size: 1024 MB",
 *   "node 0 free: 900 MB", "node 1 cpus: 2 3", "node 1 size: 2048 MB", "node 1 free: 2000 MB",
 *   "node distances:", "node   0   1", "  0:  10  20", "  1:  20  10"].join("\n"));
 * console.log(JSON.stringify(d.nodes[1].memory)); // => [{"start":"0x40000000","end":"0xc0000000"}]
 * ```
 */
export function parseNumactlHardware(text: string, options: ImportOptions = {}): MachineDescription {
  const source = options.source ?? "numactl";
  if (typeof text !== "string") throw new MachineImportError("input must be text", source);
  const lines = text.split(/\r?\n/);
  const drafts = new Map<number, NodeDraft>();
  let available: { count: number; ids: number[]; line: number } | null = null;
  let distanceHeader: { ids: number[]; line: number } | null = null;
  const distanceRows: { id: number; values: number[]; line: number }[] = [];
  let inDistances = false;
  const err = (line: number, reason: string): never => {
    throw new MachineImportError(reason, `${source}:${line}`);
  };
  const draft = (id: number, line: number): NodeDraft => {
    let d = drafts.get(id);
    if (!d) {
      d = { id, cpus: [], bytes: null, line };
      drafts.set(id, d);
    }
    return d;
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    // Pasted from a mail: quote marks ("> ", ">>>>> ") go; so does the echoed command ("$ numactl -H").
    const line = raw.replace(/^\s*(?:>[ \t]?)+/, "").trim();
    if (line === "" || /^[$#]\s*numactl\b/.test(line)) return;
    let m: RegExpExecArray | null;
    if ((m = /^available:\s+(\d+)\s+nodes?\s+\(([^)]*)\)$/.exec(line))) {
      const ids = parseCpulist(m[2]);
      if (!ids) return err(n, `bad node list ${JSON.stringify(m[2])}`);
      available = { count: Number(m[1]), ids, line: n };
      if (ids.length !== available.count) err(n, `says ${available.count} nodes but lists ${ids.length}`);
      return;
    }
    if ((m = /^node\s+(\d+)\s+cpus:(.*)$/.exec(line))) {
      const text = m[2].trim();
      // numactl ≥ 2.0.16 prints ranges ("0-127,256-383"); older ones every id.
      if (/^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)+$|^\d+-\d+$/.test(text)) {
        const ids = parseCpulist(text);
        if (!ids) return err(n, `bad CPU list ${JSON.stringify(text)}`);
        draft(Number(m[1]), n).cpus = ids;
        return;
      }
      const cpus = text === "" ? [] : text.split(/\s+/);
      if (!cpus.every((c) => /^\d+$/.test(c))) return err(n, `CPU ids must be numbers: ${JSON.stringify(text)}`);
      draft(Number(m[1]), n).cpus = cpus.map(Number);
      return;
    }
    if ((m = /^node\s+(\d+)\s+size:\s*(\d+)\s*(kB|KB|MB|GB)$/.exec(line))) {
      const unit = m[3] === "GB" ? 30n : m[3] === "MB" ? 20n : 10n;
      draft(Number(m[1]), n).bytes = BigInt(m[2]) << unit;
      return;
    }
    if (/^node\s+\d+\s+free:\s*\d+\s*(kB|KB|MB|GB)$/.test(line)) return;
    if (/^node distances:$/.test(line)) {
      inDistances = true;
      return;
    }
    if (/^No distance information available\.?$/i.test(line)) return;
    if (inDistances && (m = /^node((?:\s+\d+)+)$/.exec(line))) {
      distanceHeader = { ids: m[1].trim().split(/\s+/).map(Number), line: n };
      return;
    }
    if (inDistances && (m = /^(\d+):((?:\s+\d+)+)$/.exec(line))) {
      distanceRows.push({ id: Number(m[1]), values: m[2].trim().split(/\s+/).map(Number), line: n });
      return;
    }
    err(n, `not a line of numactl --hardware output: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)}`);
  });

  const avail = available as { count: number; ids: number[]; line: number } | null;
  if (!avail) return err(1, 'missing the "available: N nodes (...)" line');
  for (const id of avail.ids) if (!drafts.has(id)) err(avail.line, `node ${id} is listed as available but has no cpus/size lines`);
  for (const d of drafts.values()) {
    if (!avail.ids.includes(d.id)) err(d.line, `node ${d.id} is not in the available list (${avail.ids.join(",")})`);
    if (d.bytes === null) err(d.line, `node ${d.id} has no size line`);
  }
  const ids = [...avail.ids].sort((a, b) => a - b);
  let distance: number[][] | undefined;
  const header = distanceHeader as { ids: number[]; line: number } | null;
  if (header || distanceRows.length) {
    if (!header) return err(distanceRows[0].line, "distance rows without the 'node 0 1 ...' header");
    if (header.ids.join(",") !== ids.join(",")) err(header.line, `distance header lists nodes ${header.ids.join(",")}, expected ${ids.join(",")}`);
    if (distanceRows.length !== ids.length) err(header.line, `distance table has ${distanceRows.length} rows for ${ids.length} nodes`);
    distanceRows.forEach((r, k) => {
      if (r.id !== ids[k]) err(r.line, `distance row for node ${r.id}, expected node ${ids[k]}`);
      if (r.values.length !== ids.length) err(r.line, `distance row has ${r.values.length} values for ${ids.length} nodes`);
    });
    distance = distanceRows.map((r) => r.values);
  }
  const ranges = synthesizeRanges([...drafts.values()]);
  const nodes: NodeDescription[] = ids.map((id) => ({ id, cpus: drafts.get(id)!.cpus, memory: ranges.get(id)! }));
  const desc: MachineDescription = {
    name: options.name ?? "imported",
    description: "imported from numactl --hardware (node sizes only; ranges synthesized contiguously from address 0 in node order)",
    arch: options.arch ?? "x86_64",
    nodes,
    ...(distance ? { distance } : {}),
    // The firmware's SLIT may be asymmetric (e.g. 60 one way, 255 back for a CXL node): the kernel keeps it as is.
    ...(distance && distance.some((row, a) => row.some((v, b) => v !== distance[b]?.[a])) ? { distanceAsymmetric: true } : {}),
  };
  return checkImported(desc, (kind, k) => {
    const line = kind === "nodes" ? drafts.get(ids[k])?.line : kind === "distance" ? distanceRows[k]?.line : undefined;
    return line === undefined ? source : `${source}:${line}`;
  });
}

/**
 * Build a machine description from the files of `/sys/devices/system/node` (read by the caller):
 * keys are paths relative to that folder, values the file contents.
 *
 * - `nodeN/cpulist` (e.g. `0-3`), `nodeN/distance` (e.g. `10 21`, one value per node in id order),
 *   `nodeN/meminfo` (`Node N MemTotal: 5072672 kB`): every node needs cpulist and meminfo or memory blocks.
 * - Optional real addresses: `memory/block_size_bytes` (hex, from `/sys/devices/system/memory`) plus
 *   one key `nodeN/memoryK` per memory block linked in the node folder (contents ignored): the node's
 *   ranges are then its blocks `[K * block_size, (K + 1) * block_size)`, merged. Without them, ranges are
 *   synthesized like {@link parseNumactlHardware} from MemTotal (which counts managed pages, so it
 *   is smaller than the RAM).
 *
 * @param files - file path (relative to the node folder, e.g. `node0/cpulist`) to contents
 * @param options - arch and name of the machine
 * @returns a valid machine description
 * @throws {MachineImportError} (code `BAD_MACHINE_IMPORT`, location `sysfs:nodeN/file:line`)
 * @example
 * ```ts
 * import { machineFromSysfsNodes } from "@pagealloc/physmem";
 * const d = machineFromSysfsNodes({ "node0/cpulist": "0-1\n", "node0/distance": "10\n",
 *   "node0/meminfo": "Node 0 MemTotal:        5072672 kB\nNode 0 MemFree:  3908144 kB\n" });
 * console.log(d.nodes[0].cpus.join(","), JSON.stringify(d.nodes[0].memory)); // => 0,1 [{"start":"0x0","end":"0x1359c8000"}]
 * ```
 */
export function machineFromSysfsNodes(files: Readonly<Record<string, string>>, options: ImportOptions = {}): MachineDescription {
  const source = options.source ?? "sysfs";
  if (typeof files !== "object" || files === null) throw new MachineImportError("input must be an object of file name to contents", source);
  const drafts = new Map<number, NodeDraft & { distance?: { values: number[]; file: string } }>();
  let blockSize: bigint | null = null;
  const draft = (id: number) => {
    let d = drafts.get(id);
    if (!d) {
      d = { id, cpus: [], bytes: null, line: 0 };
      drafts.set(id, d);
    }
    return d;
  };
  const cpulistSeen = new Set<number>();
  for (const [rawKey, content] of Object.entries(files)) {
    const key = rawKey.replace(/\\/g, "/").replace(/^.*?(?=(node\d+|memory)\/)/, "");
    const where = (line = 1) => `${source}:${key}:${line}`;
    if (typeof content !== "string") throw new MachineImportError("file contents must be text", where());
    if (/^memory\/block_size_bytes$/.test(key)) {
      const v = parseSize(`0x${content.trim()}`);
      if (v === null || v === 0n || v % PAGE !== 0n) throw new MachineImportError(`bad block size ${JSON.stringify(content.trim())} (hex bytes)`, where());
      blockSize = v;
      continue;
    }
    const m = /^node(\d+)\/(cpulist|distance|meminfo|memory(\d+))$/.exec(key);
    if (!m) continue; // other sysfs files (cpumap, numastat, vmstat, ...) are not needed
    const d = draft(Number(m[1]));
    if (m[2] === "cpulist") {
      const cpus = parseCpulist(content);
      if (!cpus) throw new MachineImportError(`not a CPU list: ${JSON.stringify(content.trim())}`, where());
      d.cpus = cpus;
      cpulistSeen.add(d.id);
    } else if (m[2] === "distance") {
      const t = content.trim();
      if (!/^\d+(\s+\d+)*$/.test(t)) throw new MachineImportError(`not a list of distances: ${JSON.stringify(t)}`, where());
      d.distance = { values: t.split(/\s+/).map(Number), file: key };
    } else if (m[2] === "meminfo") {
      const lines = content.split(/\r?\n/);
      let found = false;
      lines.forEach((line, i) => {
        const mm = /^Node\s+(\d+)\s+MemTotal:\s+(\d+)\s+kB\s*$/.exec(line);
        if (!mm) return;
        if (Number(mm[1]) !== d.id) throw new MachineImportError(`MemTotal of node ${mm[1]} in node${d.id}/meminfo`, where(i + 1));
        d.bytes = BigInt(mm[2]) << 10n;
        found = true;
      });
      if (!found) throw new MachineImportError('no "Node N MemTotal: X kB" line', where());
    } else {
      (d.blocks ??= []).push(BigInt(m[3]));
    }
  }
  if (drafts.size === 0) throw new MachineImportError("no nodeN/ files (expected node0/cpulist, node0/meminfo, ...)", source);
  const ids = [...drafts.keys()].sort((a, b) => a - b);
  const synthesized = synthesizeRanges([...drafts.values()]);
  const nodes: NodeDescription[] = ids.map((id) => {
    const d = drafts.get(id)!;
    if (!cpulistSeen.has(id)) throw new MachineImportError(`node${id}/cpulist is missing`, `${source}:node${id}`);
    let memory: RangeSpec[];
    if (d.blocks && blockSize !== null) {
      memory = mergeBlocks(d.blocks, blockSize);
    } else if (d.blocks) {
      throw new MachineImportError("memory block entries need memory/block_size_bytes", `${source}:node${id}`);
    } else if (d.bytes === null) {
      throw new MachineImportError(`node${id}/meminfo is missing`, `${source}:node${id}`);
    } else {
      memory = synthesized.get(id)!;
    }
    return { id, cpus: d.cpus, memory };
  });
  const withDistance = ids.filter((id) => drafts.get(id)!.distance);
  let distance: number[][] | undefined;
  if (withDistance.length > 0) {
    for (const id of ids) {
      const dist = drafts.get(id)!.distance;
      if (!dist) throw new MachineImportError(`node${id}/distance is missing while other nodes have one`, `${source}:node${id}`);
      if (dist.values.length !== ids.length) {
        throw new MachineImportError(`has ${dist.values.length} distances for ${ids.length} nodes`, `${source}:${dist.file}:1`);
      }
    }
    distance = ids.map((id) => drafts.get(id)!.distance!.values);
  }
  const usesBlocks = nodes.length > 0 && ids.every((id) => drafts.get(id)!.blocks);
  const desc: MachineDescription = {
    name: options.name ?? "imported",
    description: usesBlocks
      ? "imported from /sys/devices/system/node (ranges from memory blocks)"
      : "imported from /sys/devices/system/node (MemTotal sizes; ranges synthesized contiguously from address 0 in node order)",
    arch: options.arch ?? "x86_64",
    nodes,
    ...(distance ? { distance } : {}),
  };
  return checkImported(desc, (kind, k) => (kind === null ? source : `${source}:node${ids[k]}/${kind === "nodes" ? "cpulist" : "distance"}:1`));
}

function mergeBlocks(blocks: bigint[], blockSize: bigint): RangeSpec[] {
  const sorted = [...new Set(blocks)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: { start: bigint; end: bigint }[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === b * blockSize) last.end += blockSize;
    else out.push({ start: b * blockSize, end: (b + 1n) * blockSize });
  }
  return out.map((r) => ({ start: hex(r.start), end: hex(r.end) }));
}
