import { mulberry32 } from "@pagealloc/physmem";
import { type BootBuddyOptions, type BuddyAllocator, type BuddyZoneSetLike, bootBuddy } from "./allocator";
import { InvalidBuddyArgumentError } from "./errors";
import { checkInvariants } from "./invariants";
import { type BuddyZoneSpec, PG_ALLOC, PG_BUDDY, PG_HOLE, PG_PCP, PG_RESERVED, type ZoneState } from "./zone-state";

/** The free state of one zone as /proc shows it. */
export interface ZoneFreeCounts {
  readonly nid: number;
  /** Zone name (`DMA`, `DMA32`, `Normal` …). */
  readonly zone: string;
  /** free_area[order].nr_free, as /proc/buddyinfo prints it. Optional when `byType` is given (then it must agree). */
  readonly nrFree?: readonly number[];
  /** Free blocks per order by migratetype, named as /proc/pagetypeinfo prints them (`Unmovable`, `Movable` …). */
  readonly byType?: Readonly<Record<string, readonly number[]>>;
  /** Pageblocks per migratetype: /proc/pagetypeinfo's "Number of blocks type" row of the zone. */
  readonly blocks?: Readonly<Record<string, number>>;
}

/** Options of {@link bootBuddyFromFreeCounts}: bootBuddy's, plus the placement seed. */
export interface BootFromFreeCountsOptions extends BootBuddyOptions {
  /** Seed of the deterministic placement (default 1). */
  readonly seed?: number;
  /** Migratetype of free blocks when `byType` is not given (default `Movable`). */
  readonly defaultMigratetype?: string;
}

interface ZonePlan {
  readonly z: ZoneState;
  readonly where: string;
  /** counts[order][mt] */
  readonly counts: number[][];
  /** Pageblock types to set, or null to keep the boot's. */
  readonly blockTypes: number[] | null;
}

/**
 * Boot an allocator whose free lists hold exactly the given number of free blocks per order (and per migratetype
 * when given), e.g. from a real `/proc/buddyinfo` (+ `/proc/pagetypeinfo`), so that allocations, frees and
 * compaction can be simulated on a machine in that state.
 *
 * Rules where /proc does not say:
 * - without `byType`, every free block is on the `defaultMigratetype` list (Movable: memmap_init marks every
 *   pageblock Movable and most stay Movable, so most free memory of a running machine is on Movable lists);
 * - with `blocks`, that many pageblocks of each type are spread over the zone (seeded shuffle; pageblocks not
 *   counted stay Movable); without it, the boot's pageblock types are kept;
 * - free blocks are placed at aligned pfns, largest order first, each in pageblocks of its own type when such room
 *   is left (else anywhere), never as the buddy of a free block of the same order (the kernel would have merged
 *   them), chosen by a seeded shuffle of the candidate positions so they spread over the zone;
 * - every other managed page is allocated as an order-0 page (refcount 1) of its pageblock's migratetype, so it
 *   can be freed or migrated later; holes and reserved pages stay as the spec says;
 * - zones not listed in `counts` keep the boot state (every managed page free).
 *
 * @param zones - zone specs, or a ZoneSet from `@pagealloc/zones` (as for bootBuddy)
 * @param counts - per zone: `nrFree` and/or `byType`, optional `blocks`
 * @param options - bootBuddy's options, plus `seed` and `defaultMigratetype`
 * @returns the allocator, its invariants checked
 * @throws {InvalidBuddyArgumentError} for an unknown zone or migratetype, a count that is not a non-negative
 *   integer, an order beyond MAX_PAGE_ORDER, counts that do not fit in the zone's managed pages, or blocks that
 *   cannot be placed without merging (location: `counts[k]…`)
 * @example
 * ```ts
 * import { bootBuddyFromFreeCounts, renderBuddyinfo } from "@pagealloc/buddy";
 * const spec = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 8192, presentPages: 8192,
 *   managedPages: 8192, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
 * const a = bootBuddyFromFreeCounts([spec], [{ nid: 0, zone: "Normal", nrFree: [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1] }]);
 * console.log(renderBuddyinfo(a).trim()); // => Node 0, zone   Normal      5      0      2      0      0      0      0      0      0      0      1
 * console.log(a.zone(0, "Normal").nrFreePages); // => 1037
 * ```
 */
