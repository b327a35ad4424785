import { PageallocError } from "./errors";
import { DEFAULT_KERNEL_VERSION, type KernelVersion, parseKernelVersion, pickByVersion, versionAtLeast } from "./version";

/** The architectures pagealloc models. `i386` is the non-PAE 32-bit x86 kernel (HIGHMEM4G). */
export type ArchName = "x86_64" | "i386" | "i386-pae" | "arm64";

/** Every modelled architecture, in a stable order. */
export const ARCH_NAMES: readonly ArchName[] = ["x86_64", "i386", "i386-pae", "arm64"];

/** Zone names as the kernel prints them (mm/page_alloc.c `zone_names`). */
export type ArchZoneName = "DMA" | "DMA32" | "Normal" | "HighMem" | "Movable" | "Device";

/** True when `name` is one of {@link ARCH_NAMES}. */
export function isArchName(name: unknown): name is ArchName {
  return typeof name === "string" && (ARCH_NAMES as readonly string[]).includes(name);
}

/** Configuration choices that change an architecture's facts (kernel config / boot options). */
export interface ArchOptions {
  /**
   * x86_64 only: 5-level paging (CONFIG_X86_5LEVEL on la57 hardware, 4.14+): 52 physical address
   * bits and the direct map at 0xff11000000000000 (0xff10000000000000 before 4.19.5/4.20).
   */
  fiveLevelPaging?: boolean;
  /**
   * i386 / i386-pae: end of ZONE_NORMAL (max_low_pfn for a machine with more memory than that).
   * Overrides the per-version default; models `vmalloc=` or a different NR_CPUS (fixmap size).
   */
  lowmemLimitPfn?: number;
  /**
   * arm64 (5.5+): zone_dma_limit in bytes, the highest address + 1 that every DMA master can reach
   * (from the device tree `dma-ranges` / ACPI IORT). E.g. 1 GiB on a Raspberry Pi 4.
   */
  zoneDmaLimit?: number | bigint;
  /** arm64 only: the page size granule, 12 (4K, default), 14 (16K) or 16 (64K). */
  pageShift?: 12 | 14 | 16;
  /** Whether CONFIG_ZONE_DEVICE is configured (default: true where the arch and version allow it). */
  zoneDevice?: boolean;
}

/** What the kernel's memory code knows about an architecture at a given version. */
export interface ArchFacts {
  readonly arch: ArchName;
  /** The kernel version these facts are for (as given). */
  readonly version: string;
  readonly is64bit: boolean;
  /** PAGE_SHIFT. */
  readonly pageShift: number;
  /** PAGE_SIZE in bytes. */
  readonly pageSize: number;
  /** MAX_PHYSMEM_BITS: physical addresses are below 2^physAddrBits. */
  readonly physAddrBits: number;
  /** 2^physAddrBits: the first physical address the arch cannot have. */
  readonly physAddrLimit: bigint;
  /** The first pfn the arch cannot have (2^(physAddrBits - pageShift)). */
  readonly pfnLimit: number;
  /** PAGE_OFFSET: virtual address of physical address 0 in the direct (linear) map. Non-randomized default. */
  readonly pageOffset: bigint;
  /** End of ZONE_NORMAL (max_low_pfn cap) on HIGHMEM arches, null where all memory is lowmem. */
  readonly lowmemLimitPfn: number | null;
  /** The zones this arch configures, in `enum zone_type` order (the index is the zone index). */
  readonly zoneTypes: readonly ArchZoneName[];
  /** First pfn above the DMA / DMA32 zones (max_zone_pfns), where configured. */
  readonly zoneLimitsPfn: { readonly DMA?: number; readonly DMA32?: number };
}

/** A requested architecture/option combination does not exist (e.g. arm64 on 2.6.24). */
export class UnsupportedArchError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("UNSUPPORTED_ARCH", reason, location);
  }
}

const MiB = 1 << 20;
const PFN_16M = (16 * MiB) >> 12; // MAX_DMA_PFN = 4096
const PFN_4G = 1 << 20; // MAX_DMA32_PFN = 1048576

type X86_64Row = { pageOffset: bigint; zoneTypes: readonly ArchZoneName[] };

