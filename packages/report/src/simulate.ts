import {
  type BuddyAllocator,
  type BuddyZoneSpec,
  type ZoneFreeCounts,
  bootBuddyFromFreeCounts,
  gfpDecoder,
} from "@pagealloc/buddy";
import { type ArchName, PageallocError } from "@pagealloc/physmem";
import { PageUse, createReclaim } from "@pagealloc/reclaim";
import type { ZoneName } from "@pagealloc/gfp";
import { type Sysctls, lowmemReserve, zoneWatermarks } from "@pagealloc/zones";
import { parseZoneinfoAndBuddyinfo } from "./proc-state";
import type { ReportMemInfo, ReportZone } from "./report-types";

/** The /proc files a simulated machine can be booted from. */
export interface SimProcFiles {
  readonly zoneinfo: string;
  readonly buddyinfo?: string;
  readonly pagetypeinfo?: string;
}

/** One zone of the walk, as the booted allocator saw it before the request. */
export interface SimulatedZoneCheck {
  readonly nid: number;
  readonly name: string;
  /** NR_FREE_PAGES of the simulated zone (the pages on its free lists). */
  readonly freePages: number;
  /** zone_watermark_ok() at the fast path's mark (low + boost) with the fast path's ALLOC_* flags. */
  readonly fastOk: boolean;
  /** zone_watermark_ok() at min with the slow path's flags (gfp_to_alloc_flags). */
  readonly slowOk: boolean;
  /** Free blocks of order ≥ the request's, by migratetype name and order (non-empty lists only). */
  readonly freeBlocks: Readonly<Record<string, Readonly<Record<number, number>>>>;
}

/** What the real allocation on the simulated machine did. */
export interface SimulationResult {
  readonly succeeded: boolean;
  /** `fast`: get_page_from_freelist at the low mark; `slow`: the slow path's first retry at min (after waking kswapd). */
  readonly path: "fast" | "slow" | null;
  readonly zone: { readonly nid: number; readonly name: string } | null;
  readonly pfn: number | null;
  /** The free block the pages came from (before splitting): pfn, order, migratetype list. */
  readonly fromBlock: { readonly pfn: number; readonly order: number; readonly migratetype: string } | null;
  readonly zones: readonly SimulatedZoneCheck[];
  /** What @pagealloc/reclaim's slow path did after the first retry failed (null with `compact: false`, or when the retry succeeded). */
  readonly slowPath: { readonly result: string; readonly steps: readonly string[]; readonly reason: string | null } | null;
  readonly reason: string;
  readonly notes: readonly string[];
}

/** The machine a Mem-Info or /proc files describe, ready for bootBuddyFromFreeCounts. */
export interface SimulatedMachineSpec {
  readonly zones: readonly BuddyZoneSpec[];
  readonly counts: readonly ZoneFreeCounts[];
  /** Per zone key "nid/name": boost and reserved highatomic pages to set after boot. */
  readonly extra: ReadonlyMap<string, ZoneExtra>;
  readonly notes: readonly string[];
}

/** What the free lists do not carry: boost, reserved highatomic pages and the NR_FREE_PAGES counter as printed. */
interface ZoneExtra {
  readonly boost: number;
  readonly reservedHighatomic: number;
  readonly freePages: number | null;
  /** managed_pages as printed (present when managed is not), for watermarks recomputed with other sysctls. */
  readonly managed: number;
  /** LRU pages of the zone (active/inactive anon + file) when printed: how many allocated pages compaction may move. */
  readonly lruPages: number | null;
}

const LRU_FIELDS = ["active_anon", "inactive_anon", "active_file", "inactive_file"];

function sumKnown(values: readonly (number | null | undefined)[]): number | null {
  if (values.some((v) => v === null || v === undefined)) return null;
  return values.reduce<number>((s, v) => s + (v as number), 0);
}

// show_migration_types() letters → /proc/pagetypeinfo names.
const LETTER_NAME: Readonly<Record<string, string>> = { U: "Unmovable", M: "Movable", E: "Reclaimable", H: "HighAtomic", C: "CMA", I: "Isolate", R: "Reserve" };
// Which listed type takes the blocks beyond one per letter (most free memory of a running machine is Movable).
const LETTER_PRIORITY = ["M", "U", "E", "H", "C", "R", "I"];

