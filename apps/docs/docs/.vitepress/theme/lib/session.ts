// Boot a kernel for a playground state and replay its history (deterministic: same state, same result).
import { type BuddyTraceEvent, type ZoneState, bootBuddyFromFreeCounts, exportState, formatTraceLine, gfpDecoder, importState, parseBuddyinfo, wmarkIndex } from "@pagealloc/buddy";
import { formatGfp, gfpThisNode } from "@pagealloc/gfp";
import { type BootKernelOptions, type Kernel, bootKernel, restore } from "@pagealloc/page-api";
import { runScript } from "@pagealloc/workload";
import { type StateSnapshot, restoreState, snapshotState } from "./snapshot";
import type { PlaygroundOp, PlaygroundState } from "./state";

/** One zone the zonelist walk of a request looked at, with the watermark arithmetic. */
export interface WalkZone {
  readonly nid: number;
  readonly zone: string;
  readonly free: number;
  readonly markName: "min" | "low" | "high";
  readonly mark: number;
  readonly boost: number;
  readonly lowmemReserve: number;
  /** free − (2^order − 1) must exceed mark + lowmem_reserve (simplified; the kernel also checks per order). */
  readonly ok: boolean;
  readonly chosen: boolean;
}

export interface WalkInfo {
  readonly gfp: string;
  readonly order: number;
  readonly highestZone: string;
  readonly migratetype: string;
  readonly zones: readonly WalkZone[];
  readonly pfn: number | null;
  /** What the slow path did when the fast path failed (kernels booted with the slow path). */
  readonly slowPath?: { readonly result: string; readonly steps: readonly string[]; readonly reason?: string };
}

export interface OpResult {
  readonly pfn: number | null;
  readonly error?: string;
  /** What a script step did (steps, failures, its `show` output). */
  readonly note?: string;
}

/** Scripts in the playground stop after this many steps (a loop typed by mistake must not hang the tab). */
const SCRIPT_MAX_STEPS = 200_000;

const TRACE_LIMIT = 400;

/** Machines up to 64 GiB keep a copy of their boot state (≈ 14 bytes per page) so that going back needs no reboot. */
const SNAPSHOT_MAX_PAGES = 2 ** 24;

/** The zonelist walk a request will do, read from the allocator before the request runs. kernel: mm/page_alloc.c get_page_from_freelist() */
function planWalk(k: Kernel, gfp: number, order: number, nid: number, cpu: number): { zones: WalkZone[]; highest: string; mt: string } {
  const b = k.buddy;
  const decode = gfpDecoder(k.version, k.machine.arch);
  const req = { ...decode(gfp), gfp, nid, cpu };
  const flags = b.fastPathAllocFlags(req);
  const idx = wmarkIndex(b.bits, flags);
  const markName = (["min", "low", "high"] as const)[idx];
  // __GFP_THISNODE on a NUMA machine: only the node's own zones (page-api passes nodemask [nid]).
  const nodemask = k.machine.nodes.length > 1 && gfpThisNode(gfp, k.version) ? [nid] : undefined;
  const zones = b.candidateZones(nid, req.highestZoneIdx, nodemask).map((z: ZoneState) => {
    const mark = z.spec.watermark[markName];
    return {
      nid: z.spec.nid,
      zone: z.spec.name,
      free: z.nrFreePages,
      markName,
      mark,
      boost: z.watermarkBoost,
      lowmemReserve: z.spec.lowmemReserve[req.highestZoneIdx] ?? 0,
      ok: b.zoneWatermarkOkZone(z, order, mark + z.watermarkBoost, req.highestZoneIdx, flags),
      chosen: false,
    };
  });
  return { zones, highest: k.zones.zoneTypes[req.highestZoneIdx] ?? "?", mt: b.facts.migratetypeNames[req.migratetype] ?? String(req.migratetype) };
}

function bootKey(s: PlaygroundState): string {
  // a loaded snapshot is its own boot (its machine and version fields are only shown)
  if (s.snapshot) return `snapshot ${s.snapshot.id}`;
  return JSON.stringify([s.machine, s.machineJson ?? null, s.version, s.sysctls, s.reclaim !== false, s.freeCounts ?? null]);
}

