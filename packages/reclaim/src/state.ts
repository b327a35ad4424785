import { InvalidReclaimArgumentError } from "./errors";

/**
 * The mutable state of a {@link MemoryUseModel}: its struct of typed arrays over slots (with the LRU links), the slot
 * of each recorded pfn, the free slots (in the order they are handed out again), the LRU sentinels and sizes per
 * node (and per node and zone), the pages per use and the swap space. Plain data: typed arrays, numbers, arrays.
 */
export interface MemoryUseStateData {
  /** Slots the arrays hold (every array below has this length). */
  readonly cap: number;
  readonly pfnOf: Float64Array;
  readonly orderOf: Uint8Array;
  readonly useOf: Uint8Array;
  /** PG_referenced (1) and PG_active (2) per slot. */
  readonly flagsOf: Uint8Array;
  readonly ownerOf: Int32Array;
  readonly nidOf: Int32Array;
  readonly zoneOf: Uint8Array;
  /** LRU links (intrusive lists over the slots; sentinel slots point at themselves when the list is empty). */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The recorded pfns and their slots, pairwise, in the model's map order. */
  readonly recordedPfns: Float64Array;
  readonly recordedSlots: Int32Array;
  /** Free slots, the next one handed out last. */
  readonly freeSlots: Int32Array;
  /** Per node: the sentinel slot of each LRU list, in lru_list order. */
  readonly sentinels: readonly (readonly [number, readonly number[]])[];
  /** Pages per (node, list). */
  readonly sizes: readonly (readonly [number, Float64Array])[];
  /** Pages per (node × 256 + zone index, list). */
  readonly zoneSizes: readonly (readonly [number, Float64Array])[];
  readonly pagesByUse: Float64Array;
  readonly swapTotal: number;
  readonly swapUsed: number;
}

/** kswapd's and kcompactd's state of one node (pgdat->kswapd_order, kswapd_highest_zoneidx, kswapd_failures …). */
export interface KswapdStateData {
  readonly nid: number;
  readonly order: number;
  readonly highestZoneIdx: number;
  /** Woken and not yet run (the kernel's kswapd_wait is active). */
  readonly woken: boolean;
  readonly failures: number;
  readonly kcompactdOrder: number;
  readonly kcompactdHighest: number;
  readonly kcompactdWoken: boolean;
}

/** Compaction deferral of one zone (compact_considered, compact_defer_shift, compact_order_failed). */
export interface DeferStateData {
  readonly nid: number;
  readonly zoneIdx: number;
  readonly considered: number;
  readonly deferShift: number;
  readonly orderFailed: number;
}

/**
 * warn_alloc's rate limiter (nopage_rs; 2.6.24: printk_ratelimit's statics) and the simulated clock it reads.
 */
export interface WarnRatelimitStateData {
  /** The simulated clock in milliseconds (jiffies at HZ = 1000). */
  readonly clockMs: number;
  /** The window has started (RATELIMIT_INITIALIZED; `rs->begin != 0` before 6.x). */
  readonly initialized: boolean;
  /** rs->begin: the clock when the current window started. */
  readonly begin: number;
  /** rs->printed: reports let through in the current window. */
  readonly printed: number;
  /** rs->missed: reports suppressed since the last suppressed line. */
  readonly missed: number;
  /** 2.6.24 token bucket: toks (in ms) and last_msg. */
  readonly toks: number;
  readonly lastMsg: number;
  /** Reports suppressed so far (all windows). */
  readonly reportsSuppressed: number;
}

/**
 * Everything {@link Reclaim.importState} needs to put a slow path back where {@link Reclaim.exportState} found it:
 * the memory-use model, the vm event counters (in their order), the last outcome, the warn_alloc reports printed,
 * kswapd/kcompactd per node and compaction deferral per zone. The options (swappiness, compaction, tasks …) are not
 * in it: they are given again when the model is created.
 */