const PCP = { batch: 1, high: 0 };

/** zone->_watermark[] from the printed marks, which are _watermark[] + watermark_boost (5.0+). */
function unboosted(min: number, low: number, high: number, boost: number): { min: number; low: number; high: number } {
  return { min: Math.max(0, min - boost), low: Math.max(0, low - boost), high: Math.max(0, high - boost) };
}

function pagesOf(z: ReportZone, key: string): number | null {
  return z.fields[key]?.pages ?? null;
}

/**
 * Split a printed free-area order `count*size (letters)` over the migratetypes: each printed letter has at least
 * one block (show_free_areas prints a letter only for a non-empty list); the rest go to the first of
 * M, U, E, H, C, R, I that was printed. Without letters every block is Movable.
 */
function splitByLetters(count: number, letters: string): Record<string, number> {
  const ls = [...new Set(letters.split(""))].filter((l) => LETTER_NAME[l] !== undefined);
  if (count === 0) return {};
  if (ls.length === 0 || ls.length > count) return { Movable: count };
  const out: Record<string, number> = {};
  for (const l of ls) out[LETTER_NAME[l]!] = 1;
  const main = LETTER_PRIORITY.find((l) => ls.includes(l))!;
  out[LETTER_NAME[main]!] += count - ls.length;
  return out;
}

/**
 * The machine a report's Mem-Info shows: one zone per zone line with a free-area line, laid out one after another
 * (each starting at a MAX_PAGE_ORDER-aligned pfn), spanning its present pages rounded up to a max-order block;
 * min/low/high and lowmem_reserve[] as printed; the free lists from the free-area line (migratetypes from its
 * letters, see {@link splitByLetters}).
 */
// kernel: mm/show_mem.c show_free_areas() (the state read back)
export function machineFromMemInfo(memInfo: ReportMemInfo, layout: readonly string[], maxOrder: number): SimulatedMachineSpec {
  const notes: string[] = [];
  const zones: BuddyZoneSpec[] = [];
  const counts: ZoneFreeCounts[] = [];
  const extra = new Map<string, ZoneExtra>();
  const maxBlock = 2 ** maxOrder;
  let cursor = 0;
  for (const z of memInfo.zones) {
    const idx = layout.indexOf(z.name);
    const min = pagesOf(z, "min");
    const low = pagesOf(z, "low");
    const high = pagesOf(z, "high");
    if (idx < 0 || z.freeArea === null || min === null || low === null || high === null) {
      notes.push(`zone ${z.name}: no free-area line or watermarks (or not in the layout), left out of the simulated machine`);
      continue;
    }
    const nid = z.nid ?? 0;
    const freeAreaPages = z.freeArea.orders.reduce((s, o) => s + o.count * 2 ** o.order, 0);
    const present = Math.max(pagesOf(z, "present") ?? 0, pagesOf(z, "managed") ?? 0, freeAreaPages);
    const spanned = Math.ceil(present / maxBlock) * maxBlock || maxBlock;
    // show_free_areas prints min_wmark_pages() etc., which include the boost; the allocator adds it itself
    const boost = pagesOf(z, "boost") ?? 0;
    zones.push({
      nid,
      name: z.name,
      zoneIdx: idx,
      startPfn: cursor,
      spannedPages: spanned,
      presentPages: spanned,
      managedPages: spanned,
      watermark: unboosted(min, low, high, boost),
      lowmemReserve: z.lowmemReserve ?? layout.map(() => 0),
      pcp: PCP,
    });
    cursor += spanned;
    const byType: Record<string, number[]> = {};
    for (const o of z.freeArea.orders) {
      for (const [name, n] of Object.entries(splitByLetters(o.count, o.letters))) {
        const row = byType[name] ?? [];
        while (row.length <= o.order) row.push(0);
        row[o.order] = n;
        byType[name] = row;
      }
    }
    counts.push({ nid, zone: z.name, byType });
    const free = pagesOf(z, "free");
    extra.set(`${nid}/${z.name}`, { boost: pagesOf(z, "boost") ?? 0, reservedHighatomic: pagesOf(z, "reserved_highatomic") ?? 0, freePages: free, managed: pagesOf(z, "managed") ?? pagesOf(z, "present") ?? freeAreaPages, lruPages: sumKnown(LRU_FIELDS.map((f) => pagesOf(z, f))) });
    if (free !== null && free !== freeAreaPages) {
      notes.push(
        `zone ${z.name}: free ${free} pages printed (NR_FREE_PAGES), the free-area line holds ${freeAreaPages} (printed a moment later): the free lists hold the free-area line, the watermark check reads NR_FREE_PAGES as printed, like the kernel's`,
      );
    }
  }
  if (zones.length > 0) {
    notes.push(
      "the report does not say where holes and reserved pages are: each simulated zone spans its present pages rounded up to a max-order block, the pages not on the free lists allocated",
    );
  }
  return { zones, counts, extra, notes };
}

