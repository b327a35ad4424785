import { cInt, cStr } from "./c-format";
import { InvalidBuddyinfoError } from "./errors";

/** One line of `/proc/buddyinfo`: the free block counts of one populated zone. */
export interface BuddyinfoZone {
  /** NUMA node id. */
  readonly nid: number;
  /** Zone name as printed (`DMA`, `DMA32`, `Normal`, `HighMem`, `Movable`). */
  readonly zone: string;
  /** `free_area[order].nr_free` for order 0 … NR_PAGE_ORDERS − 1 (free blocks, all migratetypes). */
  readonly nrFree: readonly number[];
}

const LINE_RE = /^Node (\d+), zone +(\S+)((?: +\d+)+) *$/;
/** The rest of a zone line that a mail client wrapped: counts only (never a buddyinfo line by itself). */
const WRAPPED_RE = /^\s*\d+(?: +\d+)* *$/;

/**
 * Parse `/proc/buddyinfo` text (any number of orders per line; every line must have the same count).
 * A zone line wrapped by a mail client (the last counts on the next, indented line) is joined back.
 * kernel: mm/vmstat.c frag_show() (the format it prints)
 *
 * @param text - the file's content
 * @param source - a name for error locations (default `buddyinfo`)
 * @returns one entry per line, in file order
 * @throws {InvalidBuddyinfoError} naming the line that is not a buddyinfo line
 * @example
 * ```ts
 * import { parseBuddyinfo } from "@pagealloc/buddy";
 * const zones = parseBuddyinfo("Node 0, zone      DMA      1      0      2 \n");
 * console.log(zones[0].zone, zones[0].nrFree.join(",")); // => DMA 1,0,2
 * ```
 */
export function parseBuddyinfo(text: string, source = "buddyinfo"): BuddyinfoZone[] {
  if (typeof text !== "string") throw new InvalidBuddyinfoError("buddyinfo text must be a string", source);
  const rows: { nid: number; zone: string; nrFree: number[]; line: number }[] = [];
  const lines = text.split("\n");
  let previous: (typeof rows)[number] | null = null;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const where = `${source}:${i + 1}`;
    if (line.trim() === "") {
      previous = null;
      return;
    }
    const counts = (s: string) => s.trim().split(/ +/).map(Number);
    if (previous !== null && WRAPPED_RE.test(line)) {
      previous.nrFree.push(...counts(line));
      return;
    }
    const m = LINE_RE.exec(line);
    if (!m) throw new InvalidBuddyinfoError(`not a buddyinfo line: ${JSON.stringify(line.slice(0, 80))}`, where);
    previous = { nid: Number(m[1]), zone: m[2] as string, nrFree: counts(m[3] as string), line: i + 1 };
    rows.push(previous);
  });
  if (rows.length === 0) throw new InvalidBuddyinfoError("no zone lines", source);
  const orders = (rows[0] as (typeof rows)[number]).nrFree.length;
  for (const r of rows) {
    const where = `${source}:${r.line}`;
    if (r.nrFree.length !== orders) throw new InvalidBuddyinfoError(`expected ${orders} order columns, found ${r.nrFree.length}`, where);
    for (const n of r.nrFree) if (!Number.isSafeInteger(n)) throw new InvalidBuddyinfoError(`count too large: ${n}`, where);
  }
  return rows.map((r) => ({ nid: r.nid, zone: r.zone, nrFree: r.nrFree }));
}

/**
 * Format buddyinfo lines exactly as the kernel prints them: `"Node %d, zone %8s "` then `"%6lu "` per order.
 * kernel: mm/vmstat.c frag_show_print()
 *
 * @example
 * ```ts
 * import { formatBuddyinfo } from "@pagealloc/buddy";
 * const text = formatBuddyinfo([{ nid: 0, zone: "DMA", nrFree: [1, 0, 2] }]);
 * console.log(JSON.stringify(text)); // => "Node 0, zone      DMA      1      0      2 \n"
 * ```
 */
export function formatBuddyinfo(zones: readonly BuddyinfoZone[]): string {
  let s = "";
  for (const z of zones) {
    s += `Node ${z.nid}, zone ${cStr(z.zone, 8)} `;
    for (const n of z.nrFree) s += `${cInt(n, 6)} `;
    s += "\n";
  }
  return s;
}
