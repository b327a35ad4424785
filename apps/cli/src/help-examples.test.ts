import type { Command } from "commander";
import { expect, it } from "vitest";
import { buildProgram } from "./run";

// Every command (leaf or not, except the generated `help`) shows examples in its --help.
it("every command's --help lists examples", () => {
  const program = buildProgram({ out: () => undefined, err: () => undefined });
  const missing: string[] = [];
  const walk = (cmd: Command, prefix: string) => {
    const name = `${prefix}${cmd.name()}`;
    let help = "";
    cmd.configureOutput({ writeOut: (t) => (help += t) });
    cmd.outputHelp();
    if (cmd.commands.length === 0 && !help.includes("Examples:")) missing.push(name);
    for (const sub of cmd.commands) walk(sub, `${name} `);
  };
  for (const c of program.commands) walk(c, "");
  expect(missing).toEqual([]);
});