const PAGETYPE_FREE_RE = /^Node\s+(\d+), zone\s+(\S+), type\s+(\S+)((?:\s+\d+)+)\s*$/;
const PAGETYPE_BLOCKS_RE = /^Node\s+(\d+), zone\s+(\S+)((?:\s+\d+)+)\s*$/;

/**
 * The machine /proc files show: zone start, spanned pages, watermarks and protection from /proc/zoneinfo; free
 * blocks per order from /proc/buddyinfo, or per order and migratetype from /proc/pagetypeinfo (with its pageblock
 * counts). Holes and reserved pages are not placed (zoneinfo does not say where): every page of the span that is
 * not free is allocated.
 */
// kernel: mm/vmstat.c zoneinfo_show_print(), frag_show_print(), pagetypeinfo_showfree_print(), pagetypeinfo_showblockcount_print()
export function machineFromProc(files: SimProcFiles, layout: readonly string[], maxOrder: number): SimulatedMachineSpec {
  const notes: string[] = [];
  const { parsed, buddy } = parseZoneinfoAndBuddyinfo(files);
  const byTypeOf = new Map<string, Record<string, number[]>>();
  const blocksOf = new Map<string, Record<string, number>>();
  if (files.pagetypeinfo !== undefined) {
    let blockHeader: string[] | null = null;
    files.pagetypeinfo.split("\n").forEach((raw) => {
      const line = raw.replace(/\r$/, "");
      const f = PAGETYPE_FREE_RE.exec(line);
      if (f) {
        const key = `${f[1]}/${f[2]}`;
        const m = byTypeOf.get(key) ?? {};
        m[f[3]!] = f[4]!.trim().split(/\s+/).map(Number);
        byTypeOf.set(key, m);
        return;
      }
      if (/^Number of blocks type/.test(line)) {
        blockHeader = line.replace(/^Number of blocks type/, "").trim().split(/\s+/);
        return;
      }
      const b = PAGETYPE_BLOCKS_RE.exec(line);
      if (b && blockHeader) {
        const n = b[3]!.trim().split(/\s+/).map(Number);
        const rec: Record<string, number> = {};
        blockHeader.forEach((name, k) => {
          if (n[k] !== undefined) rec[name] = n[k]!;
        });
        blocksOf.set(`${b[1]}/${b[2]}`, rec);
      }
    });
  }
  const zones: BuddyZoneSpec[] = [];
  const counts: ZoneFreeCounts[] = [];
  const extra = new Map<string, ZoneExtra>();
  const maxBlock = 2 ** maxOrder;
  let cursor = 0;
  for (const z of parsed.zones) {
    if (z.spanned === 0) continue;
    const idx = layout.indexOf(z.name);
    if (idx < 0) {
      notes.push(`zone ${z.name} is not in the layout (${layout.join(", ")}); left out`);
      continue;
    }
    const key = `${z.nid}/${z.name}`;
    const start = z.startPfn ?? Math.ceil(cursor / maxBlock) * maxBlock;
    cursor = start + z.spanned;
    zones.push({
      nid: z.nid,
      name: z.name,
      zoneIdx: idx,
      startPfn: start,
      spannedPages: z.spanned,
      presentPages: z.spanned,
      managedPages: z.spanned,
      // zoneinfo prints min_wmark_pages() etc., boost included; the allocator adds it itself
      watermark: unboosted(z.min, z.low, z.high, z.boost ?? 0),
      lowmemReserve: z.protection,
      pcp: PCP,
    });
    const stat = (name: string) => z.stats.find(([k]) => k === name)?.[1] ?? z.stats.find(([k]) => k === name.replace("nr_zone_", "nr_"))?.[1];
    extra.set(key, { boost: z.boost ?? 0, reservedHighatomic: 0, freePages: z.freePages, managed: z.managed ?? z.present, lruPages: sumKnown(LRU_FIELDS.map((f) => stat(`nr_zone_${f}`))) });
    const byType = byTypeOf.get(key);
    const b = buddy.find((x) => x.nid === z.nid && x.zone === z.name);
    if (byType) counts.push({ nid: z.nid, zone: z.name, byType, ...(blocksOf.has(key) ? { blocks: blocksOf.get(key)! } : {}) });
    else if (b) counts.push({ nid: z.nid, zone: z.name, nrFree: b.nrFree });
    else notes.push(`zone ${z.name}: no /proc/buddyinfo line, so its free lists are not known; left with every page free`);
  }
  notes.push(
    "/proc/zoneinfo does not say where holes and reserved pages are: each simulated zone spans start_pfn..start_pfn + spanned, every page not on the free lists allocated",
  );
  if (files.pagetypeinfo === undefined) notes.push("without /proc/pagetypeinfo every free block is put on the Movable lists");
  return { zones, counts, extra, notes };
}

