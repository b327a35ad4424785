import { type KernelVersion, DEFAULT_KERNEL_VERSION, parseKernelVersion, pickByVersion } from "@pagealloc/physmem";

/**
 * Kernel configuration options that change which GFP bits exist (and so the values of later
 * bits in the 6.10+ enum layout). All default to the typical x86_64 distribution kernel.
 */
export interface GfpConfig {
  /** CONFIG_LOCKDEP: `__GFP_NOLOCKDEP` exists (4.12+). Default false. */
  readonly lockdep?: boolean;
  /** CONFIG_KASAN_HW_TAGS (arm64 MTE): the `__GFP_SKIP_*` KASAN bits exist (5.18+). Default false. */
  readonly kasan?: boolean;
  /** CONFIG_SLAB_OBJ_EXT: `__GFP_NO_OBJ_EXT` exists (6.10–6.18). Default true. */
  readonly slabObjExt?: boolean;
  /** CONFIG_KMEMCHECK: `__GFP_NOTRACK` is 0x200000 instead of 0 (2.6.31–3.7; unconditional 3.8–4.14). Default false. */
  readonly noTrack?: boolean;
  /** CONFIG_NUMA: `GFP_THISNODE` is THISNODE|NOWARN|NORETRY instead of 0 (2.6.24–3.19). Default true. */
  readonly numa?: boolean;
}

/** The config option a flag depends on (`undefined`: the flag always exists in its era). */
export type GfpConfigOption = "lockdep" | "kasan" | "slabObjExt" | "noTrack";

/**
 * One era's bit layout, as the kernel declares it. `fixed`: every `___GFP_*` has a hex value
 * (2.6.24–6.9); `enum`: bit numbers are assigned in declaration order and a config-off flag takes
 * no bit, so later bits move down (6.10+, include/linux/gfp_types.h).
 */
type LayoutEra =
  | { readonly kind: "fixed"; readonly flags: readonly FixedFlag[]; readonly bitsShift: number; readonly lockdepShift?: number }
  | { readonly kind: "enum"; readonly order: readonly EnumFlag[] };

/** [name without `__GFP_`, value, config option when the value is only set with that option]. */
type FixedFlag = readonly [string, number, GfpConfigOption?];
/** [name without `__GFP_`, config option when the flag only exists with that option]. */
type EnumFlag = readonly [string, GfpConfigOption?];

const BASE_2_6_24: readonly FixedFlag[] = [
  ["DMA", 0x1], ["HIGHMEM", 0x2], ["DMA32", 0x4], ["WAIT", 0x10], ["HIGH", 0x20], ["IO", 0x40], ["FS", 0x80],
  ["COLD", 0x100], ["NOWARN", 0x200], ["REPEAT", 0x400], ["NOFAIL", 0x800], ["NORETRY", 0x1000], ["COMP", 0x4000],
  ["ZERO", 0x8000], ["NOMEMALLOC", 0x10000], ["HARDWALL", 0x20000], ["THISNODE", 0x40000],
  ["RECLAIMABLE", 0x80000], ["MOVABLE", 0x100000],
];

/** Replace, add or (value `null`) remove flags of an earlier era: eras are written as their diff. */
function edit(base: readonly FixedFlag[], changes: readonly (readonly [string, number | null, GfpConfigOption?])[]): FixedFlag[] {
  let out: FixedFlag[] = [...base];
  for (const [name, value, config] of changes) {
    out = out.filter(([n]) => n !== name);
    if (value !== null) out.push(config ? [name, value, config] : [name, value]);
  }
  return out.sort((a, b) => a[1] - b[1]);
}

