import { type KernelVersion, DEFAULT_KERNEL_VERSION } from "@pagealloc/physmem";
import { zoneVersionFacts } from "./version-facts";

/** MIN_PERCPU_PAGELIST_HIGH_FRACTION: the smallest accepted vm.percpu_pagelist_high_fraction (5.14+). */
export const MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;

function fls(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

function rounddownPowOfTwo(x: number): number {
  return x <= 0 ? 0 : 2 ** (fls(x) - 1);
}

/**
 * The per-CPU list batch of a zone before the `max(1, …)` the pageset setup applies:
 * min(pages/1024, cap/PAGE_SIZE)/4, at least 1, then rounddown_pow_of_two(b + b/2) − 1 (so it can be
 * 0 for small zones). The cap is 512 KiB before 4.19 and 1 MiB from 4.19.
 * kernel: mm/page_alloc.c zone_batchsize()
 *
 * @param pages - managed pages (present pages before 3.8)
 * @param version - kernel version
 * @param pageShift - PAGE_SHIFT (default 12)
 * @returns the batch
 * @example
 * ```ts
 * import { zoneBatchsize } from "@pagealloc/zones";
 * console.log(zoneBatchsize(163840), zoneBatchsize(772808), zoneBatchsize(225280, "2.6.24")); // => 31 63 31
 * ```
 */
export function zoneBatchsize(pages: number, version: KernelVersion | string = DEFAULT_KERNEL_VERSION, pageShift = 12): number {
  const facts = zoneVersionFacts(version);
  let batch = Math.min(Math.floor(pages / 1024), Math.floor(facts.batchCapBytes / 2 ** pageShift));
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  return rounddownPowOfTwo(batch + Math.floor(batch / 2)) - 1;
}

/**
 * The batch a zone's per-CPU lists use (`max(1, zone_batchsize())`; 2.6.24: the hot list's batch).
 * kernel: mm/page_alloc.c zone_set_pageset_high_and_batch() / pageset_set_batch() / setup_pageset()
 *
 * @param pages - managed pages (present pages before 3.8)
 * @param version - kernel version
 * @returns the pcp batch
 * @example
 * ```ts
 * import { pcpBatch } from "@pagealloc/zones";
 * console.log(pcpBatch(3840), pcpBatch(720896)); // => 1 63
 * ```
 */
export function pcpBatch(pages: number, version: KernelVersion | string = DEFAULT_KERNEL_VERSION, pageShift = 12): number {
  return Math.max(1, zoneBatchsize(pages, version, pageShift));
}

/** Input of {@link zoneHighsize}. */
export interface ZoneHighsizeInput {
  readonly managed: number;
  /** low_wmark_pages(zone) (includes the boost). */
  readonly lowWmark: number;
  readonly batch: number;
  /** CPUs of the zone's node (cpumask_of_node). */
  readonly nodeCpus: number;
  /** num_online_cpus(), used when the node has no CPUs. */
  readonly onlineCpus: number;
  /** 0 = use the low watermark; else managed / fraction. */
  readonly fraction: number;
}

/**
 * The pcp high limit a zone's lists get: (low watermark, or managed/fraction) split over the CPUs of
 * the zone's node, at least 4 batches.
 * kernel: mm/page_alloc.c zone_highsize() (5.14+)
 *
 * @param input - sizes, CPUs, fraction
 * @returns the high limit in pages
 * @example
 * ```ts
 * import { zoneHighsize } from "@pagealloc/zones";
 * console.log(zoneHighsize({ managed: 772808, lowWmark: 10898, batch: 63, nodeCpus: 2, onlineCpus: 2, fraction: 0 })); // => 5449
 * ```
 */
export function zoneHighsize(input: ZoneHighsizeInput): number {
  const total = input.fraction === 0 ? input.lowWmark : Math.floor(input.managed / input.fraction);
  const split = input.nodeCpus > 0 ? input.nodeCpus : Math.max(1, input.onlineCpus);
  return Math.max(Math.floor(total / split), input.batch * 4);
}

/** The sizes of one per-CPU list of a zone (what /proc/zoneinfo prints as high/batch/high_min/high_max). */
export interface PcpSizes {
  readonly batch: number;
  /** pcp->high as set up (5.14–6.6 and older), or high_min for 6.7+ where the live value floats. */
  readonly high: number;
  /** 6.7+: the auto-tuning range; equal to `high` before. */
  readonly highMin: number;
  readonly highMax: number;
  /** 2.6.24 only: the cold list's sizes. */
  readonly cold?: { readonly high: number; readonly batch: number };
}

/** Input of {@link pcpHigh}. */
export interface PcpHighInput {
  /** managed pages (present before 3.8). */
  readonly pages: number;
  /** low watermark incl. boost (used from 5.14). */
  readonly lowWmark: number;
  readonly nodeCpus: number;
  readonly onlineCpus: number;
  /** vm.percpu_pagelist_high_fraction (5.14+) or vm.percpu_pagelist_fraction (before); 0 = unset. */
  readonly fraction?: number;
  readonly version?: KernelVersion | string;
  readonly pageShift?: number;
}

/**
 * The per-CPU pageset sizes of a zone for a version:
 * - 2.6.24: hot list high 6×batch, batch max(1, batch); cold list high 2×batch, batch max(1, batch/2);
 * - 2.6.25–5.13: one list, high 6×batch;
 * - percpu_pagelist_fraction N (before 5.14): high = pages/N, batch = max(1, min(high/4, PAGE_SHIFT×8));
 * - 5.14–6.6: high = zone_highsize(low watermark or managed/N);
 * - 6.7+: high_min = zone_highsize(fraction or low watermark), high_max = zone_highsize(fraction or 8).
 * kernel: mm/page_alloc.c zone_set_pageset_high_and_batch(), pageset_set_high_and_batch(), setup_pageset(), setup_pagelist_highmark()
 *
 * @param input - zone size, watermark, CPUs, sysctl, version
 * @returns batch, high, high_min, high_max (and the 2.6.24 cold list)
 * @example
 * ```ts
 * import { pcpHigh } from "@pagealloc/zones";
 * const p = pcpHigh({ pages: 772808, lowWmark: 10898, nodeCpus: 2, onlineCpus: 2 });
 * console.log(p.batch, p.highMin, p.highMax); // => 63 5449 48300
 * const old = pcpHigh({ pages: 225280, lowWmark: 0, nodeCpus: 1, onlineCpus: 1, version: "2.6.24" });
 * console.log(old.high, old.batch, old.cold.high, old.cold.batch); // => 186 31 62 15
 * ```
 */
export function pcpHigh(input: PcpHighInput): PcpSizes {
  const version = input.version ?? DEFAULT_KERNEL_VERSION;
  const facts = zoneVersionFacts(version);
  const pageShift = input.pageShift ?? 12;
  const raw = zoneBatchsize(input.pages, version, pageShift);
  const batch = Math.max(1, raw);
  const fraction = input.fraction ?? 0;
  const same = (high: number, b = batch) => ({ batch: b, high, highMin: high, highMax: high });
  if (facts.pcp === "hotCold" || facts.pcp === "single") {
    const cold = facts.pcp === "hotCold" ? { cold: { high: 2 * raw, batch: Math.max(1, Math.floor(raw / 2)) } } : {};
    if (fraction > 0) {
      const high = Math.floor(input.pages / fraction);
      const b = Math.max(1, Math.min(Math.floor(high / 4), pageShift * 8));
      return { ...same(high, b), ...cold };
    }
    return { ...same(6 * raw), ...cold };
  }
  const hs = (f: number) =>
    zoneHighsize({ managed: input.pages, lowWmark: input.lowWmark, batch, nodeCpus: input.nodeCpus, onlineCpus: input.onlineCpus, fraction: f });
  if (facts.pcp === "highsize") return same(hs(fraction));
  if (fraction > 0) return same(hs(fraction));
  return { batch, high: hs(0), highMin: hs(0), highMax: hs(MIN_PERCPU_PAGELIST_HIGH_FRACTION) };
}

/**
 * The per-CPU vm statistics threshold of a zone: 2 × fls(online CPUs) × (1 + fls(pages in 128 MiB
 * units)), at most 125.
 * kernel: mm/vmstat.c calculate_normal_threshold() (2.6.24: calculate_threshold(), present pages)
 *
 * @param pages - managed pages (present before 3.8)
 * @param onlineCpus - num_online_cpus()
 * @param pageShift - PAGE_SHIFT (default 12)
 * @returns the threshold
 * @example
 * ```ts
 * import { vmStatThreshold } from "@pagealloc/zones";
 * console.log(vmStatThreshold(3840, 2), vmStatThreshold(772808, 2), vmStatThreshold(163840, 2)); // => 4 24 16
 * ```
 */
export function vmStatThreshold(pages: number, onlineCpus: number, pageShift = 12): number {
  const mem = Math.floor(pages / 2 ** (27 - pageShift));
  return Math.min(125, 2 * fls(onlineCpus) * (1 + fls(mem)));
}
