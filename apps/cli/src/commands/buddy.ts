// `pagealloc extfrag`, `pagealloc buddyinfo` and `pagealloc pagetypeinfo` (@pagealloc/buddy). Files are read here;
// parsing, the index arithmetic and the boot model live in buddy.
import os from "node:os";
import { bootBuddyFromZoneSet, extfragIndex, parseBuddyinfo, renderBuddyinfo, renderExtfragIndex, renderPagetypeinfo, renderUnusableIndex, unusableIndex } from "@pagealloc/buddy";
import { checkHostMemory } from "@pagealloc/page-api";
import { DEFAULT_KERNEL_VERSION, parseKernelVersion } from "@pagealloc/physmem";
import { buildZones } from "@pagealloc/zones";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { readTextFile, writeJson } from "../options";
import { resolveMachine } from "./machine";

function bootState(machineSpec: string, kernel: string) {
  const machine = resolveMachine(machineSpec);
  const version = parseKernelVersion(kernel).raw;
  checkHostMemory(machine, os.totalmem()); // too large for this host: HOST_MEMORY_LIMIT before allocating
  return bootBuddyFromZoneSet(buildZones(machine, { version }), machine);
}

/** Register `extfrag`, `buddyinfo` and `pagetypeinfo`. */
export function registerBuddy(program: Command, io: Io): void {
  program
    .command("extfrag")
    .description("compute /sys/kernel/debug/extfrag/{unusable_index,extfrag_index} from a /proc/buddyinfo")
    .option("--buddyinfo <file>", "a /proc/buddyinfo text", "/proc/buddyinfo")
    .option("--index <which>", "unusable, extfrag or both (both: each file's text after a '# <path>' line)", "both")
    .option("--json", "per zone: the free blocks per order and both indices per order (the kernel's thousandths, as integers)")
    .action((opts: { buddyinfo: string; index: string; json?: boolean }) => {
      if (!["unusable", "extfrag", "both"].includes(opts.index)) throw new UsageError(`--index ${opts.index}: expected unusable, extfrag or both`);
      const zones = parseBuddyinfo(readTextFile(opts.buddyinfo), opts.buddyinfo);
      if (opts.json) {
        writeJson(io, {
          source: opts.buddyinfo,
          zones: zones.map((z) => ({
            node: z.nid,
            zone: z.zone,
            nrFree: z.nrFree,
            unusableIndex: z.nrFree.map((_, order) => unusableIndex(z.nrFree, order)),
            extfragIndex: z.nrFree.map((_, order) => extfragIndex(z.nrFree, order)),
          })),
        });
        return;
      }
      if (opts.index === "unusable") io.out(renderUnusableIndex(zones));
      else if (opts.index === "extfrag") io.out(renderExtfragIndex(zones));
      else {
        io.out(`# /sys/kernel/debug/extfrag/unusable_index\n${renderUnusableIndex(zones)}`);
        io.out(`# /sys/kernel/debug/extfrag/extfrag_index\n${renderExtfragIndex(zones)}`);
      }
    });

  program
    .command("buddyinfo")
    .description("print /proc/buddyinfo of a machine right after boot (every managed page freed as the kernel does)")
    .requiredOption("--machine <machine>", "preset name or machine JSON file")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .action((opts: { machine: string; kernel: string }) => {
      io.out(renderBuddyinfo(bootState(opts.machine, opts.kernel)));
    });

  program
    .command("pagetypeinfo")
    .description("print /proc/pagetypeinfo of a machine right after boot")
    .requiredOption("--machine <machine>", "preset name or machine JSON file")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .action((opts: { machine: string; kernel: string }) => {
      io.out(renderPagetypeinfo(bootState(opts.machine, opts.kernel)));
    });
}
