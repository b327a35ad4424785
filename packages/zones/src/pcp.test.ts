import { expect, it } from "vitest";
import { pcpHigh, vmStatThreshold, zoneBatchsize } from "./pcp";

// Live values of kernel-facts §4.6 (2 CPUs, one node) and the 2.6.24 example worked there.
it.each([
  // managed, low, batch, high_min, high_max, threshold
  [3840, 53, 1, 26, 240, 4],
  [772808, 10898, 63, 5449, 48300, 24],
  [720896, 10166, 63, 5083, 45056, 24],
  [163840, 3678, 31, 1839, 10240, 16],
  [1474560, 13833, 63, 6916, 92160, 28],
] as const)("6.18 zone with managed %i", (managed, low, batch, highMin, highMax, thr) => {
  const p = pcpHigh({ pages: managed, lowWmark: low, nodeCpus: 2, onlineCpus: 2 });
  expect([p.batch, p.highMin, p.highMax]).toEqual([batch, highMin, highMax]);
  expect(vmStatThreshold(managed, 2)).toBe(thr);
});

it("percpu_pagelist_high_fraction sets high_min = high_max = managed/fraction/cpus", () => {
  // 772808/8 = 96601, /2 CPUs = 48300
  const p = pcpHigh({ pages: 772808, lowWmark: 10898, nodeCpus: 2, onlineCpus: 2, fraction: 8 });
  expect([p.highMin, p.highMax]).toEqual([48300, 48300]);
});

it("5.14-6.6: one high from the low watermark", () => {
  const p = pcpHigh({ pages: 772808, lowWmark: 10898, nodeCpus: 2, onlineCpus: 2, version: "6.1" });
  expect([p.batch, p.high, p.highMin, p.highMax]).toEqual([63, 5449, 5449, 5449]);
});

it("a node without CPUs splits over all online CPUs", () => {
  const p = pcpHigh({ pages: 772808, lowWmark: 10898, nodeCpus: 0, onlineCpus: 4, version: "6.1" });
  expect(p.high).toBe(2724); // 10898/4
});

it("batch cap: 512 KiB before 4.19 (31), 1 MiB from 4.19 (63)", () => {
  expect(zoneBatchsize(1 << 20, "4.18")).toBe(31);
  expect(zoneBatchsize(1 << 20, "4.19")).toBe(63);
});

it("2.6.24 hot/cold lists and percpu_pagelist_fraction", () => {
  // ~16 MiB DMA: 3998/1024 = 3 -> /4 = 0 -> 1 -> rdpow2(1)-1 = 0: hot high 0 batch 1 ("hi: 0, btch: 1")
  const dma = pcpHigh({ pages: 3998, lowWmark: 0, nodeCpus: 1, onlineCpus: 1, version: "2.6.24" });
  expect([dma.high, dma.batch, dma.cold?.high, dma.cold?.batch]).toEqual([0, 1, 0, 1]);
  // 2.6.25-5.13 single list: 225280 -> 31, high 186
  const single = pcpHigh({ pages: 225280, lowWmark: 0, nodeCpus: 1, onlineCpus: 1, version: "3.10" });
  expect([single.high, single.batch, single.cold]).toEqual([186, 31, undefined]);
  // fraction 8: high = 225280/8 = 28160, batch = min(7040, PAGE_SHIFT*8 = 96) = 96
  const frac = pcpHigh({ pages: 225280, lowWmark: 0, nodeCpus: 1, onlineCpus: 1, fraction: 8, version: "4.19" });
  expect([frac.high, frac.batch]).toEqual([28160, 96]);
});
