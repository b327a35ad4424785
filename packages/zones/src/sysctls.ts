import { type KernelVersion, DEFAULT_KERNEL_VERSION, versionAtLeast } from "@pagealloc/physmem";
import type { ZoneName } from "@pagealloc/gfp";
import { InvalidSysctlError } from "./errors";
import { defaultLowmemReserveRatio } from "./watermarks";
import { zoneVersionFacts } from "./version-facts";

/**
 * The vm.* sysctls (and boot options) the zone layer reads. Unset optional fields mean "the kernel's
 * default": `min_free_kbytes` unset = computed at boot (sqrt formula, raised by THP).
 */
export interface Sysctls {
  /** vm.min_free_kbytes as written by the user (user_min_free_kbytes); unset = computed. */
  readonly min_free_kbytes?: number;
  /** vm.watermark_scale_factor (4.6+), 1..3000, default 10. */
  readonly watermark_scale_factor: number;
  /** vm.watermark_boost_factor (5.0+), default 15000. */
  readonly watermark_boost_factor: number;
  /** vm.lowmem_reserve_ratio by zone index; unset = the version's default for the arch. */
  readonly lowmem_reserve_ratio?: readonly number[];
  /** vm.percpu_pagelist_high_fraction (5.14+): 0 or ≥ 8. */
  readonly percpu_pagelist_high_fraction: number;
  /** vm.percpu_pagelist_fraction (2.6.24–5.13): 0 or ≥ 8. */
  readonly percpu_pagelist_fraction: number;
  /** vm.numa_zonelist_order: "default" | "node" | "zone" (zone order only before 4.14). */
  readonly numa_zonelist_order: "default" | "node" | "zone";
  /**
   * Whether PMD-sized transparent hugepages are enabled (/sys/kernel/mm/transparent_hugepage/enabled
   * is "always" or "madvise"): khugepaged then raises min_free_kbytes. Default: on from 2.6.38.
   */
  readonly transparent_hugepage?: boolean;
  /** kernelcore= boot option: bytes ("512M"), a percentage ("30%"), or "mirror" (not modelled). */
  readonly kernelcore?: string;
  /** movablecore= boot option: bytes or a percentage. */
  readonly movablecore?: string;
}

/** The defaults of every sysctl the zone layer reads. */
export const DEFAULT_SYSCTLS: Sysctls = {
  watermark_scale_factor: 10,
  watermark_boost_factor: 15000,
  percpu_pagelist_high_fraction: 0,
  percpu_pagelist_fraction: 0,
  numa_zonelist_order: "default",
};

/** Sysctls with every default filled in for a version and zone configuration. */
export interface ResolvedSysctls extends Sysctls {
  readonly lowmem_reserve_ratio: readonly number[];
  readonly transparent_hugepage: boolean;
}

/**
 * Fill the defaults of a version into partial sysctls.
 * kernel: mm/page_alloc.c (sysctl defaults), mm/huge_memory.c (THP default)
 *
 * @param sysctls - what was given
 * @param zoneTypes - the arch's zones (for lowmem_reserve_ratio's default)
 * @param version - kernel version
 * @returns every field set
 * @example
 * ```ts
 * import { resolveSysctls } from "@pagealloc/zones";
 * const s = resolveSysctls({}, ["DMA", "DMA32", "Normal", "Movable", "Device"], "6.18");
 * console.log(s.lowmem_reserve_ratio.join(" "), s.watermark_scale_factor); // => 256 256 32 0 0 10
 * ```
 */
