// `pagealloc gfp decode|encode|zone`: GFP masks of any kernel version (@pagealloc/gfp).
import { gfpBitNames, gfpMigratetypeIndex, gfpZone, gfpZoneIdx, formatGfp, hexGfp, parseGfp } from "@pagealloc/gfp";
import { DEFAULT_KERNEL_VERSION, isArchName, parseKernelVersion } from "@pagealloc/physmem";
import type { Command } from "commander";
import { type Io, UsageError } from "../io";
import { writeJson } from "../options";

interface GfpOptions {
  kernel: string;
  json?: boolean;
}

export function registerGfp(program: Command, io: Io): void {
  const gfp = program.command("gfp").description("GFP allocation masks: decode, encode and gfp_zone() for any kernel version");

  gfp
    .command("decode")
    .description("print a mask as the kernel prints it (%pGg; --trace: the tracepoint form) and the flags it sets")
    .argument("<mask>", "the mask: hex (0xcc0), decimal, or an expression")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--trace", "print the tracepoint (show_gfp_flags) form instead of %pGg")
    .option("--json", "machine-readable output")
    .action((maskArg: string, opts: GfpOptions & { trace?: boolean }) => {
      const kernel = parseKernelVersion(opts.kernel);
      const mask = parseGfp(maskArg, kernel);
      const printk = formatGfp(mask, kernel, "printk");
      const trace = formatGfp(mask, kernel, "trace");
      const flags = gfpBitNames(mask, kernel);
      if (opts.json) {
        writeJson(io, { kernel: kernel.raw, mask: hexGfp(mask), printk, trace, flags, migratetype: gfpMigratetypeIndex(mask, kernel) });
        return;
      }
      io.out(`${opts.trace ? trace : printk}\n`);
      io.out(`flags: ${flags.length > 0 ? flags.join(" ") : "(none)"}\n`);
    });

  gfp
    .command("encode")
    .description("print the value of a GFP expression (GFP_KERNEL|__GFP_ZERO, 0x100, ...) in hex, as the kernel prints it")
    .argument("<expr>", "flag and composite names and numbers joined by |")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--json", "machine-readable output")
    .action((expr: string, opts: GfpOptions) => {
      const kernel = parseKernelVersion(opts.kernel);
      const mask = parseGfp(expr, kernel);
      if (opts.json) {
        writeJson(io, { kernel: kernel.raw, expr, mask: hexGfp(mask), value: mask });
        return;
      }
      io.out(`${hexGfp(mask)}\n`);
    });

  gfp
    .command("zone")
    .description("the zone gfp_zone() selects for a mask (exit status 2 for an invalid modifier combination)")
    .argument("<expr>", "the mask: hex or an expression")
    .option("--arch <arch>", "x86_64, i386, i386-pae or arm64", "x86_64")
    .option("--kernel <version>", "kernel version (uname -r form accepted)", DEFAULT_KERNEL_VERSION)
    .option("--json", "machine-readable output")
    .action((expr: string, opts: GfpOptions & { arch: string }) => {
      if (!isArchName(opts.arch)) throw new UsageError(`--arch ${opts.arch}: expected x86_64, i386, i386-pae or arm64`);
      const kernel = parseKernelVersion(opts.kernel);
      const mask = parseGfp(expr, kernel);
      const where = { arch: opts.arch, version: kernel };
      const zone = gfpZone(mask, where);
      const zoneIdx = gfpZoneIdx(mask, where);
      if (opts.json) {
        writeJson(io, { kernel: kernel.raw, arch: opts.arch, mask: hexGfp(mask), zone, zoneIdx });
        return;
      }
      io.out(`${zone} (zone_idx ${zoneIdx})\n`);
    });
}
