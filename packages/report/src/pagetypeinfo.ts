import { InvalidReportError } from "./errors";

/** One `Node N, zone Z, type T  c0 c1 …` row: free blocks per order on one migratetype's list. */
export interface PagetypeFreeRow {
  readonly nid: number;
  readonly zone: string;
  /** The migratetype name as printed (`Unmovable`, `Reclaimable`, `Movable`, `Reserve`, `HighAtomic`, `CMA`, `Isolate`). */
  readonly type: string;
  /** Free blocks per order; a count printed as `>100000` (5.3+ stop counting there) is 100000. */
  readonly counts: readonly number[];
  /** Orders whose count was printed as `>100000`. */
  readonly capped: readonly number[];
  /** 1-based line of the row. */
  readonly line: number;
}

/** One row of the `Number of blocks type` (or `Number of mixed blocks`) table. */
export interface PagetypeBlockRow {
  readonly nid: number;
  readonly zone: string;
  /** Pageblocks per migratetype, by the names of the table's header. */
  readonly blocks: Readonly<Record<string, number>>;
  readonly line: number;
}

/** A parsed /proc/pagetypeinfo. */
export interface ParsedPagetypeinfo {
  /** `Page block order: 9` (printed once per node), null if the header was not pasted. */
  readonly pageblockOrder: number | null;
  readonly pagesPerBlock: number | null;
  readonly free: readonly PagetypeFreeRow[];
  readonly blocks: readonly PagetypeBlockRow[];
  /** CONFIG_PAGE_OWNER: `Number of mixed blocks` table. */
  readonly mixedBlocks: readonly PagetypeBlockRow[];
}

const FREE_ROW_RE = /^Node\s+(\d+), zone\s+(\S+), type\s+(\S+)((?:\s+>?\d+)+)\s*$/;
const BLOCK_ROW_RE = /^Node\s+(\d+), zone\s+(\S+)((?:\s+\d+)+)\s*$/;
const HEADER_RE = /^(Page block order|Pages per block):\s+(\d+)\s*$/;
const FREE_HEADER_RE = /^Free pages count per migrate type at order((?:\s+\d+)+)\s*$/;
const TABLE_HEADER_RE = /^Number of (blocks|mixed blocks) type((?:\s+[A-Za-z]+)+)\s*$/;
/** The rest of a line that a mail client wrapped: numbers (or the type names of a header) only; never a line by itself. */
const WRAPPED_RE = /^\s*(?:>?\d+|[A-Z][A-Za-z]*)(?:\s+(?:>?\d+|[A-Z][A-Za-z]*))*\s*$/;

/**
 * Parse /proc/pagetypeinfo of any kernel from 2.6.24 to 6.x: the page block size, the free blocks per order
 * of every migratetype list (2.6.24–4.3 `Reserve`, 3.5+ `CMA`, 2.6.25+ `Isolate`, 4.4+ `HighAtomic`, 5.3+
 * counts capped at `>100000`), the pageblock counts per type, and CONFIG_PAGE_OWNER's mixed-block table.
 * The header repeats per node; lines wrapped by a mail client (an indented rest of numbers) are joined back.
 * kernel: mm/vmstat.c pagetypeinfo_show(), pagetypeinfo_showfree_print(), pagetypeinfo_showblockcount_print()
 *
 * @param text - the file's content
 * @param source - a name for error locations (default `pagetypeinfo`)
 * @returns the rows in file order
 * @throws {InvalidReportError} with `SOURCE:LINE:COLUMN` at the first line that is none of these
 * @example
 * ```ts
 * import { parsePagetypeinfo } from "@pagealloc/report";
 * const p = parsePagetypeinfo("Page block order: 9\nPages per block:  512\n\nFree pages count per migrate type at order       0      1\nNode    0, zone      DMA, type      Reserve      0      1\n");
 * console.log(p.pageblockOrder, p.free[0].type, p.free[0].counts.join(",")); // => 9 Reserve 0,1
 * ```
 */
export function parsePagetypeinfo(text: string, source = "pagetypeinfo"): ParsedPagetypeinfo {
  if (typeof text !== "string") throw new InvalidReportError("pagetypeinfo text must be a string", source);
  // Join wrapped rests first, keeping the number of the line each logical line starts on.
  const logical: { text: string; line: number }[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const prev = logical[logical.length - 1];
    if (prev && prev.text.trim() !== "" && WRAPPED_RE.test(line) && /\d|[a-z]/.test(prev.text)) {
      prev.text = `${prev.text.trimEnd()} ${line.trim()}`;
      return;
    }
    logical.push({ text: line, line: i + 1 });
  });
  let pageblockOrder: number | null = null;
  let pagesPerBlock: number | null = null;
  let orders: number | null = null;
  let table: { kind: "blocks" | "mixed blocks"; types: string[] } | null = null;
  const free: PagetypeFreeRow[] = [];
  const blocks: PagetypeBlockRow[] = [];
  const mixedBlocks: PagetypeBlockRow[] = [];
  const fail = (reason: string, line: number, column: number): never => {
    throw new InvalidReportError(reason, `${source}:${line}:${column}`);
  };
  for (const { text: t, line } of logical) {
    if (t.trim() === "") continue;
    const column = t.length - t.trimStart().length + 1;
    const h = HEADER_RE.exec(t.trim());
    if (h) {
      if (h[1] === "Page block order") pageblockOrder = Number(h[2]);
      else pagesPerBlock = Number(h[2]);
      table = null;
      continue;
    }
    const fh = FREE_HEADER_RE.exec(t.trim());
    if (fh) {
      orders = (fh[1] as string).trim().split(/\s+/).length;
      table = null;
      continue;
    }
    const th = TABLE_HEADER_RE.exec(t.trim());
    if (th) {
      table = { kind: th[1] as "blocks" | "mixed blocks", types: (th[2] as string).trim().split(/\s+/) };
      continue;
    }
    const fr = FREE_ROW_RE.exec(t.trim());
    if (fr) {
      const words = (fr[4] as string).trim().split(/\s+/);
      if (orders !== null && words.length !== orders) fail(`expected ${orders} order columns, found ${words.length}`, line, column);
      const capped: number[] = [];
      const counts = words.map((w, o) => {
        if (w.startsWith(">")) capped.push(o);
        return Number(w.replace(">", ""));
      });
      free.push({ nid: Number(fr[1]), zone: fr[2] as string, type: fr[3] as string, counts, capped, line });
      continue;
    }
    const br = BLOCK_ROW_RE.exec(t.trim());
    if (br) {
      if (table === null) fail("a pageblock count row before its \"Number of blocks type\" header", line, column);
      const tbl = table as { kind: "blocks" | "mixed blocks"; types: string[] };
      const nums = (br[3] as string).trim().split(/\s+/).map(Number);
      if (nums.length !== tbl.types.length) fail(`expected ${tbl.types.length} pageblock counts (${tbl.types.join(", ")}), found ${nums.length}`, line, column);
      const row: PagetypeBlockRow = { nid: Number(br[1]), zone: br[2] as string, blocks: Object.fromEntries(tbl.types.map((ty, k) => [ty, nums[k] as number])), line };
      (tbl.kind === "blocks" ? blocks : mixedBlocks).push(row);
      continue;
    }
    fail(`not a /proc/pagetypeinfo line: ${JSON.stringify(t.trim().slice(0, 80))}`, line, column);
  }
  if (free.length === 0 && blocks.length === 0) throw new InvalidReportError("no \"Node N, zone Z, type T\" rows", `${source}:1:1`);
  return { pageblockOrder, pagesPerBlock, free, blocks, mixedBlocks };
}
