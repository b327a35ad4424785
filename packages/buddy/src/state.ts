import type { BuddyAllocator } from "./allocator";
import { InvalidBuddyArgumentError } from "./errors";
import type { ZoneState } from "./zone-state";

type TypedArray = Int32Array | Uint8Array | Float64Array;

/** The mutable state of one zone: every typed array of its mem_map / free areas / pagesets, and its counters. */
export interface ZoneStateData {
  readonly nid: number;
  readonly zoneIdx: number;
  /** Typed arrays by field name (next, prev, priv, flags, refcount, blockMt, nrFree, listLen, pcp*). */
  readonly arrays: Readonly<Record<string, TypedArray>>;
  /** Numeric and boolean fields (nrFreePages, watermarkBoost, boosted, vm events, ...). */
  readonly scalars: Readonly<Record<string, number | boolean>>;
}

/** Everything {@link importState} needs to put an allocator back where {@link exportState} found it. */
export interface BuddyStateData {
  readonly zones: readonly ZoneStateData[];
  readonly pgfree: number;
  /** Pageblock migratetypes saved by start_isolate_page_range(), by "nid/zoneIdx/block". */
  readonly isolatedFrom: readonly (readonly [string, number])[];
}

/** Fields that describe the zone's shape rather than its state: they must agree between export and import. */
const SHAPE = ["startPfn", "endPfn", "spanned", "nrOrders", "nrTypes", "pageblockOrder", "pcpBase", "nrPcpLists"] as const;

function isTyped(v: unknown): v is TypedArray {
  return v instanceof Int32Array || v instanceof Uint8Array || v instanceof Float64Array;
}

function isolatedMap(a: BuddyAllocator): Map<string, number> | undefined {
  // private bookkeeping of page isolation (allocator.ts); reached by name so the allocator needs no new API
  const m = (a as unknown as { isolatedFrom?: unknown }).isolatedFrom;
  return m instanceof Map ? (m as Map<string, number>) : undefined;
}

/**
 * Copy the allocator's mutable state (per-zone typed arrays and counters, pgfree, isolation bookkeeping). The
 * copy shares nothing with the allocator. Caches and configuration (zonelists, version facts) are not state: they
 * come back from booting with the same options.
 *
 * @param a - the allocator
 * @returns a plain object of typed arrays and numbers
 * @example
 * ```ts
 * import { bootBuddy, exportState, importState, renderBuddyinfo } from "@pagealloc/buddy";
 * const spec = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 2048, presentPages: 2048,
 *   managedPages: 2048, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
 * const a = bootBuddy([spec]);
 * a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 3);
 * const b = bootBuddy([spec]);
 * importState(b, exportState(a));
 * console.log(renderBuddyinfo(b) === renderBuddyinfo(a)); // => true
 * ```
 */
export function exportState(a: BuddyAllocator): BuddyStateData {
  const zones = a.zones.map((z): ZoneStateData => {
    const arrays: Record<string, TypedArray> = {};
    const scalars: Record<string, number | boolean> = {};
    for (const [key, value] of Object.entries(z)) {
      if (isTyped(value)) arrays[key] = value.slice();
      else if (typeof value === "number" || typeof value === "boolean") scalars[key] = value;
    }
    return { nid: z.spec.nid, zoneIdx: z.spec.zoneIdx, arrays, scalars };
  });
  return { zones, pgfree: a.pgfree, isolatedFrom: [...(isolatedMap(a) ?? [])] };
}

/**
 * Put a state from {@link exportState} into an allocator booted with the same zones and options. The whole state
 * is checked against the allocator's shape first, so a mismatch changes nothing.
 *
 * @param a - an allocator booted like the one the state came from
 * @param state - the exported state
 * @throws {InvalidBuddyArgumentError} when the state does not fit the allocator (other zones, sizes or versions)
 * @example
 * ```ts
 * import { bootBuddy, exportState, importState } from "@pagealloc/buddy";
 * const spec = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 2048, presentPages: 2048,
 *   managedPages: 2048, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
 * const a = bootBuddy([spec]);
 * const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 0);
 * const b = bootBuddy([spec]);
 * importState(b, exportState(a));
 * console.log(b.zone(0, "Normal").nrFreePages, a.zone(0, "Normal").nrFreePages); // => 2047 2047
 * ```
 */
export function importState(a: BuddyAllocator, state: BuddyStateData): void {
  const fail = (reason: string, where: string): never => {
    throw new InvalidBuddyArgumentError(reason, where);
  };
  if (!state || !Array.isArray(state.zones) || state.zones.length !== a.zones.length) fail(`the state has ${state?.zones?.length ?? 0} zones, the allocator ${a.zones.length}`, "state.zones");
  if (!Number.isSafeInteger(state.pgfree) || state.pgfree < 0) fail("pgfree must be a non-negative integer", "state.pgfree");
  const pairs: [ZoneState, ZoneStateData][] = a.zones.map((z, k) => [z, state.zones[k]!]);
  for (const [z, d] of pairs) {
    const where = `state.zones[${a.zones.indexOf(z)}]`;
    if (d.nid !== z.spec.nid || d.zoneIdx !== z.spec.zoneIdx) fail(`zone ${d.nid}/${d.zoneIdx} does not match node ${z.spec.nid} zone ${z.spec.name}`, where);
    for (const key of SHAPE) if (d.scalars[key] !== (z as unknown as Record<string, unknown>)[key]) fail(`${key} ${String(d.scalars[key])} differs from ${String(z[key])}`, `${where}.${key}`);
    for (const [key, value] of Object.entries(z)) {
      if (isTyped(value)) {
        const saved = d.arrays[key];
        if (!saved || saved.constructor !== value.constructor || saved.length !== value.length) fail(`array ${key} is missing or has the wrong type or length`, `${where}.${key}`);
      } else if ((typeof value === "number" || typeof value === "boolean") && typeof d.scalars[key] !== typeof value) {
        fail(`${key} is missing or not a ${typeof value}`, `${where}.${key}`);
      }
    }
  }
  for (const [z, d] of pairs) {
    const target = z as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(z)) {
      if (isTyped(value)) value.set(d.arrays[key]!);
      else if (typeof value === "number" || typeof value === "boolean") target[key] = d.scalars[key];
    }
  }
  a.pgfree = state.pgfree;
  const iso = isolatedMap(a);
  if (iso) {
    iso.clear();
    for (const [key, mt] of state.isolatedFrom ?? []) iso.set(key, mt);
  }
}
