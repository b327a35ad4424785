import { describe, expect, it } from "vitest";
import { run } from "../run";
import { capture } from "./cli-test-helpers";

describe("pagealloc demo", () => {
  it("prints every section a reader needs, from the booted pc-4g", async () => {
    const io = capture();
    expect(await run(["demo"], io)).toBe(0);
    const out = io.stdout;
    for (const heading of [
      "== /proc/buddyinfo before ==",
      "== /proc/buddyinfo after ==",
      "== /proc/pagetypeinfo before ==",
      "== /proc/pagetypeinfo after ==",
      "== Watermarks",
      "== Fragmentation indices before",
      "== Fragmentation indices after",
      "== Allocation failures",
      "== Memory map",
    ]) {
      expect(out).toContain(heading);
    }
    // pc-4g at boot (6.18): DMA32 and Normal are all order-10 blocks: 782336 / 1024 = 764, 245760 / 1024 = 240.
    expect(out).toContain("Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0    764");
    expect(out).toContain("Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0    240");
    // Normal's watermarks, from the zone layer (min_free_kbytes share): min 4023 low 5028 high 6033.
    expect(out).toMatch(/0\/Normal\s+\d+\s+4023\s+5028\s+6033\s+245760/);
    expect(out).toMatch(/FAIL \[thp-burst, thp, x\d+\] order-9 GFP_TRANSHUGE .*Normal: no free block of order >= 9/);
    expect(out).toContain("legend: U=Unmovable M=Movable R=Reclaimable H=HighAtomic I=Isolate");
    expect(io.stderr).toBe("");
    // No colour codes when the output is not a terminal.
    expect(out).not.toContain("\u001b[");
  }, 60_000);

  it("--json gives the same report as data, with stable fields", async () => {
    const io = capture();
    expect(await run(["demo", "--json", "--machine", "tiny-16m", "--seed", "3"], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(Object.keys(r)).toEqual(["machine", "version", "seed", "totalPages", "pageblockOrder", "maxOrder", "orders", "kinds", "phases", "before", "after", "watermarks", "failures", "legend", "pageblocks", "slowPath"]);
    expect(r).toMatchObject({ machine: "tiny-16m", seed: 3, pageblockOrder: 9, maxOrder: 10 });
    // tiny-16m DMA at boot: 1 + 2 + 2 blocks of order 8, 9, 10 = 3328 pages.
    expect(r.before.buddyinfo.trim()).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      2      2");
  }, 60_000);

  it("bad options are usage errors (exit 2, one line, no stack)", async () => {
    const io = capture();
    expect(await run(["demo", "--seed", "x"], io)).toBe(2);
    expect(io.stderr).toBe("pagealloc: --seed x: expected an integer >= 0\n");
    const io2 = capture();
    expect(await run(["demo", "--machine", "nope"], io2)).toBe(2);
    expect(io2.stderr).toMatch(/^pagealloc: nope: neither a preset/);
  });

  it("--help lists examples", async () => {
    const io = capture();
    expect(await run(["demo", "--help"], io)).toBe(0);
    expect(io.stdout).toContain("Examples:");
    expect(io.stdout).toContain("$ pagealloc demo --machine tiny-16m --seed 7");
  });

  it("shows the slow path happening: kswapd, direct reclaim, compaction, the GFP_NOFS failure, with counters and trace lines", async () => {
    const io = capture();
    expect(await run(["demo", "--quiet"], io)).toBe(0);
    const out = io.stdout;
    expect(out).toContain("The workload phases run the fast path only");
    expect(out).toContain("== Slow path: tiny-16m, zone DMA");
    // kswapd: the first request below low wakes it (wakeup_kswapd), balance_pgdat reclaims (pgsteal_kswapd)
    expect(out).toMatch(/kswapd woke [1-9]\d* time\(s\): scanned \d+ pages, reclaimed [1-9]\d*/);
    expect(out).toMatch(/\/proc\/vmstat deltas: .*pgscan_kswapd \+[1-9].*allocstall_normal \+[1-9]/);
    // the THP: direct compaction (compact_stall) migrated pages, then compact_success
    expect(out).toMatch(/THP fault: 1 x GFP_TRANSHUGE order 9: 1 succeeded, 0 failed; last slow path: success \(get_page_from_freelist:min compact:async\)/);
    expect(out).toMatch(/compact_stall \+1.*compact_success \+1/);
    // GFP_NOFS: no __GFP_FS, so dirty page cache cannot be written back; __GFP_NORETRY gives up
    expect(out).toMatch(/filesystem allocation: 1 x GFP_NOFS\|__GFP_NORETRY order 0: 0 succeeded, 1 failed; last slow path: nopage/);
    const io2 = capture();
    expect(await run(["demo", "--machine", "tiny-16m"], io2)).toBe(0);
    expect(io2.stdout).toMatch(/pagealloc-demo-1000 +\[000\] \.{5} +\d+\.\d{6}: mm_compaction_begin: zone_start=0x0 /);
  }, 60_000);

  it("runs the book's kernel: no THPs before 2.6.38 (mm/huge_memory.c), so no THP burst and no compaction step", async () => {
    const io = capture();
    expect(await run(["demo", "--kernel", "2.6.24", "--machine", "book-i386", "--json"], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r.phases.find((p: { name: string }) => p.name === "thp-burst").allocations).toBe(0);
    expect(r.slowPath.steps.map((s: { name: string }) => s.name)).toEqual(["kswapd", "nofs"]);
    // 2.6.24 has one allocstall counter (per-zone allocstall_* from 4.8)
    expect(r.slowPath.steps[0].vmstat.allocstall).toBeGreaterThan(0);
  }, 60_000);
});
