import { type KernelVersion, versionAtLeast } from "@pagealloc/physmem";
import { layoutFlags } from "./composite";
import { InvalidGfpError } from "./errors";
import { type GfpConfig, type GfpLayout, gfpLayout, perLayout } from "./layout";
import { type GfpNameEntry, type GfpPrintStyle, PRINTK_NAMES_SINCE, gfpNameTable, layoutNameTable } from "./name-table";

/**
 * A mask as the kernel prints it with `%#x` / `%#lx`: `0x` and lowercase hex (the kernel's
 * vsprintf prints `0x0` for 0, unlike glibc).
 *
 * @param mask - the gfp mask
 * @returns e.g. `0xcc0`
 * @example
 * ```ts
 * import { hexGfp } from "@pagealloc/gfp";
 * console.log(hexGfp(3264), hexGfp(0)); // => 0xcc0 0x0
 * ```
 */
export function hexGfp(mask: number): string {
  return `0x${(mask >>> 0).toString(16)}`;
}

/** What a zero mask prints as in a tracepoint: "none" from 4.6, "GFP_NOWAIT" before (show_gfp_flags). */
function traceZero(version: KernelVersion): string {
  return versionAtLeast(version, PRINTK_NAMES_SINCE) ? "none" : "GFP_NOWAIT";
}

/**
 * Split a mask into the names the kernel prints, in order: walk the table, take every entry
 * whose bits are all still set, clear them; bits left at the end are one hex item.
 */
// kernel: lib/vsprintf.c format_flags() (%pGg) and kernel/trace/trace_output.c trace_print_flags_seq()
function walkTable(mask: number, table: readonly GfpNameEntry[]): string[] {
  const out: string[] = [];
  let flags = mask >>> 0;
  for (const entry of table) {
    if (flags === 0) break;
    if (((flags & entry.mask) >>> 0) !== entry.mask) continue;
    out.push(entry.name);
    flags = (flags & ~entry.mask) >>> 0;
  }
  if (flags !== 0) out.push(hexGfp(flags));
  return out;
}

/**
 * Format a gfp mask exactly as the kernel of `version` prints it.
 * `printk`: the `%pGg` text of failure reports and the OOM header (4.6+; older kernels print only
 * the hex, which is returned); nothing for 0. `trace`: `show_gfp_flags` of the kmem tracepoints
 * (2.6.32+), `none` for 0 (`GFP_NOWAIT` before 4.6).
 *
 * @param mask - the gfp mask (32-bit unsigned)
 * @param version - kernel release; default 6.18
 * @param style - `printk` (default) or `trace`
 * @param config - config options (see {@link GfpConfig})
 * @returns the text, names joined by `|`, unknown bits as one lowercase hex item
 * @throws {InvalidGfpError} when `mask` is not an integer in 0..0xffffffff
 * @example
 * ```ts
 * import { formatGfp } from "@pagealloc/gfp";
 * console.log(formatGfp(0x40dc0)); // => GFP_KERNEL|__GFP_ZERO|__GFP_COMP
 * console.log(formatGfp(0x26040c0, "4.8")); // => GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK
 * console.log(formatGfp(0x200), JSON.stringify(formatGfp(0)), formatGfp(0, "6.18", "trace")); // => 0x200 "" none
 * ```
 */
// kernel: include/trace/events/mmflags.h show_gfp_flags(), lib/vsprintf.c flags_string() 'g'
export function formatGfp(
  mask: number,
  version?: KernelVersion | string,
  style: GfpPrintStyle = "printk",
  config?: GfpConfig,
): string {
  checkMask(mask);
  const layout = gfpLayout(version, config);
  const table = layoutNameTable(layout, style);
  if (!table) return hexGfp(mask);
  if (mask === 0) return style === "trace" ? traceZero(layout.version) : "";
  return walkTable(mask, table).join("|");
}

/**
 * The names (and leftover hex) the kernel prints for a mask, as a list.
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param config - config options
 * @returns e.g. `["GFP_KERNEL", "__GFP_ZERO"]`; `[]` for 0; `[hex]` for kernels without a name table
 * @example
 * ```ts
 * import { gfpFlagNames } from "@pagealloc/gfp";
 * console.log(gfpFlagNames(0x400dc0, "5.10").join(" ")); // => GFP_KERNEL_ACCOUNT __GFP_ZERO
 * ```
 */
