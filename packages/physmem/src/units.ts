// Parsing and printing of the numbers a machine description is made of: byte addresses and
// sizes ("0x100000000", "4G", "512M", 4096), CPU lists ("0-3,8-11") and the kernel's
// `[mem %#018Lx-%#018Lx]` range notation.

const SIZE_RE = /^\s*(0x[0-9a-f]+|\d+)\s*(?:([kmgtpe])(?:i?b)?|b)?\s*$/i;
const SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/**
 * Parse a byte address or size the way the kernel's `memparse()` reads `mem=`/`kernelcore=`:
 * decimal or `0x` hex, with an optional binary suffix K, M, G, T, P, E (case-insensitive; `KiB`,
 * `MB`, ... also accepted, always powers of 1024). JSON numbers must be non-negative safe integers.
 *
 * @param value - a number or a string such as `"0x100000000"`, `"4G"`, `"512M"`, `"4096"`
 * @returns the value in bytes, or null when it is not a valid size
 * @example
 * ```ts
 * import { parseSize } from "@pagealloc/physmem";
 * console.log(parseSize("4G")); // => 4294967296n
 * console.log(parseSize("0x9f000")); // => 651264n
 * console.log(parseSize("lots")); // => null
 * ```
 */
// kernel: lib/cmdline.c memparse()
export function parseSize(value: unknown): bigint | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value === "bigint") return value >= 0n ? value : null;
  if (typeof value !== "string") return null;
  const m = SIZE_RE.exec(value);
  if (!m) return null;
  const base = BigInt(m[1].toLowerCase());
  const unit = m[2]?.toLowerCase();
  return unit ? base << SHIFT[unit] : base;
}

/**
 * Parse a kernel CPU list (`/sys/devices/system/node/node0/cpulist` format): comma-separated
 * ids and inclusive ranges, e.g. `0-3,8-11`; an empty string is an empty list.
 *
 * @param text - the list
 * @returns the ids in ascending order, or null when the text is not a CPU list
 * @example
 * ```ts
 * import { parseCpulist } from "@pagealloc/physmem";
 * console.log(parseCpulist("0-3,8").join(" ")); // => 0 1 2 3 8
 * ```
 */
// kernel: lib/bitmap-str.c bitmap_parselist()
export function parseCpulist(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const out: number[] = [];
  for (const part of trimmed.split(",")) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return null;
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Format CPU ids as a kernel CPU list (ranges collapsed), the inverse of {@link parseCpulist}.
 *
 * @example
 * ```ts
 * import { formatCpulist } from "@pagealloc/physmem";
 * console.log(formatCpulist([0, 1, 2, 3, 8, 10, 11])); // => 0-3,8,10-11
 * ```
 */
// kernel: lib/bitmap-str.c bitmap_print_to_pagebuf() (list form)
export function formatCpulist(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * `%#018Lx`: a physical address as the kernel prints it in boot messages (0x + 16 hex digits).
 *
 * @example
 * ```ts
 * import { formatPhysAddr } from "@pagealloc/physmem";
 * console.log(formatPhysAddr(0x9f000n)); // => 0x000000000009f000
 * ```
 */
export function formatPhysAddr(addr: bigint | number): string {
  return `0x${BigInt(addr).toString(16).padStart(16, "0")}`;
}

/**
 * A pfn range `[startPfn, endPfn)` as the kernel prints memory ranges at boot:
 * `[mem 0x...-0x...]` with an inclusive end address.
 *
 * @param startPfn - first pfn
 * @param endPfn - first pfn after the range
 * @param pageShift - PAGE_SHIFT (default 12)
 * @example
 * ```ts
 * import { formatMemRange } from "@pagealloc/physmem";
 * console.log(formatMemRange(1, 0x9f)); // => [mem 0x0000000000001000-0x000000000009efff]
 * ```
 */
// kernel: mm/mm_init.c free_area_init() "  node %3d: [mem %#018Lx-%#018Lx]"
export function formatMemRange(startPfn: number, endPfn: number, pageShift = 12): string {
  const shift = BigInt(pageShift);
  return `[mem ${formatPhysAddr(BigInt(startPfn) << shift)}-${formatPhysAddr((BigInt(endPfn) << shift) - 1n)}]`;
}

/**
 * A byte count in the largest binary unit that divides it exactly (`4G`, `512M`, `636K`, `123`):
 * the notation {@link parseSize} reads.
 *
 * @example
 * ```ts
 * import { formatSize } from "@pagealloc/physmem";
 * console.log(formatSize(4294967296n), formatSize(651264n)); // => 4G 636K
 * ```
 */
export function formatSize(bytes: bigint | number): string {
  const b = BigInt(bytes);
  for (const [unit, shift] of [["E", 60n], ["P", 50n], ["T", 40n], ["G", 30n], ["M", 20n], ["K", 10n]] as const) {
    if (b !== 0n && b % (1n << shift) === 0n) return `${b >> shift}${unit}`;
  }
  return `${b}`;
}
