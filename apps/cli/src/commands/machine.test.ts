import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-machine-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it("machine presets lists every preset with what it resembles", async () => {
  const io = capture();
  expect(await run(["machine", "presets"], io)).toBe(0);
  const lines = io.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^NAME\s+ARCH\s+NODES\s+CPUS\s+MEMORY\s+DESCRIPTION$/);
  expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["tiny-16m", "pc-4g", "server-2s-256g", "numa-4node", "i386-1g-highmem", "book-i386"]);
  expect(lines[1]).toMatch(/^tiny-16m\s+x86_64\s+1\s+2\s+16M\s+teaching machine/);
  // 1048478 pages * 4 KiB = 3.9996 GiB
  expect(lines[2]).toMatch(/^pc-4g\s+x86_64\s+1\s+4\s+4\.0G\s+4 GiB/);
});

it("machine show prints the ranges the way the kernel's boot log does (kernel-facts 2.2)", async () => {
  const io = capture();
  expect(await run(["machine", "show", "pc-4g"], io)).toBe(0);
  expect(io.stdout).toContain("Early memory node ranges\n  node   0: [mem 0x0000000000001000-0x000000000009efff]\n  node   0: [mem 0x0000000000100000-0x00000000bfffffff]\n");
  expect(io.stdout).toContain("PAGE_OFFSET 0xffff888000000000");
  // 158 + 786176 + 262144 pages
  expect(io.stdout).toContain("1 node, 4 CPUs, 1048478 pages");
  expect(io.stdout).toContain("node distances:\nnode   0 \n  0:  10 \n");
});

it("machine show --kernel 2.6.24 gives the book's zone limits (real 2.6.22 log: Normal 4096 -> 229376)", async () => {
  const io = capture();
  expect(await run(["machine", "show", "book-i386", "--kernel", "2.6.24"], io)).toBe(0);
  expect(io.stdout).toContain("arch i386 (kernel 2.6.24): page size 4096, 32-bit physical addresses, PAGE_OFFSET 0xc0000000\n");
  expect(io.stdout).toContain("zones DMA Normal HighMem Movable; DMA below pfn 4096, lowmem below pfn 229376\n");
  expect(io.stdout).toContain("node 0: cpus 0-1, 522192 pages");
  expect(io.stdout).toContain("  reserved [mem 0x000000000009f000-0x00000000000fffff]\n");
  const bad = capture();
  expect(await run(["machine", "show", "pc-4g", "--kernel", "linux"], bad)).toBe(2);
  expect(bad.stderr).toMatch(/^pagealloc: not a kernel version: "linux".*\[INVALID_KERNEL_VERSION\]\n$/);
});

it("machine show --json prints the normalized machine", async () => {
  const io = capture();
  expect(await run(["machine", "show", "server-2s-256g", "--json"], io)).toBe(0);
  const m = JSON.parse(io.stdout);
  expect(m.distance).toEqual([[10, 21], [21, 10]]);
  expect(m.nodes[1].ranges).toEqual([{ startPfn: 0x2080000, endPfn: 0x4080000 }]);
});

it("machine show reads a JSON file and reports every problem on one line with exit 2", async () => {
  const good = path.join(tmp, "good.json");
  fs.writeFileSync(good, JSON.stringify({ name: "mine", arch: "i386", nodes: [{ id: 0, cpus: "0-1", memory: [{ start: 0, size: "1G" }] }] }));
  let io = capture();
  expect(await run(["machine", "show", good], io)).toBe(0);
  expect(io.stdout).toContain("machine mine");
  expect(io.stdout).toContain("  node   0: [mem 0x0000000000000000-0x000000003fffffff]");

  const bad = path.join(tmp, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ name: "bad", arch: "i386", nodes: [{ id: 0, memory: [{ start: 0, size: "5G" }] }, { id: 0, memory: [] }] }));
  io = capture();
  expect(await run(["machine", "show", bad], io)).toBe(2);
  expect(io.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  expect(io.stderr).toMatch(/^pagealloc: .*bad\.json: invalid machine description: .*physical address limit 0x100000000.*\$\.nodes\[1\]\.id.*\[INVALID_MACHINE\]\n$/);

  io = capture();
  expect(await run(["machine", "show", "no-such-machine"], io)).toBe(2);
  expect(io.stderr).toMatch(/^pagealloc: no-such-machine: neither a preset/);
});