export interface ReclaimStateData {
  readonly memory: MemoryUseStateData;
  /** vm event counters as [name, value] in the model's order (allocstall_* appear in the order first counted). */
  readonly vmstat: readonly (readonly [string, number])[];
  /** The last slow-path call's outcome (plain data), or null. */
  readonly lastOutcome: unknown;
  readonly reports: readonly string[];
  readonly kswapd: readonly KswapdStateData[];
  readonly defer: readonly DeferStateData[];
  /** warn_alloc's rate limiter (absent in states saved before it existed: a fresh limiter). */
  readonly ratelimit?: WarnRatelimitStateData;
}

const fail = (reason: string, where: string): never => {
  throw new InvalidReclaimArgumentError(reason, where);
};

function checkCount(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(`${JSON.stringify(v)} is not a non-negative integer`, where);
  return v as number;
}

function checkInt(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) fail(`${JSON.stringify(v)} is not an integer`, where);
  return v as number;
}

function checkTyped<T extends Float64Array | Int32Array | Uint8Array>(v: unknown, type: new (n: number) => T, length: number | null, where: string): T {
  if (!(v instanceof type) || (length !== null && v.length !== length)) fail(`expected a ${type.name}${length === null ? "" : ` of ${length} elements`}`, where);
  return v as T;
}

function checkSlots(a: Int32Array, cap: number, where: string): void {
  for (let i = 0; i < a.length; i++) if (a[i]! < 0 || a[i]! >= cap) fail(`slot ${a[i]} outside 0..${cap - 1}`, `${where}[${i}]`);
}

/**
 * Check a memory-use state against the model's shape (every array of `cap` elements, slots in range, lists per
 * node of the right length) before anything is changed.
 *
 * @param s - the state
 * @param nrLists - LRU lists per node
 * @param nrUses - page use values
 * @throws {InvalidReclaimArgumentError} naming the first field that does not fit
 */
export function checkMemoryUseState(s: MemoryUseStateData, nrLists: number, nrUses: number): void {
  if (!s || typeof s !== "object") fail("the memory-use state is not an object", "memory");
  const cap = checkCount(s.cap, "memory.cap");
  if (cap === 0 || cap > 2 ** 31 - 1) fail(`cap ${cap} outside 1..2^31-1`, "memory.cap");
  checkTyped(s.pfnOf, Float64Array, cap, "memory.pfnOf");
  checkTyped(s.orderOf, Uint8Array, cap, "memory.orderOf");
  const use = checkTyped(s.useOf, Uint8Array, cap, "memory.useOf");
  for (let i = 0; i < cap; i++) if (use[i]! >= nrUses) fail(`unknown page use ${use[i]}`, `memory.useOf[${i}]`);
  checkTyped(s.flagsOf, Uint8Array, cap, "memory.flagsOf");
  checkTyped(s.ownerOf, Int32Array, cap, "memory.ownerOf");
  checkTyped(s.nidOf, Int32Array, cap, "memory.nidOf");
  checkTyped(s.zoneOf, Uint8Array, cap, "memory.zoneOf");
  checkSlots(checkTyped(s.next, Int32Array, cap, "memory.next"), cap, "memory.next");
  checkSlots(checkTyped(s.prev, Int32Array, cap, "memory.prev"), cap, "memory.prev");
  const pfns = checkTyped(s.recordedPfns, Float64Array, null, "memory.recordedPfns");
  const slots = checkTyped(s.recordedSlots, Int32Array, pfns.length, "memory.recordedSlots");
  checkSlots(slots, cap, "memory.recordedSlots");
  for (let i = 0; i < pfns.length; i++) if (!Number.isSafeInteger(pfns[i]) || pfns[i]! < 0) fail(`pfn ${pfns[i]} is not a page frame number`, `memory.recordedPfns[${i}]`);
  checkSlots(checkTyped(s.freeSlots, Int32Array, null, "memory.freeSlots"), cap, "memory.freeSlots");
  if (!Array.isArray(s.sentinels) || !Array.isArray(s.sizes) || !Array.isArray(s.zoneSizes)) fail("sentinels, sizes and zoneSizes must be arrays", "memory.sentinels");
  s.sentinels.forEach(([nid, list], i) => {
    checkInt(nid, `memory.sentinels[${i}]`);
    if (!Array.isArray(list) || list.length !== nrLists) fail(`expected ${nrLists} sentinel slots`, `memory.sentinels[${i}]`);
    list.forEach((slot, l) => {
      if (checkCount(slot, `memory.sentinels[${i}][${l}]`) >= cap) fail(`slot ${slot} outside 0..${cap - 1}`, `memory.sentinels[${i}][${l}]`);
    });
  });
  for (const key of ["sizes", "zoneSizes"] as const) {
    s[key].forEach(([id, a], i) => {
      checkInt(id, `memory.${key}[${i}]`);
      checkTyped(a, Float64Array, nrLists, `memory.${key}[${i}]`);
    });
  }
  checkTyped(s.pagesByUse, Float64Array, nrUses, "memory.pagesByUse");
  checkCount(s.swapTotal, "memory.swapTotal");
  checkCount(s.swapUsed, "memory.swapUsed");
}