export function gfpFlagNames(mask: number, version?: KernelVersion | string, config?: GfpConfig): string[] {
  checkMask(mask);
  const layout = gfpLayout(version, config);
  const table = layoutNameTable(layout, "printk") ?? layoutNameTable(layout, "trace");
  if (!table) return mask === 0 ? [] : [hexGfp(mask)];
  return walkTable(mask, table);
}

/**
 * The single-bit flags set in a mask, in bit order, with bits this version does not define as one
 * trailing hex item: the mask taken apart, without composites.
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param config - config options
 * @returns e.g. `["__GFP_IO", "__GFP_FS", "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"]` for 0xcc0 on 6.18
 * @example
 * ```ts
 * import { gfpBitNames } from "@pagealloc/gfp";
 * console.log(gfpBitNames(0x200d0, "2.6.24").join("|")); // => __GFP_WAIT|__GFP_IO|__GFP_FS|__GFP_HARDWALL
 * console.log(gfpBitNames(0x300).join("|")); // => __GFP_ZERO|0x200
 * ```
 */
export function gfpBitNames(mask: number, version?: KernelVersion | string, config?: GfpConfig): string[] {
  checkMask(mask);
  const out: string[] = [];
  let rest = mask >>> 0;
  for (const [name, value] of Object.entries(gfpLayout(version, config).flags)) {
    if (value !== 0 && (rest & value) === value) {
      out.push(name);
      rest = (rest & ~value) >>> 0;
    }
  }
  if (rest !== 0) out.push(hexGfp(rest));
  return out;
}

/**
 * The `mode:` item of an allocation failure report: `mode:0xcc0(GFP_KERNEL)` from 4.6,
 * `mode:0xd0` before (warn_alloc / warn_alloc_failed / __alloc_pages).
 *
 * @param mask - the gfp mask
 * @param version - kernel release; default 6.18
 * @param config - config options
 * @returns the fragment
 * @example
 * ```ts
 * import { formatModeFragment } from "@pagealloc/gfp";
 * console.log(formatModeFragment(0xc0c40), formatModeFragment(0xd0, "2.6.24")); // => mode:0xc0c40(GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC) mode:0xd0
 * ```
 */
// kernel: mm/page_alloc.c warn_alloc() "mode:%#x(%pGg)" (4.6+); "mode:0x%x" before
export function formatModeFragment(mask: number, version?: KernelVersion | string, config?: GfpConfig): string {
  checkMask(mask);
  const table = gfpNameTable(version, "printk", config);
  return table ? `mode:${hexGfp(mask)}(${formatGfp(mask, version, "printk", config)})` : `mode:${hexGfp(mask)}`;
}

/** Options of {@link parseGfp}. */
export interface ParseGfpOptions {
  /**
   * Read the names as a kernel printer wrote them (`printk` or `trace`): names are looked up in that
   * version's name table first, in table order (this tells the 4.4 `GFP_ATOMIC` composite from the
   * `__GFP_ATOMIC` bit printed under the same name, and `GFP_THISNODE` the bit from the old composite).
   * Without it, names are the kernel's constants, with old trace spellings (`GFP_HIGH`) as aliases.
   */
  readonly style?: GfpPrintStyle;
  /** Config options (see {@link GfpConfig}). */
  readonly config?: GfpConfig;
}

const TOKEN_RE = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\|)|(\S))/y;

/**
 * Parse a gfp expression: flag and composite names of that version, hex or decimal numbers,
 * joined by `|`, with any whitespace: `GFP_KERNEL|__GFP_ZERO`, ` GFP_KERNEL | 0x100 `, `0xcc0`.
 * The printed forms parse back too: `none` and the empty string are 0, and so is a lone
 * `GFP_NOWAIT` read as a pre-4.6 trace.
 *
 * @param expr - the expression, or a number (checked and returned)
 * @param version - kernel release whose names apply; default 6.18
 * @param options - `style` to read kernel output, `config`
 * @returns the mask (32-bit unsigned)
 * @throws {InvalidGfpError} with the character position of the bad token
 * @example
 * ```ts
 * import { parseGfp } from "@pagealloc/gfp";
 * console.log(parseGfp(" GFP_KERNEL | 0x100 ").toString(16), parseGfp("GFP_KERNEL", "2.6.24").toString(16)); // => dc0 d0
 * console.log(parseGfp("GFP_HIGH|GFP_ATOMIC", "4.4", { style: "trace" }).toString(16)); // => 80020
 * ```
 */
