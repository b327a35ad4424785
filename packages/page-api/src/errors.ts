import { PageallocError } from "@pagealloc/physmem";

/**
 * A page was freed (or put) in a state the kernel's debug checks reject: "BUG: Bad page state".
 * `report` holds the kernel-style text (the BUG line and the dump_page lines). Nothing changed.
 */
export class BadPageStateError extends PageallocError {
  /** The page frame number. */
  readonly pfn: number;
  /** dump_page's "page dumped because:" reason, e.g. `nonzero mapcount`. */
  readonly reason: string;
  /** The kernel-style report, one line per array element. */
  readonly report: readonly string[];
  constructor(pfn: number, reason: string, report: readonly string[], location: string) {
    super("BAD_PAGE_STATE", `${report[0]}: ${reason}`, location);
    this.pfn = pfn;
    this.reason = reason;
    this.report = report;
  }
}

/** An address that is not a page-aligned kernel direct-map (lowmem) address, or a pfn with no page. */
export class InvalidAddressError extends PageallocError {
  constructor(reason: string, location: string) {
    super("INVALID_ADDRESS", reason, location);
  }
}

/** A call with arguments the modelled kernel rejects (wrong order for the block, a negative size, ...). */
export class PageApiArgumentError extends PageallocError {
  constructor(reason: string, location: string) {
    super("PAGE_API_ARGUMENT", reason, location);
  }
}

/** A function the selected kernel version does not have (e.g. alloc_pages_exact before 2.6.27). */
export class NotInThisKernelError extends PageallocError {
  constructor(fn: string, since: string, version: string) {
    super("NOT_IN_THIS_KERNEL", `${fn}() does not exist in ${version} (added in ${since})`, fn);
  }
}

/** kmap() found no free pkmap slot (the kernel would sleep until a kunmap; the model cannot wait). */
export class KmapExhaustedError extends PageallocError {
  constructor(slots: number) {
    super("KMAP_EXHAUSTED", `all ${slots} pkmap slots are in use`, "kmap");
  }
}