export function bootBuddyFromFreeCounts(
  zones: readonly BuddyZoneSpec[] | BuddyZoneSetLike,
  counts: readonly ZoneFreeCounts[],
  options: BootFromFreeCountsOptions = {},
): BuddyAllocator {
  const { seed = 1, defaultMigratetype = "Movable", ...bootOptions } = options;
  const a = bootBuddy(zones, { ...bootOptions, checkInvariants: false });
  const names = a.facts.migratetypeNames.map((n) => n.toLowerCase());
  const mtOf = (name: string, where: string): number => {
    const mt = names.indexOf(name.toLowerCase());
    if (mt < 0) throw new InvalidBuddyArgumentError(`migratetype ${JSON.stringify(name)} is not one of ${a.version}'s (${a.facts.migratetypeNames.join(", ")})`, where);
    return mt;
  };
  const defaultMt = mtOf(defaultMigratetype, "options.defaultMigratetype");
  const nonNegInt = (v: unknown, where: string): number => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new InvalidBuddyArgumentError(`${String(v)} is not a non-negative integer`, where);
    return v as number;
  };
  // Validate everything before touching any zone.
  const plans: ZonePlan[] = [];
  const seen = new Set<ZoneState>();
  counts.forEach((c, k) => {
    const where = `counts[${k}]`;
    let z: ZoneState;
    try {
      z = a.zone(c.nid, c.zone);
    } catch {
      throw new InvalidBuddyArgumentError(`no zone ${c.zone} on node ${c.nid}`, where);
    }
    if (seen.has(z)) throw new InvalidBuddyArgumentError(`zone ${c.zone} of node ${c.nid} given twice`, where);
    seen.add(z);
    const table = Array.from({ length: a.nrOrders }, () => new Array<number>(z.nrTypes).fill(0));
    const setOrder = (o: number, where2: string): void => {
      if (o >= a.nrOrders) throw new InvalidBuddyArgumentError(`order ${o} is beyond MAX_PAGE_ORDER ${a.nrOrders - 1}`, where2);
    };
    if (c.byType) {
      for (const [name, row] of Object.entries(c.byType)) {
        const mt = mtOf(name, `${where}.byType.${name}`);
        row.forEach((n, o) => {
          const v = nonNegInt(n, `${where}.byType.${name}[${o}]`);
          if (v > 0) setOrder(o, `${where}.byType.${name}[${o}]`);
          if (v > 0) table[o]![mt]! += v;
        });
      }
      if (c.nrFree) {
        c.nrFree.forEach((n, o) => {
          const sum = o < a.nrOrders ? table[o]!.reduce((s, v) => s + v, 0) : 0;
          if (nonNegInt(n, `${where}.nrFree[${o}]`) !== sum) throw new InvalidBuddyArgumentError(`nrFree[${o}] = ${n} but the migratetypes hold ${sum}`, `${where}.nrFree[${o}]`);
        });
      }
    } else {
      (c.nrFree ?? []).forEach((n, o) => {
        const v = nonNegInt(n, `${where}.nrFree[${o}]`);
        if (v > 0) setOrder(o, `${where}.nrFree[${o}]`);
        if (v > 0) table[o]![defaultMt] = v;
      });
    }
    const pages = table.reduce((s, row, o) => s + row.reduce((x, v) => x + v, 0) * 2 ** o, 0);
    if (pages > z.spec.managedPages) {
      throw new InvalidBuddyArgumentError(`${pages} free pages do not fit in zone ${c.zone}'s ${z.spec.managedPages} managed pages`, where);
    }
    let blockTypes: number[] | null = null;
    if (c.blocks) {
      const nBlocks = z.blockMt.length;
      blockTypes = [];
      for (const [name, n] of Object.entries(c.blocks)) {
        const mt = mtOf(name, `${where}.blocks.${name}`);
        const v = nonNegInt(n, `${where}.blocks.${name}`);
        for (let i = 0; i < v; i++) blockTypes.push(mt);
      }
      if (blockTypes.length > nBlocks) throw new InvalidBuddyArgumentError(`${blockTypes.length} pageblocks listed, the zone has ${nBlocks}`, `${where}.blocks`);
      while (blockTypes.length < nBlocks) blockTypes.push(a.facts.mt.MOVABLE);
    }
    plans.push({ z, where, counts: table, blockTypes });
  });
  // the placement only needs spread, not quality
  const rand = mulberry32(seed);
  for (const p of plans) placeZone(a, p, rand);
  checkInvariants(a);
  return a;
}

