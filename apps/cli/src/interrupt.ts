// Ctrl-C for the long commands (`run`, `replay`): the first SIGINT or SIGTERM only sets a flag, which the command
// reads at its next step or trace-line boundary; it then stops, prints its summary marked as interrupted and exits
// with 128 + the signal's number (130 for SIGINT). A second signal exits at once.

/** Exit status after a signal: 128 + its number, as a shell reports a process killed by it. */
const SIGNAL_EXIT: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export type InterruptSignal = "SIGINT" | "SIGTERM";

/** Test hooks: `atCheckpoint(n)` runs at the n-th checkpoint (1-based), e.g. to `process.emit("SIGINT")` there. */
export const interruptHooks: { atCheckpoint?: (n: number) => void } = {};

/** The flag of one command run: like an AbortSignal, set by the signal handlers installed by {@link watchInterrupts}. */
export interface Interrupt {
  /** A signal arrived. */
  readonly aborted: boolean;
  /** The first signal that arrived. */
  readonly signal: InterruptSignal | undefined;
  /** A step/event boundary: the command may stop here. Returns {@link Interrupt.aborted}. */
  checkpoint(): boolean;
  /** Remove the handlers (always, when the command ends: in-process runs must not leak listeners). */
  dispose(): void;
}

/**
 * Install SIGINT and SIGTERM handlers for the duration of a command. The first signal sets the flag; a second
 * one exits the process at once with 128 + its number.
 */
export function watchInterrupts(): Interrupt {
  let signal: InterruptSignal | undefined;
  let checkpoints = 0;
  const handlers = new Map<InterruptSignal, () => void>();
  for (const name of Object.keys(SIGNAL_EXIT) as InterruptSignal[]) {
    const handler = () => {
      if (signal !== undefined) process.exit(SIGNAL_EXIT[name]);
      signal = name;
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    get aborted() {
      return signal !== undefined;
    },
    get signal() {
      return signal;
    },
    checkpoint() {
      interruptHooks.atCheckpoint?.(++checkpoints);
      return signal !== undefined;
    },
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
      handlers.clear();
    },
  };
}

/**
 * The command stopped on a signal; its summary has been printed (marked as interrupted). run() turns it into the
 * exit status 128 + the signal's number.
 */
export class InterruptedError extends Error {
  readonly code = "CLI_INTERRUPTED";
  readonly exitCode: number;
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
    this.exitCode = SIGNAL_EXIT[signal];
  }
}
