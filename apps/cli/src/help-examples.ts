// Examples appended to the --help of commands that do not list their own, so that every command's
// help shows how it is used. Commands that call examples() themselves are left alone.
import type { Command } from "commander";
import { examples } from "./options";

const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  "gfp decode": ["pagealloc gfp decode 0x140cca", "pagealloc gfp decode 0xd0 --kernel 2.6.24 --json", "pagealloc gfp decode 'GFP_KERNEL|__GFP_ZERO' --trace"],
  "gfp encode": ["pagealloc gfp encode 'GFP_KERNEL|__GFP_ZERO'", "pagealloc gfp encode GFP_HIGHUSER_MOVABLE --kernel 2.6.24"],
  "gfp zone": ["pagealloc gfp zone GFP_DMA32", "pagealloc gfp zone 'GFP_HIGHUSER_MOVABLE' --kernel 2.6.24"],
  "machine presets": ["pagealloc machine presets", "pagealloc machine presets --json"],
  "machine show": ["pagealloc machine show pc-4g", "pagealloc machine show book-i386 --kernel 2.6.24", "pagealloc machine show ./mine.json"],
  "machine import": ["pagealloc machine import --zoneinfo /proc/zoneinfo -o mine.json", "pagealloc machine import --numactl numactl.txt --name lab-box", "pagealloc machine import --sysfs /sys/devices/system/node"],
  zonelist: ["pagealloc zonelist --machine numa-4node", "pagealloc zonelist --machine numa-4node --node 1 --gfp 'GFP_KERNEL|__GFP_THISNODE'"],
  extfrag: ["pagealloc extfrag", "pagealloc extfrag --buddyinfo saved-buddyinfo.txt --index extfrag"],
  explain: ["pagealloc explain dmesg.txt", "pagealloc explain syslog.txt --report 2 --json"],
  slowpath: ["pagealloc slowpath", "pagealloc slowpath thp --trace", "pagealloc slowpath kswapd --kernel 2.6.24 --json"],
  whatif: ['pagealloc whatif --from dmesg.txt --alloc "order=4 gfp=GFP_ATOMIC"', 'pagealloc whatif --from /proc/zoneinfo /proc/buddyinfo --alloc "order=9 gfp=GFP_TRANSHUGE"'],
};

function path(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Add the examples above to every command (at any depth) of `program` that has them in the table. */
export function addHelpExamples(program: Command): void {
  const walk = (cmd: Command) => {
    const lines = EXAMPLES[path(cmd)];
    if (lines) examples(cmd, lines);
    cmd.commands.forEach(walk);
  };
  program.commands.forEach(walk);
}
