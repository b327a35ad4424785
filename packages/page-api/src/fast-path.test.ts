// Differential test of buddy's fused order-0 paths (issue 10): the same seeded sequence of page-API calls runs on a
// kernel with the fused alloc/free paths and on one booted with `fastPaths: false` (every call through the layered
// path); every result, every error and the zone counters after every step, and every few steps the /proc text and
// the snapshot bytes, must be identical. The expected values are the layered path's own: the fused path is an optimisation of it.
import { renderBuddyinfo, renderPagetypeinfo, renderVmstat, renderZoneinfo } from "@pagealloc/buddy";
import type { MachineDescription } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Kernel, Page, bootKernel } from "./kernel";
import { snapshot } from "./snapshot";

/**
 * Two nodes (DMA and 256 MiB of DMA32 on node 0, 128 MiB of Normal on node 1), 4 CPUs: zones large enough for
 * per-cpu lists of some length (batch 15, high 90 on 5.10), small enough that bursts reach the watermarks.
 */
const TWO_NODES: MachineDescription = {
  name: "fast-path-2node",
  arch: "x86_64",
  nodes: [
    { id: 0, cpus: "0-1", memory: [{ start: "0x1000", end: "0x9f000" }, { start: "0x100000", end: "0x10000000" }] },
    { id: 1, cpus: "2-3", memory: [{ start: "0x100000000", size: "128M" }] },
  ],
  distance: [
    [10, 20],
    [20, 10],
  ],
};

const MASKS = ["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_KERNEL|__GFP_RECLAIMABLE", "GFP_DMA", "GFP_KERNEL|__GFP_THISNODE", "GFP_KERNEL|__GFP_COMP", "GFP_KERNEL|__GFP_COLD"];

type Op =
  | { kind: "alloc"; mask: number; order: number; node: number; count: number }
  | { kind: "free"; pick: number; count: number }
  | { kind: "ref"; pick: number }
  | { kind: "map"; pick: number }
  | { kind: "bad"; pick: number }
  | { kind: "cpu"; cpu: number }
  | { kind: "drain" }
  | { kind: "tick" };

