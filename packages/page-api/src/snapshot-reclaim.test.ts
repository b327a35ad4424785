// Snapshots of kernels booted with the slow path (reclaim: true): save in the middle of a slow-path-heavy run,
// restore, then run the same further operations on the original and the restored kernel and compare everything
// they show, byte for byte (issue 11: "identical /proc text and identical future behaviour for the same seed").
import { type BuddyTraceEvent, formatTraceEvent, renderPagetypeinfo, renderVmstat, renderZoneinfo } from "@pagealloc/buddy";
import { type EvictReason, type ReclaimTraceEvent, formatReclaimTraceEvent } from "@pagealloc/reclaim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BootKernelOptions, type Kernel, Page, bootKernel } from "./kernel";
import { MINI_NUMA, editSnapshotJson } from "./test-helpers";
import { crc32, restore, snapshot } from "./snapshot";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);

const MASKS = [
  "GFP_KERNEL",
  "GFP_HIGHUSER_MOVABLE",
  "GFP_NOFS",
  "GFP_KERNEL|__GFP_NORETRY",
  "GFP_TRANSHUGE",
  "GFP_TRANSHUGE|__GFP_NORETRY",
  "GFP_ATOMIC",
  "GFP_NOWAIT|__GFP_NOWARN",
  "GFP_KERNEL|__GFP_RETRY_MAYFAIL",
  "GFP_NOIO",
] as const;
/** 0: kernel memory (not marked), then page cache clean/dirty, anon, reclaimable slab, pinned. */
const USES = 6;