/**
 * The machine with other vm sysctls: min_free_kbytes / watermark_scale_factor recompute every zone's min/low/high
 * from its managed pages (without min_free_kbytes, the printed one is taken back from Σ min of the lowmem zones);
 * lowmem_reserve_ratio recomputes lowmem_reserve[] per node. Other sysctls do not change the state a request sees.
 * kernel: mm/page_alloc.c __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve()
 */
export function withSysctls(spec: SimulatedMachineSpec, sysctls: Partial<Sysctls>, version: string, layout: readonly string[]): SimulatedMachineSpec {
  const notes = [...spec.notes];
  let zones = spec.zones.map((z) => ({ ...z }));
  const managed = (z: BuddyZoneSpec) => spec.extra.get(`${z.nid}/${z.name}`)?.managed ?? z.managedPages;
  if (sysctls.min_free_kbytes !== undefined || sysctls.watermark_scale_factor !== undefined) {
    const lowmem = zones.filter((z) => z.name !== "HighMem" && z.name !== "Movable");
    const minFreeKbytes = sysctls.min_free_kbytes ?? lowmem.reduce((s, z) => s + z.watermark.min, 0) * 4;
    const marks = zoneWatermarks(
      zones.map((z) => ({ name: z.name as ZoneName, pages: managed(z) })),
      { minFreeKbytes, watermarkScaleFactor: sysctls.watermark_scale_factor, version },
    );
    zones = zones.map((z, k) => ({ ...z, watermark: { min: marks[k]!.min, low: marks[k]!.low, high: marks[k]!.high } }));
    notes.push(`with min_free_kbytes ${minFreeKbytes}${sysctls.watermark_scale_factor !== undefined ? ` and watermark_scale_factor ${sysctls.watermark_scale_factor}` : ""}: min/low/high ${zones.map((z) => `${z.name} ${z.watermark.min}/${z.watermark.low}/${z.watermark.high}`).join(", ")}`);
  }
  if (sysctls.lowmem_reserve_ratio !== undefined) {
    const ratios = sysctls.lowmem_reserve_ratio;
    for (const nid of [...new Set(zones.map((z) => z.nid))]) {
      const pages = layout.map((name) => {
        const z = zones.find((x) => x.nid === nid && x.name === name);
        return z ? managed(z) : 0;
      });
      const table = lowmemReserve(pages, layout.map((_, i) => ratios[i] ?? 0), version);
      zones = zones.map((z) => (z.nid === nid ? { ...z, lowmemReserve: table[z.zoneIdx] ?? z.lowmemReserve } : z));
    }
    notes.push(`with lowmem_reserve_ratio ${ratios.join(" ")}: lowmem_reserve ${zones.map((z) => `${z.name} [${z.lowmemReserve.join(" ")}]`).join(", ")}`);
  }
  return { ...spec, zones, notes };
}

