import path from "node:path";
import { expect, it, vi } from "vitest";
import { run } from "../run";

// each request boots a simulated machine of several GiB: seconds per test
vi.setConfig({ testTimeout: 60_000 });

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

const fixtures = path.join(__dirname, "..", "..", "..", "..", "packages", "report", "src", "__fixtures__");
const f48 = path.join(fixtures, "warn_alloc_4.8_x86_64.txt");
const f619 = path.join(fixtures, "warn_alloc_6.19-rc5_x86_64.txt");

it("whatif: the 4.8 report's memory serves an order-3 GFP_KERNEL from DMA32 on the fast path", async () => {
  // DMA32: 33298 − 7 = 33291 > low 7263 + lowmem_reserve 4994, and 10 order-3 blocks on the Unmovable list.
  const io = capture();
  expect(await run(["whatif", "--from", f48, "--alloc", "order=3 gfp=GFP_KERNEL"], io)).toBe(0);
  expect(io.stdout).toContain(`${f48}:2: order-3 GFP_KERNEL (highest zone Normal, kernel 4.8.0): would succeed from Node 0 DMA32 on the fast path (low watermark)\n`);
  expect(io.stdout).toContain("  Node 0 Normal: fast fail, slow fail (no-suitable-block)\n");
});

it("whatif --json over two files", async () => {
  // 4.8: Normal free 56184kB = 14046 pages > low 55248kB = 13812 (+ reserve 0) → fast path.
  // 6.19: every zone fails the low mark; GFP_ATOMIC's slow path min in Normal is 20077 → 10039 → 7530 < 19848.
  const io = capture();
  expect(await run(["whatif", "--from", f48, f619, "--alloc", "order=0 gfp=GFP_ATOMIC", "--json"], io)).toBe(0);
  const out = JSON.parse(io.stdout);
  expect(out.map((r: { servedBy: { zone: string; path: string } }) => `${r.servedBy.zone}/${r.servedBy.path}`)).toEqual(["Normal/fast", "Normal/slow"]);
});

it("whatif: a bad --alloc is a usage error", async () => {
  const io = capture();
  expect(await run(["whatif", "--from", f48, "--alloc", "order=x"], io)).toBe(2);
  expect(io.stderr).toContain("order=x is not an order");
});

it("whatif on /proc files (the 6.18 samples): order-4 GFP_KERNEL from Normal on the fast path", async () => {
  // Normal: pages free 173663 − 15 = 173648 > low 11437 + protection 0; order-4 blocks on Movable/Reclaimable lists.
  const io = capture();
  const zi = path.join(fixtures, "proc_zoneinfo.txt");
  const bi = path.join(fixtures, "proc_buddyinfo.txt");
  const pt = path.join(fixtures, "proc_pagetypeinfo.txt");
  expect(await run(["whatif", "--from", zi, bi, pt, "--alloc", "order=4 gfp=GFP_KERNEL"], io)).toBe(0);
  expect(io.stdout).toContain(`${zi}+${bi}+${pt}: order-4 GFP_KERNEL (highest zone Normal, kernel 6.18.0): would succeed from Node 0 Normal on the fast path (low watermark)\n`);
  const noZoneinfo = capture();
  expect(await run(["whatif", "--from", bi, "--alloc", "order=4 gfp=GFP_KERNEL"], noZoneinfo)).toBe(2);
  expect(noZoneinfo.stderr).toContain("/proc/zoneinfo is needed too");
});

it("whatif: order-4 GFP_ATOMIC on the 4.8 report fails for fragmentation, on the simulated machine too", async () => {
  // Normal's largest free block is order 2, DMA32's order 3 (10*32kB); DMA has order-4 blocks but 3977 − 15 free
  // pages < min 34 → 17 (ALLOC_HIGH) → 13 (ALLOC_HARDER) + lowmem_reserve[Normal] 7621. GFP_ATOMIC cannot reclaim,
  // so the rest of the slow path (run by default) ends after the retry at min.
  const io = capture();
  expect(await run(["whatif", "--from", f48, "--alloc", "order=4 gfp=GFP_ATOMIC"], io)).toBe(0);
  expect(io.stdout).toContain(": would fail (fragmentation)\n");
  expect(io.stdout).toContain("    Node 0 DMA32: free 33298, fast fail, min fail; free blocks of order ≥ 4: none\n");
  expect(io.stdout).toMatch(/ {4}fails: the slow path \(.*\) ends with nopage: .*cannot reclaim directly/);
  // --no-compact: the first retry only, with each zone's reason
  const first = capture();
  expect(await run(["whatif", "--from", f48, "--alloc", "order=4 gfp=GFP_ATOMIC", "--no-compact"], first)).toBe(0);
  expect(first.stdout).toMatch(/ {4}fails: no zone of the walk gives a block .*cannot reclaim directly/);
});

it("whatif --compact --json: the slow path's steps; GFP_ATOMIC never compacts", async () => {
  const io = capture();
  expect(await run(["whatif", "--from", f48, "--alloc", "order=4 gfp=GFP_ATOMIC", "--compact", "--json"], io)).toBe(0);
  const [r] = JSON.parse(io.stdout);
  expect(r.wouldSucceed).toBe(false);
  expect(r.simulation.slowPath.result).toBe("nopage");
  expect(r.simulation.slowPath.steps).toEqual(["wake_kswapd", "get_page_from_freelist:min", "get_page_from_freelist:min"]);
});

it("whatif --sysctl: a lower min_free_kbytes lets the 6.19 report's GFP_KERNEL order 0 through", async () => {
  // pages_min 16384 / 4 = 4096 → Normal min 3114, low 3114 + max(778, 2336) = 5450 (managed 2336697 of 3073392
  // lowmem pages); fast mark low + boost 7168 = 12618 < free 19848 − free_highatomic 8.
  const io = capture();
  expect(await run(["whatif", "--from", f619, "--alloc", "order=0 gfp=GFP_KERNEL", "--sysctl", "vm.min_free_kbytes=16384"], io)).toBe(0);
  expect(io.stdout).toContain("would succeed from Node 0 Normal on the fast path (low watermark)");
  const bad = capture();
  expect(await run(["whatif", "--from", f619, "--alloc", "order=0 gfp=GFP_KERNEL", "--sysctl", "vm.nonsense=1"], bad)).not.toBe(0);
});