/**
 * Rebuild the booted kernel's free lists so that they hold exactly the free blocks of a pasted /proc/buddyinfo
 * (@pagealloc/buddy bootBuddyFromFreeCounts: every free block on the Movable lists, the rest of each listed zone
 * allocated). An allocator of the same shape is booted in that state and its state imported.
 * @throws when the text is not a buddyinfo, names a zone the machine lacks, or does not fit the zone
 */
export function applyFreeCounts(k: Kernel, text: string): void {
  const b = k.buddy;
  const counts = parseBuddyinfo(text, "pasted buddyinfo").map((z) => ({ nid: z.nid, zone: z.zone, nrFree: z.nrFree }));
  const z0 = b.zones[0];
  const thpPcp = z0 !== undefined && b.facts.pcpModel === "high-order" ? z0.nrPcpLists > b.facts.pcpTypes * 4 : true;
  const shaped = bootBuddyFromFreeCounts(
    b.zones.map((z) => z.spec),
    counts,
    { version: b.version, cpus: b.cpus, cpuToNode: b.cpuToNode, pageblockOrder: b.pageblockOrder, maxPageOrder: b.nrOrders - 1, zonelists: b.zonelists, thpPcp },
  );
  importState(b, exportState(shaped));
}

/**
 * A booted kernel and the operations applied to it so far. Moving forward applies only the new operations;
 * moving back (or changing the machine, version or sysctls) boots again and replays from the start, which is
 * deterministic, so step N always shows the same state.
 */
export class PlaygroundSession {
  readonly kernel: Kernel;
  readonly results: OpResult[] = [];
  readonly trace: string[] = [];
  walk: WalkInfo | null = null;
  readonly bootMs: number;
  private readonly key: string;
  private ops: readonly PlaygroundOp[] = [];
  private clockUs = 1_000_000;
  private readonly bootState: StateSnapshot | null;
  private cpuNow = 0;
  /** Operations before this history's first one (a loaded snapshot's): script op i runs as op opBase + i. */
  private readonly opBase: number;

  /** @throws whatever booting throws (bad machine, bad sysctl): the caller shows it */
  constructor(state: PlaygroundState) {
    const t0 = performance.now();
    const machine = state.machine === "custom" ? (state.machineJson as never) : state.machine;
    this.key = bootKey(state);
    let gfpText: ((g: number) => string) | undefined;
    const trace = (e: BuddyTraceEvent) => {
      if (!gfpText) return; // boot-time frees are not traced
      this.clockUs += 7;
      this.trace.push(formatTraceLine({ comm: "playground", pid: 1000 + this.cpuNow, cpu: this.cpuNow, timestampUs: this.clockUs }, e, { formatGfp: gfpText }));
      if (this.trace.length > TRACE_LIMIT * 2) this.trace.splice(0, this.trace.length - TRACE_LIMIT);
    };
    this.opBase = state.snapshot?.opBase ?? 0;
    this.kernel = state.snapshot ? restore(state.snapshot.bytes, { trace }) : bootKernel({
      machine,
      version: state.version,
      // page-api types `sysctls` as the full Sysctls, but buildZones resolves a partial set against the defaults.
      sysctls: state.sysctls as BootKernelOptions["sysctls"],
      reclaim: state.reclaim !== false,
      trace,
    });
    if (state.freeCounts && !state.snapshot) applyFreeCounts(this.kernel, state.freeCounts);
    const version = this.kernel.version;
    gfpText = (g) => formatGfp(g, version, "trace");
    this.bootState = this.kernel.machine.totalPages <= SNAPSHOT_MAX_PAGES ? snapshotState(this.kernel) : null;
    this.bootMs = performance.now() - t0;
  }

  /** Whether `state` boots the same kernel as this session (same machine, version and sysctls). */
  sameBoot(state: PlaygroundState): boolean {
    return bootKey(state) === this.key;
  }

