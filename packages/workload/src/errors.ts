import { PageallocError } from "@pagealloc/physmem";

/**
 * A workload script line that does not parse or cannot run (unknown allocation name, bad option).
 * `location` is `FILE:LINE:COLUMN` (1-based).
 */
export class ScriptError extends PageallocError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  constructor(reason: string, file: string, line: number, column: number, code = "SCRIPT_PARSE") {
    super(code, reason, `${file}:${line}:${column}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** A trace line that looks like a kmem page event but whose fields cannot be read. */
export class TraceParseError extends PageallocError {
  readonly line: number;
  readonly reason: string;
  constructor(reason: string, file: string, line: number) {
    super("TRACE_PARSE", reason, `${file}:${line}`);
    this.line = line;
    this.reason = reason;
  }
}

/** A bad argument to a workload function (unknown state file name, bad option value). */
export class WorkloadArgumentError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("WORKLOAD_ARGUMENT", reason, location);
  }
}