const opArb = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("alloc" as const),
      mask: fc.nat({ max: MASKS.length - 1 }),
      // mostly order 0 (the fused path), some higher orders that refill and drain the lists differently
      order: fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, { arbitrary: fc.nat({ max: 4 }), weight: 2 }),
      node: fc.integer({ min: -1, max: 1 }),
      // bursts push the zones under their watermarks (ZONE_BELOW_HIGH, refills, the slow path)
      count: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8 }), weight: 4 }, { arbitrary: fc.integer({ min: 100, max: 1500 }), weight: 1 }),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat(), count: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: 1500 })) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("ref" as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("map" as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("bad" as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("cpu" as const), cpu: fc.nat({ max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("drain" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("tick" as const) }), weight: 2 },
);

/** One kernel under the sequence: its live blocks and a log of every call's outcome. */
class Run {
  readonly live: { pfn: number; order: number }[] = [];
  readonly log: string[] = [];
  constructor(readonly k: Kernel) {}

  private try(what: string, fn: () => unknown): void {
    try {
      this.log.push(`${what} -> ${String(fn())}`);
    } catch (e) {
      this.log.push(`${what} !! ${(e as { code?: string }).code} ${(e as Error).message}`);
    }
  }

  step(o: Op): void {
    const k = this.k;
    const pick = (n: number) => this.live[n % this.live.length]!;
    if (o.kind === "alloc") {
      for (let c = 0; c < o.count; c++) {
        this.try(`alloc ${MASKS[o.mask]} ${o.order} node ${o.node}`, () => {
          let mask: number;
          try {
            mask = k.gfp(MASKS[o.mask]!);
          } catch {
            mask = k.gfp("GFP_KERNEL"); // __GFP_COLD is gone from 4.15
          }
          const page = k.alloc_pages_node(o.node, mask, o.order);
          if (page) this.live.push({ pfn: page.pfn, order: o.order });
          return page?.pfn ?? null;
        });
      }
    } else if (o.kind === "free") {
      for (let c = 0; c < o.count && this.live.length > 0; c++) {
        const [b] = this.live.splice((o.pick + c * 7919) % this.live.length, 1);
        this.try(`free ${b!.pfn} ${b!.order}`, () => k.__free_pages(new Page(b!.pfn), b!.order));
      }
    } else if (o.kind === "ref" && this.live.length > 0) {
      // a second reference: the first __free_pages only drops it (the fused free handles refcount > 1 too)
      const b = pick(o.pick);
      this.try(`ref ${b.pfn}`, () => {
        k.get_page(new Page(b.pfn));
        k.__free_pages(new Page(b.pfn), b.order);
        return k.page_count(new Page(b.pfn));
      });
    } else if (o.kind === "map" && this.live.length > 0) {
      // a mapped page may not be freed: BAD_PAGE_STATE from both paths, nothing changes
      const b = pick(o.pick);
      this.try(`map ${b.pfn}`, () => {
        k.map_page(new Page(b.pfn));
        try {
          k.__free_pages(new Page(b.pfn), b.order);
        } finally {
          k.unmap_page(new Page(b.pfn));
        }
      });
    } else if (o.kind === "bad") {
      // wrong order, a free page, a pfn in no zone: the layered path's errors
      const b = this.live.length > 0 ? pick(o.pick) : { pfn: 0x1000, order: 0 };
      this.try(`bad order ${b.pfn}`, () => k.__free_pages(new Page(b.pfn), b.order + 1));
      this.try("bad pfn", () => k.__free_pages(new Page(0x7fffffff), 0));
      this.try("bad cpu", () => k.buddy.freePages(b.pfn, 0, { cpu: 99 }));
    } else if (o.kind === "cpu") {
      k.set_cpu(o.cpu % k.buddy.cpus);
    } else if (o.kind === "drain") {
      k.drain_all_pages();
    } else if (o.kind === "tick") {
      this.try("vmstat", () => k.buddy.vmstatUpdate());
    }
  }

  /** The /proc text: buddyinfo, pagetypeinfo, zoneinfo, vmstat. */
  text(): string {
    const a = this.k.buddy;
    return [renderBuddyinfo(a), renderPagetypeinfo(a), renderZoneinfo(a, this.k.zones), renderVmstat(a)].join("\n");
  }

  /** The zone counters, per-cpu list state and pgfree. */
  counters(): unknown {
    const a = this.k.buddy;
    const zones = a.zones.map((z) => ({
      free: z.nrFreePages,
      pgalloc: z.pgalloc,
      numa: [z.numaHit, z.numaMiss, z.numaForeign, z.numaLocal, z.numaOther],
      pcp: [...z.pcpCount, ...z.pcpHigh, ...z.pcpFreeCount, ...z.pcpAllocFactor, ...z.pcpFlags, ...z.pcpExpire],
      flags: [z.belowHigh, z.boosted, z.watermarkBoost],
    }));
    return { zones, pgfree: a.pgfree };
  }
}

const VERSIONS = ["4.4", "4.14", "5.10", "5.15", "6.1", "6.6", "6.18"] as const;
/** The /proc text and the snapshot are compared every EVERY steps (the counters after every step). */
const EVERY = 5;

/**
 * Run ops on a kernel with the fused paths and on one without; compare after every step. Returns how many order-0
 * allocations the fused path served.
 */
function compare(version: string, ops: readonly Op[]): number {
  let served = 0;
  const fast = new Run(bootKernel({ machine: TWO_NODES, version }));
  const slow = new Run(bootKernel({ machine: TWO_NODES, version, fastPaths: false }));
  // count the order-0 allocations the fused path served (a spy on this instance only)
  const fused = fast.k.buddy.allocOrder0Fast.bind(fast.k.buddy);
  fast.k.buddy.allocOrder0Fast = (gfp, nid, cpu) => {
    const pfn = fused(gfp, nid, cpu);
    served += pfn >= 0 ? 1 : 0;
    return pfn;
  };
  ops.forEach((o, n) => {
    fast.step(o);
    slow.step(o);
    expect(fast.log).toEqual(slow.log);
    expect(fast.counters(), `after step ${n}: ${JSON.stringify(o)}`).toEqual(slow.counters());
    if (n % EVERY === EVERY - 1 || n === ops.length - 1) {
      expect(fast.text()).toBe(slow.text());
      expect(Buffer.from(snapshot(fast.k)).equals(Buffer.from(snapshot(slow.k)))).toBe(true);
    }
  });
  return served;
}

describe.each(VERSIONS)("fused order-0 paths = layered path, %s", (version) => {
  it("gives the same results, errors, counters after every step, /proc text and snapshot every few steps of a seeded random sequence", () => {
    let served = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 100 }), (ops) => {
        served += compare(version, ops);
      }),
      { seed: 0x10_f00d + version.length, numRuns: 10 },
    );
    // the comparison means something only if the fused path served a good share of the allocations
    expect(served).toBeGreaterThan(1000);
  }, 120_000);

  it("agrees after long per-cpu lists, a drain by pcp->high (free_factor / free_count) and a vmstat interval (pcp->expire)", () => {
    const served = compare(version, [
      { kind: "alloc", mask: 0, order: 0, node: 0, count: 2000 },
      { kind: "free", pick: 0, count: 2000 },
      { kind: "alloc", mask: 0, order: 0, node: 0, count: 1 },
      { kind: "tick" },
      { kind: "alloc", mask: 0, order: 0, node: 0, count: 1 },
      { kind: "alloc", mask: 0, order: 0, node: 1, count: 1 },
      { kind: "tick" },
      { kind: "tick" },
      { kind: "alloc", mask: 0, order: 0, node: 1, count: 1 },
      { kind: "cpu", cpu: 2 },
      { kind: "alloc", mask: 1, order: 0, node: -1, count: 500 },
      { kind: "free", pick: 3, count: 500 },
      { kind: "tick" },
      { kind: "alloc", mask: 1, order: 0, node: -1, count: 2 },
    ]);
    expect(served).toBeGreaterThan(500);
  });
});

