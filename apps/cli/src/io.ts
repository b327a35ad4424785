/** Where a command writes: stdout and stderr, replaceable in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A usage problem on the command line (exit status 2). */
export class UsageError extends Error {
  readonly code = "CLI_USAGE";
}