const NUMACTL = `available: 2 nodes (0-1)
node 0 cpus: 0 1 2 3
node 0 size: 7940 MB
node 0 free: 7000 MB
node 1 cpus: 4 5 6 7
node 1 size: 8061 MB
node 1 free: 7900 MB
node distances:
node   0   1 
  0:  10  20 
  1:  20  10 
`;

it("machine import --numactl writes a description that machine show accepts", async () => {
  const input = path.join(tmp, "numactl.txt");
  const out = path.join(tmp, "imported.json");
  fs.writeFileSync(input, NUMACTL);
  let io = capture();
  expect(await run(["machine", "import", "--numactl", input, "--name", "box", "-o", out], io)).toBe(0);
  expect(io.stdout).toBe(`wrote ${out}: 2 node(s)\n`);
  io = capture();
  expect(await run(["machine", "show", out], io)).toBe(0);
  // node 1 starts right after node 0's 7940 MiB = 0x1f0400000 and ends at (7940 + 8061) MiB = 16001 MiB = 0x3e8100000
  expect(io.stdout).toContain("  node   1: [mem 0x00000001f0400000-0x00000003e80fffff]");
  expect(io.stdout).toContain("machine box");

  fs.writeFileSync(input, NUMACTL.replace("node 1 cpus: 4 5", "node 1 cpus: 4 five"));
  io = capture();
  expect(await run(["machine", "import", "--numactl", input], io)).toBe(2);
  expect(io.stderr).toBe(`pagealloc: CPU ids must be numbers: "4 five 6 7" (at ${input}:5) [BAD_MACHINE_IMPORT]\n`);
});

it("machine import --sysfs reads a node folder", async () => {
  const dir = path.join(tmp, "sys", "node");
  fs.mkdirSync(path.join(dir, "node0"), { recursive: true });
  fs.mkdirSync(path.join(dir, "node1"), { recursive: true });
  fs.writeFileSync(path.join(dir, "node0", "cpulist"), "0-1\n");
  fs.writeFileSync(path.join(dir, "node1", "cpulist"), "2-3\n");
  fs.writeFileSync(path.join(dir, "node0", "distance"), "10 21\n");
  fs.writeFileSync(path.join(dir, "node1", "distance"), "21 10\n");
  fs.writeFileSync(path.join(dir, "node0", "meminfo"), "Node 0 MemTotal:        4096 kB\n");
  fs.writeFileSync(path.join(dir, "node1", "meminfo"), "Node 1 MemTotal:        8192 kB\n");
  const io = capture();
  expect(await run(["machine", "import", "--sysfs", dir], io)).toBe(0);
  const desc = JSON.parse(io.stdout);
  expect(desc.nodes.map((n: { memory: unknown }) => n.memory)).toEqual([[{ start: "0x0", end: "0x400000" }], [{ start: "0x400000", end: "0xc00000" }]]);
  expect(desc.distance).toEqual([[10, 21], [21, 10]]);
});

it("machine import needs exactly one source and a known arch", async () => {
  let io = capture();
  expect(await run(["machine", "import"], io)).toBe(2);
  expect(io.stderr).toMatch(/^pagealloc: machine import needs exactly one of --numactl, --sysfs/);
  io = capture();
  expect(await run(["machine", "import", "--sysfs", "/nonexistent", "--arch", "vax"], io)).toBe(2);
  expect(io.stderr).toMatch(/--arch vax: unknown architecture/);
});
