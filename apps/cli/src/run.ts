import { PageallocError } from "@pagealloc/physmem";
import { Command, CommanderError } from "commander";
import { registerBuddy } from "./commands/buddy";
import { registerDemo } from "./commands/demo";
import { registerExplain } from "./commands/explain";
import { registerGfp } from "./commands/gfp";
import { registerMachine } from "./commands/machine";
import { registerReplay } from "./commands/replay";
import { registerRun } from "./commands/run";
import { registerState } from "./commands/state";
import { registerZones } from "./commands/zones";
import { registerWhatIf } from "./commands/whatif";
import { registerSlowPath } from "./commands/slowpath";
import { type Io, UsageError, processIo } from "./io";
import { addHelpExamples } from "./help-examples";
import { CheckFailedError } from "./options";
import { InterruptedError } from "./interrupt";

export { type Io } from "./io";

/** The version printed by `pagealloc --version`. */
export const CLI_VERSION = "0.1.0";

/** Build the command tree; every command writes through `io`. */
export function buildProgram(io: Io): Command {
  const program = new Command("pagealloc")
    .description("A faithful model of the Linux kernel's physical page allocator (buddy system, zones, GFP masks)")
    .version(CLI_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerDemo(program, io);
  registerExplain(program, io);
  registerWhatIf(program, io);
  registerGfp(program, io);
  registerMachine(program, io);
  registerZones(program, io);
  registerBuddy(program, io);
  registerRun(program, io);
  registerReplay(program, io);
  registerState(program, io);
  registerSlowPath(program, io);
  addHelpExamples(program);
  return program;
}

/**
 * Run the CLI with `argv` (without `node` and the script), writing to `io`.
 * @returns the exit status: 0 ok, 1 a check failed, 2 bad usage or bad input, 70 internal error, 130 (143) stopped by SIGINT (SIGTERM)
 */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CheckFailedError) return 1;
    if (e instanceof InterruptedError) return e.exitCode;
    // Errors about a line of an input file (scripts, traces): `pagealloc: FILE:LINE:COL: reason`.
    if (e instanceof PageallocError && e.location && "reason" in e && /:\d+/.test(e.location)) {
      io.err(`pagealloc: ${e.location}: ${String(e.reason)}\n`);
      return 2;
    }
    if (e instanceof PageallocError) {
      io.err(`pagealloc: ${e.message} [${e.code}]\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`pagealloc: ${e.message}\n`);
      return 2;
    }
    // No stack trace reaches a user unless asked for.
    io.err(`pagealloc: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.PAGEALLOC_DEBUG) io.err(`${e instanceof Error ? e.stack : ""}\n`);
    return 70;
  }
}