// kernel: arch/x86/include/asm/page_64_types.h __PAGE_OFFSET_BASE_L4, include/linux/mmzone.h enum zone_type
// 2.6.24: direct map at 0xffff810000000000 (include/asm-x86/page_64.h), no ZONE_DEVICE.
// 2.6.27: direct map moved to 0xffff880000000000 (room for the hypervisor hole).
// 4.3: ZONE_DEVICE. 4.20 (and 4.19.5 stable, kexec-tools' X86_64_PAGE_OFFSET_PRE_4_19_5): direct map at
// 0xffff888000000000 (the LDT remap moved out of the KASLR region), 0xff11000000000000 with 5-level paging.
const X86_64_ROWS: readonly (readonly [string, X86_64Row])[] = [
  ["2.6.24", { pageOffset: 0xffff810000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable"] }],
  ["2.6.27", { pageOffset: 0xffff880000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable"] }],
  ["4.3", { pageOffset: 0xffff880000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable", "Device"] }],
  ["4.19.5", { pageOffset: 0xffff888000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable", "Device"] }],
];

// kernel: arch/x86/include/asm/page_64_types.h __PAGE_OFFSET_BASE_L5 (5-level paging, 4.14+)
const X86_64_L5_PAGE_OFFSET: readonly (readonly [string, bigint])[] = [
  ["4.14", 0xff10000000000000n],
  ["4.19.5", 0xff11000000000000n],
];

// kernel: arch/x86/include/asm/pgtable_32_types.h MAXMEM, arch/x86/mm/init_32.c highmem_pfn_init()
// 2.6.24 (include/asm-x86/page_32.h): MAXMEM = -PAGE_OFFSET - __VMALLOC_RESERVE (128 MiB) = 896 MiB,
// so lowmem ends at pfn 0x38000 = 229376 exactly.
// Later (≈2.6.25+): MAXMEM = VMALLOC_END - PAGE_OFFSET - __VMALLOC_RESERVE; VMALLOC_END sits below the
// fixmap/PKMAP area whose size depends on NR_CPUS, so lowmem ends a little lower. The default here is
// 0x377fe = 227326 (887 MB), from a real 2.6.35 Ubuntu i386 boot log with NR_CPUS=8
// ("low ram: 0 - 377fe000", "Normal 0x00001000 -> 0x000377fe"); pass `lowmemLimitPfn` for other configs.
const I386_LOWMEM_LIMIT_PFN: readonly (readonly [string, number])[] = [
  ["2.6.24", 229376],
  ["2.6.25", 0x377fe],
];

// kernel: include/linux/mmzone.h enum zone_type; ZONE_DEVICE needs x86_64 (not available on 32-bit x86).
const I386_ZONE_TYPES: readonly ArchZoneName[] = ["DMA", "Normal", "HighMem", "Movable"];

type Arm64Row = { pageOffset48: bigint; zoneTypes: readonly ArchZoneName[]; defaultDmaLimit: bigint | null };

// kernel: arch/arm64/include/asm/memory.h PAGE_OFFSET, arch/arm64/mm/init.c zone_sizes_init()
// 3.7 (first arm64): linear map in the upper half of the kernel VA range: 0xffff800000000000 for VA_BITS=48;
//   the single DMA zone (CONFIG_ZONE_DMA) covers the 32-bit addressable memory (named "DMA").
// ≈4.16: that zone became ZONE_DMA32 (commit ad67f5a6545f "arm64: replace ZONE_DMA with ZONE_DMA32",
//   posted Jan 2018), no ZONE_DMA.
// 5.4: kernel VA space flipped: PAGE_OFFSET = -(1 << VA_BITS) = 0xffff000000000000.
// 5.5: ZONE_DMA (30-bit, 1 GiB) + ZONE_DMA32 (4 GiB).
// 5.11: zone_dma_bits = min(32, DT dma-ranges, ACPI IORT): with no restriction ZONE_DMA covers all of
//   the 32-bit memory and DMA32 is empty (6.12: stored as zone_dma_limit, same default).
// ZONE_DEVICE is configurable on arm64 (distribution kernels enable it; ≈5.7+ here).
const ARM64_ROWS: readonly (readonly [string, Arm64Row])[] = [
  ["3.7", { pageOffset48: 0xffff800000000000n, zoneTypes: ["DMA", "Normal", "Movable"], defaultDmaLimit: 1n << 32n }],
  ["4.16", { pageOffset48: 0xffff800000000000n, zoneTypes: ["DMA32", "Normal", "Movable"], defaultDmaLimit: null }],
  ["5.4", { pageOffset48: 0xffff000000000000n, zoneTypes: ["DMA32", "Normal", "Movable"], defaultDmaLimit: null }],
  ["5.5", { pageOffset48: 0xffff000000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable"], defaultDmaLimit: 1n << 30n }],
  ["5.7", { pageOffset48: 0xffff000000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable", "Device"], defaultDmaLimit: 1n << 30n }],
  ["5.11", { pageOffset48: 0xffff000000000000n, zoneTypes: ["DMA", "DMA32", "Normal", "Movable", "Device"], defaultDmaLimit: 1n << 32n }],
];

function withoutDevice(zoneTypes: readonly ArchZoneName[], wantDevice: boolean | undefined): readonly ArchZoneName[] {
  if (wantDevice === false) return zoneTypes.filter((z) => z !== "Device");
  return zoneTypes;
}

function checkOptions(arch: ArchName, options: ArchOptions): void {
  if (options.fiveLevelPaging && arch !== "x86_64") {
    throw new UnsupportedArchError(`fiveLevelPaging is an x86_64 option, not ${arch}`, "options.fiveLevelPaging");
  }
  if (options.pageShift !== undefined && arch !== "arm64" && options.pageShift !== 12) {
    throw new UnsupportedArchError(`${arch} has 4 KiB pages only (pageShift 12), got ${options.pageShift}`, "options.pageShift");
  }
  if (options.pageShift !== undefined && ![12, 14, 16].includes(options.pageShift)) {
    throw new UnsupportedArchError(`arm64 page shift must be 12, 14 or 16, got ${String(options.pageShift)}`, "options.pageShift");
  }
  if (options.lowmemLimitPfn !== undefined && arch !== "i386" && arch !== "i386-pae") {
    throw new UnsupportedArchError(`lowmemLimitPfn applies to HIGHMEM arches (i386, i386-pae), not ${arch}`, "options.lowmemLimitPfn");
  }
  if (options.lowmemLimitPfn !== undefined && !(Number.isSafeInteger(options.lowmemLimitPfn) && options.lowmemLimitPfn > PFN_16M)) {
    throw new UnsupportedArchError(`lowmemLimitPfn must be an integer above the DMA zone (${PFN_16M})`, "options.lowmemLimitPfn");
  }
  if (options.zoneDmaLimit !== undefined && arch !== "arm64") {
    throw new UnsupportedArchError(`zoneDmaLimit is an arm64 option (x86 DMA is fixed at 16 MiB), not ${arch}`, "options.zoneDmaLimit");
  }
}

/**
 * The facts of an architecture at a kernel version: page size, physical address width, direct-map
 * base, configured zone types and the DMA/DMA32/lowmem limits.
 *
 * @param arch - `x86_64`, `i386`, `i386-pae` or `arm64`
 * @param version - kernel version (default 6.18)
 * @param options - configuration choices (5-level paging, arm64 page size and DMA limit, i386 lowmem end)
 * @returns the facts
 * @throws {UnsupportedArchError} for an unknown arch or an option that does not apply
 * @throws {InvalidKernelVersionError} for a version older than the arch (arm64 before 3.7)
 * @example
 * ```ts
 * import { archFacts } from "@pagealloc/physmem";
 * const x = archFacts("x86_64", "6.18");
 * console.log(x.zoneTypes.join(",")); // => DMA,DMA32,Normal,Movable,Device
 * console.log("0x" + x.pageOffset.toString(16)); // => 0xffff888000000000
 * console.log(archFacts("i386", "2.6.24").lowmemLimitPfn); // => 229376
 * ```
 */
export function archFacts(arch: ArchName, version: KernelVersion | string = DEFAULT_KERNEL_VERSION, options: ArchOptions = {}): ArchFacts {
  if (!isArchName(arch)) {
    throw new UnsupportedArchError(`unknown architecture ${JSON.stringify(arch)} (known: ${ARCH_NAMES.join(", ")})`, "arch");
  }
  const v = typeof version === "string" ? parseKernelVersion(version) : version;
  checkOptions(arch, options);
  const base = { arch, version: v.raw };
  switch (arch) {
    case "x86_64": {
      const row = pickByVersion(X86_64_ROWS, v);
      let pageOffset = row.pageOffset;
      let physAddrBits = 46; // MAX_PHYSMEM_BITS with 4-level paging (__PHYSICAL_MASK_SHIFT 46 in 2.6.24 too)
      if (options.fiveLevelPaging) {
        if (!versionAtLeast(v, "4.14")) {
          throw new UnsupportedArchError(`5-level paging needs kernel 4.14 or later, not ${v.raw}`, "options.fiveLevelPaging");
        }
        pageOffset = pickByVersion(X86_64_L5_PAGE_OFFSET, v);
        physAddrBits = 52;
      }
      return finish({ ...base, is64bit: true, pageShift: 12, physAddrBits, pageOffset, lowmemLimitPfn: null,
        zoneTypes: withoutDevice(row.zoneTypes, options.zoneDevice), zoneLimitsPfn: { DMA: PFN_16M, DMA32: PFN_4G } });
    }
    case "i386":
    case "i386-pae": {
      // kernel: arch/x86/include/asm/page_32_types.h __PAGE_OFFSET (CONFIG_VMSPLIT_3G), MAX_PHYSMEM_BITS (32 / PAE 36)
      const lowmemLimitPfn = options.lowmemLimitPfn ?? pickByVersion(I386_LOWMEM_LIMIT_PFN, v);
      return finish({ ...base, is64bit: false, pageShift: 12, physAddrBits: arch === "i386" ? 32 : 36, pageOffset: 0xc0000000n,
        lowmemLimitPfn, zoneTypes: I386_ZONE_TYPES, zoneLimitsPfn: { DMA: PFN_16M } });
    }
    case "arm64": {
      const row = pickByVersion(ARM64_ROWS, v);
      const pageShift = options.pageShift ?? 12;
      const zoneTypes = withoutDevice(row.zoneTypes, options.zoneDevice);
      const pfn4G = Number((1n << 32n) >> BigInt(pageShift));
      const limits: { DMA?: number; DMA32?: number } = {};
      if (zoneTypes.includes("DMA32")) limits.DMA32 = pfn4G;
      if (zoneTypes.includes("DMA")) {
        const dmaLimit = options.zoneDmaLimit !== undefined ? toBigIntOrNull(options.zoneDmaLimit) : row.defaultDmaLimit;
        if (dmaLimit === null || dmaLimit <= 0n || dmaLimit > 1n << 32n || dmaLimit % (1n << BigInt(pageShift)) !== 0n) {
          throw new UnsupportedArchError(`arm64 zoneDmaLimit must be a page-aligned size in (0, 4 GiB], got ${String(options.zoneDmaLimit)}`, "options.zoneDmaLimit");
        }
        limits.DMA = Number(dmaLimit >> BigInt(pageShift));
      } else if (options.zoneDmaLimit !== undefined) {
        throw new UnsupportedArchError(`arm64 has no ZONE_DMA in ${v.raw} (only DMA32), zoneDmaLimit does not apply`, "options.zoneDmaLimit");
      }
      return finish({ ...base, is64bit: true, pageShift, physAddrBits: 48, pageOffset: row.pageOffset48, lowmemLimitPfn: null,
        zoneTypes, zoneLimitsPfn: limits });
    }
  }
}

function toBigIntOrNull(x: number | bigint): bigint | null {
  if (typeof x === "bigint") return x;
  return Number.isSafeInteger(x) ? BigInt(x) : null;
}

function finish(f: Omit<ArchFacts, "pageSize" | "physAddrLimit" | "pfnLimit">): ArchFacts {
  return {
    ...f,
    pageSize: 2 ** f.pageShift,
    physAddrLimit: 1n << BigInt(f.physAddrBits),
    pfnLimit: 2 ** (f.physAddrBits - f.pageShift),
  };
}
