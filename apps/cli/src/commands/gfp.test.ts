import { expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

// Expected texts: kernel-facts §1.6 / §11.3 vectors and the real failure reports in samples-realworld/.
it("gfp decode prints the %pGg text and the flags", async () => {
  const io = capture();
  expect(await run(["gfp", "decode", "0x40dc0"], io)).toBe(0);
  expect(io.stdout).toBe("GFP_KERNEL|__GFP_ZERO|__GFP_COMP\nflags: __GFP_IO __GFP_FS __GFP_ZERO __GFP_DIRECT_RECLAIM __GFP_KSWAPD_RECLAIM __GFP_COMP\n");
});

it("gfp decode follows --kernel (4.8 failure report) and prints trace text with --trace", async () => {
  const io = capture();
  expect(await run(["gfp", "decode", "0x26040c0", "--kernel", "4.8.0-rc3-3.bug994066-default"], io)).toBe(0);
  expect(io.stdout.split("\n")[0]).toBe("GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK");
  const t = capture();
  expect(await run(["gfp", "decode", "0", "--trace"], t)).toBe(0);
  expect(t.stdout).toBe("none\nflags: (none)\n");
});

it("gfp decode --json", async () => {
  const io = capture();
  expect(await run(["gfp", "decode", "0xc0c40", "--kernel", "6.19.0-rc5", "--json"], io)).toBe(0);
  expect(JSON.parse(io.stdout)).toEqual({
    kernel: "6.19.0-rc5",
    mask: "0xc0c40",
    printk: "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC",
    trace: "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC",
    flags: ["__GFP_IO", "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_COMP", "__GFP_NOMEMALLOC"],
    migratetype: 0,
  });
});

it("gfp encode prints hex like the kernel", async () => {
  const io = capture();
  expect(await run(["gfp", "encode", "GFP_KERNEL"], io)).toBe(0);
  expect(io.stdout).toBe("0xcc0\n");
  const old = capture();
  expect(await run(["gfp", "encode", " GFP_KERNEL | __GFP_ZERO ", "--kernel", "2.6.24", "--json"], old)).toBe(0);
  expect(JSON.parse(old.stdout)).toMatchObject({ mask: "0x80d0", value: 0x80d0 });
});

it("gfp encode: an unknown flag is exit status 2 with its position", async () => {
  const io = capture();
  expect(await run(["gfp", "encode", "GFP_KERNEL|__GFP_ATOMIC"], io)).toBe(2);
  expect(io.stderr).toBe("pagealloc: unknown GFP flag __GFP_ATOMIC in kernel 6.18 (at char 11) [INVALID_GFP]\n");
});

it("gfp zone prints the zone for the arch", async () => {
  const io = capture();
  expect(await run(["gfp", "zone", "GFP_HIGHUSER_MOVABLE"], io)).toBe(0);
  expect(io.stdout).toBe("Movable (zone_idx 3)\n");
  const i386 = capture();
  expect(await run(["gfp", "zone", "GFP_HIGHUSER", "--arch", "i386", "--json"], i386)).toBe(0);
  expect(JSON.parse(i386.stdout)).toMatchObject({ zone: "HighMem", zoneIdx: 2, arch: "i386" });
});

it("gfp zone: an invalid combination is exit status 2 and one line naming the modifiers", async () => {
  const io = capture();
  expect(await run(["gfp", "zone", "__GFP_DMA|__GFP_HIGHMEM"], io)).toBe(2);
  expect(io.stdout).toBe("");
  expect(io.stderr.trim().split("\n")).toHaveLength(1);
  expect(io.stderr).toContain("__GFP_DMA|__GFP_HIGHMEM");
  expect(io.stderr).toContain("[GFP_ZONE_BAD]");
  const arch = capture();
  expect(await run(["gfp", "zone", "0", "--arch", "sparc"], arch)).toBe(2);
  expect(arch.stderr).toContain("--arch sparc");
});