export function parseGfp(expr: string | number, version?: KernelVersion | string, options: ParseGfpOptions = {}): number {
  if (typeof expr === "number") {
    checkMask(expr);
    return expr >>> 0;
  }
  const layout = gfpLayout(version, options.config);
  const v = layout.version;
  const whole = expr.trim();
  if (whole === "" || whole === "none") return 0;
  if (whole === "GFP_NOWAIT" && options.style === "trace" && !versionAtLeast(v, PRINTK_NAMES_SINCE)) return 0;
  const resolve = nameResolver(layout, options.style);
  let mask = 0;
  let expectTerm = true;
  let pos = 0;
  TOKEN_RE.lastIndex = 0;
  while (pos < expr.length) {
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(expr);
    if (!m) break; // only trailing whitespace left
    const start = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? m[4]).length;
    pos = TOKEN_RE.lastIndex;
    if (m[4] !== undefined) throw new InvalidGfpError(`unexpected character ${JSON.stringify(m[4])} in gfp expression`, start);
    if (m[3] !== undefined) {
      if (expectTerm) throw new InvalidGfpError("expected a flag name or a number before '|'", start);
      expectTerm = true;
      continue;
    }
    if (!expectTerm) throw new InvalidGfpError(`expected '|' before ${JSON.stringify(m[1] ?? m[2])}`, start);
    expectTerm = false;
    if (m[1] !== undefined) {
      const value = Number(m[1]);
      if (!Number.isSafeInteger(value) || value > 0xffffffff) {
        throw new InvalidGfpError(`number ${m[1]} does not fit in a 32-bit gfp_t`, start);
      }
      mask = (mask | value) >>> 0;
    } else {
      const value = resolve(m[2]);
      if (value === undefined) {
        throw new InvalidGfpError(`unknown GFP flag ${m[2]} in kernel ${v.raw}`, start);
      }
      mask = (mask | value) >>> 0;
    }
  }
  if (expectTerm) throw new InvalidGfpError("expression ends with '|'", expr.trimEnd().length - 1);
  return mask;
}

/** Name -> value for one parse; with a style, duplicate printed names are taken in table order. */
function nameResolver(layout: GfpLayout, style: GfpPrintStyle | undefined): (name: string) => number | undefined {
  const constants = layoutFlags(layout);
  const printedTable = style ? layoutNameTable(layout, style) : null;
  const printed = style ? namePositions(layout, style) : undefined;
  const aliases = namePositions(layout, "trace");
  const aliasTable = layoutNameTable(layout, "trace");
  let lastIdx = -1;
  return (name) => {
    const candidates = printed?.get(name);
    if (printedTable && candidates) {
      const idx = candidates.find((i) => i > lastIdx) ?? candidates[0];
      lastIdx = idx;
      return printedTable[idx].mask;
    }
    const constant = name.startsWith("___GFP_") ? name.slice(1) : name;
    if (constant in constants) return constants[constant];
    const alias = aliases.get(name);
    return alias && aliasTable ? aliasTable[alias[0]].mask : undefined;
  };
}

/** Printed name -> its positions in the version's table for that printer (a name can appear twice: 4.4 GFP_ATOMIC). */
function namePositions(layout: GfpLayout, style: GfpPrintStyle): ReadonlyMap<string, readonly number[]> {
  return perLayout(layout, `namePositions:${style}`, () => {
    const positions = new Map<string, number[]>();
    (layoutNameTable(layout, style) ?? []).forEach((entry, i) => {
      positions.set(entry.name, [...(positions.get(entry.name) ?? []), i]);
    });
    return positions;
  });
}

function checkMask(mask: number): void {
  if (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff) {
    throw new InvalidGfpError(`gfp mask ${String(mask)} is not an integer in 0..0xffffffff`, 0);
  }
}
