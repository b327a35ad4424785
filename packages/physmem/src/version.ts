import { InvalidKernelVersionError } from "./errors";

/** A kernel release, reduced to the numbers that decide behaviour. */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The text it was parsed from (e.g. `4.18.0-80.el8.x86_64`). */
  readonly raw: string;
}

const VERSION_RE = /^\s*v?(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?(?:\.\d+)?(?:[-+~_. ].*)?$/;

/**
 * Parse a kernel release string as `uname -r` prints it, vendor suffixes included.
 * For 2.6.x kernels the third number is the series (2.6.24), so it is kept as `patch`.
 *
 * @param text - e.g. `6.18`, `6.18.44`, `4.18.0-80.el8.x86_64`, `6.19.0-rc5`, `2.6.24`
 * @returns the parsed version
 * @throws {InvalidKernelVersionError} when the text is not a kernel release
 * @example
 * ```ts
 * import { parseKernelVersion, formatKernelVersion } from "@pagealloc/physmem";
 * const v = parseKernelVersion("4.18.0-80.el8.x86_64");
 * console.log(formatKernelVersion(v)); // => 4.18.0
 * ```
 */
export function parseKernelVersion(text: string): KernelVersion {
  if (typeof text !== "string") throw new InvalidKernelVersionError(String(text));
  const m = VERSION_RE.exec(text);
  if (!m) throw new InvalidKernelVersionError(text);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  if (major < 2 || major > 99) throw new InvalidKernelVersionError(text);
  return { major, minor, patch, raw: text.trim() };
}

/** Compare two versions: negative, zero or positive, like a sort comparator. */
export function compareKernelVersions(a: KernelVersion | string, b: KernelVersion | string): number {
  const x = typeof a === "string" ? parseKernelVersion(a) : a;
  const y = typeof b === "string" ? parseKernelVersion(b) : b;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** True when `v` is at least `min` (e.g. `versionAtLeast(v, "6.3")`). */
export function versionAtLeast(v: KernelVersion | string, min: KernelVersion | string): boolean {
  return compareKernelVersions(v, min) >= 0;
}

/** `major.minor.patch` (the vendor suffix dropped). */
export function formatKernelVersion(v: KernelVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The kernel version every layer models unless told otherwise. */
export const DEFAULT_KERNEL_VERSION = "6.18";

/** The book's kernel (Professional Linux Kernel Architecture). */
export const BOOK_KERNEL_VERSION = "2.6.24";

/**
 * Pick the row of a version-keyed table that applies to `v`: rows are `[sinceVersion, value]`
 * in ascending order; the last row whose version is <= v wins.
 *
 * @throws {InvalidKernelVersionError} when `v` is older than the first row
 */
export function pickByVersion<T>(rows: readonly (readonly [string, T])[], v: KernelVersion | string): T {
  const ver = typeof v === "string" ? parseKernelVersion(v) : v;
  let found: T | undefined;
  let any = false;
  for (const [since, value] of rows) {
    if (compareKernelVersions(ver, since) >= 0) {
      found = value;
      any = true;
    }
  }
  if (!any) throw new InvalidKernelVersionError(ver.raw, `older than ${rows[0]?.[0]}, the first version modelled`);
  return found as T;
}