const L_2_6_31 = edit(BASE_2_6_24, [["MOVABLE", 0x8], ["NOTRACK", 0x200000, "noTrack"]]);
const L_2_6_38 = edit(L_2_6_31, [["NO_KSWAPD", 0x400000]]);
const L_2_6_39 = edit(L_2_6_38, [["OTHER_NODE", 0x800000]]);
const L_3_3 = edit(L_2_6_39, [["WRITE", 0x1000000]]);
const L_3_6 = edit(L_3_3, [["MEMALLOC", 0x2000]]);
const L_3_8 = edit(L_3_6, [["KMEMCG", 0x100000], ["NOTRACK", 0x200000]]);
const L_3_16 = edit(L_3_8, [["KMEMCG", null]]);
const L_4_1 = edit(L_3_16, [["NOACCOUNT", 0x100000]]);
// 4.4: __GFP_WAIT split into DIRECT_RECLAIM|KSWAPD_RECLAIM, __GFP_ATOMIC added, RECLAIMABLE moved to 0x10.
const L_4_4 = edit(L_4_1, [
  ["WAIT", null], ["NO_KSWAPD", null], ["RECLAIMABLE", 0x10], ["ATOMIC", 0x80000],
  ["DIRECT_RECLAIM", 0x400000], ["KSWAPD_RECLAIM", 0x2000000],
]);
const L_4_5 = edit(L_4_4, [["NOACCOUNT", null], ["ACCOUNT", 0x100000]]);
const L_4_10 = edit(L_4_5, [["OTHER_NODE", null], ["WRITE", 0x800000], ["KSWAPD_RECLAIM", 0x1000000]]);
const L_4_12 = edit(L_4_10, [["NOLOCKDEP", 0x2000000, "lockdep"]]);
const L_4_13 = edit(L_4_12, [["REPEAT", null], ["RETRY_MAYFAIL", 0x400]]);
const L_4_15 = edit(L_4_13, [["COLD", null], ["NOTRACK", null]]);
const L_4_18 = edit(L_4_15, [
  ["WRITE", 0x100], ["DIRECT_RECLAIM", 0x200000], ["KSWAPD_RECLAIM", 0x400000], ["NOLOCKDEP", 0x800000, "lockdep"],
]);
// 5.1 "mm: shuffle GFP_* flags": one bit per flag in this order.
const L_5_1: FixedFlag[] = [
  "DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH", "IO", "FS", "ZERO", "ATOMIC", "DIRECT_RECLAIM",
  "KSWAPD_RECLAIM", "WRITE", "NOWARN", "RETRY_MAYFAIL", "NOFAIL", "NORETRY", "MEMALLOC", "COMP", "NOMEMALLOC",
  "HARDWALL", "THISNODE", "ACCOUNT",
].map((name, bit) => [name, 2 ** bit] as const);
const L_5_1_LOCKDEP = edit(L_5_1, [["NOLOCKDEP", 0x800000, "lockdep"]]);
const L_5_14 = edit(L_5_1, [["ZEROTAGS", 0x800000], ["SKIP_KASAN_POISON", 0x1000000], ["NOLOCKDEP", 0x2000000, "lockdep"]]);
const L_5_18 = edit(L_5_14, [
  ["SKIP_ZERO", 0x1000000, "kasan"], ["SKIP_KASAN_UNPOISON", 0x2000000, "kasan"],
  ["SKIP_KASAN_POISON", 0x4000000, "kasan"], ["NOLOCKDEP", 0x8000000, "lockdep"],
]);
const L_6_3 = edit(L_5_18, [["ATOMIC", null]]);
const L_6_4 = edit(L_6_3, [
  ["SKIP_KASAN_UNPOISON", null], ["SKIP_KASAN_POISON", null], ["SKIP_KASAN", 0x2000000, "kasan"],
  ["NOLOCKDEP", 0x4000000, "lockdep"],
]);
const ENUM_6_10: EnumFlag[] = [
  ["DMA"], ["HIGHMEM"], ["DMA32"], ["MOVABLE"], ["RECLAIMABLE"], ["HIGH"], ["IO"], ["FS"], ["ZERO"], ["UNUSED"],
  ["DIRECT_RECLAIM"], ["KSWAPD_RECLAIM"], ["WRITE"], ["NOWARN"], ["RETRY_MAYFAIL"], ["NOFAIL"], ["NORETRY"],
  ["MEMALLOC"], ["COMP"], ["NOMEMALLOC"], ["HARDWALL"], ["THISNODE"], ["ACCOUNT"], ["ZEROTAGS"],
  ["SKIP_ZERO", "kasan"], ["SKIP_KASAN", "kasan"], ["NOLOCKDEP", "lockdep"], ["NO_OBJ_EXT", "slabObjExt"],
];

/**
 * The GFP bit layout of each kernel era (kernel-facts §1.1, §1.3, §1.7.1). Boundaries marked ≈
 * there rest on patch dates; 6.19 is the newest stored tree (NO_OBJ_EXT removed again).
 */
