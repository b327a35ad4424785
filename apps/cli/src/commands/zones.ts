// `pagealloc zoneinfo`, `pagealloc zonelist` and the `--zoneinfo` source of `pagealloc machine import`
// (@pagealloc/zones). Files and directories are read here; parsing and formulas live in zones.
import fs from "node:fs";
import path from "node:path";
import { formatGfp, parseGfp } from "@pagealloc/gfp";
import { DEFAULT_KERNEL_VERSION, type Machine, loadMachine, parseKernelVersion } from "@pagealloc/physmem";
import {
  type ParsedZone,
  type Sysctls,
  type ZoneSet,
  buildZonelists,
  buildZones,
  candidateZones,
  machineFromZoneinfo,
  parseSysctlDir,
  parseSysctlOptions,
  parseZoneinfo,
  renderZoneinfoStatic,
  zonelistBootMessages,
  zonelistFor,
} from "@pagealloc/zones";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { collect, readDirEntries, readTextFile, writeJson } from "../options";
import { addMachineImportSource, resolveMachine } from "./machine";

/** Read the files of a /proc/sys/vm-style directory (only regular, readable files). */
function readSysctlDir(dir: string): Record<string, string> {
  const entries = readDirEntries(dir);
  const files: Record<string, string> = {};
  for (const name of entries) {
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).isFile()) files[name] = fs.readFileSync(file, "utf8");
    } catch {
      // write-only files such as compact_memory or drop_caches cannot be read: not needed
    }
  }
  return files;
}

interface SysctlArgs {
  sysctlDir?: string;
  sysctl?: string[];
}

/** Sysctls from `--sysctl-dir` then `--sysctl vm.NAME=VALUE` (later wins). */
function sysctlsFrom(opts: SysctlArgs): Partial<Sysctls> {
  const base = opts.sysctlDir ? parseSysctlDir(readSysctlDir(opts.sysctlDir)) : {};
  return parseSysctlOptions(opts.sysctl ?? [], base);
}

function kernelOf(v: string | undefined): string {
  return parseKernelVersion(v ?? DEFAULT_KERNEL_VERSION).raw;
}

// Options of `machine import` that only the --zoneinfo source reads; captured before the action runs.
let importOptions: SysctlArgs & { kernel?: string } = {};
let reportIo: Io | undefined;

/** The computed values of a parsed zone (what the importer does not copy). */
function computedValues(z: ParsedZone): string {
  const b = z.boost ?? 0;
  const w = [z.min, z.low, z.high, z.promo].filter((x) => x !== undefined).map((x) => (x as number) - b);
  return JSON.stringify([w, z.protection, z.pagesets.map((p) => [p.batch, p.highMin, p.highMax]), z.vmStatThreshold]);
}

/** Recompute the imported machine and say how many zones' computed values match the file. */
function checkImport(text: string, machine: Machine, version: string, sysctls: Partial<Sysctls>): string {
  const parsed = parseZoneinfo(text);
  const zs = buildZones(machine, { version, sysctls, cpus: Math.max(1, parsed.cpus.length) });
  const ours = parseZoneinfo(renderZoneinfoStatic(zs)).zones;
  const differ = parsed.zones.filter((z) => {
    const o = ours.find((x) => x.nid === z.nid && x.name === z.name);
    return !o || computedValues(o) !== computedValues(z);
  });
  const head = `recomputed with kernel ${version}, min_free_kbytes ${zs.minFreeKbytes}`;
  if (!differ.length) return `${head}: watermarks, protection and pcp sizes of all ${parsed.zones.length} zones match the file\n`;
  return `${head}: ${differ.length} of ${parsed.zones.length} zones differ (${differ.map((z) => `node ${z.nid} ${z.name}`).join(", ")}); pass the machine's /proc/sys/vm with --sysctl-dir\n`;
}

addMachineImportSource({
  flags: "--zoneinfo <file>",
  key: "zoneinfo",
  description: "a /proc/zoneinfo (zone sizes; watermarks and pcp sizes are recomputed, see --sysctl-dir)",
  load: (file, ctx) => {
    const text = readTextFile(file);
    const version = importOptions.kernel ? kernelOf(importOptions.kernel) : undefined;
    // x86_64 is the option's default; a zoneinfo with HighMem comes from a 32-bit kernel
    const highmem = /zone\s+HighMem/.test(text);
    const arch = ctx.arch === "x86_64" && highmem ? "i386" : ctx.arch;
    const desc = machineFromZoneinfo(text, { arch, name: ctx.name ?? path.basename(file), ...(version ? { version } : {}) });
    if (reportIo) {
      const machine = loadMachine(desc);
      reportIo.err(checkImport(text, machine, version ?? (parseZoneinfo(text).zones.some((z) => z.managed !== undefined) ? DEFAULT_KERNEL_VERSION : "2.6.24"), sysctlsFrom(importOptions)));
    }
    return desc;
  },
});

