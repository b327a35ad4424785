// The CLI on real kernel output from other machines and versions (fixtures of the library packages; their
// sources are in the packages' __fixtures__ notes).
import path from "node:path";
import { expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}
const pkg = (name: string, ...rest: string[]) => path.join(__dirname, "..", "..", "..", "..", "packages", name, "src", "__fixtures__", ...rest);

it("explain reads a 4.1.12 report kept quoted-printable in a mail archive: watermark (Normal drained)", async () => {
  const io = capture();
  expect(await run(["explain", pkg("report", "warn_alloc_4.1.12_x86_64_qp.txt")], io)).toBe(0);
  expect(io.stderr).toBe("");
  expect(io.stdout).toContain("kernel: 4.1.12 (from the report)\ndiagnosis: watermark\n");
});

it("explain reads both 2.6.31 i386 reports of one mail: fragmentation", async () => {
  const io = capture();
  expect(await run(["explain", pkg("report", "warn_alloc_2.6.31_i386.txt")], io)).toBe(0);
  expect(io.stdout).toContain("report 1 of 2, line 7: ifconfig: page allocation failure. order:5, mode:0x8020");
  expect(io.stdout).toContain("report 2 of 2, line 51:");
  expect(io.stdout.match(/diagnosis: fragmentation/g)).toHaveLength(2);
});

it("explain --arch arm64 on the 6.7 riscv64 GFP_DMA32 report: no eligible zone", async () => {
  const io = capture();
  expect(await run(["explain", pkg("report", "warn_alloc_6.7.0_riscv64_dma32.txt"), "--arch", "arm64"], io)).toBe(0);
  expect(io.stdout).toContain("diagnosis: no-eligible-zone\n");
});

it("extfrag reads a buddyinfo whose lines a mail client wrapped", async () => {
  const io = capture();
  expect(await run(["extfrag", "--buddyinfo", pkg("buddy", "realworld", "buddyinfo-5.x-arm32-wrapped.txt")], io)).toBe(0);
  expect(io.stderr).toBe("");
  expect(io.stdout).toContain("HighMem");
});

it("machine import --zoneinfo takes a 2.6.15 two-node zoneinfo (pcp low:, per-CPU NUMA counters)", async () => {
  const io = capture();
  expect(await run(["machine", "import", "--zoneinfo", pkg("zones", "zoneinfo-2.6.15-rc2-x86_64-numa.txt")], io)).toBe(0);
  const m = JSON.parse(io.stdout);
  expect(m.nodes.map((n: { id: number }) => n.id)).toEqual([0, 1]);
});

it("machine import --zoneinfo names the line of a zone the kernel never had", async () => {
  const io = capture();
  expect(await run(["machine", "import", "--zoneinfo", pkg("zones", "zoneinfo-2.6.3x-custom-zone.txt")], io)).toBe(2);
  expect(io.stderr).toMatch(/zoneinfo:1/);
  expect(io.stderr).toContain("Non-volatile");
});

it("whatif on old /proc files: 2.6.20 ppc64 zoneinfo (read with the 2.6.24 rules, the oldest modelled), order-0 GFP_KERNEL", async () => {
  const io = capture();
  const code = await run(["whatif", "--from", pkg("zones", "zoneinfo-2.6.20-rc5-ppc64-numa.txt"), "--alloc", "order=0 gfp=GFP_KERNEL", "--kernel", "2.6.24", "--arch", "x86_64"], io);
  expect(io.stderr).toBe("");
  expect(code).toBe(0);
});