type Op =
  | { kind: "alloc"; mask: number; order: number; use: number }
  | { kind: "fill"; n: number; use: number }
  | { kind: "free"; pick: number }
  | { kind: "access"; pick: number }
  | { kind: "tick" }
  | { kind: "drain" }
  | { kind: "cpu"; cpu: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("alloc" as const), mask: fc.nat({ max: MASKS.length - 1 }), order: fc.constantFrom(0, 0, 0, 1, 2, 3, 9), use: fc.nat({ max: USES - 1 }) }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant("fill" as const), n: fc.integer({ min: 200, max: 1500 }), use: fc.nat({ max: USES - 1 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("access" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("tick" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("drain" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("cpu" as const), cpu: fc.nat({ max: 7 }) }), weight: 1 },
);

/**
 * A kernel with its owner bookkeeping: every allocated block by owner id. Reclaim tells the owner (onEvict,
 * onMigrate) when it frees or moves a marked block, as a workload would be told; the trace of both layers is kept.
 */
interface Run {
  k: Kernel;
  blocks: Map<number, { pfn: number; order: number }>;
  nextOwner: number;
  trace: string[];
}

function callbacks(run: () => Run) {
  return {
    trace: (e: BuddyTraceEvent) => run().trace.push(formatTraceEvent(e)),
    reclaim: {
      trace: (e: ReclaimTraceEvent) => run().trace.push(`${e.event}: ${formatReclaimTraceEvent(e)}`),
      onEvict: (pfn: number, owner: number, reason: EvictReason) => {
        run().trace.push(`evict ${pfn} ${owner} ${reason}`);
        run().blocks.delete(owner);
      },
      onMigrate: (from: number, to: number, owner: number) => {
        run().trace.push(`migrate ${from} ${to} ${owner}`);
        run().blocks.get(owner)!.pfn = to;
      },
    },
  };
}

const RECLAIM_DATA = {
  swapPages: 300,
  swappiness: 100,
  tasks: [
    { pid: 100, comm: "web", rssPages: 1200 },
    { pid: 101, comm: "batch", rssPages: 2400, oomScoreAdj: 300 },
  ],
  current: { comm: "loader", pid: 42 },
};

function boot(machine: BootKernelOptions["machine"], version: string, background: "after-alloc" | "tick"): Run {
  const run: Run = { k: null as unknown as Kernel, blocks: new Map(), nextOwner: 0, trace: [] };
  const cb = callbacks(() => run);
  run.k = bootKernel({ machine, version, seed: 5, trace: cb.trace, reclaim: { ...RECLAIM_DATA, ...cb.reclaim, background } });
  return run;
}

function restored(bytes: Uint8Array, from: Run): Run {
  const run: Run = { k: null as unknown as Kernel, blocks: new Map([...from.blocks].map(([o, b]) => [o, { ...b }])), nextOwner: from.nextOwner, trace: [] };
  run.k = restore(bytes, callbacks(() => run));
  return run;
}

function markAs(r: Run, page: Page, order: number, use: number): void {
  const owner = r.nextOwner++;
  r.blocks.set(owner, { pfn: page.pfn, order });
  const o = { order, owner };
  if (use === 1 || use === 2) r.k.mark_page_cache(page, { ...o, dirty: use === 2 });
  else if (use === 3) r.k.mark_anon(page, o);
  else if (use === 4) r.k.mark_slab_reclaimable(page, o);
  else if (use === 5) r.k.mark_pinned(page, o);
}

function pick(r: Run, n: number): [number, { pfn: number; order: number }] | undefined {
  if (r.blocks.size === 0) return undefined;
  const keys = [...r.blocks.keys()];
  const owner = keys[n % keys.length]!;
  return [owner, r.blocks.get(owner)!];
}

/** The mask, or GFP_KERNEL where the version has no such flag (__GFP_RETRY_MAYFAIL is 4.13+, GFP_TRANSHUGE 2.6.38+). */
function maskFor(k: Kernel, i: number): string {
  try {
    k.gfp(MASKS[i]!);
    return MASKS[i]!;
  } catch {
    return "GFP_KERNEL";
  }
}

/** Apply ops; returns one line per op: what it returned and the slow path's outcome when it ran. */
function apply(r: Run, ops: readonly Op[]): string[] {
  const out: string[] = [];
  const k = r.k;
  for (const o of ops) {
    const before = k.reclaim!.lastOutcome;
    let line: string;
    if (o.kind === "alloc") {
      const mask = maskFor(k, o.mask);
      const order = mask.startsWith("GFP_TRANSHUGE") ? 9 : o.order;
      const p = k.alloc_pages(mask, order);
      if (p) markAs(r, p, order, o.use);
      line = `alloc ${p?.pfn ?? "null"}`;
    } else if (o.kind === "fill") {
      const got: number[] = [];
      for (let i = 0; i < o.n; i++) {
        const p = k.alloc_pages("GFP_HIGHUSER_MOVABLE|__GFP_NORETRY|__GFP_NOWARN", 0);
        if (!p) break;
        markAs(r, p, 0, o.use);
        got.push(p.pfn);
      }
      line = `fill ${got.length} ${crc32(new Uint8Array(new Float64Array(got).buffer))}`;
    } else if (o.kind === "free") {
      const b = pick(r, o.pick);
      if (b) {
        r.blocks.delete(b[0]);
        k.__free_pages(new Page(b[1].pfn), b[1].order);
      }
      line = `free ${b?.[1].pfn}`;
    } else if (o.kind === "access") {
      const b = pick(r, o.pick);
      if (b) k.mark_page_accessed(new Page(b[1].pfn));
      line = `access ${b?.[1].pfn}`;
    } else if (o.kind === "tick") line = `tick ${k.kswapd_tick()}`;
    else if (o.kind === "drain") line = (k.drain_all_pages(), "drain");
    else line = `cpu ${k.set_cpu(o.cpu % k.buddy.cpus).smp_processor_id()}`;
    const after = k.reclaim!.lastOutcome;
    out.push(after !== before ? `${line} ${JSON.stringify(after)}` : line);
  }
  return out;
}

/** Everything the kernel shows: /proc text, the slow path's counters and state, the log and the LRU order. */
function shown(k: Kernel): string {
  const r = k.reclaim!;
  const nids = [...new Set(k.buddy.zones.map((z) => z.spec.nid))];
  const lru = nids.map((nid) =>
    [0, 1, 2, 3, 4].map((list) => {
      const pfns: number[] = [];
      for (let p = r.memory.oldest(nid, list); p >= 0; p = r.memory.oldest(nid, list, p)) pfns.push(p, r.memory.referenced(p) ? 1 : 0);
      return crc32(new Uint8Array(new Float64Array(pfns).buffer));
    }),
  );
  return [
    k.buddyinfo(),
    renderPagetypeinfo(k.buddy),
    renderZoneinfo(k.buddy, k.zones),
    renderVmstat(k.buddy),
    JSON.stringify(r.vmstat),
    JSON.stringify(k.dmesg()),
    r.reports.join("\n"),
    JSON.stringify(r.lastOutcome),
    nids.map((nid) => `${r.kswapdWoken(nid)} ${r.kswapdFailures(nid)} ${r.kcompactdWoken(nid)}`).join(";"),
    k.buddy.zones.map((z) => JSON.stringify(r.compactionDeferInfo(z))).join(";"),
    JSON.stringify(lru),
    Array.from(r.memory.pagesByUse).join(","),
    `${r.memory.swapUsed}/${r.memory.swapTotal} ${r.memory.recorded}`,
    k.smp_processor_id(),
  ].join("\n----\n");
}

/** A slow-path-heavy sequence: pressure from mixed page use, holes for compaction, THP, NOFS and atomic requests. */
function pressure(k: Kernel, fillUse: number[]): Op[] {
  const ops: Op[] = [];
  // six fills take about the whole machine
  const n = Math.ceil(k.machine.totalPages / 6);
  fillUse.forEach((use, i) => {
    ops.push({ kind: "fill", n, use });
    for (let j = 0; j < 40; j++) ops.push({ kind: "free", pick: j * 7 + i }, { kind: "access", pick: j * 13 + i });
    ops.push({ kind: "alloc", mask: 0, order: 0, use: 0 }, { kind: "alloc", mask: 4, order: 9, use: 3 }, { kind: "alloc", mask: 2, order: 0, use: 1 }, { kind: "tick" });
    ops.push({ kind: "alloc", mask: 3, order: 3, use: 0 }, { kind: "alloc", mask: 6, order: 2, use: 0 }, { kind: "alloc", mask: 8, order: 4, use: 4 }, { kind: "alloc", mask: 9, order: 0, use: 2 });
  });
  return ops;
}

describe("snapshots with the slow path (reclaim: true)", () => {
  it.each([
    ["tiny-16m", "6.18", "after-alloc"],
    ["tiny-16m", "5.10", "tick"],
    ["tiny-16m", "2.6.24", "after-alloc"],
    ["mini-numa-4node", "6.1", "after-alloc"],
  ] as const)("save mid-way through a slow-path-heavy run, restore: the same /proc text, trace, reports and outcomes (%s, %s, %s)", (name, version, background) => {
    const machine = name === "mini-numa-4node" ? MINI_NUMA : name;
    const orig = boot(machine, version, background);
    apply(orig, pressure(orig.k, [1, 2, 3, 4, 1, 3, 2]));
    const r = orig.k.reclaim!;
    // the run did reach the slow path's machinery before the snapshot
    expect(r.vmstat.pgscan_direct + r.vmstat.pgscan_kswapd).toBeGreaterThan(0);
    expect(r.memory.recorded).toBeGreaterThan(100);
    const bytes = snapshot(orig.k);
    const again = restored(bytes, orig);
    expect(shown(again.k)).toBe(shown(orig.k));
    orig.trace.length = 0;
    const later = pressure(orig.k, [3, 2, 1, 4]);
    expect(apply(again, later)).toEqual(apply(orig, later));
    expect(again.trace).toEqual(orig.trace);
    expect(orig.trace.length).toBeGreaterThan(100);
    expect(shown(again.k)).toBe(shown(orig.k));
    // and a snapshot of the restored kernel is the same file
    expect(crc32(snapshot(again.k))).toBe(crc32(snapshot(orig.k)));
  });

  it("keeps the slow path's options: swap, swappiness, tasks (the OOM decision), current, background", () => {
    const orig = boot("tiny-16m", "6.18", "tick");
    apply(orig, [{ kind: "fill", n: 5000, use: 0 }]);
    const again = restored(snapshot(orig.k), orig);
    const { onEvict, onMigrate, onReport, trace, ...data } = again.k.reclaim!.options;
    expect([typeof onEvict, typeof onMigrate, typeof onReport, typeof trace]).toEqual(["function", "function", "function", "function"]);
    expect(data).toEqual({ ...RECLAIM_DATA, background: "tick" });
    // only kernel memory left: GFP_KERNEL reaches the OOM killer's decision over the saved tasks; oom_badness():
    // batch 2400 + 300 × 4096 / 1000 = 3628 beats web's 1200 (totalpages = managed pages + swap, about 4000+300)
    for (const run of [orig, again]) {
      expect(run.k.alloc_pages("GFP_KERNEL", 0)).toBeNull();
      expect(run.k.reclaim!.lastOutcome!.oom?.victim?.comm).toBe("batch");
    }
    expect(shown(again.k)).toBe(shown(orig.k));
  });

  it("the round trip holds for random slow-path sequences (property; PAGEALLOC_SOAK=100 for 100x)", () => {
    let slow = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 8, maxLength: 30 }), fc.array(opArb, { minLength: 8, maxLength: 30 }), fc.constantFrom("2.6.24", "4.4", "5.10", "6.18"), fc.constantFrom("after-alloc" as const, "tick" as const), (before, after, version, background) => {
        const orig = boot("tiny-16m", version, background);
        apply(orig, before);
        const again = restored(snapshot(orig.k), orig);
        expect(shown(again.k)).toBe(shown(orig.k));
        orig.trace.length = 0;
        expect(apply(again, after)).toEqual(apply(orig, after));
        runs++;
        if (orig.k.reclaim!.lastOutcome) slow++;
        expect(again.trace).toEqual(orig.trace);
        expect(shown(again.k)).toBe(shown(orig.k));
      }),
      { seed: 0x11_5c, numRuns: 12 * SOAK },
    );
    // the sequences do reach the slow path (fills of up to 1500 of tiny-16m's 3328 free pages)
    expect(slow).toBeGreaterThanOrEqual(runs / 3);
  }, 60_000 * SOAK);

  describe("damaged reclaim sections", () => {
    const orig = boot("tiny-16m", "6.18", "after-alloc");
    apply(orig, pressure(orig.k, [1, 3]));
    const good = snapshot(orig.k);

    it.each([
      ["a kswapd state for a node the machine does not have", (j: Record<string, any>) => (j.reclaim.kswapd = [{ ...j.reclaim.kswapd[0], nid: 7 }]), "payload: state.kswapd[0]"],
      ["a deferral state for a zone the machine does not have", (j: Record<string, any>) => (j.reclaim.defer = [{ nid: 0, zoneIdx: 9, considered: 0, deferShift: 1, orderFailed: 9 }]), "payload: state.defer[0]"],
      ["a negative vm event counter", (j: Record<string, any>) => (j.reclaim.vmstat[0][1] = -5), "payload: state.vmstat[0]"],
      ["LRU links of another length", (j: Record<string, any>) => (j.reclaim.memory.next = j.reclaim.memory.prev = j.reclaim.memory.pfnOf), "payload: memory.next"],
      ["a blob reference past the blob area", (j: Record<string, any>) => (j.reclaim.memory.useOf.o = 2 ** 40), "reclaim.memory.useOf"],
      ["an unknown blob coding", (j: Record<string, any>) => (j.reclaim.memory.next = { ...j.reclaim.memory.next, d: 2 }), "reclaim.memory.next"],
      ["delta coding without run-length coding", (j: Record<string, any>) => (j.reclaim.memory.useOf = { ...j.reclaim.memory.useOf, z: undefined, d: 1 }), "reclaim.memory.useOf"],
      ["the slow path's options not an object", (j: Record<string, any>) => (j.boot.reclaim = [60]), "boot.reclaim"],
      ["a callback among the slow path's options", (j: Record<string, any>) => (j.boot.reclaim.onEvict = "drop"), "boot.reclaim.onEvict"],
      ["a slow path's state missing", (j: Record<string, any>) => (j.reclaim = null), "payload: state"],
    ])("%s is SNAPSHOT_CORRUPT, located", (_name, edit, location) => {
      expect(() => restore(editSnapshotJson(good, edit))).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT", location }));
    });

    it("every truncation is refused (flipped bits and junk: snapshot.fuzz.test.ts, on a kernel with the slow path)", () => {
      for (const len of [good.length - 1, good.length >> 1, 24 + 4 + 10]) expect(() => restore(good.subarray(0, len))).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
    });
  });

  it("refuses a snapshot taken inside a slow-path call (from warn_alloc's onReport), and an option that is not data", () => {
    let err: unknown;
    const k: Kernel = bootKernel({
      machine: "tiny-16m",
      reclaim: {
        onReport: () => {
          try {
            snapshot(k);
          } catch (e) {
            err = e;
          }
        },
      },
    });
    while (k.alloc_page("GFP_KERNEL|__GFP_NORETRY") !== null);
    expect(err).toMatchObject({ code: "SNAPSHOT_UNSUPPORTED", location: "kernel.reclaim" });
    expect(restore(snapshot(k)).dmesg()).toEqual(k.dmesg());
    const odd = bootKernel({ machine: "tiny-16m", reclaim: { current: new (class Task {
      comm = "x";
      pid = 3;
    })() } });
    expect(() => snapshot(odd)).toThrow(expect.objectContaining({ code: "SNAPSHOT_UNSUPPORTED", location: "kernel.reclaim.options.current" }));
  });
});
