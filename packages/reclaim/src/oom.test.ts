import { describe, expect, it } from "vitest";
import { oomBadness, selectBadProcess } from "./oom";

describe("oom_badness / select_bad_process", () => {
  it("scores rss + swap + page tables + adj × totalpages / 1000 and skips −1000", () => {
    // 500 + 20 + 4 = 524; adj −300 on 10000 pages: −300 × 10000 / 1000 = −3000 → −2476
    expect(oomBadness({ pid: 1, comm: "a", rssPages: 500, swapPages: 20, pgtablePages: 4, oomScoreAdj: -300 }, 10000)).toBe(-2476);
    expect(oomBadness({ pid: 1, comm: "a", rssPages: 500, oomScoreAdj: -1000 }, 10000)).toBeNull();
  });

  it("equal points: the later task wins (points ≥ chosen replaces the choice)", () => {
    const d = selectBadProcess([{ pid: 1, comm: "first", rssPages: 100 }, { pid: 2, comm: "second", rssPages: 100 }], 1000);
    expect(d.victim!.comm).toBe("second");
    expect(selectBadProcess([], 1000).victim).toBeNull();
  });
});
