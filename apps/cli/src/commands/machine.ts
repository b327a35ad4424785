// `pagealloc machine ...`: list, show and import machine descriptions (@pagealloc/physmem).
// File and directory reading happens here; parsing and validation live in physmem.
import fs from "node:fs";
import path from "node:path";
import {
  type ArchName,
  type Machine,
  type MachineDescription,
  ARCH_NAMES,
  DEFAULT_KERNEL_VERSION,
  InvalidMachineError,
  PageallocError,
  archFacts,
  formatCpulist,
  formatMemRange,
  formatSize,
  getPreset,
  isArchName,
  listPresets,
  loadMachine,
  machineFromSysfsNodes,
  parseNumactlHardware,
  presets,
} from "@pagealloc/physmem";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { readDirEntries, readJsonFile, readTextFile, writeJson } from "../options";

/** Options every `machine import` source receives besides its own value. */
export interface MachineImportContext {
  arch: ArchName;
  name: string | undefined;
}

/**
 * One input format `pagealloc machine import` understands. Exactly one source option may be given;
 * its value (a file or directory name) is handed to `load`, which reads it and returns a description.
 */
export interface MachineImportSource {
  /** Commander flags, e.g. `--numactl <file>`. */
  flags: string;
  /** The camelCase option key commander derives from the flags, e.g. `numactl`. */
  key: string;
  description: string;
  load(value: string, ctx: MachineImportContext): MachineDescription;
}

// The formats built in here; other layers add theirs with addMachineImportSource (e.g. the zones
// layer's `--zoneinfo`, from its own command module, before the program is built).
const importSources: MachineImportSource[] = [
  {
    flags: "--numactl <file>",
    key: "numactl",
    description: "output of `numactl --hardware` (node sizes only: ranges are synthesized)",
    load: (file, ctx) => parseNumactlHardware(readTextFile(file), { arch: ctx.arch, name: ctx.name, source: file }),
  },
  {
    flags: "--sysfs <dir>",
    key: "sysfs",
    description: "a /sys/devices/system/node folder (with ../memory/block_size_bytes for real ranges)",
    load: (dir, ctx) => machineFromSysfsNodes(readSysfsNodeDir(dir), { arch: ctx.arch, name: ctx.name, source: dir }),
  },
];

/**
 * Add an input format to `pagealloc machine import` (e.g. `--zoneinfo` from @pagealloc/zones).
 * Call before {@link registerMachine} builds the command (i.e. at module load of the caller).
 */
export function addMachineImportSource(source: MachineImportSource): void {
  if (importSources.some((s) => s.key === source.key)) throw new UsageError(`machine import source --${source.key} is registered twice`);
  importSources.push(source);
}

/** Read the files of a /sys/devices/system/node folder the physmem importer needs. */
function readSysfsNodeDir(dir: string): Record<string, string> {
  const entries = readDirEntries(dir);
  const files: Record<string, string> = {};
  for (const node of entries.filter((e) => /^node\d+$/.test(e))) {
    for (const f of readDirEntries(path.join(dir, node))) {
      if (/^(cpulist|distance|meminfo)$/.test(f)) files[`${node}/${f}`] = readTextFile(path.join(dir, node, f));
      else if (/^memory\d+$/.test(f)) files[`${node}/${f}`] = "";
    }
  }
  const blockSize = path.join(dir, "..", "memory", "block_size_bytes");
  if (fs.existsSync(blockSize)) files["memory/block_size_bytes"] = readTextFile(blockSize);
  return files;
}

/**
 * A machine named on the command line: a preset name or a JSON file with a machine description.
 * Shared with the other commands that take `--machine`.
 */
