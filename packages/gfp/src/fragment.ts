import type { KernelVersion } from "@pagealloc/physmem";
import { InvalidGfpError } from "./errors";
import { formatGfp, gfpFlagNames } from "./format";
import type { GfpConfig } from "./layout";
import { gfpNameTable } from "./name-table";

/** What {@link decodeModeFragment} found. */
export interface DecodedModeFragment {
  /** The mask, from the hex the kernel printed. */
  readonly mask: number;
  /** The names the kernel printed in parentheses, or `null` when it printed the hex only. */
  readonly printed: string | null;
  /** What this version's name table gives for the mask (`%pGg` form; the hex before 4.6). */
  readonly expected: string;
  /** `expected` as a list of names (and leftover hex). */
  readonly names: readonly string[];
  /** Whether `printed` equals `expected`; `null` when the kernel printed no names. */
  readonly matches: boolean | null;
  /** 0-based character index of the fragment in the text. */
  readonly position: number;
}

const FRAGMENT_RE = /\b(mode:|gfp_mask=)(0x[0-9a-fA-F]+|\d+)(\(([^)]*)\))?/;

/**
 * Decode the `mode:0x...(NAMES)` item of an allocation-failure report (or the OOM header's
 * `gfp_mask=0x...(NAMES)`) with the tables of the given kernel version, and check the names the
 * kernel printed against the names the tables give for the same hex.
 *
 * @param text - a dmesg line or fragment
 * @param version - the kernel version that printed it
 * @param config - config options (see {@link GfpConfig})
 * @returns mask, printed and expected names, whether they agree
 * @throws {InvalidGfpError} when the text holds no `mode:` / `gfp_mask=` item
 * @example
 * ```ts
 * import { decodeModeFragment } from "@pagealloc/gfp";
 * const d = decodeModeFragment("kswapd0: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), nodemask=(null)", "6.8.9");
 * console.log(d.mask.toString(16), d.printed, d.matches); // => 820 GFP_ATOMIC true
 * ```
 */
export function decodeModeFragment(text: string, version: KernelVersion | string, config?: GfpConfig): DecodedModeFragment {
  const m = FRAGMENT_RE.exec(text);
  if (!m) throw new InvalidGfpError("no mode:0x... or gfp_mask=0x... item in the text", 0);
  const value = Number(m[2]);
  if (value > 0xffffffff) throw new InvalidGfpError(`mask ${m[2]} does not fit in a 32-bit gfp_t`, m.index + m[1].length);
  const mask = value >>> 0;
  const printed = m[4] ?? null;
  const hasNames = gfpNameTable(version, "printk", config) !== null;
  const expected = formatGfp(mask, version, "printk", config);
  return {
    mask,
    printed,
    expected,
    names: hasNames ? gfpFlagNames(mask, version, config) : [],
    matches: printed === null ? null : printed === expected,
    position: m.index,
  };
}
