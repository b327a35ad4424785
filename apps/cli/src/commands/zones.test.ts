import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-zones-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Real 6.18 output (see packages/zones/src/__fixtures__/SOURCES.md).
const fixtures = path.join(__dirname, "..", "..", "..", "..", "packages", "zones", "src", "__fixtures__");
const zoneinfoFile = path.join(fixtures, "proc_zoneinfo-6.18-x86_64.txt");

function sysctlDir(): string {
  const dir = path.join(tmp, "vm");
  fs.mkdirSync(dir, { recursive: true });
  for (const line of fs.readFileSync(path.join(fixtures, "proc_sys_vm-6.18-x86_64.txt"), "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fs.writeFileSync(path.join(dir, line.slice(0, eq)), `${line.slice(eq + 1)}\n`);
  }
  return dir;
}

it("machine import --zoneinfo writes a description and checks the recomputed values against the file", async () => {
  const io = capture();
  const out = path.join(tmp, "m.json");
  expect(await run(["machine", "import", "--zoneinfo", zoneinfoFile, "--sysctl-dir", sysctlDir(), "-o", out], io)).toBe(0);
  expect(io.stderr).toContain("min_free_kbytes 67584: watermarks, protection and pcp sizes of all 5 zones match the file");
  const desc = JSON.parse(fs.readFileSync(out, "utf8"));
  expect(desc.nodes[0].zones).toEqual({ DMA: { managed: 3840 }, DMA32: { managed: 772808 }, Normal: { managed: 917504 } });
  expect(desc.nodes[0].cpus).toEqual([0, 1]);

  // the imported machine renders the sample's static lines: DMA 38/47/56/65 (kernel-facts §4.2 snapshot 3)
  const z = capture();
  expect(await run(["zoneinfo", "--machine", out, "--sysctl", "vm.min_free_kbytes=67584"], z)).toBe(0);
  expect(z.stdout).toContain("Node 0, zone      DMA\n  per-node stats\n");
  expect(z.stdout).toContain("        min      38\n        low      47\n        high     56\n        promo    65\n        spanned  4095\n        present  3998\n        managed  3840\n        cma      0\n        protection: (0, 3018, 6602, 6602, 6602)\n");
  expect(z.stdout).toContain("              batch:    63\n              high_min: 5718\n              high_max: 57344\n  vm stats threshold: 24\n");
});

it("a wrong sysctl makes the import check report the zones that differ", async () => {
  const io = capture();
  expect(await run(["machine", "import", "--zoneinfo", zoneinfoFile, "--sysctl", "vm.min_free_kbytes=1024"], io)).toBe(0);
  expect(io.stderr).toMatch(/zones differ \(node 0 DMA, node 0 DMA32, node 0 Normal/);
});

it("zoneinfo of a 2.6.24 machine uses the book's layout (hot/cold pagesets, no managed line)", async () => {
  const io = capture();
  expect(await run(["zoneinfo", "--machine", "book-i386", "--kernel", "2.6.24"], io)).toBe(0);
  expect(io.stdout).toMatch(/^Node 0, zone      DMA\n  pages free     0\n        min      \d+\n/);
  expect(io.stdout).toContain("    cpu: 0 pcp: 0\n              count: 0\n              high:  186\n              batch: 31\n    cpu: 0 pcp: 1\n              count: 0\n              high:  62\n              batch: 15\n");
  expect(io.stdout).not.toContain("managed");
  expect(io.stdout).not.toContain("Movable"); // unpopulated zones were not printed before 4.12
});

it("zonelist prints the fallback order and the zones a gfp mask tries", async () => {
  const io = capture();
  expect(await run(["zonelist", "--machine", "numa-4node", "--node", "1", "--gfp", "GFP_KERNEL"], io)).toBe(0);
  // node orders worked by hand in packages/zones/src/zonelist.test.ts
  expect(io.stdout).toContain("Fallback order for Node 1: 1 3 0 2 \n");
  expect(io.stdout).toContain("Node 1 fallback:   Node 1 Normal, Node 3 Normal, Node 0 Normal, Node 0 DMA32, Node 0 DMA, Node 2 Normal\n");
  expect(io.stdout).toContain("gfp 0xcc0 (GFP_KERNEL) from node 1: highest zone Normal (index 2)\n");
  expect(io.stdout).toContain("tries: Node 1 Normal -> Node 3 Normal -> Node 0 Normal -> Node 0 DMA32 -> Node 0 DMA -> Node 2 Normal\n");
});

it("zonelist --json and __GFP_THISNODE", async () => {
  const io = capture();
  expect(await run(["zonelist", "--machine", "numa-4node", "--node", "2", "--gfp", "GFP_KERNEL|__GFP_THISNODE", "--json"], io)).toBe(0);
  const j = JSON.parse(io.stdout);
  expect(j.gfp.thisNode).toBe(true);
  expect(j.gfp.zones).toEqual([{ nid: 2, zoneIdx: 2, name: "Normal" }]);
  expect(j.nodes[0].nodeOrder).toEqual([2, 3, 0, 1]);
});

it("bad input: unknown node, bad sysctl, unknown machine", async () => {
  let io = capture();
  expect(await run(["zonelist", "--machine", "pc-4g", "--node", "3"], io)).toBe(2);
  expect(io.stderr).toContain("--node 3: no such node");
  io = capture();
  expect(await run(["zoneinfo", "--machine", "pc-4g", "--sysctl", "vm.watermark_scale_factor=0"], io)).toBe(2);
  expect(io.stderr).toContain("watermark_scale_factor must be in [1, 3000], got 0");
  io = capture();
  expect(await run(["zoneinfo", "--machine", "nope"], io)).toBe(2);
  expect(io.stderr).toContain("nope: neither a preset");
});
