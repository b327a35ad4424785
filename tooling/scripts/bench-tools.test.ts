// The benchmark suite's own pieces (tooling/bench): the plain-object baseline must be a correct buddy
// allocator, the mixed sequence must be deterministic, and the synthetic trace must be lines the kmem
// trace parser reads. No timing here: figures come from `pnpm bench`, never from tests.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs script without declarations
import { PlainBuddy } from "../bench/baseline.mjs";
// @ts-expect-error plain .mjs script without declarations
import { mixedSequence, runMixedBaseline } from "../bench/mixed.mjs";
// @ts-expect-error plain .mjs script without declarations
import { replayFile, writeSyntheticTrace } from "../bench/replay.mjs";

describe("PlainBuddy (the baseline)", () => {
  it("boots a non-power-of-two zone as the largest aligned blocks", () => {
    // 1536 pages, max order 10: one order-10 block at 0 and one order-9 block at 1024.
    const b = new PlainBuddy(1536, 10);
    expect(b.nrFree).toBe(1536);
    expect(b.free[10].size).toBe(1);
    expect(b.free[9].size).toBe(1);
  });

  it("splits on allocation and merges every buddy back on free", () => {
    const b = new PlainBuddy(1024, 10);
    const p = b.alloc(0);
    // Splitting order 10 down to 0 leaves one free block of each order 0..9.
    for (let o = 0; o < 10; o++) expect(b.free[o].size).toBe(1);
    expect(b.nrFree).toBe(1023);
    b.free_(p, 0);
    expect(b.free[10].size).toBe(1);
    expect(b.nrFree).toBe(1024);
  });

  it("never hands out overlapping or misaligned blocks, and fails only when no block is large enough", () => {
    const b = new PlainBuddy(4096, 10);
    const used = new Uint8Array(4096);
    const live: [number, number][] = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 5000; k++) {
      if (live.length && rnd() < 0.45) {
        const [pfn, o] = live.splice(Math.floor(rnd() * live.length), 1)[0]!;
        used.fill(0, pfn, pfn + 2 ** o);
        b.free_(pfn, o);
        continue;
      }
      const o = Math.floor(rnd() * 6);
      const pfn = b.alloc(o);
      if (pfn < 0) {
        for (let q = o; q <= 10; q++) expect(b.free[q].size).toBe(0);
        continue;
      }
      expect(pfn % 2 ** o).toBe(0);
      for (let i = pfn; i < pfn + 2 ** o; i++) expect(used[i]).toBe(0);
      used.fill(1, pfn, pfn + 2 ** o);
      live.push([pfn, o]);
    }
    expect(b.nrFree).toBe(4096 - used.reduce((s, v) => s + v, 0));
    for (const [pfn, o] of live) b.free_(pfn, o);
    expect(b.free[10].size).toBe(4);
  });

  it("refuses a free of a block it did not hand out", () => {
    const b = new PlainBuddy(1024, 10);
    const p = b.alloc(1);
    expect(() => b.free_(p, 0)).toThrow(/bad free/);
  });
});

describe("the mixed sequence", () => {
  it("is the same for the same seed and frees only live blocks", () => {
    const a = mixedSequence(20000, 3);
    const b = mixedSequence(20000, 3);
    expect(Buffer.from(a.order.buffer).equals(Buffer.from(b.order.buffer))).toBe(true);
    let live = 0;
    let big = 0;
    for (let i = 0; i < a.ops; i++) {
      if (a.order[i] >= 0) {
        live++;
        if (a.order[i] >= 9) big++;
      } else {
        expect(a.arg[i]).toBeLessThan(live);
        live--;
      }
    }
    expect(big).toBeGreaterThan(0);
    // The baseline runs it on a 4 GiB zone without a failed free.
    expect(() => runMixedBaseline(new PlainBuddy(1 << 20), a)).not.toThrow();
  });
});

describe("the synthetic trace", () => {
  it("has the real sample's column layout and is read back line by line", async () => {
    const file = writeSyntheticTrace(3000);
    try {
      const lines: string[] = [];
      replayFile(file, (l: string) => lines.push(l));
      const events = lines.filter((l) => !l.startsWith("#"));
      expect(events.length).toBe(3000);
      // The real sample (tracefs_trace_sample.txt) line: comm right-aligned to 16, "-", pid left-aligned to 7.
      const real = "            node-18990   [000] .....   963.827985: mm_page_alloc: page=00000000fac30e70 pfn=0x17a9a7 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP";
      expect(events[0]!.indexOf("[000]")).toBe(real.indexOf("[000]"));
      expect(events[0]!.indexOf(": mm_page_alloc:")).toBe(real.indexOf(": mm_page_alloc:"));
      const { parseTraceLine } = await import("../../packages/workload/src/trace");
      for (const l of events.slice(0, 200)) expect(parseTraceLine(l, 1)).not.toBeNull();
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
