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
  it("the header's --reclaim turns the slow path on (page-cache-reclaim.pa evicts page cache)", async () => {
    const io = capture();
    expect(await run(["run", path.join(examplesDir, "page-cache-reclaim.pa"), "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdout).allocations.cache.evicted).toBeGreaterThanOrEqual(72);
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