export const GFP_LAYOUT_ERAS: readonly (readonly [string, LayoutEra])[] = [
  ["2.6.24", { kind: "fixed", flags: BASE_2_6_24, bitsShift: 21 }],
  ["2.6.31", { kind: "fixed", flags: L_2_6_31, bitsShift: 22 }], // MOVABLE -> 0x08 (GFP_ZONE_TABLE)
  ["2.6.38", { kind: "fixed", flags: L_2_6_38, bitsShift: 23 }], // THP: NO_KSWAPD
  ["2.6.39", { kind: "fixed", flags: L_2_6_39, bitsShift: 24 }], // OTHER_NODE
  ["3.3", { kind: "fixed", flags: L_3_3, bitsShift: 25 }], // WRITE
  ["3.6", { kind: "fixed", flags: L_3_6, bitsShift: 25 }], // MEMALLOC
  ["3.8", { kind: "fixed", flags: L_3_8, bitsShift: 25 }], // KMEMCG, NOTRACK unconditional
  ["3.16", { kind: "fixed", flags: L_3_16, bitsShift: 25 }], // KMEMCG removed
  ["4.1", { kind: "fixed", flags: L_4_1, bitsShift: 25 }], // NOACCOUNT
  ["4.4", { kind: "fixed", flags: L_4_4, bitsShift: 26 }], // reclaim split, __GFP_ATOMIC
  ["4.5", { kind: "fixed", flags: L_4_5, bitsShift: 26 }], // ACCOUNT replaces NOACCOUNT
  ["4.10", { kind: "fixed", flags: L_4_10, bitsShift: 25 }], // OTHER_NODE removed
  ["4.12", { kind: "fixed", flags: L_4_12, bitsShift: 25, lockdepShift: 26 }], // NOLOCKDEP
  ["4.13", { kind: "fixed", flags: L_4_13, bitsShift: 25, lockdepShift: 26 }], // REPEAT -> RETRY_MAYFAIL
  ["4.15", { kind: "fixed", flags: L_4_15, bitsShift: 25, lockdepShift: 26 }], // COLD, NOTRACK removed
  ["4.18", { kind: "fixed", flags: L_4_18, bitsShift: 23, lockdepShift: 24 }], // holes filled
  ["5.1", { kind: "fixed", flags: L_5_1_LOCKDEP, bitsShift: 23, lockdepShift: 24 }], // shuffled
  ["5.14", { kind: "fixed", flags: L_5_14, bitsShift: 25, lockdepShift: 26 }], // ZEROTAGS, SKIP_KASAN_POISON
  ["5.18", { kind: "fixed", flags: L_5_18, bitsShift: 27, lockdepShift: 28 }], // KASAN bits HW_TAGS-only
  ["6.3", { kind: "fixed", flags: L_6_3, bitsShift: 27, lockdepShift: 28 }], // __GFP_ATOMIC removed
  ["6.4", { kind: "fixed", flags: L_6_4, bitsShift: 26, lockdepShift: 27 }], // one SKIP_KASAN bit
  ["6.10", { kind: "enum", order: ENUM_6_10 }], // enum-generated
  ["6.19", { kind: "enum", order: ENUM_6_10.filter(([n]) => n !== "NO_OBJ_EXT") }], // NO_OBJ_EXT removed (≈)
];

/** A kernel version's GFP bit layout. */
export interface GfpLayout {
  /** The version asked for, parsed. */
  readonly version: KernelVersion;
  /** The first version of the era this layout belongs to (a row of `GFP_LAYOUT_ERAS`). */
  readonly since: string;
  /** The configuration the layout was computed for (defaults filled in). */
  readonly config: Required<GfpConfig>;
  /**
   * Every single-bit flag of this version, `__GFP_X` -> value, in bit order; a flag whose config
   * option is off is present with value 0, as the kernel defines it.
   */
  readonly flags: Readonly<Record<string, number>>;
  /** `__GFP_BITS_SHIFT`: the number of bits a gfp_t uses in this version. */
  readonly bitsShift: number;
  /** `__GFP_BITS_MASK` = (1 << bitsShift) - 1. */
  readonly bitsMask: number;
}

const DEFAULT_CONFIG: Required<GfpConfig> = { lockdep: false, kasan: false, slabObjExt: true, noTrack: false, numa: true };

/** Resolve a version argument (default 6.18). */
function toVersion(version: KernelVersion | string | undefined): KernelVersion {
  if (version === undefined) return parseKernelVersion(DEFAULT_KERNEL_VERSION);
  return typeof version === "string" ? parseKernelVersion(version) : version;
}

