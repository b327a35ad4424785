import { parseBuddyinfo } from "@pagealloc/buddy";
import { PageallocError } from "@pagealloc/physmem";
import { parseZoneinfo } from "@pagealloc/zones";
import { InvalidReportError } from "./errors";
import { parsePagetypeinfo } from "./pagetypeinfo";
import type { ReportFreeArea, ReportMemInfo, ReportQuantity, ReportZone } from "./report-types";

/** The /proc files a memory state can be read from. */
export interface ProcFiles {
  /** /proc/zoneinfo: free pages, boost, watermarks, protection (lowmem_reserve), nr_free_cma. Required. */
  readonly zoneinfo: string;
  /** /proc/buddyinfo: free blocks per order. Without it only order-0 requests can be checked. */
  readonly buddyinfo?: string;
  /** /proc/pagetypeinfo (root only): free blocks per order and migratetype, for the migratetype letters. */
  readonly pagetypeinfo?: string;
  /** Page size in kB (default 4). */
  readonly pageSizeKb?: number;
}

// show_migration_types() letters, by the names /proc/pagetypeinfo prints.
const TYPE_LETTER: Readonly<Record<string, string>> = {
  Unmovable: "U",
  Movable: "M",
  Reclaimable: "E",
  HighAtomic: "H",
  Reserve: "R",
  CMA: "C",
  Isolate: "I",
};

const count = (value: number): ReportQuantity => ({ value, unit: "", pages: value });

// kernel: mm/vmstat.c pagetypeinfo_showfree_print() (the format read)
function readPagetypeLetters(text: string): Map<string, string[]> {
  const letters = new Map<string, string[]>();
  for (const r of parsePagetypeinfo(text).free) {
    const letter = TYPE_LETTER[r.type];
    if (letter === undefined) throw new InvalidReportError(`unknown migratetype ${JSON.stringify(r.type)}`, `pagetypeinfo:${r.line}`);
    const key = `${r.nid}/${r.zone}`;
    const row = letters.get(key) ?? r.counts.map(() => "");
    r.counts.forEach((c, o) => {
      if (c !== 0) row[o] = (row[o] ?? "") + letter;
    });
    letters.set(key, row);
  }
  return letters;
}

/**
 * Parse /proc/zoneinfo and (when given) /proc/buddyinfo; a parse error becomes an InvalidReportError with the
 * parser's reason and FILE:LINE location. Shared by memInfoFromProc() and the simulated machine of whatIf().
 * @internal
 */
export function parseZoneinfoAndBuddyinfo(files: { readonly zoneinfo: string; readonly buddyinfo?: string }): {
  parsed: ReturnType<typeof parseZoneinfo>;
  buddy: ReturnType<typeof parseBuddyinfo>;
} {
  try {
    return { parsed: parseZoneinfo(files.zoneinfo), buddy: files.buddyinfo === undefined ? [] : parseBuddyinfo(files.buddyinfo) };
  } catch (e) {
    if (e instanceof PageallocError) throw new InvalidReportError(e.message, e.location);
    throw e;
  }
}

/**
 * Build the memory state a failure report's Mem-Info shows from the live /proc files instead, so that
 * {@link whatIf} can ask about a request on a running machine: zones with free pages, boost, min/low/high,
 * protection (= lowmem_reserve) and free CMA from /proc/zoneinfo; free blocks per order from /proc/buddyinfo;
 * the migratetype letters from /proc/pagetypeinfo. /proc files do not print the highatomic reserve, so the
 * check counts it as 0 (with a note).
 * kernel: mm/vmstat.c zoneinfo_show_print(), frag_show_print(), pagetypeinfo_showfree_print() (the formats read)
 *
 * @param files - the files' text
 * @returns a Mem-Info with one zone per populated zone of /proc/zoneinfo
 * @throws {InvalidReportError} when a file cannot be read (its own error as the reason, with the file and line)
 * @example
 * ```ts
 * import { memInfoFromProc } from "@pagealloc/report";
 * const zoneinfo = "Node 0, zone   Normal\n  pages free     1000\n        boost    0\n        min      100\n        low      125\n" +
 *   "        high     150\n        spanned  4096\n        present  4096\n        managed  4000\n        protection: (0, 0, 0, 0, 0)\n";
 * const mi = memInfoFromProc({ zoneinfo, buddyinfo: "Node 0, zone   Normal   1000      0      0 \n" });
 * console.log(mi.zones[0].name, mi.zones[0].fields.min.pages, mi.zones[0].freeArea.orders.length); // => Normal 100 3
 * ```
 */
export function memInfoFromProc(files: ProcFiles): ReportMemInfo {
  const pageSizeKb = files.pageSizeKb ?? 4;
  const { parsed, buddy } = parseZoneinfoAndBuddyinfo(files);
  const letters = files.pagetypeinfo === undefined ? null : readPagetypeLetters(files.pagetypeinfo);
  const zones: ReportZone[] = [];
  for (const z of parsed.zones) {
    if (z.present === 0 && z.freePages === 0) continue;
    const fields: Record<string, ReportQuantity> = {
      free: count(z.freePages),
      boost: count(z.boost ?? 0),
      min: count(z.min),
      low: count(z.low),
      high: count(z.high),
      present: count(z.present),
    };
    if (z.managed !== undefined) fields.managed = count(z.managed);
    const cma = z.stats.find(([k]) => k === "nr_free_cma");
    if (cma) fields.free_cma = count(cma[1]);
    const b = buddy.find((x) => x.nid === z.nid && x.zone === z.name);
    let freeArea: ReportFreeArea | null = null;
    if (b) {
      const row = letters?.get(`${z.nid}/${z.name}`);
      const orders = b.nrFree.map((n, o) => ({ order: o, count: n, sizeKb: pageSizeKb * 2 ** o, letters: row?.[o] ?? "" }));
      const sumKb = orders.reduce((a, o) => a + o.count * o.sizeKb, 0);
      freeArea = { line: 0, orders, totalKb: sumKb, sumKb };
    }
    zones.push({ nid: z.nid, name: z.name, line: z.line, fields, allUnreclaimable: null, lowmemReserve: z.protection, lowmemReserveLine: null, freeArea });
  }
  return {
    line: 0,
    globals: {},
    nodes: [],
    zones,
    hugepages: [],
    totals: {},
    freeSwapKb: null,
    totalSwapKb: null,
    pageSizeKb,
    pageSizeFrom: "default",
    otherLines: [],
  };
}
