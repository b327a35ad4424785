import { PageallocError } from "./errors";
import { type Machine, type MachineDescription, loadMachine } from "./machine";

/** A named machine description with a note on the real machine it resembles. */
export interface Preset {
  readonly name: string;
  /** One line: what real machine this resembles and why it is useful. */
  readonly summary: string;
  readonly description: MachineDescription;
}

// The x86 PC low-memory layout, as e820 reports it and as the live 6.18 boot log in
// kernel-facts §2.2 shows it: pfn 0 (BIOS data) and 0x9f000-0xfffff (EBDA, VGA, option ROMs)
// are not RAM; the PCI hole sits below 4 GiB.
const PC_LOW = [
  { start: "0x1000", end: "0x9f000" },
  { start: "0x100000", end: "0xc0000000" },
];

const PRESET_LIST: readonly Preset[] = [
  {
    name: "tiny-16m",
    summary: "teaching machine: x86_64, 1 node, 2 CPUs, 16 MiB in one range; every page is in ZONE_DMA (below MAX_DMA_PFN 4096), small enough to print every free list",
    description: {
      name: "tiny-16m",
      description: "A 16 MiB x86_64 machine for teaching: pfns 0..4095 in one range, so ZONE_DMA holds all of it and DMA32/Normal are empty.",
      arch: "x86_64",
      nodes: [{ id: 0, cpus: [0, 1], memory: [{ start: 0, size: "16M" }] }],
    },
  },
  {
    name: "pc-4g",
    summary: "4 GiB x86_64 PC: 1 node, 4 CPUs, the real low-memory holes (pfn 0, 0x9f-0xff) and a 1 GiB PCI hole below 4 GiB, the last GiB remapped above 4 GiB",
    description: {
      name: "pc-4g",
      description: "A 4 GiB desktop PC as e820 reports it: [0x1000,0x9f000) [0x100000,0xc0000000) [0x100000000,0x140000000), the layout of the live boot log in kernel-facts 2.2.",
      arch: "x86_64",
      nodes: [{ id: 0, cpus: "0-3", memory: [...PC_LOW, { start: "0x100000000", end: "0x140000000" }] }],
    },
  },
  {
    name: "server-2s-256g",
    summary: "two-socket x86_64 server (e.g. Xeon Scalable, 16 cores x 2 threads per socket): 2 nodes x 128 GiB, SLIT 10/21, 2 GiB PCI hole",
    description: {
      name: "server-2s-256g",
      description: "2 sockets, one NUMA node each, 128 GiB per node; CPUs enumerated the Intel way (node 0: 0-15,32-47; node 1: 16-31,48-63); SLIT 10/21 as on most 2-socket Intel servers.",
      arch: "x86_64",
      nodes: [
        { id: 0, cpus: "0-15,32-47", memory: [{ start: "0x1000", end: "0x9f000" }, { start: "0x100000", end: "0x80000000" }, { start: "0x100000000", end: "0x2080000000" }] },
        { id: 1, cpus: "16-31,48-63", memory: [{ start: "0x2080000000", size: "128G" }] },
      ],
      distance: [
        [10, 21],
        [21, 10],
      ],
    },
  },
  {
    name: "numa-4node",
    summary: "AMD Opteron-style 4-node x86_64 (e.g. 2x Magny-Cours, 2 dies per package): 4 x 16 GiB, 8 CPUs per node, SLIT 10/16/16/22",
    description: {
      name: "numa-4node",
      description: "Four NUMA nodes of 16 GiB with the ring-like SLIT of a HyperTransport system: neighbours 16, the diagonal partner 22.",
      arch: "x86_64",
      nodes: [
        { id: 0, cpus: "0-7", memory: [...PC_LOW, { start: "0x100000000", end: "0x440000000" }] },
        { id: 1, cpus: "8-15", memory: [{ start: "0x440000000", size: "16G" }] },
        { id: 2, cpus: "16-23", memory: [{ start: "0x840000000", size: "16G" }] },
        { id: 3, cpus: "24-31", memory: [{ start: "0xc40000000", size: "16G" }] },
      ],
      distance: [
        [10, 16, 16, 22],
        [16, 10, 22, 16],
        [16, 22, 10, 16],
        [22, 16, 16, 10],
      ],
    },
  },
  {
    name: "i386-1g-highmem",
    summary: "32-bit x86 PC (non-PAE, HIGHMEM4G) with 1 GiB: the memory above the lowmem limit (896 MiB on 2.6.24, ~887 MiB later) is ZONE_HIGHMEM",
    description: {
      name: "i386-1g-highmem",
      description: "A 1 GiB 32-bit PC: [0x1000,0x9f000) [0x100000,0x40000000); with the 3G/1G split the kernel maps only ~896 MiB directly, the rest (~128 MiB) is HighMem.",
      arch: "i386",
      nodes: [{ id: 0, cpus: [0, 1], memory: [PC_LOW[0], { start: "0x100000", end: "0x40000000" }] }],
    },
  },
  {
    name: "book-i386",
    summary: "the book's era: a 2 GiB Pentium 4 HT desktop (2 logical CPUs) booted by a 2.6.2x i386 kernel: one range pfn 0-522192, DMA 0-4096, Normal 4096-229376, HighMem 229376-522192 on 2.6.24",
    description: {
      name: "book-i386",
      description:
        "From a real 2.6.22 i386 boot log (Pentium 4 2.4 GHz HT, 2 GiB, e820 usable up to 0x7f7d0000): the kernel of that era registered one active range 0 -> 522192 and reserved the BIOS page and the ISA hole 0x9f000-0xfffff at boot.",
      arch: "i386",
      nodes: [
        {
          id: 0,
          cpus: [0, 1],
          memory: [{ start: 0, end: "0x7f7d0000" }],
          reserved: [{ start: 0, size: "4K" }, { start: "0x9f000", end: "0x100000" }],
        },
      ],
    },
  },
];