/**
 * Check the parts of a slow-path state that are not the memory-use model: counters, reports, kswapd per node (of
 * the given nodes) and deferral per zone (of the given zones).
 *
 * @param s - the state
 * @param nodeIds - the allocator's node ids
 * @param hasZone - whether the allocator has a zone (nid, zoneIdx)
 * @throws {InvalidReclaimArgumentError} naming the first field that does not fit
 */
export function checkReclaimState(s: ReclaimStateData, nodeIds: readonly number[], hasZone: (nid: number, zoneIdx: number) => boolean): void {
  if (!s || typeof s !== "object") fail("the reclaim state is not an object", "state");
  if (!Array.isArray(s.vmstat)) fail("vmstat must be an array of [name, value]", "state.vmstat");
  s.vmstat.forEach((e, i) => {
    if (!Array.isArray(e) || typeof e[0] !== "string") fail("expected [name, value]", `state.vmstat[${i}]`);
    checkCount(e[1], `state.vmstat[${i}]`);
  });
  if (!Array.isArray(s.reports) || s.reports.some((r) => typeof r !== "string")) fail("reports must be strings", "state.reports");
  if (s.lastOutcome !== null && (typeof s.lastOutcome !== "object" || !Array.isArray((s.lastOutcome as { steps?: unknown }).steps))) fail("lastOutcome must be null or an outcome with steps", "state.lastOutcome");
  if (!Array.isArray(s.kswapd)) fail("kswapd must be an array", "state.kswapd");
  s.kswapd.forEach((k, i) => {
    const where = `state.kswapd[${i}]`;
    if (!k || !nodeIds.includes(k.nid)) fail(`node ${JSON.stringify(k?.nid)} is not one of the allocator's nodes`, where);
    for (const f of ["order", "highestZoneIdx", "failures", "kcompactdOrder", "kcompactdHighest"] as const) checkCount(k[f], `${where}.${f}`);
    for (const f of ["woken", "kcompactdWoken"] as const) if (typeof k[f] !== "boolean") fail(`${f} must be a boolean`, `${where}.${f}`);
  });
  if (!Array.isArray(s.defer)) fail("defer must be an array", "state.defer");
  s.defer.forEach((d, i) => {
    const where = `state.defer[${i}]`;
    if (!d || !hasZone(d.nid, d.zoneIdx)) fail(`zone ${JSON.stringify(d?.nid)}/${JSON.stringify(d?.zoneIdx)} is not one of the allocator's zones`, where);
    for (const f of ["considered", "deferShift", "orderFailed"] as const) checkCount(d[f], `${where}.${f}`);
  });
  if (s.ratelimit !== undefined) {
    const rl = s.ratelimit;
    if (!rl || typeof rl !== "object") fail("ratelimit must be an object", "state.ratelimit");
    for (const f of ["clockMs", "begin", "printed", "missed", "toks", "lastMsg", "reportsSuppressed"] as const) checkCount(rl[f], `state.ratelimit.${f}`);
    if (typeof rl.initialized !== "boolean") fail("initialized must be a boolean", "state.ratelimit.initialized");
  }
}
