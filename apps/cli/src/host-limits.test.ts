import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { capture } from "./commands/cli-test-helpers";
import { run } from "./run";

describe("a machine too large for the host", () => {
  it("is refused up front (exit 2, HOST_MEMORY_LIMIT) with the memory it would need", async () => {
    // 64 TiB on one node: 2^34 pages x 16 bytes = 256 GiB of mem_map, more than this host has
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-huge-")), "huge.json");
    fs.writeFileSync(file, JSON.stringify({ name: "huge", arch: "x86_64", nodes: [{ id: 0, cpus: [0], memory: [{ start: 0, size: "64T" }] }] }));
    expect(os.totalmem()).toBeLessThan(256 * 2 ** 30);
    const script = path.join(path.dirname(file), "s.pa");
    fs.writeFileSync(script, "alloc a order=0 gfp=GFP_KERNEL\n");
    // every command that boots: run and replay (bootFromArgs), buddyinfo / pagetypeinfo (buddy alone)
    for (const argv of [["run", script, "--machine", file], ["buddyinfo", "--machine", file], ["pagetypeinfo", "--machine", file]]) {
      const c = capture();
      const t0 = performance.now();
      expect(await run(argv, c), argv.join(" ")).toBe(2);
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(c.stderr).toMatch(/machine huge needs about 262144 MiB of host memory to simulate, more than the \d+ MiB allowed .*\[HOST_MEMORY_LIMIT\]/);
    }
  });
});
