import { gfpAllowsDirectReclaim, gfpAllowsKswapd, gfpFlags, gfpIsHighPriority, gfpMigratetypeIndex, gfpTest } from "@pagealloc/gfp";
import type { KernelVersion } from "@pagealloc/physmem";
import { allocFlagBits } from "./alloc-flags";
import { type BuddyVersionFacts, buddyVersionFacts } from "./version";

/** What gfp_to_alloc_flags() reads of the GFP mask, decoded (an `AllocRequest` has these fields). */
export interface AllocFlagsGfp {
  /** __GFP_DIRECT_RECLAIM (__GFP_WAIT before 4.4). */
  readonly directReclaim?: boolean;
  /** __GFP_HIGH. */
  readonly high?: boolean;
  /** __GFP_ATOMIC (4.4–6.2). */
  readonly atomic?: boolean;
  /** __GFP_NOMEMALLOC. */
  readonly noMemalloc?: boolean;
  /** __GFP_KSWAPD_RECLAIM (ALLOC_KSWAPD, 5.0+). */
  readonly kswapdReclaim?: boolean;
  /** gfp_migratetype() is MIGRATE_MOVABLE (ALLOC_CMA with CONFIG_CMA). */
  readonly movable?: boolean;
}

/** The caller's context and the config that gfp_to_alloc_flags() reads besides the mask. */
export interface GfpToAllocFlagsContext {
  /** rt_task(current) (6.10+: rt_or_dl_task): a realtime task gets ALLOC_HARDER / ALLOC_MIN_RESERVE. Default false. */
  readonly rtTask?: boolean;
  /** in_interrupt() (6.3+: !in_task()): the rt privilege does not apply in interrupt context. Default false. */
  readonly inInterrupt?: boolean;
  /** CONFIG_CMA: movable requests get ALLOC_CMA (the bit is 0 where the model's table has none). Default false. */
  readonly cma?: boolean;
}

/**
 * The rule itself, on a decoded mask and the version's facts (what `BuddyAllocator.gfpToAllocFlags` and
 * {@link gfpToAllocFlags} both run). The reserve bypass (PF_MEMALLOC, __GFP_MEMALLOC, OOM victims:
 * ALLOC_NO_WATERMARKS / ALLOC_OOM) is __gfp_pfmemalloc_flags(), not part of this rule; 2.6.31–4.13 computed it in
 * gfp_to_alloc_flags() too, but the slow path masked it off the first attempt, as the model's slow path does.
 * kernel: mm/page_alloc.c gfp_to_alloc_flags() (2.6.31+; 2.6.24: the same lines inline in __alloc_pages())
 */
export function gfpToAllocFlagsFromFacts(g: AllocFlagsGfp, order: number, facts: BuddyVersionFacts, ctx: GfpToAllocFlagsContext = {}): number {
  const b = allocFlagBits(facts.allocFlagsEra);
  const rule = facts.gfpToAllocFlagsRule;
  const rtInTask = (ctx.rtTask ?? false) && !(ctx.inInterrupt ?? false);
  if (rule === "2.6.24") {
    // 2.6.24 __alloc_pages(), the second attempt: ALLOC_CPUSET only for callers that may wait.
    let flags = b.WMARK_MIN;
    if (rtInTask || !g.directReclaim) flags |= b.NON_BLOCK;
    if (g.high) flags |= b.MIN_RESERVE;
    if (g.directReclaim) flags |= b.CPUSET;
    return flags;
  }
  let flags = b.WMARK_MIN | b.CPUSET;
  if (g.high) flags |= b.MIN_RESERVE;
  // ALLOC_KSWAPD exists from 5.0 (with ALLOC_NOFRAGMENT); before, the slow path tested __GFP_KSWAPD_RECLAIM itself.
  if (g.kswapdReclaim && facts.noFragment) flags |= b.KSWAPD;
  if (rule === "no-direct-reclaim") {
    if (!g.directReclaim) {
      if (!g.noMemalloc) {
        flags |= b.NON_BLOCK;
        // 6.3–6.16: every non-blocking order > 0 request may use the highatomic reserve; 6.17+ (commit 6a204d4b14c9)
        // only with __GFP_HIGH (ALLOC_MIN_RESERVE).
        if (order > 0 && (!facts.highatomicNeedsMinReserve || flags & b.MIN_RESERVE)) flags |= b.HIGHATOMIC;
      }
      if (flags & b.MIN_RESERVE) flags &= ~b.CPUSET;
    } else if (rtInTask) flags |= b.MIN_RESERVE;
  } else {
    // 2.6.31–4.3: "atomic" is a caller that cannot wait; 4.4–6.2: __GFP_ATOMIC.
    const atomic = rule === "gfp-atomic" ? g.atomic : !g.directReclaim;
    if (atomic) {
      if (!g.noMemalloc) flags |= b.NON_BLOCK;
      flags &= ~b.CPUSET;
    } else if (rtInTask) flags |= b.NON_BLOCK;
  }
  // kernel: mm/page_alloc.c gfp_to_alloc_flags_cma()
  if (ctx.cma && g.movable) flags |= b.CMA;
  return flags;
}

