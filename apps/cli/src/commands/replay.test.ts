import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../run";
import { capture, referenceDir } from "./cli-test-helpers";

const sample = path.join(referenceDir, "samples-6.18-x86_64", "tracefs_trace_sample.txt");
const zoneinfo = path.join(referenceDir, "samples-6.18-x86_64", "proc_zoneinfo.txt");

describe("pagealloc replay (the real 6.18 trace sample)", () => {
  it("replays in both modes on the machine it was recorded on (--machine its /proc/zoneinfo)", async () => {
    const io = capture();
    expect(await run(["replay", sample, "--machine", zoneinfo, "--mode", "both", "--json"], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r.results.map((s: { mode: string }) => s.mode)).toEqual(["recorded", "simulate"]);
    for (const s of r.results) {
      // 46 lines; 5 mm_page_alloc order 0, 3 mm_page_free order 0 of pages allocated before the trace,
      // 3 mm_page_free_batched (duplicates of the frees), 3 zone_locked order 3, 3 pcpu_drain order 0.
      expect(s.lines).toBe(46);
      expect(s.events.mm_page_alloc).toEqual({ 0: 5 });
      expect(s.events.mm_page_alloc_zone_locked).toEqual({ 3: 3 });
      expect(s.applied).toEqual({ allocs: 5, frees: 0 });
      expect(s.preTraceFrees).toBe(3);
      expect(s.conflicts + s.outside).toBe(0);
    }
  });

  it("prints a summary; on pc-4g the sample's pfns above 4 GiB of RAM are counted as outside", async () => {
    const io = capture();
    expect(await run(["replay", sample], io)).toBe(0);
    expect(io.stdout).toContain("== mode recorded ==");
    expect(io.stdout).toContain("46 lines, 17 kmem page events");
    expect(io.stdout).toMatch(/mm_page_alloc\s+order 0: 5/);
    // pc-4g ends at pfn 0x140000; every page event of the sample is above it (0x17a9a3 and up).
    expect(io.stdout).toContain("0 conflicts with the model's state, 8 outside the machine");
  });

  it("a broken kmem line is exit 2 with FILE:LINE", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-replay-")), "t.txt");
    fs.writeFileSync(file, "# tracer: nop\n  a-1 [000] ..... 1.0: mm_page_free: page=00 pfn=0x10\n");
    const io = capture();
    expect(await run(["replay", file], io)).toBe(2);
    expect(io.stderr).toBe(`pagealloc: ${file}:2: mm_page_free: no valid order= field\n`);
  });

  it("rejects an unknown mode", async () => {
    const io = capture();
    expect(await run(["replay", sample, "--mode", "fast"], io)).toBe(2);
    expect(io.stderr).toBe("pagealloc: --mode fast: expected recorded, simulate, both\n");
  });
});

describe("pagealloc replay --strict", () => {
  it("exit 1 when events could not be placed (the sample on pc-4g), 0 on the machine it came from", async () => {
    expect(await run(["replay", sample, "--strict", "--quiet"], capture())).toBe(1);
    expect(await run(["replay", sample, "--machine", zoneinfo, "--mode", "both", "--strict", "--quiet"], capture())).toBe(0);
  });
});