export function resolveMachine(spec: string): Machine {
  if (Object.prototype.hasOwnProperty.call(presets, spec)) return getPreset(spec);
  if (!fs.existsSync(spec)) {
    throw new UsageError(`${spec}: neither a preset (${listPresets().map((p) => p.name).join(", ")}) nor a file`);
  }
  const json = readJsonFile(spec);
  try {
    return loadMachine(json);
  } catch (e) {
    if (e instanceof InvalidMachineError) throw new PageallocError(e.code, `${spec}: ${e.message}`);
    throw e;
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** The SLIT as `numactl --hardware` prints it ("node distances:" block). */
function formatDistances(m: Machine): string {
  let out = "node distances:\nnode ";
  for (const n of m.nodes) out += `${String(n.id).padStart(3)} `;
  out += "\n";
  m.nodes.forEach((n, i) => {
    out += `${String(n.id).padStart(3)}: `;
    for (const d of m.distance[i]) out += `${String(d).padStart(3)} `;
    out += "\n";
  });
  return out;
}

/** A page count as a size: exact (`16M`) when it is a whole number of a unit, else one decimal (`4.0G`). */
function bytes(pages: number, pageShift: number): string {
  const exact = formatSize(BigInt(pages) << BigInt(pageShift));
  if (/[GTPE]$/.test(exact) || /^\d+M$/.test(exact)) return exact;
  const b = pages * 2 ** pageShift;
  for (const [unit, size] of [["T", 2 ** 40], ["G", 2 ** 30], ["M", 2 ** 20]] as const) {
    if (b >= size) return `${(b / size).toFixed(1)}${unit}`;
  }
  return exact;
}

/** Human summary of a machine: arch facts, nodes, ranges in the kernel's boot-log notation, distances. */
export function formatMachine(m: Machine, version: string = DEFAULT_KERNEL_VERSION): string {
  const f = archFacts(m.arch, version, m.archOptions);
  const cpus = m.nodes.reduce((s, n) => s + n.cpus.length, 0);
  const lines: string[] = [];
  lines.push(`machine ${m.name}${m.description ? `: ${m.description}` : ""}`);
  lines.push(`arch ${m.arch} (kernel ${version}): page size ${f.pageSize}, ${f.physAddrBits}-bit physical addresses, PAGE_OFFSET 0x${f.pageOffset.toString(16)}`);
  const limits = Object.entries(f.zoneLimitsPfn).map(([zone, pfn]) => `${zone} below pfn ${pfn}`);
  if (f.lowmemLimitPfn !== null) limits.push(`lowmem below pfn ${f.lowmemLimitPfn}`);
  lines.push(`zones ${f.zoneTypes.join(" ")}${limits.length ? `; ${limits.join(", ")}` : ""}`);
  lines.push(`${m.nodes.length} node${m.nodes.length === 1 ? "" : "s"}, ${cpus} CPU${cpus === 1 ? "" : "s"}, ${m.totalPages} pages (${bytes(m.totalPages, m.pageShift)}) present, max_pfn ${m.maxPfn} (0x${m.maxPfn.toString(16)})`);
  lines.push("Early memory node ranges");
  for (const n of m.nodes) {
    for (const r of n.ranges) lines.push(`  node ${String(n.id).padStart(3)}: ${formatMemRange(r.startPfn, r.endPfn, m.pageShift)}`);
  }
  for (const n of m.nodes) {
    const span = n.ranges.length ? `spans pfn ${n.spannedStartPfn}-${n.spannedEndPfn}` : "no memory";
    lines.push(`node ${n.id}: cpus ${n.cpus.length ? formatCpulist(n.cpus) : "none"}, ${n.presentPages} pages (${bytes(n.presentPages, m.pageShift)}), ${span}`);
    for (const r of n.reservedPfns) lines.push(`  reserved ${formatMemRange(r.startPfn, r.endPfn, m.pageShift)}`);
  }
  for (const o of m.zoneOverrides ?? []) lines.push(`zone override: node ${o.nid} ${o.zone} managed ${o.managedPages}`);
  if (m.cmdline) lines.push(`cmdline: ${Object.entries(m.cmdline).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  return `${lines.join("\n")}\n${formatDistances(m)}`;
}

/** Register `pagealloc machine` (presets, show, import). */
export function registerMachine(program: Command, io: Io): void {
  const machine = program.command("machine").description("machines: presets, descriptions (JSON) and importers from real systems");

  machine
    .command("presets")
    .description("list the preset machines and what real machine each resembles")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      const rows = listPresets().map((p) => {
        const m = getPreset(p.name);
        return { name: p.name, arch: m.arch, nodes: m.nodes.length, cpus: m.nodes.reduce((s, n) => s + n.cpus.length, 0), memory: bytes(m.totalPages, m.pageShift), summary: p.summary };
      });
      if (opts.json) return writeJson(io, rows);
      const header = ["NAME", "ARCH", "NODES", "CPUS", "MEMORY", "DESCRIPTION"];
      const cells = rows.map((r) => [r.name, r.arch, String(r.nodes), String(r.cpus), r.memory, r.summary]);
      const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 2);
      const line = (c: string[]) => `${c.slice(0, -1).map((x, i) => pad(x, widths[i])).join("")}${c[c.length - 1]}\n`;
      io.out(line(header) + cells.map(line).join(""));
    });

  machine
    .command("show")
    .description("summarize a preset or a machine description file")
    .argument("<machine>", "preset name or machine JSON file")
    .option("--json", "print the normalized machine as JSON")
    .option("--kernel <version>", "kernel version for the architecture facts", DEFAULT_KERNEL_VERSION)
    .action((spec: string, opts: { json?: boolean; kernel: string }) => {
      const m = resolveMachine(spec);
      if (opts.json) writeJson(io, m);
      else io.out(formatMachine(m, opts.kernel));
    });

  // Import sources: one option per input format (see addMachineImportSource).
  const imp = machine
    .command("import")
    .description("build a machine description (JSON) from a real system's output")
    .option("--arch <arch>", `architecture of the imported machine (${ARCH_NAMES.join(", ")})`, "x86_64")
    .option("--name <name>", "machine name")
    .option("-o, --output <file>", "write the description to a file instead of stdout");
  for (const s of importSources) imp.option(s.flags, s.description);
  imp.action((opts: Record<string, string | undefined>) => {
    const chosen = importSources.filter((s) => opts[s.key] !== undefined);
    if (chosen.length !== 1) {
      throw new UsageError(`machine import needs exactly one of ${importSources.map((s) => s.flags.split(" ")[0]).join(", ")}`);
    }
    const arch = opts.arch ?? "x86_64";
    if (!isArchName(arch)) throw new UsageError(`--arch ${arch}: unknown architecture (known: ${ARCH_NAMES.join(", ")})`);
    const source = chosen[0];
    const desc = source.load(opts[source.key] as string, { arch, name: opts.name });
    const text = `${JSON.stringify(desc, null, 2)}\n`;
    if (opts.output) {
      try {
        fs.writeFileSync(opts.output, text);
      } catch {
        throw new UsageError(`${opts.output}: cannot be written`);
      }
      io.out(`wrote ${opts.output}: ${desc.nodes.length} node(s)\n`);
    } else {
      io.out(text);
    }
  });
}
