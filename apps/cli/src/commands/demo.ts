import { buddyDemo } from "../demo-impl";
import type { Command } from "commander";
import type { Io } from "../io";

export function registerDemo(program: Command, io: Io): void {
  program
    .command("demo")
    .description("boot a machine, run a mixed workload until fragmentation shows, and explain what happened")
    .option("--json", "machine-readable output")
    .action((opts: { json?: boolean }) => {
      io.out(buddyDemo(opts.json ?? false));
    });
}