function zoneSetFor(spec: string, opts: SysctlArgs & { kernel?: string; cpus?: string }): ZoneSet {
  const machine = resolveMachine(spec);
  const cpus = opts.cpus === undefined ? undefined : Number(opts.cpus);
  if (cpus !== undefined && !(Number.isSafeInteger(cpus) && cpus > 0)) throw new UsageError(`--cpus ${opts.cpus}: expected a positive integer`);
  return buildZones(machine, { version: kernelOf(opts.kernel), sysctls: sysctlsFrom(opts), ...(cpus ? { cpus } : {}) });
}

const zoneRefText = (z: { nid: number; name: string }) => `Node ${z.nid} ${z.name}`;

/** Register `pagealloc zoneinfo` and `pagealloc zonelist`, and the extra options of `machine import --zoneinfo`. */
export function registerZones(program: Command, io: Io): void {
  reportIo = io;
  const imp = program.commands.find((c) => c.name() === "machine")?.commands.find((c) => c.name() === "import");
  if (imp) {
    imp
      .option("--sysctl-dir <dir>", "with --zoneinfo: the machine's /proc/sys/vm, to check the recomputed values against the file")
      .option("--sysctl <vm.name=value>", "with --zoneinfo: a sysctl for that check (repeatable)", collect)
      .option("--kernel <version>", "with --zoneinfo: the kernel that wrote the file (default: 6.18, or 2.6.24 without managed lines)")
      .hook("preAction", (cmd) => {
        importOptions = cmd.opts();
      });
  }

  program
    .command("zoneinfo")
    .description("print /proc/zoneinfo of a machine as the kernel computes it at boot (sizes, watermarks, protection, pagesets)")
    .requiredOption("--machine <machine>", "preset name or machine JSON file")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--sysctl <vm.name=value>", "a sysctl or boot option (vm.min_free_kbytes=…, kernelcore=30%; repeatable)", collect)
    .option("--sysctl-dir <dir>", "read sysctls from a /proc/sys/vm-style directory")
    .option("--cpus <n>", "online CPUs (default: the machine's)")
    .option("--json", "print the zone set as JSON")
    .action((opts: SysctlArgs & { machine: string; kernel: string; cpus?: string; json?: boolean }) => {
      const zs = zoneSetFor(opts.machine, opts);
      if (opts.json) writeJson(io, zs);
      else io.out(renderZoneinfoStatic(zs));
    });

  program
    .command("zonelist")
    .description("print the zonelists (fallback order) and the zones an allocation would try")
    .requiredOption("--machine <machine>", "preset name or machine JSON file")
    .option("--node <nid>", "only this node (the preferred node for --gfp)")
    .option("--gfp <expr>", "a gfp mask (GFP_KERNEL|__GFP_THISNODE, 0xcc0): show the zones the allocator tries")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--sysctl <vm.name=value>", "a sysctl (vm.numa_zonelist_order=zone before 4.14; repeatable)", collect)
    .option("--json", "machine-readable output")
    .action((opts: SysctlArgs & { machine: string; node?: string; gfp?: string; kernel: string; json?: boolean }) => {
      const zs = zoneSetFor(opts.machine, opts);
      const zl = buildZonelists(zs);
      const nids = zs.nodes.map((n) => n.nid);
      let nid: number | undefined;
      if (opts.node !== undefined) {
        nid = Number(opts.node);
        if (!Number.isSafeInteger(nid) || !nids.includes(nid)) throw new UsageError(`--node ${opts.node}: no such node (nodes: ${nids.join(", ")})`);
      }
      const version = zl.version;
      const gfp = opts.gfp === undefined ? undefined : parseGfp(opts.gfp, version);
      const shown = zl.nodes.filter((n) => nid === undefined || n.nid === nid);
      const candidates = gfp === undefined ? undefined : candidateZones(zl, zs, gfp, { nid: nid ?? nids[0] });
      if (opts.json) {
        writeJson(io, {
          version,
          order: zl.order,
          nodes: shown.map((n) => ({ nid: n.nid, nodeOrder: n.nodeOrder, fallback: zonelistFor(zl, n.nid), thisNode: zonelistFor(zl, n.nid, { thisNode: true }) })),
          ...(candidates && gfp !== undefined ? { gfp: { mask: `0x${gfp.toString(16)}`, flags: formatGfp(gfp, version), ...candidates } } : {}),
        });
        return;
      }
      let out = `${zonelistBootMessages(zs, zl).join("\n")}\n`;
      for (const n of shown) {
        out += `Node ${n.nid} fallback:   ${zonelistFor(zl, n.nid).map(zoneRefText).join(", ") || "(empty)"}\n`;
        out += `Node ${n.nid} thisnode:   ${zonelistFor(zl, n.nid, { thisNode: true }).map(zoneRefText).join(", ") || "(empty)"}\n`;
      }
      if (candidates && gfp !== undefined) {
        const flags = formatGfp(gfp, version) || `0x${gfp.toString(16)}`;
        out += `gfp 0x${gfp.toString(16)} (${flags}) from node ${nid ?? nids[0]}: highest zone ${candidates.highestZone} (index ${candidates.highestZoneIdx})${candidates.thisNode ? ", __GFP_THISNODE: no fallback" : ""}\n`;
        out += `tries: ${candidates.zones.map(zoneRefText).join(" -> ") || "(no zone: the allocation fails)"}\n`;
      }
      io.out(out);
    });
}
