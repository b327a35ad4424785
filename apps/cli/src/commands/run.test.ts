import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../run";
import { capture, examplesDir } from "./cli-test-helpers";

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-run-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("pagealloc run: the example library", () => {
  const scripts = fs.readdirSync(examplesDir).filter((f) => f.endsWith(".pa"));
  it("has the five documented examples", () => {
    expect(scripts.sort()).toEqual(["atomic-bursts.pa", "book-2.6.24.pa", "dma-exhaustion.pa", "fragmentation.pa", "page-cache-reclaim.pa"]);
  });
  it.each(scripts)("%s: every expect line holds on the machine and kernel its header names", async (script) => {
    const io = capture();
    const code = await run(["run", path.join(examplesDir, script), "--json"], io);
    const r = JSON.parse(io.stdout);
    expect(r.expectations.filter((e: { ok: boolean }) => !e.ok)).toEqual([]);
    expect(r.expectations.length).toBeGreaterThan(3);
    expect(code).toBe(0);
  }, 60_000);
  it("the slow path runs by default (page-cache-reclaim.pa evicts page cache); --reclaim is accepted and changes nothing", async () => {
    const io = capture();
    expect(await run(["run", path.join(examplesDir, "page-cache-reclaim.pa"), "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdout).allocations.cache.evicted).toBeGreaterThanOrEqual(72);
    const again = capture();
    expect(await run(["run", path.join(examplesDir, "page-cache-reclaim.pa"), "--json", "--reclaim"], again)).toBe(0);
    expect(again.stdout).toBe(io.stdout);
  }, 60_000);
  it("--no-reclaim runs the fast path only: nothing is evicted and GFP_KERNEL stops at the low watermark", async () => {
    const io = capture();
    // 3000 cached pages leave 328 free; without the slow path an order-0 GFP_KERNEL request needs free > low 196,
    // so at most 328 - 196 = 132 of the 400 succeed (per-cpu refills only take more off NR_FREE_PAGES): >= 268 fail
    expect(await run(["run", path.join(examplesDir, "page-cache-reclaim.pa"), "--json", "--no-reclaim"], io)).toBe(1);
    const r = JSON.parse(io.stdout);
    expect(r.allocations.cache.evicted).toBe(0);
    expect(r.allocations.kernel.live).toBeLessThanOrEqual(132);
    expect(r.allocations.kernel.failed).toBeGreaterThanOrEqual(268);
    expect(r.dmesg).toEqual([]);
  }, 60_000);
  it("a header's --no-reclaim turns the slow path off; the command line's --reclaim overrides it", async () => {
    // atomic-bursts.pa's burst: the fast path alone stops at free - 7 <= low 196 (+ boost): at most
    // (3328 - 196) / 8 = 391 buffers; the slow path's min - min/2 - min/4 = 60 lets up to (3328 - 68) / 8 + 1 = 408 through
    const file = tmpFile("h.pa", "# pagealloc-run: --machine tiny-16m --kernel 6.18 --no-reclaim\nrepeat 420 {\n  alloc net order=3 gfp=GFP_ATOMIC\n}\n");
    const off = capture();
    expect(await run(["run", file, "--json"], off)).toBe(0);
    expect(JSON.parse(off.stdout).allocations.net.live).toBeLessThanOrEqual(391);
    const on = capture();
    expect(await run(["run", file, "--json", "--reclaim"], on)).toBe(0);
    expect(JSON.parse(on.stdout).allocations.net.live).toBeGreaterThan(391);
    expect(JSON.parse(on.stdout).allocations.net.live).toBeLessThanOrEqual(408);
  }, 60_000);
  it("the header's machine and kernel are used (book-2.6.24.pa on book-i386 / 2.6.24)", async () => {
    const io = capture();
    await run(["run", path.join(examplesDir, "book-2.6.24.pa"), "--json"], io);
    expect(JSON.parse(io.stdout)).toMatchObject({ machine: "book-i386", version: "2.6.24" });
  }, 60_000);
});

describe("pagealloc run", () => {
  it("prints shows, explained failures and expectations; exit 1 when one fails", async () => {
    const file = tmpFile("w.pa", "alloc a order=0 gfp=GFP_KERNEL count=2\nexpect count a == 2\nexpect count a == 5\nshow buddyinfo\n");
    const io = capture();
    expect(await run(["run", file, "--machine", "tiny-16m"], io)).toBe(1);
    expect(io.stdout).toContain(`ok   ${file}:2: expect count a == 2`);
    expect(io.stdout).toContain(`FAIL ${file}:3: expect count a == 5 (found 2)`);
    expect(io.stdout).toContain(`# ${file}:4: show buddyinfo\nNode 0, zone      DMA`);
  });

  it("a parse error is exit 2 with `pagealloc: FILE:LINE:COL: reason`", async () => {
    const file = tmpFile("bad.pa", "alloc a order=0 gfp=GFP_KERNEL\nfree b\n");
    const io = capture();
    expect(await run(["run", file], io)).toBe(2);
    expect(io.stderr).toBe(`pagealloc: ${file}:2:6: free b: no earlier "alloc b"\n`);
  });

  it("a GFP expression the kernel version does not know is exit 2 at its line", async () => {
    // __GFP_RETRY_MAYFAIL appeared in 4.13; 2.6.24 has no such flag.
    const file = tmpFile("gfp.pa", "alloc a order=0 gfp=GFP_KERNEL|__GFP_RETRY_MAYFAIL\n");
    const io = capture();
    expect(await run(["run", file, "--kernel", "2.6.24", "--machine", "tiny-16m"], io)).toBe(2);
    expect(io.stderr).toMatch(new RegExp(`^pagealloc: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:1: gfp=`));
  });

  it("a missing script is exit 2 naming the file", async () => {
    const io = capture();
    expect(await run(["run", "/nonexistent/x.pa"], io)).toBe(2);
    expect(io.stderr).toBe("pagealloc: /nonexistent/x.pa: no such file\n");
  });

  it("--trace writes mm_page_alloc / mm_page_free lines in the ftrace layout", async () => {
    const file = tmpFile("t.pa", "alloc a order=3 gfp=GFP_KERNEL\nfree a\n");
    const out = path.join(path.dirname(file), "kmem.trace");
    const io = capture();
    expect(await run(["run", file, "--machine", "tiny-16m", "--trace", out, "--check"], io)).toBe(0);
    const lines = fs.readFileSync(out, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    const alloc = lines.find((l) => l.includes("mm_page_alloc:"))!;
    // kmem.h: page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s; trace_output.c: "%16s-%-7d [%03d] ..... %5lu.%06lu: "
    expect(alloc).toMatch(/^       pagealloc-1       \[000\] \.\.\.\.\.     1\.\d{6}: mm_page_alloc: page=[0-9a-f]{16} pfn=0x[0-9a-f]+ order=3 migratetype=0 gfp_flags=GFP_KERNEL$/);
    expect(lines.some((l) => / mm_page_free: .* order=3$/.test(l))).toBe(true);
  });

  it("--help shows examples", async () => {
    const io = capture();
    expect(await run(["run", "--help"], io)).toBe(0);
    expect(io.stdout).toContain("$ pagealloc run examples/fragmentation.pa");
  });
});

describe("pagealloc run --trace on an older kernel", () => {
  it("5.4 prints pfn= in decimal (kmem.h before 5.14)", async () => {
    const file = tmpFile("t.pa", "alloc a order=0 gfp=GFP_KERNEL\n");
    const out = path.join(path.dirname(file), "kmem.trace");
    expect(await run(["run", file, "--machine", "tiny-16m", "--kernel", "5.4", "--trace", out], capture())).toBe(0);
    const alloc = fs.readFileSync(out, "utf8").split("\n").find((l) => l.includes(" mm_page_alloc: "))!;
    expect(alloc).toMatch(/ pfn=\d+ order=0 /);
  });
});

describe("pagealloc run --json and JSON Lines", () => {
  it("a JSON Lines script gives the documented fields", async () => {
    const file = tmpFile("w.jsonl", ['{"op":"alloc","name":"a","order":2,"gfp":"GFP_KERNEL","count":3}', '{"op":"free","name":"a","index":1}', '{"op":"expect","check":"count a == 2"}'].join("\n"));
    const io = capture();
    expect(await run(["run", file, "--machine", "tiny-16m", "--json"], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(Object.keys(r)).toEqual(["script", "machine", "version", "seed", "ok", "expectations", "failures", "shows", "allocations", "steps", "dmesg"]);
    expect(r.allocations.a).toEqual({ live: 2, failed: 0, pages: 8, reclaimable: false, evicted: 0 });
    expect(r.steps).toBe(5); // 3 allocations, 1 free, 1 expect
  });
});