describe.each(VERSIONS)("fused order-0 allocation at the watermark boundaries, %s", (version) => {
  it("serves or refuses exactly where the layered path does (NR_FREE_PAGES around min, low and high; boosted; ZONE_BELOW_HIGH)", () => {
    const boot = (fastPaths: boolean) => {
      const k = bootKernel({ machine: "tiny-16m", version, fastPaths, reclaim: false });
      // a warm per-cpu list: the first allocation refills it through the layered path
      k.__free_pages(k.alloc_pages("GFP_KERNEL", 0)!, 0);
      return k;
    };
    const w = boot(true).buddy.zone(0, "DMA").spec.watermark;
    for (const boost of [0, 7]) {
      for (const belowHigh of [false, true]) {
        for (const mark of [w.min, w.low, w.high]) {
          for (const d of [-1, 0, 1]) {
            const [a, b] = [boot(true), boot(false)].map((k) => {
              const z = k.buddy.zone(0, "DMA");
              // the same (artificial) counters on both kernels: only the decision is compared
              z.nrFreePages = mark + boost + d;
              z.watermarkBoost = boost;
              z.belowHigh = belowHigh;
              const page = k.alloc_pages("GFP_KERNEL", 0);
              return { pfn: page?.pfn ?? null, below: z.belowHigh, free: z.nrFreePages, pcp: z.pcpCount[0], numa: z.numaHit };
            });
            expect(a, `boost ${boost} belowHigh ${belowHigh} free ${mark}${d >= 0 ? "+" : ""}${d}`).toEqual(b);
          }
        }
      }
    }
  });
});

describe("the fused paths are used", () => {
  it("an order-0 alloc/free pair on a warm per-cpu list goes through allocOrder0Fast and freeOrder0Fast", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    k.__free_pages(k.alloc_pages("GFP_KERNEL", 0)!, 0); // the first allocation refills the list (layered path)
    const free = k.buddy.zone(0, "DMA").pcpCount[0]!;
    // a hit on the list: the fused path returns its head; a second call sees the next page
    const pfn = k.buddy.allocOrder0Fast(k.gfp("GFP_KERNEL"), undefined, 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(k.buddy.zone(0, "DMA").pcpCount[0]).toBe(free - 1);
    expect(k.buddy.freeOrder0Fast(pfn, 0)).toBe(true);
    expect(k.buddy.zone(0, "DMA").pcpCount[0]).toBe(free);
    // a free page is not an allocated order-0 block: refused, nothing changes
    expect(k.buddy.freeOrder0Fast(pfn, 0)).toBe(false);
  });

  it("is off with tracing, invariant checking and fastPaths: false", () => {
    for (const opts of [{ trace: () => {} }, { checkInvariants: true }, { fastPaths: false }]) {
      const k = bootKernel({ machine: "tiny-16m", ...opts });
      k.__free_pages(k.alloc_pages("GFP_KERNEL", 0)!, 0);
      expect(k.buddy.allocOrder0Fast(k.gfp("GFP_KERNEL"), undefined, 0)).toBe(-1);
    }
  });
});
