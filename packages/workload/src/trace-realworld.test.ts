// Trace text of older kernels and tools (sources on the first line of each fixture); expected values read off the text.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTraceLine } from "./trace";

const records = (name: string) =>
  fs
    .readFileSync(path.join(__dirname, "__fixtures__", name), "utf8")
    .split("\n")
    .map((l, i) => parseTraceLine(l, i + 1, name))
    .filter((r) => r !== null);

describe("trace text from other kernels and tools", () => {
  it("2.6.33-rc ftrace: no flags column, decimal pfn, mm_page_free_direct", () => {
    const rs = records("trace-2.6.33-rc-x86_64.txt");
    expect(rs.map((r) => r.event)).toEqual(["mm_page_free_direct", "mm_page_free_direct", "mm_page_alloc", "mm_page_free_direct", "mm_page_free_direct"]);
    // "gnome-terminal-1567  [000]  4415.246506: mm_page_alloc: page=ffffea0003db9f40 pfn=1155800 order=0 migratetype=0 gfp_flags=GFP_KERNEL"
    expect(rs[2]).toMatchObject({ line: 5, comm: "gnome-terminal", pid: 1567, cpu: 0, timestamp: 4415.246506, pfn: 1155800, page: "ffffea0003db9f40", order: 0, migratetype: 0, gfp: "GFP_KERNEL", failed: false });
  });
  it("5.1 perf script with callchains: the sample lines are read, the callchain lines are not events", () => {
    const rs = records("trace-5.1-rc3-perf-script-callchain.txt");
    expect(rs).toHaveLength(2);
    // perf prints page= as the pfn in hex: 0x176a17 = 1534487
    expect(rs[0]).toMatchObject({ line: 2, comm: "perf", pid: 6429, cpu: 0, timestamp: 22.49845, pfn: 1534487, page: "0x176a17", order: 0, gfp: "GFP_KERNEL" });
    expect(rs[1]).toMatchObject({ pid: 6503, timestamp: 1567.570191, pfn: 0x16c904 });
  });
});
