import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";
import { GfpTableError } from "./errors";
import { type GfpConfig, type GfpLayout, gfpLayout, perLayout } from "./layout";

/**
 * A composite mask as the kernel defines it: the OR of `of` (flags or other composites), minus
 * the bits of `clear`; `numaOnly` composites are 0 on a kernel built without CONFIG_NUMA.
 */
interface CompositeDef {
  readonly of: readonly string[];
  readonly clear?: readonly string[];
  readonly numaOnly?: boolean;
}

type CompositeRow = Readonly<Record<string, CompositeDef>>;

const or = (...of: string[]): CompositeDef => ({ of });
/** An earlier era's row without the masks a later release removed. */
const omit = (row: CompositeRow, ...names: string[]): CompositeRow =>
  Object.fromEntries(Object.entries(row).filter(([name]) => !names.includes(name)));

// include/linux/gfp.h 2.6.24 (kernel-facts §1.3)
const C_2_6_24: CompositeRow = {
  GFP_ATOMIC: or("__GFP_HIGH"),
  GFP_NOWAIT: { of: ["GFP_ATOMIC"], clear: ["__GFP_HIGH"] },
  GFP_NOIO: or("__GFP_WAIT"),
  GFP_NOFS: or("__GFP_WAIT", "__GFP_IO"),
  GFP_KERNEL: or("__GFP_WAIT", "__GFP_IO", "__GFP_FS"),
  GFP_TEMPORARY: or("__GFP_WAIT", "__GFP_IO", "__GFP_FS", "__GFP_RECLAIMABLE"),
  GFP_USER: or("__GFP_WAIT", "__GFP_IO", "__GFP_FS", "__GFP_HARDWALL"),
  GFP_HIGHUSER: or("GFP_USER", "__GFP_HIGHMEM"),
  GFP_HIGHUSER_MOVABLE: or("GFP_HIGHUSER", "__GFP_MOVABLE"),
  GFP_NOFS_PAGECACHE: or("__GFP_WAIT", "__GFP_IO", "__GFP_MOVABLE"),
  GFP_USER_PAGECACHE: or("GFP_USER", "__GFP_MOVABLE"),
  GFP_HIGHUSER_PAGECACHE: or("GFP_HIGHUSER_MOVABLE"),
  GFP_THISNODE: { of: ["__GFP_THISNODE", "__GFP_NOWARN", "__GFP_NORETRY"], numaOnly: true },
  GFP_DMA: or("__GFP_DMA"),
  GFP_DMA32: or("__GFP_DMA32"),
  GFP_MOVABLE_MASK: or("__GFP_RECLAIMABLE", "__GFP_MOVABLE"),
};

// 2.6.31: the *_PAGECACHE masks are gone (not in the 2.6.32/3.13 trees; exact release ≈) and
// GFP_ZONEMASK appears with the GFP_ZONE_TABLE.
const C_2_6_31: CompositeRow = {
  ...omit(C_2_6_24, "GFP_NOFS_PAGECACHE", "GFP_USER_PAGECACHE", "GFP_HIGHUSER_PAGECACHE"),
  GFP_ZONEMASK: or("__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE"),
};
const C_2_6_38: CompositeRow = {
  ...C_2_6_31,
  GFP_TRANSHUGE: or("GFP_HIGHUSER_MOVABLE", "__GFP_COMP", "__GFP_NOMEMALLOC", "__GFP_NORETRY", "__GFP_NOWARN", "__GFP_NO_KSWAPD"),
};
// 4.0 "mm: remove GFP_THISNODE" (≈): only __GFP_THISNODE is left.
const C_4_0 = omit(C_2_6_38, "GFP_THISNODE");
// 4.4: __GFP_WAIT split into __GFP_RECLAIM = DIRECT_RECLAIM|KSWAPD_RECLAIM.
const C_4_4: CompositeRow = {
  ...C_4_0,
  __GFP_RECLAIM: or("__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"),
  GFP_ATOMIC: or("__GFP_HIGH", "__GFP_ATOMIC", "__GFP_KSWAPD_RECLAIM"),
  GFP_NOWAIT: or("__GFP_KSWAPD_RECLAIM"),
  GFP_NOIO: or("__GFP_RECLAIM"),
  GFP_NOFS: or("__GFP_RECLAIM", "__GFP_IO"),
  GFP_KERNEL: or("__GFP_RECLAIM", "__GFP_IO", "__GFP_FS"),
  GFP_TEMPORARY: or("__GFP_RECLAIM", "__GFP_IO", "__GFP_FS", "__GFP_RECLAIMABLE"),
  GFP_USER: or("__GFP_RECLAIM", "__GFP_IO", "__GFP_FS", "__GFP_HARDWALL"),
  GFP_TRANSHUGE: {
    of: ["GFP_HIGHUSER_MOVABLE", "__GFP_COMP", "__GFP_NOMEMALLOC", "__GFP_NORETRY", "__GFP_NOWARN"],
    clear: ["__GFP_KSWAPD_RECLAIM"],
  },
};
const C_4_5: CompositeRow = { ...C_4_4, GFP_KERNEL_ACCOUNT: or("GFP_KERNEL", "__GFP_ACCOUNT") };
const C_4_8: CompositeRow = {
  ...C_4_5,
  GFP_TRANSHUGE_LIGHT: {
    of: ["GFP_HIGHUSER_MOVABLE", "__GFP_COMP", "__GFP_NOMEMALLOC", "__GFP_NOWARN"],
    clear: ["__GFP_RECLAIM"],
  },
  GFP_TRANSHUGE: or("GFP_TRANSHUGE_LIGHT", "__GFP_DIRECT_RECLAIM"),
};
const C_4_14 = omit(C_4_8, "GFP_TEMPORARY"); // "mm: remove GFP_TEMPORARY"
const C_5_14: CompositeRow = { ...C_4_14, GFP_HIGHUSER_MOVABLE: or("GFP_HIGHUSER", "__GFP_MOVABLE", "__GFP_SKIP_KASAN_POISON") };
const C_5_18: CompositeRow = {
  ...C_4_14,
  GFP_HIGHUSER_MOVABLE: or("GFP_HIGHUSER", "__GFP_MOVABLE", "__GFP_SKIP_KASAN_POISON", "__GFP_SKIP_KASAN_UNPOISON"),
};
const C_6_3: CompositeRow = { ...C_5_18, GFP_ATOMIC: or("__GFP_HIGH", "__GFP_KSWAPD_RECLAIM") };
const C_6_4: CompositeRow = { ...C_6_3, GFP_HIGHUSER_MOVABLE: or("GFP_HIGHUSER", "__GFP_MOVABLE", "__GFP_SKIP_KASAN") };
const C_6_8: CompositeRow = { ...C_6_4, GFP_NOWAIT: or("__GFP_KSWAPD_RECLAIM", "__GFP_NOWARN") };

