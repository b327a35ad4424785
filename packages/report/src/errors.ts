import { PageallocError } from "@pagealloc/physmem";

/** The input handed to the report reader is not text, or an option is out of range. */
export class InvalidReportError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("INVALID_REPORT", reason, location);
  }
}

/** A report cannot be explained as asked (e.g. the kernel version given is not understood). */
export class ReportExplainError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("REPORT_EXPLAIN", reason, location);
  }
}
