import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

// A real 6.18 /proc/buddyinfo line (DMA and DMA32 of the reference machine) and the debugfs files the kernel
// printed for them (samples-6.18-x86_64/).
const buddyinfo =
  "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n" +
  "Node 0, zone    DMA32      2      3      0      2      3      2      1      4      4      2    752 \n";
const unusable =
  "Node 0, zone      DMA 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.066 0.200 \n" +
  "Node 0, zone    DMA32 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.002 0.003 \n";
const extfrag =
  "Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n" +
  "Node 0, zone    DMA32 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n";

function tmpFile(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-cli-")), "buddyinfo");
  fs.writeFileSync(f, text);
  return f;
}

it("extfrag --index unusable|extfrag prints exactly the debugfs text", async () => {
  const f = tmpFile(buddyinfo);
  let io = capture();
  expect(await run(["extfrag", "--buddyinfo", f, "--index", "unusable"], io)).toBe(0);
  expect(io.stdout).toBe(unusable);
  io = capture();
  expect(await run(["extfrag", "--buddyinfo", f, "--index", "extfrag"], io)).toBe(0);
  expect(io.stdout).toBe(extfrag);
  io = capture();
  expect(await run(["extfrag", "--buddyinfo", f], io)).toBe(0);
  expect(io.stdout).toBe(`# /sys/kernel/debug/extfrag/unusable_index\n${unusable}# /sys/kernel/debug/extfrag/extfrag_index\n${extfrag}`);
});

it("extfrag: bad input is exit status 2 with the file and line", async () => {
  const io = capture();
  expect(await run(["extfrag", "--buddyinfo", tmpFile("Node 0, zone DMA 1 2\ngarbage\n")], io)).toBe(2);
  expect(io.stderr).toMatch(/buddyinfo:2\) \[INVALID_BUDDYINFO\]/);
  const io2 = capture();
  expect(await run(["extfrag", "--buddyinfo", "/nonexistent/buddyinfo"], io2)).toBe(2);
  expect(io2.stderr).toContain("no such file");
});

it("buddyinfo --machine pc-4g: the DMA zone's boot layout is the live 6.18 kernel's", async () => {
  const io = capture();
  expect(await run(["buddyinfo", "--machine", "pc-4g"], io)).toBe(0);
  expect(io.stdout.split("\n")[0]).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 ");
  expect(io.stdout.split("\n").filter(Boolean)).toHaveLength(3);
});

it("pagetypeinfo --machine tiny-16m --kernel 2.6.24 uses the 2.6.24 type names", async () => {
  const io = capture();
  expect(await run(["pagetypeinfo", "--machine", "tiny-16m", "--kernel", "2.6.24"], io)).toBe(0);
  expect(io.stdout.startsWith("Page block order: 9\nPages per block:  512\n\n")).toBe(true);
  expect(io.stdout).toContain("Number of blocks type     Unmovable  Reclaimable      Movable      Reserve       (null) \n");
});

it("extfrag --json gives the same indices as numbers (thousandths, as the kernel computes them)", async () => {
  const io = capture();
  expect(await run(["extfrag", "--buddyinfo", tmpFile(buddyinfo), "--json"], io)).toBe(0);
  const r = JSON.parse(io.stdout);
  expect(r.zones.map((z: { zone: string }) => z.zone)).toEqual(["DMA", "DMA32"]);
  // the debugfs text above: DMA unusable 0.066 at order 9 and 0.200 at order 10; extfrag −1.000 everywhere
  expect(r.zones[0].unusableIndex.slice(8)).toEqual([0, 66, 200]);
  expect(r.zones[1].unusableIndex.slice(9)).toEqual([2, 3]);
  expect(r.zones[0].extfragIndex.every((v: number) => v === -1000)).toBe(true);
});