export function resolveSysctls(sysctls: Partial<Sysctls>, zoneTypes: readonly ZoneName[], version: KernelVersion | string = DEFAULT_KERNEL_VERSION): ResolvedSysctls {
  const merged = { ...DEFAULT_SYSCTLS, ...stripUndefined(sysctls) };
  const ratio = merged.lowmem_reserve_ratio ?? defaultLowmemReserveRatio(zoneTypes, version);
  return {
    ...merged,
    lowmem_reserve_ratio: zoneTypes.map((_z, i) => ratio[i] ?? 0),
    transparent_hugepage: merged.transparent_hugepage ?? versionAtLeast(version, "2.6.38"),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function parseInteger(text: string, location: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new InvalidSysctlError(`not an integer: ${JSON.stringify(text)}`, location);
  return Number(t);
}

function checkRange(name: string, value: number, min: number, max: number, location: string): number {
  if (value < min || value > max) throw new InvalidSysctlError(`${name} must be in [${min}, ${max}], got ${value}`, location);
  return value;
}

type Setter = (value: string, location: string) => Partial<Sysctls>;

// kernel: mm/page_alloc.c page_alloc_sysctl_table (proc handlers and their bounds), 6.18
const SETTERS: Record<string, Setter> = {
  min_free_kbytes: (v, loc) => ({ min_free_kbytes: checkRange("min_free_kbytes", parseInteger(v, loc), 0, 2 ** 31 - 1, loc) }),
  watermark_scale_factor: (v, loc) => ({ watermark_scale_factor: checkRange("watermark_scale_factor", parseInteger(v, loc), 1, 3000, loc) }),
  watermark_boost_factor: (v, loc) => ({ watermark_boost_factor: checkRange("watermark_boost_factor", parseInteger(v, loc), 0, 2 ** 31 - 1, loc) }),
  percpu_pagelist_high_fraction: (v, loc) => ({ percpu_pagelist_high_fraction: fraction("percpu_pagelist_high_fraction", v, loc) }),
  percpu_pagelist_fraction: (v, loc) => ({ percpu_pagelist_fraction: fraction("percpu_pagelist_fraction", v, loc) }),
  lowmem_reserve_ratio: (v, loc) => ({
    // kernel: lowmem_reserve_ratio_sysctl_handler(): values below 1 are stored as 0
    lowmem_reserve_ratio: v.trim().split(/\s+/).filter(Boolean).map((x) => Math.max(0, parseInteger(x, loc))),
  }),
  numa_zonelist_order: (v, loc) => {
    const c = v.trim().charAt(0).toLowerCase();
    if (c === "d") return { numa_zonelist_order: "default" };
    if (c === "n") return { numa_zonelist_order: "node" };
    if (c === "z") return { numa_zonelist_order: "zone" };
    throw new InvalidSysctlError(`numa_zonelist_order must be default, node or zone, got ${JSON.stringify(v.trim())}`, loc);
  },
  transparent_hugepage: (v, loc) => {
    // /sys/kernel/mm/transparent_hugepage/enabled prints "always [madvise] never"; the bracket is the choice.
    const chosen = /\[(\w+)\]/.exec(v)?.[1] ?? v.trim();
    if (["always", "madvise", "1", "true", "on", "y"].includes(chosen)) return { transparent_hugepage: true };
    if (["never", "0", "false", "off", "n"].includes(chosen)) return { transparent_hugepage: false };
    throw new InvalidSysctlError(`transparent_hugepage must be always, madvise or never, got ${JSON.stringify(v.trim())}`, loc);
  },
  kernelcore: (v, loc) => ({ kernelcore: sizeOption("kernelcore", v, loc) }),
  movablecore: (v, loc) => ({ movablecore: sizeOption("movablecore", v, loc) }),
};

function fraction(name: string, v: string, loc: string): number {
  const n = parseInteger(v, loc);
  if (n !== 0 && n < 8) throw new InvalidSysctlError(`${name} must be 0 or at least 8, got ${n}`, loc);
  return n;
}

function sizeOption(name: string, v: string, loc: string): string {
  const t = v.trim();
  if (t === "mirror" && name === "kernelcore") return t;
  if (!/^\d+(?:[KMGTPE]|%)?$/i.test(t)) throw new InvalidSysctlError(`${name}= must be a size (512M, 4G) or a percentage (30%), got ${JSON.stringify(t)}`, loc);
  return t;
}

function canonicalName(raw: string): string {
  return raw.trim().replace(/^vm\./, "").replace(/^\/proc\/sys\/vm\//, "");
}

/**
 * Read sysctls from the files of a `/proc/sys/vm`-style directory, given as file name → content.
 * Files the zone layer does not use are ignored; known ones are validated like the kernel's handlers.
 * kernel: mm/page_alloc.c page_alloc_sysctl_table
 *
 * @param files - e.g. `{ min_free_kbytes: "67584\n", lowmem_reserve_ratio: "256\t256\t32\t0\t0\n" }`
 * @returns the sysctls found
 * @throws {InvalidSysctlError} for a value the kernel would reject (location = file name)
 * @example
 * ```ts
 * import { parseSysctlDir } from "@pagealloc/zones";
 * const s = parseSysctlDir({ min_free_kbytes: "67584\n", lowmem_reserve_ratio: "256\t256\t32\t0\t0\n", swappiness: "60\n" });
 * console.log(s.min_free_kbytes, s.lowmem_reserve_ratio.join(",")); // => 67584 256,256,32,0,0
 * ```
 */
export function parseSysctlDir(files: Readonly<Record<string, string>>): Partial<Sysctls> {
  let out: Partial<Sysctls> = {};
  for (const [name, text] of Object.entries(files)) {
    const key = canonicalName(name);
    const set = SETTERS[key];
    if (set) out = { ...out, ...set(text, name) };
  }
  return out;
}

/**
 * Read sysctls from `name=value` options (`vm.min_free_kbytes=65536`, `watermark_scale_factor=100`,
 * `kernelcore=30%`). Unlike a directory, an unknown name is an error.
 *
 * @param options - the options, in order (later ones win)
 * @param base - sysctls to start from
 * @returns the merged sysctls
 * @throws {InvalidSysctlError} for an unknown name or a bad value (location = the option)
 * @example
 * ```ts
 * import { parseSysctlOptions } from "@pagealloc/zones";
 * console.log(parseSysctlOptions(["vm.watermark_scale_factor=100"]).watermark_scale_factor); // => 100
 * ```
 */
export function parseSysctlOptions(options: readonly string[], base: Partial<Sysctls> = {}): Partial<Sysctls> {
  let out: Partial<Sysctls> = { ...base };
  for (const opt of options) {
    const eq = opt.indexOf("=");
    if (eq < 0) throw new InvalidSysctlError(`expected NAME=VALUE, got ${JSON.stringify(opt)}`, opt);
    const key = canonicalName(opt.slice(0, eq));
    const set = SETTERS[key];
    if (!set) throw new InvalidSysctlError(`unknown sysctl ${JSON.stringify(key)} (known: ${Object.keys(SETTERS).join(", ")})`, opt);
    out = { ...out, ...set(opt.slice(eq + 1), opt) };
  }
  return out;
}

/** The pcp fraction sysctl that applies to a version (percpu_pagelist_fraction before 5.14). */
export function pcpFraction(sysctls: Sysctls, version: KernelVersion | string): number {
  return zoneVersionFacts(version).pcpFractionSysctl === "percpu_pagelist_high_fraction"
    ? sysctls.percpu_pagelist_high_fraction
    : sysctls.percpu_pagelist_fraction;
}