/**
 * Boot the machine and run the request with the allocator of that version: the fast path
 * (get_page_from_freelist at the low mark), then the slow path's first step (wake kswapd, retry at min with
 * gfp_to_alloc_flags), then (unless `compact: false`) the rest of the slow path with @pagealloc/reclaim:
 * compaction, reclaim, retries. What the allocated pages hold is not in a report or /proc: as many as the zone's
 * LRU lists hold are taken as movable anonymous pages without swap (compaction may move them, reclaim frees
 * nothing), the others as kernel memory.
 */
// kernel: mm/page_alloc.c __alloc_pages() → get_page_from_freelist(), __alloc_pages_slowpath()
export function simulateRequest(
  spec: SimulatedMachineSpec,
  request: { readonly order: number; readonly gfpMask: number; readonly version: string; readonly arch: ArchName; readonly seed?: number; readonly compact?: boolean },
): SimulationResult {
  const notes = [...spec.notes];
  const pageblockOrder = request.arch === "i386" ? 10 : 9;
  let a: BuddyAllocator;
  try {
    a = bootBuddyFromFreeCounts(spec.zones, spec.counts, { version: request.version, gfp: gfpDecoder(request.version, request.arch), pageblockOrder, seed: request.seed ?? 1 });
  } catch (e) {
    if (e instanceof PageallocError) {
      return { succeeded: false, path: null, zone: null, pfn: null, fromBlock: null, zones: [], slowPath: null, reason: `the free lists could not be rebuilt: ${e.message}`, notes };
    }
    throw e;
  }
  for (const z of a.zones) {
    const x = spec.extra.get(`${z.spec.nid}/${z.spec.name}`);
    if (x) {
      z.watermarkBoost = x.boost;
      z.nrReservedHighatomic = Math.max(z.nrReservedHighatomic, x.reservedHighatomic);
      // __zone_watermark_ok() reads the NR_FREE_PAGES counter, which the kernel printed; the lists were read apart
      if (x.freePages !== null) z.nrFreePages = x.freePages;
    }
  }
  const names = a.facts.migratetypeNames;
  const { order, gfpMask } = request;
  const d = gfpDecoder(request.version, request.arch)(gfpMask);
  const req = { ...d, gfp: gfpMask };
  const zonesOfWalk = a.candidateZones(a.cpuToNode[0]!, d.highestZoneIdx);
  const fastFlags = a.fastPathAllocFlags(req);
  const slowFlags = a.gfpToAllocFlags(req, order);
  const classzone = a.facts.classzoneIsPreferredZone && zonesOfWalk[0] ? zonesOfWalk[0].spec.zoneIdx : d.highestZoneIdx;
  const checks: SimulatedZoneCheck[] = [];
  const heads = new Map<number, { order: number; mt: number }>();
  for (const z of zonesOfWalk) {
    const w = z.spec.watermark;
    const freeBlocks: Record<string, Record<number, number>> = {};
    for (let o = Math.min(order, a.nrOrders); o < a.nrOrders; o++) {
      for (let mt = 0; mt < z.nrTypes; mt++) {
        const n = z.listLen[o * z.nrTypes + mt]!;
        if (n === 0) continue;
        (freeBlocks[names[mt]!] ??= {})[o] = n;
        const s = z.freeListNode(o, mt);
        if (heads.size < 1_000_000) for (let i = z.next[s]!; i !== s; i = z.next[i]!) heads.set(i + z.startPfn, { order: o, mt });
      }
    }
    const inRange = order < a.nrOrders;
    checks.push({
      nid: z.spec.nid,
      name: z.spec.name,
      freePages: z.nrFreePages,
      fastOk: inRange && a.zoneWatermarkOkZone(z, order, w.low + z.watermarkBoost, classzone, fastFlags),
      slowOk: inRange && a.zoneWatermarkOkZone(z, order, w.min + z.watermarkBoost, classzone, slowFlags),
      freeBlocks,
    });
  }
  if (order >= a.nrOrders) {
    return { succeeded: false, path: null, zone: null, pfn: null, fromBlock: null, zones: checks, slowPath: null, reason: `order ${order} is above MAX_PAGE_ORDER ${a.nrOrders - 1}: __alloc_pages() refuses it`, notes };
  }
  let path: "fast" | "slow" | null = null;
  let pfn = a.getPageFromFreelist(order, fastFlags, req);
  if (pfn >= 0) path = "fast";
  else {
    pfn = a.getPageFromFreelist(order, slowFlags, req);
    if (pfn >= 0) path = "slow";
  }
  let slowPath: SimulationResult["slowPath"] = null;
  if (pfn < 0 && (request.compact ?? true)) {
    // The rest of __alloc_pages_slowpath() (@pagealloc/reclaim). As many allocated pages as the zone has LRU pages
    // (when printed; else all) in Movable pageblocks are taken as movable anonymous pages without swap (compaction
    // can migrate them, reclaim cannot free them), spread by a seeded draw; the others as kernel pages (neither).
    const r = createReclaim({ swapPages: 0 }).attach(a);
    let draw = ((request.seed ?? 1) * 2654435761) >>> 0;
    for (const z of a.zones) {
      const movable: number[] = [];
      for (let i = 0; i < z.spanned; i++) {
        const p = i + z.startPfn;
        if (z.refcount[i]! > 0 && z.pageblockMt(p) === a.facts.mt.MOVABLE && a.allocatedOrder(p) === 0) movable.push(p);
      }
      const lru = spec.extra.get(`${z.spec.nid}/${z.spec.name}`)?.lruPages ?? null;
      const want = lru === null ? movable.length : Math.min(lru, movable.length);
      for (let k = 0; k < want; k++) {
        draw = (Math.imul(draw, 1664525) + 1013904223) >>> 0;
        const j = k + (draw % (movable.length - k));
        [movable[k], movable[j]] = [movable[j]!, movable[k]!];
        r.markPage(movable[k]!, 0, PageUse.ANON);
      }
    }
    const out = r.allocPagesSlowpath(req, order);
    slowPath = { result: out.result, steps: [...out.steps], reason: out.reason ?? null };
    notes.push(
      "compaction: as many allocated pages as the zone's LRU lists hold (active/inactive anon + file, when printed) are taken as movable pages in Movable pageblocks, without swap (reclaim frees nothing); the others as unmovable kernel memory",
    );
    if (out.result === "success") {
      pfn = out.pfn;
      path = "slow";
    }
  }
  if (pfn < 0) {
    if (slowPath) {
      return { succeeded: false, path: null, zone: null, pfn: null, fromBlock: null, zones: checks, slowPath, reason: `the slow path (${slowPath.steps.join(" → ")}) ends with ${slowPath.result}${slowPath.reason ? `: ${slowPath.reason}` : ""}`, notes };
    }
    const why = checks
      .map((c) => {
        const usable = Object.values(c.freeBlocks).some((r) => Object.keys(r).length > 0);
        const wm = c.slowOk ? "passes the min watermark check" : "fails the min watermark check";
        return `${c.name}: ${wm}${usable ? "" : `, no free block of order ≥ ${order}`}`;
      })
      .join("; ");
    const after = d.directReclaim
      ? "the slow path would go on to reclaim and compact, which is not simulated (what the allocated pages hold is unknown)"
      : "the mask cannot reclaim directly, so the slow path ends here: the allocation fails";
    return { succeeded: false, path: null, zone: null, pfn: null, fromBlock: null, zones: checks, slowPath, reason: `no zone of the walk gives a block (${why || "no zone"}); ${after}`, notes };
  }
  const z = a.zoneOfPfn(pfn)!;
  let fromBlock: SimulationResult["fromBlock"] = null;
  for (let o = order; slowPath === null && o < a.nrOrders; o++) {
    const head = pfn - (pfn % 2 ** o);
    const h = heads.get(head);
    if (h && h.order === o) {
      fromBlock = { pfn: head, order: o, migratetype: names[h.mt]! };
      break;
    }
  }
  const where = `${z.spec.name} (node ${z.spec.nid})`;
  const reason = slowPath
    ? `the slow path (${slowPath.steps.join(" → ")}) succeeds in zone ${where}, pfn ${pfn}`
    : path === "fast"
      ? `zone ${where} passes its low watermark check and gives pfn ${pfn}`
      : `every zone fails the fast path; after waking kswapd the retry at the min watermark with ${a.facts.allocFlagsEra === "2.6.24" ? "ALLOC_HARDER/ALLOC_HIGH" : "the slow path's flags"} succeeds in zone ${where}, pfn ${pfn}`;
  return { succeeded: true, path, zone: { nid: z.spec.nid, name: z.spec.name }, pfn, fromBlock, zones: checks, slowPath, reason, notes };
}
