import { PageallocError } from "@pagealloc/physmem";

/**
 * A GFP expression or kernel output fragment could not be read: an unknown flag name, a bad
 * number or a misplaced `|`. `position` is the 0-based character index of the bad token.
 *
 * @example
 * ```ts
 * import { parseGfp } from "@pagealloc/gfp";
 * let err;
 * try { parseGfp("GFP_KERNEL|GFP_BOGUS"); } catch (e) { err = e; }
 * console.log(err.code, err.position); // => INVALID_GFP 11
 * ```
 */
export class InvalidGfpError extends PageallocError {
  /** 0-based character index of the offending token in the input. */
  readonly position: number;

  /**
   * @param reason - what was wrong
   * @param position - 0-based character index of the bad token
   */
  constructor(reason: string, position: number) {
    super("INVALID_GFP", reason, `char ${position}`);
    this.position = position;
  }
}

/**
 * The zone modifiers of a mask form a combination that GFP_ZONE_BAD marks invalid (e.g.
 * `__GFP_DMA|__GFP_HIGHMEM`); a CONFIG_DEBUG_VM kernel hits VM_BUG_ON in gfp_zone().
 *
 * @example
 * ```ts
 * import { gfpZone } from "@pagealloc/gfp";
 * let err;
 * try { gfpZone(0x3, { arch: "x86_64" }); } catch (e) { err = e; }
 * console.log(err.code, err.modifiers.join("|")); // => GFP_ZONE_BAD __GFP_DMA|__GFP_HIGHMEM
 * ```
 */
export class BadGfpZoneError extends PageallocError {
  /** The zone modifier flags set in the mask, e.g. `["__GFP_DMA", "__GFP_HIGHMEM"]`. */
  readonly modifiers: readonly string[];
  /** The mask, for the message. */
  readonly mask: number;

  /**
   * @param mask - the gfp mask
   * @param modifiers - names of the zone modifiers set in it
   */
  constructor(mask: number, modifiers: readonly string[]) {
    super(
      "GFP_ZONE_BAD",
      `zone modifiers ${modifiers.join("|")} cannot be combined (GFP_ZONE_BAD)`,
      `gfp 0x${mask.toString(16)}`,
    );
    this.modifiers = modifiers;
    this.mask = mask;
  }
}

/**
 * Both mobility bits (__GFP_MOVABLE|__GFP_RECLAIMABLE) are set: the kernel warns and the
 * migratetype index is 3 (HighAtomic since 4.4, Reserve before), which is not an allocation type.
 *
 * @example
 * ```ts
 * import { gfpMigratetype } from "@pagealloc/gfp";
 * let err;
 * try { gfpMigratetype(0x18); } catch (e) { err = e; }
 * console.log(err.code); // => GFP_MIGRATETYPE_BAD
 * ```
 */
export class BadGfpMigratetypeError extends PageallocError {
  /**
   * @param mask - the gfp mask
   */
  constructor(mask: number) {
    super(
      "GFP_MIGRATETYPE_BAD",
      "both __GFP_MOVABLE and __GFP_RECLAIMABLE are set (the kernel warns: migratetype index 3)",
      `gfp 0x${mask.toString(16)}`,
    );
  }
}

/** An internal table of this package refers to a name its era does not define (a bug here, not in the input). */
export class GfpTableError extends PageallocError {
  /**
   * @param reason - what is inconsistent
   */
  constructor(reason: string) {
    super("GFP_TABLE", reason);
  }
}