// kernel: (none) — a state the kernel could have reached; the free lists are built as __free_one_page() leaves them
function placeZone(a: BuddyAllocator, plan: ZonePlan, rand: () => number): void {
  const { z, counts } = plan;
  const base = z.startPfn;
  const pbPages = 2 ** a.pageblockOrder;
  // Empty the free lists the boot filled.
  for (let o = 0; o < a.nrOrders; o++) {
    for (let mt = 0; mt < z.nrTypes; mt++) {
      const s = z.freeListNode(o, mt);
      z.next[s] = s;
      z.prev[s] = s;
      z.listLen[o * z.nrTypes + mt] = 0;
    }
    z.nrFree[o] = 0;
  }
  z.nrFreePages = 0;
  z.nrFreeHighatomic = 0;
  const managed = new Uint8Array(z.spanned); // 1 = managed page not yet placed
  for (let i = 0; i < z.spanned; i++) {
    const fl = z.flags[i]!;
    if (fl & (PG_BUDDY | PG_PCP | PG_ALLOC)) z.flags[i] = fl & ~(PG_BUDDY | PG_PCP | PG_ALLOC);
    if (!(fl & (PG_HOLE | PG_RESERVED))) managed[i] = 1;
  }
  if (plan.blockTypes) {
    const t = plan.blockTypes.slice();
    for (let k = t.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [t[k], t[j]] = [t[j]!, t[k]!];
    }
    z.blockMt.set(t);
    const ha = a.facts.mt.HIGHATOMIC;
    z.nrReservedHighatomic = ha >= 0 ? t.filter((m) => m === ha).length * pbPages : 0;
  }
  const firstAligned = (o: number) => Math.ceil(base / 2 ** o) * 2 ** o;
  const slotFree = (i: number, size: number): boolean => {
    if (i + size > z.spanned) return false;
    for (let k = 0; k < size; k++) if (!managed[i + k]) return false;
    return true;
  };
  const slotType = (pfn: number, o: number): number => {
    const mt = z.pageblockMt(pfn);
    for (let p = pfn + pbPages; p < pfn + 2 ** o; p += pbPages) if (z.pageblockMt(p) !== mt) return -1;
    return mt;
  };
  const buddyIsFree = (pfn: number, o: number): boolean => {
    if (o >= a.nrOrders - 1) return false;
    const b = pfn ^ (2 ** o);
    if (b < base || b >= z.endPfn) return false;
    const j = b - base;
    return (z.flags[j]! & PG_BUDDY) !== 0 && z.order(j) === o;
  };
  const place = (i: number, o: number, mt: number): void => {
    const size = 2 ** o;
    managed.fill(0, i, i + size);
    z.flags[i] = z.flags[i]! | PG_BUDDY;
    z.setPriv(i, o, mt);
    z.link(i, z.freeListNode(o, mt), true);
    z.nrFree[o]! += 1;
    z.listLen[o * z.nrTypes + mt]! += 1;
    if (!(a.facts.isolateNotCounted && mt === a.facts.mt.ISOLATE)) z.nrFreePages += size;
    if (mt === a.facts.mt.HIGHATOMIC) z.nrFreeHighatomic += size;
  };
  for (let o = a.nrOrders - 1; o >= 0; o--) {
    const size = 2 ** o;
    const total = counts[o]!.reduce((s, v) => s + v, 0);
    if (total === 0) continue;
    // Candidate lists (one scan of the zone) are built only when random probing leaves blocks unplaced.
    let all: number[] | null = null;
    const byType = new Map<number, number[]>();
    const enumerate = (): number[] => {
      if (all !== null) return all;
      all = [];
      for (let pfn = firstAligned(o); pfn + size <= z.endPfn; pfn += size) {
        const i = pfn - base;
        if (!slotFree(i, size)) continue;
        all.push(i);
        const t = slotType(pfn, o);
        let list = byType.get(t);
        if (list === undefined) byType.set(t, (list = []));
        list.push(i);
      }
      return all;
    };
    const first = firstAligned(o);
    const nSlots = Math.max(0, Math.floor((z.endPfn - first) / size));
    for (let mt = 0; mt < z.nrTypes; mt++) {
      let need = counts[o]![mt]!;
      // Random probing first (cheap when the zone has room), in pageblocks of the list's type.
      for (let tries = 0; need > 0 && nSlots > 0 && tries < need * 16 + 256; tries++) {
        const pfn = first + Math.floor(rand() * nSlots) * size;
        const i = pfn - base;
        if (!slotFree(i, size) || slotType(pfn, o) !== mt || buddyIsFree(pfn, o)) continue;
        place(i, o, mt);
        need--;
      }
      // Then every remaining slot, shuffled: room in pageblocks of the list's type, then anywhere.
      const everything = need > 0 ? enumerate() : [];
      for (const cand of need > 0 ? [byType.get(mt) ?? [], everything] : []) {
        for (let k = 0; k < cand.length && need > 0; k++) {
          const j = k + Math.floor(rand() * (cand.length - k));
          const i = cand[j]!;
          cand[j] = cand[k]!;
          cand[k] = i;
          if (!slotFree(i, size) || buddyIsFree(i + base, o)) continue;
          place(i, o, mt);
          need--;
        }
      }
      if (need > 0) {
        throw new InvalidBuddyArgumentError(
          `cannot place ${need} more free order-${o} ${a.facts.migratetypeNames[mt]} blocks in zone ${z.spec.name}: no aligned room left that would not merge with a free buddy`,
          plan.where,
        );
      }
    }
  }
  // Everything else managed is allocated, one order-0 page each, of its pageblock's migratetype.
  for (let i = 0; i < z.spanned; i++) {
    if (!managed[i]) continue;
    z.flags[i] = z.flags[i]! | PG_ALLOC;
    z.refcount[i] = 1;
    const bmt = z.pageblockMt(i + base);
    z.setPriv(i, 0, bmt < a.facts.pcpTypes ? bmt : a.facts.mt.MOVABLE);
  }
}
