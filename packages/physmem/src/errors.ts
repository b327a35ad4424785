/**
 * Base class of every error pagealloc throws. Each error has a stable machine-readable
 * `code` (listed in the error catalogue) and, where the input had one, a `location`
 * (a JSON path such as `$.nodes[1].ranges[0]`, `file:line`, or an argument name).
 *
 * @example
 * ```ts
 * import { PageallocError } from "@pagealloc/physmem";
 * const err = new PageallocError("EXAMPLE", "something was wrong", "$.nodes[0]");
 * console.log(err.message); // => something was wrong (at $.nodes[0])
 * ```
 */
export class PageallocError extends Error {
  /** Stable identifier of the kind of error, e.g. `INVALID_MACHINE`. */
  readonly code: string;
  /** Where in the input the problem is, when known. */
  readonly location: string | undefined;

  /**
   * @param code - stable error code
   * @param reason - what was wrong, in one line
   * @param location - where (JSON path, file:line, argument name)
   */
  constructor(code: string, reason: string, location?: string) {
    super(location ? `${reason} (at ${location})` : reason);
    this.name = new.target.name;
    this.code = code;
    this.location = location;
  }
}

/** A kernel version string could not be understood. */
export class InvalidKernelVersionError extends PageallocError {
  constructor(input: string, location?: string) {
    super("INVALID_KERNEL_VERSION", `not a kernel version: ${JSON.stringify(input)}`, location);
  }
}
