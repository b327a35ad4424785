import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { run } from "../run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

// Real reports (their first line says where they came from).
const fixtures = path.join(__dirname, "..", "..", "..", "..", "packages", "report", "src", "__fixtures__");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-explain-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it("explain walks the 6.19-rc5 report's zonelist with the arithmetic", async () => {
  const io = capture();
  expect(await run(["explain", path.join(fixtures, "warn_alloc_6.19-rc5_x86_64.txt")], io)).toBe(0);
  expect(io.stderr).toBe("");
  expect(io.stdout).toContain("report 1 of 1, line 2: kswapd0: page allocation failure: order:0, mode:0xc0c40(GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC)\n");
  expect(io.stdout).toContain("kernel: 6.19.0 (from the report)\ndiagnosis: watermark\n");
  expect(io.stdout).toContain("highest zone (gfp_zone): Normal, index 2 of DMA, DMA32, Normal, Movable, Device (x86_64 layout)\n");
  // Normal: free 79392kB = 19848 pages − free_highatomic 8 = 19840 ≤ min 80308kB = 20077 pages
  expect(io.stdout).toContain("  Node 0 Normal (line 21): FAIL (below-watermark)\n");
  expect(io.stdout).toContain("      19840 ≤ min 20077 + lowmem_reserve 0 = 20077: below the watermark\n");
  // DMA32: 13046 ≤ 3965 + lowmem_reserve[Normal] 9127
  expect(io.stdout).toContain("      13046 ≤ min 3965 + lowmem_reserve 9127 = 13092: below the watermark\n");
  expect(io.stdout).toContain("  - watermark-boost: ");
});

it("explain --json gives the documented fields", async () => {
  const io = capture();
  expect(await run(["explain", path.join(fixtures, "warn_alloc_4.8_x86_64.txt"), "--json"], io)).toBe(0);
  const out = JSON.parse(io.stdout);
  expect(out.problems).toEqual([]);
  expect(out.reports).toHaveLength(1);
  const { explanation, report, line } = out.reports[0];
  expect(line).toBe(2);
  expect(report.order).toBe(4);
  expect(explanation.kind).toBe("fragmentation");
  expect(explanation.version).toBe("4.8.0");
  expect(explanation.zonelist.map((z: { name: string }) => z.name)).toEqual(["Normal", "DMA32", "DMA"]);
  // Normal: 56184kB = 14046 pages − (2^4 − 1) = 14031 > min 44200kB = 11050
  expect(explanation.zonelist[0].slow).toMatchObject({ usable: 14031, minAfterFlags: 11050, outcome: "no-suitable-block" });
});

it("--kernel overrides the release in the report", async () => {
  const io = capture();
  expect(await run(["explain", path.join(fixtures, "warn_alloc_6.8.9_ppc32.txt"), "--kernel", "6.2", "--json"], io)).toBe(0);
  const e = JSON.parse(io.stdout).reports[0].explanation;
  expect(e.version).toBe("6.2.0");
  expect(e.versionFrom).toBe("option");
  // 6.2 names the reductions ALLOC_HIGH / ALLOC_HARDER (GFP_ATOMIC = 0xa20 there; the printed 0x820 has no __GFP_ATOMIC)
  expect(e.allocFlags.slow).toContain("ALLOC_HIGH");
});

it("unreadable lines: exit 2 with pagealloc: FILE:LINE: reason", async () => {
  const file = path.join(tmp, "bad.txt");
  fs.writeFileSync(file, "a: page allocation failure: order:1, mode:0x20\nMem-Info:\nNormal free:12kB min:x\nlowmem_reserve[]: 0 0\n");
  const io = capture();
  expect(await run(["explain", file, "--kernel", "6.18"], io)).toBe(2);
  expect(io.stderr).toContain(`pagealloc: ${file}:3: cannot read the value of min: "x"\n`);
  expect(io.stdout).toContain("diagnosis: insufficient-data");
});

it("a file without a report, a missing file and a bad --report are usage errors (exit 2)", async () => {
  const empty = path.join(tmp, "empty.txt");
  fs.writeFileSync(empty, "nothing here\n");
  let io = capture();
  expect(await run(["explain", empty], io)).toBe(2);
  expect(io.stderr).toBe(`pagealloc: ${empty}: no page allocation failure report found\n`);
  io = capture();
  expect(await run(["explain", path.join(tmp, "missing.txt")], io)).toBe(2);
  expect(io.stderr).toContain("no such file");
  io = capture();
  expect(await run(["explain", path.join(fixtures, "warn_alloc_4.8_x86_64.txt"), "--report", "2"], io)).toBe(2);
  expect(io.stderr).toContain("the file has 1 report(s)");
  io = capture();
  expect(await run(["explain", path.join(fixtures, "warn_alloc_4.8_x86_64.txt"), "--kernel", "banana"], io)).toBe(2);
  expect(io.stderr).toContain("REPORT_EXPLAIN");
});
