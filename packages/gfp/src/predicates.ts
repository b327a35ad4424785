import { type KernelVersion, pickByVersion } from "@pagealloc/physmem";
import { layoutFlags } from "./composite";
import { type GfpConfig, gfpLayout, perLayout } from "./layout";

/**
 * How each question is answered in each era: `all` = every listed flag set, `any` = one of them,
 * `none` = none of them set (and, with `unlessAll`, not all of those). A flag the version does not
 * define, or whose config is off, counts as clear.
 */
type Test =
  | { readonly all: readonly string[] }
  | { readonly any: readonly string[] }
  | { readonly none: readonly string[]; readonly unlessAll?: readonly string[] };

type PredicateRows = readonly (readonly [string, Test])[];

const bit = (name: string): PredicateRows => [["2.6.24", { all: [name] }]];

/** The predicate rules by version, one table per question (kernel-facts §1, §5.3, §1.7). */
export const GFP_PREDICATE_ERAS = {
  // gfpflags_allow_blocking(): __GFP_WAIT until 4.3, __GFP_DIRECT_RECLAIM from 4.4.
  directReclaim: [["2.6.24", { all: ["__GFP_WAIT"] }], ["4.4", { all: ["__GFP_DIRECT_RECLAIM"] }]],
  // The slow path wakes kswapd unless: 2.6.24–2.6.37 the mask is exactly GFP_THISNODE's bits
  // (goto nopage first); 2.6.38–4.3 __GFP_NO_KSWAPD; 4.4+ only with __GFP_KSWAPD_RECLAIM.
  kswapd: [
    ["2.6.24", { none: [], unlessAll: ["GFP_THISNODE"] }],
    ["2.6.38", { none: ["__GFP_NO_KSWAPD"], unlessAll: ["GFP_THISNODE"] }],
    ["4.0", { none: ["__GFP_NO_KSWAPD"] }],
    ["4.4", { all: ["__GFP_KSWAPD_RECLAIM"] }],
  ],
  highPriority: bit("__GFP_HIGH"),
  noWarn: bit("__GFP_NOWARN"),
  zero: bit("__GFP_ZERO"),
  comp: bit("__GFP_COMP"),
  thisNode: bit("__GFP_THISNODE"),
  noFail: bit("__GFP_NOFAIL"),
  noRetry: bit("__GFP_NORETRY"),
  // __GFP_REPEAT (same bit, "try hard") until 4.12; renamed __GFP_RETRY_MAYFAIL in 4.13.
  retryMayFail: [["2.6.24", { all: ["__GFP_REPEAT"] }], ["4.13", { all: ["__GFP_RETRY_MAYFAIL"] }]],
  io: bit("__GFP_IO"),
  fs: bit("__GFP_FS"),
  movable: bit("__GFP_MOVABLE"),
  // kmemcg charging: __GFP_KMEMCG 3.8–3.15, __GFP_ACCOUNT from 4.5; none in between or before.
  account: [
    ["2.6.24", { any: [] }],
    ["3.8", { all: ["__GFP_KMEMCG"] }],
    ["3.16", { any: [] }],
    ["4.5", { all: ["__GFP_ACCOUNT"] }],
  ],
  memalloc: [["2.6.24", { any: [] }], ["3.6", { all: ["__GFP_MEMALLOC"] }]],
  noMemalloc: bit("__GFP_NOMEMALLOC"),
  hardwall: bit("__GFP_HARDWALL"),
} satisfies Record<string, PredicateRows>;

/** A question a predicate answers. */
export type GfpPredicate = keyof typeof GFP_PREDICATE_ERAS;

/**
 * Answer one predicate question for a mask in a version (the generic form of the `gfp*` predicates).
 *
 * @param question - which predicate
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param config - config options
 * @returns the answer
 * @example
 * ```ts
 * import { gfpTest } from "@pagealloc/gfp";
 * console.log(gfpTest("directReclaim", 0xd0, "2.6.24"), gfpTest("directReclaim", 0xd0, "6.18")); // => true false
 * ```
 */
export function gfpTest(question: GfpPredicate, mask: number, version?: KernelVersion | string, config?: GfpConfig): boolean {
  const layout = gfpLayout(version, config);
  const flags = layoutFlags(layout);
  const test = perLayout(layout, `predicate:${question}`, (): Test => pickByVersion(GFP_PREDICATE_ERAS[question] as PredicateRows, layout.version));
  const value = (name: string): number => flags[name] ?? 0;
  const has = (name: string): boolean => value(name) !== 0 && (mask & value(name)) === value(name);
  if ("all" in test) return test.all.every(has);
  if ("any" in test) return test.any.some(has);
  if (test.unlessAll?.length && test.unlessAll.every(has)) return false;
  return !test.none.some(has);
}

/**
 * May this allocation sleep and reclaim directly (gfpflags_allow_blocking)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns true with __GFP_DIRECT_RECLAIM (4.4+) / __GFP_WAIT (before)
 * @example
 * ```ts
 * import { gfpAllowsDirectReclaim } from "@pagealloc/gfp";
 * console.log(gfpAllowsDirectReclaim(0xcc0), gfpAllowsDirectReclaim(0x820)); // => true false
 * ```
 */
// kernel: include/linux/gfp.h gfpflags_allow_blocking()
export function gfpAllowsDirectReclaim(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("directReclaim", mask, version);
}

/**
 * May this allocation block (sleep)? The same test as direct reclaim: gfpflags_allow_blocking().
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether the caller may sleep
 * @example
 * ```ts
 * import { gfpAllowsBlocking } from "@pagealloc/gfp";
 * console.log(gfpAllowsBlocking(0x2800)); // => false
 * ```
 */
