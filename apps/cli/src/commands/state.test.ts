import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../run";
import { capture, examplesDir } from "./cli-test-helpers";

const fragmentation = path.join(examplesDir, "fragmentation.pa");

describe("state files with --after SCRIPT", () => {
  it("buddyinfo --after: the state the script leaves (fragmentation.pa ends as booted)", async () => {
    const io = capture();
    expect(await run(["buddyinfo", "--machine", "tiny-16m", "--after", fragmentation], io)).toBe(0);
    // fragmentation.pa frees everything: 1 + 2 + 2 blocks of order 8, 9, 10 as at boot.
    expect(io.stdout).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      2      2 \n");
  });

  it("pagetypeinfo --after shows the blocks after a script", async () => {
    const file = path.join(examplesDir, "book-2.6.24.pa");
    const io = capture();
    expect(await run(["pagetypeinfo", "--machine", "book-i386", "--kernel", "2.6.24", "--after", file], io)).toBe(0);
    // 2.6.24: pageblock_order = MAX_ORDER - 1 = 10 on i386.
    expect(io.stdout).toContain("Page block order: 10\nPages per block:  1024\n");
  });

  it("zoneinfo --after puts the free pages after the script into the zone layer's text", async () => {
    const file = path.join(path.dirname(fragmentation), "fragmentation.pa");
    const io = capture();
    expect(await run(["zoneinfo", "--machine", "tiny-16m", "--after", file], io)).toBe(0);
    expect(io.stdout).toMatch(/Node 0, zone      DMA\n  per-node stats/);
    expect(io.stdout).toMatch(/\n  pages free     3328\n/);
  });

  it("vmstat: nr_free_pages of the booted machine", async () => {
    const io = capture();
    expect(await run(["vmstat", "--machine", "tiny-16m"], io)).toBe(0);
    expect(io.stdout.split("\n")[0]).toBe("nr_free_pages 3328");
  });

  it("--json wraps the text with its context", async () => {
    const io = capture();
    expect(await run(["vmstat", "--machine", "tiny-16m", "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ file: "/proc/vmstat", machine: "tiny-16m", after: null });
  });
});

describe("options added to the state commands of other layers", () => {
  it("buddyinfo --sysctl boots with the sysctl (the free pages do not depend on it, the command must accept it)", async () => {
    const io = capture();
    expect(await run(["buddyinfo", "--machine", "tiny-16m", "--sysctl", "vm.min_free_kbytes=1024", "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdout).text).toBe("Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      2      2 \n");
  });
  it("a sysctl that does not exist is exit 2", async () => {
    const io = capture();
    expect(await run(["pagetypeinfo", "--machine", "tiny-16m", "--sysctl", "vm.nope=1"], io)).toBe(2);
    expect(io.stderr).toMatch(/^pagealloc: unknown sysctl "nope"/);
  });
});

it("zoneinfo --after with --sysctl-dir is a usage error rather than a silently ignored option", async () => {
  const io = capture();
  expect(await run(["zoneinfo", "--machine", "tiny-16m", "--sysctl-dir", "/proc/sys/vm", "--after", fragmentation], io)).toBe(2);
  expect(io.stderr).toContain("--sysctl-dir cannot be combined with --after");
});
