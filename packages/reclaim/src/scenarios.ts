import { type BuddyAllocator, bootBuddy, gfpDecoder } from "@pagealloc/buddy";
import { parseGfp } from "@pagealloc/gfp";
import { InvalidReclaimArgumentError } from "./errors";
import { PageUse, type PageUseValue } from "./memory-use";
import { createReclaim, type Reclaim, type SlowPathResult } from "./reclaim";
import type { ReclaimTraceEvent } from "./trace";

/** One request of a scenario and what the slow path did with it. */
export interface ScenarioRequest {
  readonly label: string;
  readonly gfp: number;
  readonly order: number;
  readonly pfn: number;
  /** null when the fast path served it. */
  readonly result: SlowPathResult | null;
  readonly steps: readonly string[];
  readonly reason?: string;
}

/** What a scenario did: the requests, the counters, the trace events and the warn_alloc reports. */
export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly requests: readonly ScenarioRequest[];
  /** vm events that are not zero, in /proc/vmstat order. */
  readonly vmstat: Readonly<Record<string, number>>;
  readonly events: readonly ReclaimTraceEvent[];
  readonly reports: readonly string[];
  /** The zone at the end. */
  readonly zone: { readonly free: number; readonly min: number; readonly low: number; readonly high: number; readonly boost: number; readonly reservedHighatomic: number };
}

interface Ctx {
  readonly a: BuddyAllocator;
  readonly r: Reclaim;
  readonly gfp: (expr: string) => number;
  readonly requests: ScenarioRequest[];
  alloc(label: string, gfp: string, order: number): number;
  fill(free: number, use: PageUseValue, mt?: number): number[];
}

interface ScenarioDef {
  readonly description: string;
  readonly pages: number;
  readonly wm: { readonly min: number; readonly low: number; readonly high: number };
  readonly swapPages?: number;
  readonly tasks?: readonly { pid: number; comm: string; rssPages: number; oomScoreAdj?: number }[];
  run(c: Ctx): void;
}

const SCENARIOS: Readonly<Record<string, ScenarioDef>> = {
  kswapd: {
    description: "order-0 GFP_KERNEL below the low watermark: kswapd is woken, the min reserve serves the request, kswapd reclaims page cache back above high",
    pages: 4096,
    wm: { min: 128, low: 160, high: 192 },
    run(c) {
      c.fill(160, PageUse.FILE_CLEAN);
      c.alloc("GFP_KERNEL below low", "GFP_KERNEL", 0);
      c.r.tick();
    },
  },
  nofs: {
    description: "dirty page cache only: GFP_NOFS cannot write it back and fails; GFP_KERNEL reclaims and succeeds",
    pages: 4096,
    wm: { min: 128, low: 160, high: 192 },
    run(c) {
      c.fill(100, PageUse.FILE_DIRTY);
      c.alloc("GFP_NOFS|__GFP_NORETRY", "GFP_NOFS|__GFP_NORETRY", 0);
      c.alloc("GFP_KERNEL|__GFP_NORETRY", "GFP_KERNEL|__GFP_NORETRY", 0);
    },
  },
  thp: {
    description: "order-9 THP on a fragmented zone of movable anon memory: direct compaction migrates one pageblock",
    pages: 8192,
    wm: { min: 64, low: 80, high: 96 },
    run(c) {
      fragment(c);
      c.alloc("GFP_TRANSHUGE order 9", "GFP_TRANSHUGE", 9);
    },
  },
  "thp-deferred": {
    description: "the same THP request with compaction deferred: __GFP_NORETRY gives up at once, the next attempt compacts",
    pages: 8192,
    wm: { min: 64, low: 80, high: 96 },
    run(c) {
      fragment(c);
      c.r.deferCompaction(c.a.zones[0]!, 9);
      c.alloc("GFP_TRANSHUGE|__GFP_NORETRY (deferred)", "GFP_TRANSHUGE|__GFP_NORETRY", 9);
      c.alloc("GFP_TRANSHUGE|__GFP_NORETRY (let through)", "GFP_TRANSHUGE|__GFP_NORETRY", 9);
    },
  },
  "atomic-burst": {
    description: "GFP_ATOMIC order-3 burst: the slow path dips to 3/8 of min, reserves highatomic pageblocks and fails when they are used up",
    pages: 65536,
    wm: { min: 1024, low: 1280, high: 1536 },
    run(c) {
      for (let k = 0; k < 125; k++) c.a.allocPagesRequest({ highestZoneIdx: 2, migratetype: c.a.facts.mt.MOVABLE }, 9);
      for (let k = 1; c.alloc(`GFP_ATOMIC order 3 #${k}`, "GFP_ATOMIC", 3) >= 0; k++);
    },
  },
  oom: {
    description: "nothing reclaimable below min: GFP_KERNEL reaches the OOM killer's decision; __GFP_NOFAIL takes the reserves",
    pages: 4096,
    wm: { min: 128, low: 160, high: 192 },
    tasks: [
      { pid: 100, comm: "web", rssPages: 1200 },
      { pid: 101, comm: "batch", rssPages: 2400 },
      { pid: 102, comm: "sshd", rssPages: 300, oomScoreAdj: -1000 },
    ],
    run(c) {
      c.fill(100, PageUse.KERNEL);
      c.alloc("GFP_KERNEL", "GFP_KERNEL", 0);
      c.alloc("GFP_KERNEL|__GFP_NOFAIL", "GFP_KERNEL|__GFP_NOFAIL", 0);
    },
  },
};

