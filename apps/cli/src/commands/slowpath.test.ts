import { describe, expect, it } from "vitest";
import { run } from "../run";

function capture() {
  let stdout = "";
  let stderr = "";
  return { io: { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t) }, get stdout() { return stdout; }, get stderr() { return stderr; } };
}

describe("pagealloc slowpath", () => {
  it("shows compaction happening: steps, counters and ftrace lines", async () => {
    const c = capture();
    expect(await run(["slowpath", "thp", "--trace"], c.io)).toBe(0);
    expect(c.stdout).toContain("GFP_TRANSHUGE order 9: order 9 → pfn 0x0 (success)");
    expect(c.stdout).toContain("steps: get_page_from_freelist:min, compact:async");
    expect(c.stdout).toContain("    compact_success 1\n");
    expect(c.stdout).toContain("    pgmigrate_success 256\n");
    expect(c.stdout).toMatch(/ sim-1 {7}\[000\] \.{5} {5}1\.\d{6}: mm_compaction_begin: zone_start=0x0 migrate_pfn=0x0 free_pfn=0x1e00 zone_end=0x2000, mode=async/);
  });

  it("prints the warn_alloc report of a failure", async () => {
    const c = capture();
    expect(await run(["slowpath", "nofs", "--report"], c.io)).toBe(0);
    expect(c.stdout).toContain("sim: page allocation failure: order:0, mode:0x10c40(GFP_NOFS|__GFP_NORETRY), nodemask=(null),cpuset=/,mems_allowed=0");
    expect(c.stdout).toContain("steps: wake_kswapd, get_page_from_freelist:min, get_page_from_freelist:min, direct_reclaim:57");
  });

  it("lists the scenarios, and an unknown one is a usage error", async () => {
    const c = capture();
    expect(await run(["slowpath"], c.io)).toBe(0);
    expect(c.stdout).toMatch(/^kswapd {9}order-0 GFP_KERNEL below the low watermark/m);
    const d = capture();
    expect(await run(["slowpath", "nope"], d.io)).toBe(2);
    expect(d.stderr).toMatch(/unknown scenario "nope"/);
  });
});