/** The composite masks of each era (kernel-facts §1.2, §1.3, §1.7.2), as the kernel composes them. */
export const GFP_COMPOSITE_ERAS: readonly (readonly [string, CompositeRow])[] = [
  ["2.6.24", C_2_6_24],
  ["2.6.31", C_2_6_31],
  ["2.6.38", C_2_6_38],
  ["4.0", C_4_0],
  ["4.4", C_4_4],
  ["4.5", C_4_5],
  ["4.8", C_4_8],
  ["4.14", C_4_14],
  ["5.14", C_5_14],
  ["5.18", C_5_18],
  ["6.3", C_6_3],
  ["6.4", C_6_4],
  ["6.8", C_6_8],
];

const flagsCache = new Map<string, Readonly<Record<string, number>>>();

/**
 * Every GFP constant of a kernel version: the single-bit `__GFP_*` flags and the composite masks
 * (`GFP_KERNEL`, `GFP_ATOMIC`, `GFP_NOWAIT`, ... and the 2.6.24 `GFP_TEMPORARY`, `GFP_THISNODE`,
 * `GFP_HIGHUSER_PAGECACHE` ...). A name absent from the result does not exist in that version.
 *
 * @param version - kernel release; default 6.18
 * @param config - config options (see {@link GfpConfig})
 * @returns name -> value
 * @throws {InvalidKernelVersionError} for a version older than 2.6.24 or not a release
 * @example
 * ```ts
 * import { gfpFlags } from "@pagealloc/gfp";
 * console.log(gfpFlags("6.18").GFP_KERNEL.toString(16)); // => cc0
 * console.log(gfpFlags("2.6.24").GFP_KERNEL.toString(16)); // => d0
 * console.log(gfpFlags("4.9").GFP_TEMPORARY.toString(16)); // => 24000d0
 * ```
 */
export function gfpFlags(version?: KernelVersion | string, config?: GfpConfig): Readonly<Record<string, number>> {
  return layoutFlags(gfpLayout(version, config));
}

/** {@link gfpFlags} of a layout object (computed once per layout). */
export function layoutFlags(layout: GfpLayout): Readonly<Record<string, number>> {
  return perLayout(layout, "flags", () => computeFlags(layout));
}

function computeFlags(layout: GfpLayout): Readonly<Record<string, number>> {
  const compSince = pickByVersion(GFP_COMPOSITE_ERAS.map(([s]) => [s, s] as const), layout.version);
  const key = `${layout.since}:${compSince}:${JSON.stringify(layout.config)}`;
  const cached = flagsCache.get(key);
  if (cached) return cached;
  const row = GFP_COMPOSITE_ERAS.find(([s]) => s === compSince)?.[1] as CompositeRow;
  const out: Record<string, number> = { ...layout.flags };
  const evaluate = (name: string): number => {
    if (name in out) return out[name];
    const def = row[name];
    // An unknown name here is a mistake in the tables above, caught by the tests of every era.
    if (!def) throw new GfpTableError(`${name} is not defined in the ${layout.since} layout`);
    let value = 0;
    for (const part of def.of) value |= evaluate(part);
    for (const part of def.clear ?? []) value &= ~evaluate(part);
    if (def.numaOnly && !layout.config.numa) value = 0;
    out[name] = value >>> 0;
    return out[name];
  };
  for (const name of Object.keys(row)) evaluate(name);
  const frozen = Object.freeze(out);
  flagsCache.set(key, frozen);
  return frozen;
}