/**
 * The slow path's ALLOC_* flags for a GFP mask and order: who may go below the min watermark
 * (ALLOC_HARDER before 6.3, ALLOC_NON_BLOCK / ALLOC_MIN_RESERVE / ALLOC_HIGHATOMIC from 6.3), whether the
 * cpuset is honoured, ALLOC_KSWAPD (5.0+) and ALLOC_CMA. Bit values are those of the version's era
 * ({@link allocFlagBits}); in 2.6.24's table the watermark is a bit (ALLOC_WMARK_MIN 0x02), later an index (0).
 * kernel: mm/page_alloc.c gfp_to_alloc_flags() (2.6.31+; 2.6.24: the same lines inline in __alloc_pages())
 *
 * @param gfp - the GFP mask of `version` (a number), or its decoded bits ({@link AllocFlagsGfp})
 * @param order - the request's order (ALLOC_HIGHATOMIC is for order > 0)
 * @param version - kernel version
 * @param ctx - the task context (realtime task, interrupt) and CONFIG_CMA
 * @returns the ALLOC_* flags
 * @example
 * ```ts
 * import { gfpToAllocFlags } from "@pagealloc/buddy";
 * // GFP_ATOMIC on 6.18, order 1: ALLOC_NON_BLOCK|ALLOC_MIN_RESERVE|ALLOC_HIGHATOMIC|ALLOC_KSWAPD, no ALLOC_CPUSET
 * console.log(gfpToAllocFlags(0x820, 1, "6.18").toString(16)); // => a30
 * // GFP_KERNEL from a realtime task: ALLOC_MIN_RESERVE on top of ALLOC_CPUSET|ALLOC_KSWAPD
 * console.log(gfpToAllocFlags(0xcc0, 0, "6.18", { rtTask: true }).toString(16)); // => 860
 * // 2.6.24 GFP_ATOMIC (__GFP_HIGH): ALLOC_WMARK_MIN|ALLOC_HARDER|ALLOC_HIGH
 * console.log(gfpToAllocFlags(0x20, 0, "2.6.24").toString(16)); // => 32
 * ```
 */
export function gfpToAllocFlags(gfp: number | AllocFlagsGfp, order: number, version: KernelVersion | string, ctx: GfpToAllocFlagsContext = {}): number {
  const facts = buddyVersionFacts(version);
  const g: AllocFlagsGfp =
    typeof gfp === "number"
      ? {
          directReclaim: gfpAllowsDirectReclaim(gfp, version),
          high: gfpIsHighPriority(gfp, version),
          atomic: (gfp & (gfpFlags(version).__GFP_ATOMIC ?? 0)) !== 0,
          noMemalloc: gfpTest("noMemalloc", gfp, version),
          kswapdReclaim: gfpAllowsKswapd(gfp, version),
          movable: gfpMigratetypeIndex(gfp, version) === facts.mt.MOVABLE,
        }
      : gfp;
  return gfpToAllocFlagsFromFacts(g, order, facts, ctx);
}