function fragment(c: Ctx): void {
  const pfns = c.fill(200, PageUse.ANON);
  for (const pfn of pfns) {
    if (pfn < 2048 && pfn % 2 === 1) {
      c.r.memory.forget(pfn);
      c.a.freePages(pfn, 0, { bypassPcp: true });
    }
  }
}

/** The names of the built-in slow-path scenarios. */
export const SLOW_PATH_SCENARIOS: readonly string[] = Object.keys(SCENARIOS);

/**
 * Run a built-in scenario on one Normal zone and report what the slow path did: each request's steps, the vm
 * counters, the trace events and the warn_alloc reports (for the CLI and the playground).
 *
 * @param name - one of {@link SLOW_PATH_SCENARIOS}
 * @param o - kernel version (default 6.18)
 * @returns the scenario's record
 * @throws {InvalidReclaimArgumentError} for an unknown scenario name
 * @example
 * ```ts
 * import { runSlowPathScenario } from "@pagealloc/reclaim";
 * const s = runSlowPathScenario("thp");
 * console.log(s.requests[0].steps.join(" "), s.vmstat.compact_success); // => get_page_from_freelist:min compact:async 1
 * ```
 */
export function runSlowPathScenario(name: string, o: { version?: string } = {}): ScenarioResult {
  const def = SCENARIOS[name];
  if (!def) throw new InvalidReclaimArgumentError(`unknown scenario ${JSON.stringify(name)} (known: ${SLOW_PATH_SCENARIOS.join(", ")})`, "name");
  const version = o.version ?? "6.18";
  const events: ReclaimTraceEvent[] = [];
  const r = createReclaim({ trace: (e) => events.push(e), traceDetail: true, swapPages: def.swapPages, tasks: def.tasks });
  const a = bootBuddy(
    [{ nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: def.pages, presentPages: def.pages, managedPages: def.pages, watermark: def.wm, lowmemReserve: [0, 0, 0, 0, 0], pcp: { batch: 1, high: 0 } }],
    { version, gfp: gfpDecoder(version, "x86_64"), slowPath: r.slowPath },
  );
  r.attach(a);
  const requests: ScenarioRequest[] = [];
  const c: Ctx = {
    a,
    r,
    gfp: (expr) => parseGfp(expr, version),
    requests,
    alloc(label, gfp, order) {
      const mask = parseGfp(gfp, version);
      const before = r.lastOutcome;
      const pfn = a.allocPages(mask, order);
      const out = r.lastOutcome !== before ? r.lastOutcome : null;
      requests.push({ label, gfp: mask, order, pfn, result: out?.result ?? null, steps: out ? [...out.steps] : [], ...(out?.reason ? { reason: out.reason } : {}) });
      return pfn;
    },
    fill(free, use, mt) {
      const z = a.zones[0]!;
      const req = { highestZoneIdx: 2, migratetype: mt ?? (use === PageUse.KERNEL ? a.facts.mt.UNMOVABLE : a.facts.mt.MOVABLE) };
      const out: number[] = [];
      while (z.nrFreePages > free) {
        const pfn = a.getPageFromFreelist(0, a.bits.NO_WATERMARKS, req);
        if (pfn < 0) break;
        if (use !== PageUse.KERNEL) r.markPage(pfn, 0, use);
        out.push(pfn);
      }
      return out;
    },
  };
  def.run(c);
  const z = a.zones[0]!;
  const vmstat: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.vmstat)) if (v !== undefined && v !== 0) vmstat[k] = v;
  return {
    name,
    description: def.description,
    version,
    requests,
    vmstat,
    events,
    reports: [...r.reports],
    zone: { free: z.nrFreePages, min: def.wm.min, low: def.wm.low, high: def.wm.high, boost: z.watermarkBoost, reservedHighatomic: z.nrReservedHighatomic },
  };
}