// kernel: include/linux/gfp.h gfpflags_allow_blocking()
export function gfpAllowsBlocking(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("directReclaim", mask, version);
}

/**
 * Does the slow path wake kswapd for this allocation?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns 4.4+: __GFP_KSWAPD_RECLAIM set; 2.6.38–4.3: __GFP_NO_KSWAPD clear; before: always, except exact GFP_THISNODE (≤3.19)
 * @example
 * ```ts
 * import { gfpAllowsKswapd } from "@pagealloc/gfp";
 * console.log(gfpAllowsKswapd(0x820), gfpAllowsKswapd(0x20, "2.6.24")); // => true true
 * ```
 */
// kernel: mm/page_alloc.c __alloc_pages_slowpath() wake_all_kswapds() condition
export function gfpAllowsKswapd(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("kswapd", mask, version);
}

/**
 * Is this a high-priority allocation (__GFP_HIGH: may dip into the min watermark)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_HIGH is set
 * @example
 * ```ts
 * import { gfpIsHighPriority } from "@pagealloc/gfp";
 * console.log(gfpIsHighPriority(0x820)); // => true
 * ```
 */
export function gfpIsHighPriority(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("highPriority", mask, version);
}

/**
 * Is the failure warning suppressed (__GFP_NOWARN)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_NOWARN is set
 * @example
 * ```ts
 * import { gfpNoWarn } from "@pagealloc/gfp";
 * console.log(gfpNoWarn(0x2800), gfpNoWarn(0x800, "6.7")); // => true false
 * ```
 */
export function gfpNoWarn(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("noWarn", mask, version);
}

/**
 * Must the memory be zeroed (__GFP_ZERO)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_ZERO is set
 * @example
 * ```ts
 * import { gfpWantsZero } from "@pagealloc/gfp";
 * console.log(gfpWantsZero(0x100), gfpWantsZero(0x8000, "2.6.24")); // => true true
 * ```
 */
export function gfpWantsZero(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("zero", mask, version);
}

/**
 * Is a compound page wanted (__GFP_COMP)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_COMP is set
 * @example
 * ```ts
 * import { gfpWantsComp } from "@pagealloc/gfp";
 * console.log(gfpWantsComp(0x40cc0)); // => true
 * ```
 */
export function gfpWantsComp(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("comp", mask, version);
}

/**
 * Is node fallback forbidden (__GFP_THISNODE)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_THISNODE is set
 * @example
 * ```ts
 * import { gfpThisNode } from "@pagealloc/gfp";
 * console.log(gfpThisNode(0x200000)); // => true
 * ```
 */
export function gfpThisNode(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("thisNode", mask, version);
}

/**
 * Must the allocation never fail (__GFP_NOFAIL)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_NOFAIL is set
 * @example
 * ```ts
 * import { gfpNoFail } from "@pagealloc/gfp";
 * console.log(gfpNoFail(0x8cc0)); // => true
 * ```
 */
export function gfpNoFail(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("noFail", mask, version);
}

/**
 * Only a light reclaim attempt, then fail (__GFP_NORETRY)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_NORETRY is set
 * @example
 * ```ts
 * import { gfpNoRetry } from "@pagealloc/gfp";
 * console.log(gfpNoRetry(0x152cc0)); // => true
 * ```
 */
export function gfpNoRetry(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("noRetry", mask, version);
}

/**
 * Retry hard but may fail (__GFP_RETRY_MAYFAIL, 4.13+; the same bit was __GFP_REPEAT before)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether the bit is set
 * @example
 * ```ts
 * import { gfpRetryMayFail } from "@pagealloc/gfp";
 * console.log(gfpRetryMayFail(0x4cc0), gfpRetryMayFail(0x400, "2.6.24")); // => true true
 * ```
 */
export function gfpRetryMayFail(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("retryMayFail", mask, version);
}

/**
 * May the allocation start physical I/O (__GFP_IO)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_IO is set
 * @example
 * ```ts
 * import { gfpAllowsIo } from "@pagealloc/gfp";
 * console.log(gfpAllowsIo(0xc40), gfpAllowsIo(0xc00)); // => true false
 * ```
 */
export function gfpAllowsIo(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("io", mask, version);
}

/**
 * May the allocation call into filesystems (__GFP_FS)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_FS is set
 * @example
 * ```ts
 * import { gfpAllowsFs } from "@pagealloc/gfp";
 * console.log(gfpAllowsFs(0xcc0), gfpAllowsFs(0xc40)); // => true false
 * ```
 */
export function gfpAllowsFs(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("fs", mask, version);
}

/**
 * Is the page movable (__GFP_MOVABLE)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether __GFP_MOVABLE is set (0x100000 in 2.6.24–2.6.30, 0x8 after)
 * @example
 * ```ts
 * import { gfpIsMovable } from "@pagealloc/gfp";
 * console.log(gfpIsMovable(0x100cca), gfpIsMovable(0x8, "2.6.24")); // => true false
 * ```
 */
export function gfpIsMovable(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("movable", mask, version);
}

/**
 * Is the allocation charged to the memory cgroup (__GFP_ACCOUNT 4.5+, __GFP_KMEMCG 3.8–3.15)?
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @returns whether the accounting flag is set
 * @example
 * ```ts
 * import { gfpAccount } from "@pagealloc/gfp";
 * console.log(gfpAccount(0x400cc0)); // => true
 * ```
 */
export function gfpAccount(mask: number, version?: KernelVersion | string): boolean {
  return gfpTest("account", mask, version);
}