/**
 * The preset machines by name, as validated {@link Preset} records (use {@link getPreset} for the `Machine`).
 *
 * @example
 * ```ts
 * import { presets } from "@pagealloc/physmem";
 * console.log(Object.keys(presets).join(" ")); // => tiny-16m pc-4g server-2s-256g numa-4node i386-1g-highmem book-i386
 * ```
 */
export const presets: Readonly<Record<string, Preset>> = Object.fromEntries(PRESET_LIST.map((p) => [p.name, p]));

const cache = new Map<string, Machine>();

/**
 * A preset as a normalized machine.
 *
 * @param name - one of {@link listPresets}
 * @returns the machine
 * @throws {PageallocError} (code `UNKNOWN_PRESET`) for an unknown name
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * const m = getPreset("pc-4g");
 * console.log(m.totalPages, m.maxPfn); // => 1048478 1310720
 * ```
 */
export function getPreset(name: string): Machine {
  const preset = Object.prototype.hasOwnProperty.call(presets, name) ? presets[name] : undefined;
  if (!preset) {
    throw new PageallocError("UNKNOWN_PRESET", `unknown preset ${JSON.stringify(name)} (known: ${PRESET_LIST.map((p) => p.name).join(", ")})`, "preset");
  }
  let m = cache.get(name);
  if (!m) {
    m = loadMachine(preset.description);
    cache.set(name, m);
  }
  return m;
}

/**
 * Names and one-line summaries of the presets, in a stable order.
 *
 * @example
 * ```ts
 * import { listPresets } from "@pagealloc/physmem";
 * console.log(listPresets()[0].name); // => tiny-16m
 * ```
 */
export function listPresets(): { name: string; summary: string }[] {
  return PRESET_LIST.map((p) => ({ name: p.name, summary: p.summary }));
}