function configKey(c: Required<GfpConfig>): string {
  return `${+c.lockdep}${+c.kasan}${+c.slabObjExt}${+c.noTrack}${+c.numa}`;
}

const layoutCache = new Map<string, Omit<GfpLayout, "version">>();

/**
 * The GFP bit layout of a kernel version: every `__GFP_*` flag and its value, and `__GFP_BITS_SHIFT`.
 *
 * @param version - kernel release (`6.18`, `2.6.24`, `4.18.0-80.el8.x86_64`); default 6.18
 * @param config - config options that add bits (`lockdep`, `kasan`, `slabObjExt`, `noTrack`)
 * @returns the layout of the era that version belongs to
 * @throws {InvalidKernelVersionError} for a version that is not a kernel release or is older than 2.6.24
 * @example
 * ```ts
 * import { gfpLayout } from "@pagealloc/gfp";
 * const l = gfpLayout("6.18");
 * console.log(l.flags.__GFP_COMP.toString(16), l.bitsShift); // => 40000 25
 * console.log(gfpLayout("4.18.0-80.el8.x86_64").flags.__GFP_DIRECT_RECLAIM.toString(16)); // => 200000
 * console.log(gfpLayout("6.18", { lockdep: true }).flags.__GFP_NO_OBJ_EXT.toString(16)); // => 2000000
 * ```
 */
export function gfpLayout(version?: KernelVersion | string, config?: GfpConfig): GfpLayout {
  // Every call of the formatting, zone and predicate functions starts here: one Map lookup per
  // (version text, config) after the first call, so the same layout object comes back each time.
  const raw = version === undefined ? DEFAULT_KERNEL_VERSION : typeof version === "string" ? version : version.raw;
  const versionKey = `${raw}|${config ? configKey({ ...DEFAULT_CONFIG, ...config }) : ""}`;
  const hit = versionCache.get(versionKey);
  if (hit) return hit;
  const v = toVersion(version);
  const cfg: Required<GfpConfig> = { ...DEFAULT_CONFIG, ...config };
  const eraIdx = GFP_LAYOUT_ERAS.indexOf(pickEra(v));
  const key = `${eraIdx}:${configKey(cfg)}`;
  let cached = layoutCache.get(key);
  if (!cached) {
    cached = buildLayout(GFP_LAYOUT_ERAS[eraIdx], cfg);
    layoutCache.set(key, cached);
  }
  const layout: GfpLayout = Object.freeze({ version: v, ...cached });
  if (versionCache.size >= 1024) versionCache.clear();
  versionCache.set(versionKey, layout);
  return layout;
}

const versionCache = new Map<string, GfpLayout>();
const derived = new WeakMap<GfpLayout, Map<string, unknown>>();

/**
 * Compute a value derived from a layout (its composites, name tables, zone lists ...) once per
 * layout object: `key` names what is computed.
 */
export function perLayout<T>(layout: GfpLayout, key: string, compute: () => T): T {
  let values = derived.get(layout);
  if (!values) {
    values = new Map();
    derived.set(layout, values);
  }
  if (values.has(key)) return values.get(key) as T;
  const value = compute();
  values.set(key, value);
  return value;
}

function pickEra(v: KernelVersion): readonly [string, LayoutEra] {
  const since = pickByVersion(
    GFP_LAYOUT_ERAS.map(([s]) => [s, s] as const),
    v,
  );
  return GFP_LAYOUT_ERAS.find(([s]) => s === since) as readonly [string, LayoutEra];
}

function buildLayout([since, era]: readonly [string, LayoutEra], config: Required<GfpConfig>): Omit<GfpLayout, "version"> {
  const flags: Record<string, number> = {};
  let bitsShift: number;
  if (era.kind === "fixed") {
    for (const [name, value, option] of era.flags) flags[`__GFP_${name}`] = option && !config[option] ? 0 : value;
    bitsShift = config.lockdep && era.lockdepShift !== undefined ? era.lockdepShift : era.bitsShift;
  } else {
    let bit = 0;
    const off: string[] = [];
    for (const [name, option] of era.order) {
      if (option && !config[option]) {
        off.push(name);
        continue;
      }
      if (name !== "UNUSED") flags[`__GFP_${name}`] = 2 ** bit;
      bit++;
    }
    for (const name of off) flags[`__GFP_${name}`] = 0;
    bitsShift = bit;
  }
  return { since, config, flags: Object.freeze(flags), bitsShift, bitsMask: 2 ** bitsShift - 1 };
}
