// Fuzzing of the command line (issue 11): random argv from the CLI's own vocabulary plus junk must never end in
// exit status 70 (internal error) or print a stack trace; bad input is exit status 2 with one `pagealloc:` line.
// Budget: ARGV_RUNS cases with a fixed seed (x100 under `pnpm test:soak`); `-o/--output` is left out so nothing is written.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { run } from "./run";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
const ARGV_RUNS = 60 * SOAK;
const SEED = 0x11_c11;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-argv-fuzz-"));
const JUNK_FILE = path.join(dir, "junk.bin");
fs.writeFileSync(JUNK_FILE, Buffer.from([0, 255, 10, 0x41, 0xc3, 0x28, 10, 0x7b]));
const COMMANDS = [["gfp", "decode"], ["gfp", "encode"], ["gfp"], ["machine", "show"], ["machine", "presets"], ["machine", "import"], ["zones", "zoneinfo"], ["zones", "zonelist"], ["zones"], ["buddy", "buddyinfo"], ["buddy", "pagetypeinfo"], ["buddy", "extfrag"], ["buddy"], ["run"], ["replay"], ["explain"], ["whatif"], ["state"], ["slowpath"], ["demo"], []];
const FLAGS = ["--kernel", "--machine", "--gfp", "--cpus", "--node", "--seed", "--sysctl", "--sysctl-dir", "--buddyinfo", "--trace", "--report", "--index", "--mode", "--alloc", "--after", "--arch", "--name", "--json", "--check", "--quiet", "--reclaim", "--no-progress", "--help", "--version", "--bogus", "-x"];
const VALUES = ["tiny-16m", "pc-4g", "book-i386", "6.18", "2.6.24", "9.99", "4.18.0-80.el8.x86_64", "GFP_KERNEL|__GFP_ZERO", "0x400dc0", "__GFP_DMA|__GFP_HIGHMEM", "-1", "0", "1.5", "1e9", "18446744073709551616", "NaN", "vm.min_free_kbytes=-5", "min_free_kbytes=abc", "order=3", "unusable", "x86_64", "", " ", "\u0000", "../../etc/passwd", JUNK_FILE, dir, path.join(dir, "missing.txt")];
const token = fc.oneof({ arbitrary: fc.constantFrom(...FLAGS), weight: 3 }, { arbitrary: fc.constantFrom(...VALUES), weight: 3 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
const argvArb = fc.tuple(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 6 })).map(([c, rest]) => [...c, ...rest]);

async function runCapture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe("fuzz: CLI arguments", () => {
  it("random argv: exit 0, 1 or 2, never 70, never a stack trace", async () => {
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        const r = await runCapture(argv);
        expect([0, 1, 2], `pagealloc ${JSON.stringify(argv)} → ${r.code}: ${r.err}`).toContain(r.code);
        expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      }),
      { seed: SEED, numRuns: ARGV_RUNS },
    );
  }, 120_000 * SOAK);
});