  /**
   * Go back to the state right after boot by restoring the saved copy (no reboot).
   * @returns false when this session kept no copy (machines above 64 GiB): boot again instead
   */
  rewind(): boolean {
    if (!this.bootState) return false;
    restoreState(this.kernel, this.bootState);
    this.results.length = 0;
    this.trace.length = 0;
    this.clockUs = 1_000_000;
    this.walk = null;
    this.ops = [];
    return true;
  }

  get applied(): number {
    return this.results.length;
  }

  /** Whether this session can reach `state` by applying more operations. */
  canAdvanceTo(state: PlaygroundState): boolean {
    if (bootKey(state) !== this.key || state.step < this.applied) return false;
    for (let i = 0; i < this.applied; i++) if (JSON.stringify(state.ops[i]) !== JSON.stringify(this.ops[i])) return false;
    return true;
  }

  /** Apply operations up to state.step. Errors of an operation (bad GFP text, double free) are recorded and change nothing. */
  advanceTo(state: PlaygroundState): void {
    this.ops = state.ops;
    const k = this.kernel;
    for (let i = this.applied; i < state.step; i++) {
      const op = state.ops[i]!;
      this.cpuNow = op.cpu;
      try {
        k.set_cpu(op.cpu);
        if (op.kind === "alloc") {
          const mask = k.gfp(op.gfp);
          const nid = op.node === -1 ? k.numa_node_id() : op.node;
          const plan = planWalk(k, mask, op.order, nid, op.cpu);
          const outcomeBefore = k.reclaim?.lastOutcome ?? null;
          const page = k.alloc_pages_node(op.node, mask, op.order);
          const pfn = page ? page.pfn : null;
          this.results.push({ pfn });
          const chosen = pfn === null ? undefined : k.buddy.zoneOfPfn(pfn);
          const outcome = k.reclaim?.lastOutcome ?? null;
          const slowPath = outcome && outcome !== outcomeBefore ? { result: String(outcome.result), steps: [...outcome.steps], reason: outcome.reason } : undefined;
          this.walk = {
            gfp: formatGfp(mask, k.version),
            order: op.order,
            highestZone: plan.highest,
            migratetype: plan.mt,
            pfn,
            zones: plan.zones.map((z) => ({ ...z, chosen: !!chosen && chosen.spec.nid === z.nid && chosen.spec.name === z.zone })),
            ...(slowPath ? { slowPath } : {}),
          };
        } else if (op.kind === "script") {
          const n = this.opBase + i;
          const r = runScript(k, op.text, { file: `op${n}`, maxSteps: SCRIPT_MAX_STEPS, seed: n });
          const shows = r.shows.map((x) => x.text).join("\n");
          const failed = r.expectations.filter((x) => !x.ok).length;
          this.results.push({ pfn: null, note: `${r.steps.length} steps, ${r.failures.length} failed allocations${r.expectations.length ? `, ${r.expectations.length - failed}/${r.expectations.length} expectations held` : ""}${shows ? `\n${shows}` : ""}` });
        } else {
          const target = state.ops[op.of];
          const allocated = this.results[op.of];
          if (target?.kind !== "alloc" || !allocated || allocated.pfn === null) throw new Error(`op ${op.of} allocated nothing`);
          for (let j = op.of + 1; j < i; j++) {
            const o = state.ops[j]!;
            if (o.kind === "free" && o.of === op.of && !this.results[j]!.error) throw new Error(`op ${op.of} was already freed (by op ${j})`);
          }
          k.__free_pages(k.pfn_to_page(allocated.pfn), target.order);
          this.results.push({ pfn: allocated.pfn });
        }
      } catch (e) {
        this.results.push({ pfn: null, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

/** A session at `state` (boot + replay). */
export function replay(state: PlaygroundState): PlaygroundSession {
  const s = new PlaygroundSession(state);
  s.advanceTo(state);
  return s;
}

/** free_area[order][migratetype] counts of one zone (rows = orders, columns = migratetypes). */
export function freeAreaTable(z: ZoneState): number[][] {
  const rows: number[][] = [];
  for (let o = 0; o < z.nrOrders; o++) {
    const row: number[] = [];
    for (let mt = 0; mt < z.nrTypes; mt++) row.push(z.listLen[o * z.nrTypes + mt]!);
    rows.push(row);
  }
  return rows;
}


