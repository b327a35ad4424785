import { InvalidReportError } from "./errors";
import { splitLogPrefix, stripLogPrefix } from "./log-prefix";
import type {
  FailureLineForm,
  FailureReport,
  ParsedReports,
  ReportFreeArea,
  ReportFreeAreaOrder,
  ReportHugepages,
  ReportMemInfo,
  ReportNode,
  ReportProblem,
  ReportQuantity,
  ReportTask,
  ReportZone,
} from "./report-types";

// Every regular expression below is anchored at the start of a (logical) line and has no nested
// quantifiers, so each line is read in time linear in its length and the whole text in linear time.

/** The kinds of line a report is made of. */
type LineKind =
  | "failure"
  | "task"
  | "hardware"
  | "calltrace"
  | "meminfo"
  | "globals"
  | "node"
  | "zone"
  | "lowmem"
  | "freearea"
  | "hugepages"
  | "total"
  | "swap"
  | "swapcache"
  | "pcp"
  | "cpuset"
  | "suppressed";

const FAILURE_MARK = ": page allocation failure";
/** ≤ 4.8 __vmalloc_area_node(): warn_alloc_failed(…, "vmalloc: allocation failure, allocated %ld of %ld bytes"). */
const VMALLOC_RE = /^vmalloc: allocation failure, allocated (\d+) of (\d+) bytes$/;
/** TASK_COMM_LEN − 1: warn_alloc prints current->comm, at most 15 characters. */
const TASK_COMM_MAX = 15;
const FAILURE_AFTER_MARK_RE = /^[.:](?: order:|\s*$)/;
const FAILURE_REST_RE = /^([.:]) order:(\d+), mode:0x([0-9a-fA-F]+)(?:\(([^()]*)\))?(.*)$/;
// "Kdump: loaded" (3.10+ when a crash kernel is loaded) sits between the comm and the taint; RHEL kernels print
// "------------" after the taint flags.
const TASK_RE = /^CPU: (\d+) (?:UID: (\d+) )?PID: (\d+) Comm: (.{1,16}?) (?:Kdump: loaded )?(?:Not tainted|Tainted: ([A-Z ]*?)) ?(?:-{4,} +)?(\d+\.\d+\S*) #(\S+)(.*)$/;
/** The task line is complete once its build number (`#1`) is there. */
const TASK_BUILD_RE = / #\S/;
const OLD_TASK_RE = /^Pid: (\d+), comm: (.{1,20}?) (?:Not tainted|Tainted: ([A-Z ]*?)) ?(\d+\.\d+\S*) #(\S+)(.*)$/;
const NODE_PREFIX_RE = /^Node (\d+) /;
const ZONE_START_RE = /^(?:Node (\d+) )?([A-Za-z][A-Za-z0-9]*) free:\d+kB(?:\s|$)/;
const FREEAREA_START_RE = /^(?:Node (\d+) )?([A-Za-z][A-Za-z0-9]*): \d+\*\d+kB/;
const HUGEPAGES_RE = /^Node (\d+) hugepages_total=(\d+) hugepages_free=(\d+) hugepages_surp=(\d+) hugepages_size=(\d+)kB$/;
const HUGEPAGES_START_RE = /^Node \d+ hugepages_total=/;
/** The head of a zone/free-area/node line cut off by a wrap: `Node 0`, `Node 0 Normal`, `Normal:`. */
const SPLIT_HEAD_RE = /^(?:Node \d{1,4}(?: [A-Za-z][A-Za-z0-9]{0,15}:?)?|[A-Za-z][A-Za-z0-9]{0,15}:?)$/;
const NODE_START_RE = /^Node \d+ [a-z_]+:/;
const TOTAL_RE = /^(-?\d+) ((?:total pagecache pages|pages? [A-Za-z].*))$/;
const SWAP_RE = /^(Free swap|Total swap)\s*[=:]\s*(-?\d+)kB$/;
// Per-cpu pageset lines: "Normal per-cpu:" ("…: empty" ≤ 2.6.2x), "CPU    0: hi: …" (2.6.2x–4.x) or
// "cpu 0 hot: high 42, batch 7 used:30" (≤ 2.6.2x); "Free pages: 976kB (0kB HighMem)" (≤ 2.6.2x); the free-area
// line of a zone without pages, "DMA32: empty" (≤ 2.6.2x). Kept as text.
const PCP_RE = /^(?:(?:Node \d+ )?[A-Za-z][A-Za-z0-9]*(?: per-cpu:(?: empty)?|: empty)$|CPU\s+\d+: |cpu \d+ (?:hot|cold): |Free pages:\s+\d+kB)/;
const GLOBALS_RE = /^[A-Za-z_][A-Za-z0-9_]*:\d+(?:\s|$)/;
const FIELD_RE = /^([A-Za-z_][A-Za-z0-9_()-]*):(.*)$/;
const VALUE_RE = /^(-?\d+)(kB|KB)?$/;
const ORDER_RE = /^(\d+)\*(\d+)kB$/;
const LETTERS_RE = /^\(([A-Z]*)\)$/;
const TOTAL_KB_RE = /^(\d+)kB$/;

/**
 * A line the person who pasted the log put in for text they cut: `.`, `...`, `......`, `…`, `[...]`, `<snip>`,
 * `<..snip..>`, `(...snipped...)`. Not kernel output; inside Mem-Info it means the rest may be missing.
 */
const ELISION_RE = /^(?:\.+|…|\[\s*(?:\.{3,}|…)\s*\]|[<([]\s*\.*\s*snip(?:ped)?\s*\.*\s*[>)\]])$/i;
/** Quoted-printable (mail bodies kept encoded): a soft line break is a trailing "=", "=3D" is "=". */
const QP_SOFT_BREAK_RE = /=\r?$/m;
const QP_ESCAPE_RE = /=([0-9A-F]{2})/g;

/**
 * The text's lines with the 1-based number of the line each starts on. A mail body kept in
 * quoted-printable (a line ending in the soft break "=" and an "=3D" escape somewhere) is decoded
 * first: soft-broken lines are joined and =XX escapes replaced, so the kernel's lines come back.
 */
function logicalLines(text: string): { lines: string[]; lineNos: number[] } {
  const { lines, lineNos } = decodeQuotedPrintable(text);
  if (!text.includes(RSYSLOG_LF)) return { lines, lineNos };
  // rsyslog writes the newlines inside one printk (show_mem's global counters) as "#012": split them back.
  const outLines: string[] = [];
  const outNos: number[] = [];
  lines.forEach((l, i) => {
    for (const part of l.split(RSYSLOG_LF)) {
      outLines.push(part);
      outNos.push(lineNos[i] as number);
    }
  });
  return { lines: outLines, lineNos: outNos };
}

/** rsyslog's escape of a control character: '#' and its octal code; 012 is the newline. */
const RSYSLOG_LF = "#012";

function decodeQuotedPrintable(text: string): { lines: string[]; lineNos: number[] } {
  const physical = text.split("\n");
  const lineNos = physical.map((_l, i) => i + 1);
  if (!(text.includes("=3D") && QP_SOFT_BREAK_RE.test(text))) return { lines: physical, lineNos };
  const lines: string[] = [];
  const nos: number[] = [];
  let acc: string | null = null;
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = (physical[i] as string).replace(/\r$/, "");
    if (acc === null) start = i + 1;
    const soft = raw.endsWith("=");
    acc = (acc ?? "") + (soft ? raw.slice(0, -1) : raw);
    if (soft && i + 1 < physical.length) continue;
    lines.push(acc.replace(QP_ESCAPE_RE, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))));
    nos.push(start);
    acc = null;
  }
  return { lines, lineNos: nos };
}

/** A failure line (not, say, a mail subject quoting one): the mark is followed by the order, or by nothing (wrapped). */
function isFailureLine(text: string): boolean {
  // A mail's Subject: header often quotes the failure line; it is not one.
  if (text.startsWith("Subject:")) return false;
  const at = text.indexOf(FAILURE_MARK);
  return at >= 0 && FAILURE_AFTER_MARK_RE.test(text.slice(at + FAILURE_MARK.length));
}

function classify(text: string, inGlobals: boolean): LineKind | null {
  if (isFailureLine(text)) return "failure";
  if (text.startsWith("CPU: ") || text.startsWith("Pid: ")) return "task";
  if (text.startsWith("Hardware name:")) return "hardware";
  if (text.startsWith("Call Trace:")) return "calltrace";
  if (text === "Mem-Info:" || text === "Mem-info:") return "meminfo";
  if (text.startsWith("lowmem_reserve[]:")) return "lowmem";
  if (HUGEPAGES_START_RE.test(text)) return "hugepages";
  if (FREEAREA_START_RE.test(text)) return "freearea";
  if (ZONE_START_RE.test(text)) return "zone";
  if (PCP_RE.test(text)) return "pcp";
  if (NODE_START_RE.test(text)) return "node";
  if (TOTAL_RE.test(text)) return "total";
  if (SWAP_RE.test(text)) return "swap";
  if (text.startsWith("Swap cache")) return "swapcache";
  if (text.endsWith("callbacks suppressed")) return "suppressed";
  if (text.includes(" cpuset=") && text.includes(" mems_allowed=")) return "cpuset";
  if (inGlobals && GLOBALS_RE.test(text)) return "globals";
  return null;
}

function safeInt(s: string): number | null {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

// ---- builders (mutable while reading, frozen into the report types at the end) ----

interface RawQuantity {
  value: number;
  unit: "kB" | "KB" | "";
}

interface ZoneBuilder {
  nid: number | null;
  name: string;
  line: number;
  fields: Record<string, RawQuantity>;
  allUnreclaimable: boolean | null;
  hasWatermarkLine: boolean;
  lowmemReserve: number[] | null;
  lowmemReserveLine: number | null;
  freeArea: ReportFreeArea | null;
}

interface NodeBuilder {
  line: number;
  nid: number;
  fields: Record<string, RawQuantity>;
  allUnreclaimable: boolean | null;
}

interface MemInfoBuilder {
  line: number;
  globals: Record<string, number>;
  nodes: NodeBuilder[];
  zones: ZoneBuilder[];
  /** The last zone printed for `nid/name`, to attach its free-area line. */
  zoneByKey: Map<string, ZoneBuilder>;
  hugepages: ReportHugepages[];
  totals: Record<string, number>;
  freeSwapKb: number | null;
  totalSwapKb: number | null;
  otherLines: { line: number; text: string }[];
  /** Globals are read only until the first node or zone line. */
  inGlobals: boolean;
  /** After the first trailing total: an unknown line ends the report. */
  inTail: boolean;
}

interface ReportBuilder {
  line: number;
  endLine: number;
  comm: string;
  order: number;
  gfpMask: number;
  gfpNames: string | null;
  form: FailureLineForm;
  nodemask: string | null | undefined;
  cpuset: string | undefined;
  memsAllowed: string | undefined;
  task: ReportTask | null;
  hardware: string | null;
  callTrace: string[];
  memInfo: MemInfoBuilder | null;
  /** The printk caller id of the failure line (CONFIG_PRINTK_CALLER): lines of other callers are not the report's. */
  caller: string | undefined;
  vmalloc: FailureReport["vmalloc"];
}

/** A logical line: one kernel line, possibly re-joined from several wrapped physical lines. */
interface Pending {
  kind: LineKind | null;
  line: number;
  lastLine: number;
  parts: string[];
  /** Failure line: parentheses still open (a wrap inside the flag names). */
  parenDepth: number;
  /** Free-area line: `= NkB` seen; hugepages line: all four fields; task line: the `#N` build number. */
  complete: boolean;
  /** The printk caller id of its first line, if printed. */
  caller?: string | undefined;
}

function endsFreeArea(fragment: string): boolean {
  const eq = fragment.lastIndexOf("=");
  return eq >= 0 && TOTAL_KB_RE.test(fragment.slice(eq + 1).trim());
}

function parenDelta(fragment: string): number {
  let d = 0;
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment.charCodeAt(i);
    if (c === 40) d++;
    else if (c === 41) d--;
  }
  return d;
}

/** How dmi_setup()'s "Hardware name:" line ends: the BIOS date (or its placeholder) or "(DT)". */
const HARDWARE_END_RE = /(?:\d{2}\/\d{2}\/\d{4}|mm\/dd\/yyyy|\(DT\))$/i;
/** A line of dump_stack after the hardware line: `Workqueue:`, `Backtrace:`, `[<addr>]`, `func+0x…/0x…`, stack words. */
const STACK_LINE_RE = /^(?:Workqueue:|Backtrace:|Stack:|Call [Tt]race:|task:|RIP:|Code:)|^\[<|\+0x[0-9a-f]+\/0x|^(?:[0-9a-f]{8,16} )+[0-9a-f]{8,16}$|^<[A-Z]+>/;

/** A kernel line wrapped by a mail client has a handful of pieces; the cap keeps re-joining linear. */
const MAX_WRAPPED_PIECES = 32;

/** Is `text` (not a recognised start of line) the rest of the wrapped line `p`? */
function continues(p: Pending, text: string): boolean {
  if (p.parts.length >= MAX_WRAPPED_PIECES) return false;
  switch (p.kind) {
    case "zone":
    case "node":
      // Always followed by a recognised line (lowmem_reserve, zone, node): anything else is its tail.
      return true;
    case "freearea":
      return !p.complete;
    case "lowmem":
      return /^[\d ]+$/.test(text);
    case "hugepages":
      return !p.complete;
    case "swapcache":
      // "Swap cache: add 0, delete 0, find" + "0/0, race 0+0" (the ≤ 2.6.2x "race" part wrapped)
      return /^(?:[\d/+, ]|race)+$/.test(text);
    case "failure": {
      const last = p.parts[p.parts.length - 1] ?? "";
      return (
        p.parenDepth > 0 ||
        last.endsWith(",") ||
        last.endsWith("=") ||
        last.endsWith(":") ||
        text.startsWith("order:") ||
        text.startsWith("nodemask=") ||
        text.startsWith(",") ||
        text.startsWith("cpuset=") ||
        text.startsWith("mems_allowed=") ||
        text.startsWith("mode:")
      );
    }
    case "task":
      return !p.complete;
    case "hardware": {
      // "Hardware name: VENDOR PRODUCT, BIOS VERSION DATE" (or "(DT)"): a line a mail client broke before the
      // BIOS date goes on with the rest, which is not a stack line.
      const last = p.parts[p.parts.length - 1] ?? "";
      return p.parts.length < 3 && !HARDWARE_END_RE.test(last) && !STACK_LINE_RE.test(text);
    }
    default:
      return false;
  }
}

/** Read `key:value` fields (`free:15360kB`, `shmem_thp: 0kB`, `all_unreclaimable? no`). */
function readFields(
  words: readonly string[],
  line: number,
  problems: ReportProblem[],
): { fields: Record<string, RawQuantity>; allUnreclaimable: boolean | null } {
  const fields: Record<string, RawQuantity> = {};
  let allUnreclaimable: boolean | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "all_unreclaimable?") {
      const v = words[i + 1];
      if (v === "yes" || v === "no") {
        allUnreclaimable = v === "yes";
        i++;
      } else problems.push({ line, reason: `all_unreclaimable? is followed by ${JSON.stringify(v ?? "")}, not yes/no` });
      continue;
    }
    const m = FIELD_RE.exec(w);
    if (!m) {
      problems.push({ line, reason: `cannot read ${JSON.stringify(w.slice(0, 60))} as key:value` });
      continue;
    }
    let valueText = m[2] as string;
    if (valueText === "" && i + 1 < words.length && VALUE_RE.test(words[i + 1] as string)) {
      // 4.8 printed "shmem_thp: 0kB" with a space after the colon.
      valueText = words[i + 1] as string;
      i++;
    }
    const v = VALUE_RE.exec(valueText);
    const n = v ? safeInt(v[1] as string) : null;
    if (!v || n === null) {
      problems.push({ line, reason: `cannot read the value of ${m[1]}: ${JSON.stringify(valueText.slice(0, 40))}` });
      continue;
    }
    fields[m[1] as string] = { value: n, unit: (v[2] ?? "") as RawQuantity["unit"] };
  }
  return { fields, allUnreclaimable };
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

function readFreeArea(body: string, line: number, problems: ReportProblem[]): ReportFreeArea | null {
  const words = splitWords(body);
  const orders: ReportFreeAreaOrder[] = [];
  let totalKb: number | null = null;
  let sumKb = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const m = ORDER_RE.exec(w);
    if (m) {
      const count = safeInt(m[1] as string);
      const sizeKb = safeInt(m[2] as string);
      if (count === null || sizeKb === null) {
        problems.push({ line, reason: `number too large in ${JSON.stringify(w)}` });
        return null;
      }
      let letters = "";
      const next = words[i + 1];
      const lm = next === undefined ? null : LETTERS_RE.exec(next);
      if (lm) {
        letters = lm[1] as string;
        i++;
      }
      orders.push({ order: orders.length, count, sizeKb, letters });
      sumKb += count * sizeKb;
      continue;
    }
    if (w === "=") {
      const t = words[i + 1];
      const tm = t === undefined ? null : TOTAL_KB_RE.exec(t);
      if (!tm || i + 2 !== words.length) {
        problems.push({ line, reason: `cannot read the total after "=": ${JSON.stringify(words.slice(i + 1).join(" ").slice(0, 40))}` });
        return null;
      }
      totalKb = safeInt(tm[1] as string);
      break;
    }
    problems.push({ line, reason: `cannot read ${JSON.stringify(w.slice(0, 60))} in a free-area line` });
    return null;
  }
  if (totalKb === null) {
    problems.push({ line, reason: "free-area line has no \"= NkB\" total (cut off?)" });
    return null;
  }
  for (let o = 1; o < orders.length; o++) {
    if ((orders[o] as ReportFreeAreaOrder).sizeKb !== (orders[0] as ReportFreeAreaOrder).sizeKb * 2 ** o) {
      problems.push({ line, reason: `order ${o} block size ${(orders[o] as ReportFreeAreaOrder).sizeKb}kB is not twice the previous order's` });
      return null;
    }
  }
  return { line, orders, totalKb, sumKb };
}

function readFailureLine(text: string, line: number, problems: ReportProblem[]): ReportBuilder | null {
  const at = text.indexOf(FAILURE_MARK);
  const comm = text.slice(0, at).trim();
  if (comm.length > TASK_COMM_MAX) {
    problems.push({ line, reason: `${JSON.stringify(comm.slice(0, 40))} is longer than a task name (${TASK_COMM_MAX} characters): an unknown log prefix? not read as a report` });
    return null;
  }
  const m = FAILURE_REST_RE.exec(text.slice(at + FAILURE_MARK.length));
  if (!m) {
    problems.push({ line, reason: "a \"page allocation failure\" line without a readable order:N, mode:0x… part" });
    return null;
  }
  const order = safeInt(m[2] as string);
  const gfpMask = Number.parseInt(m[3] as string, 16);
  if (order === null || !Number.isSafeInteger(gfpMask)) {
    problems.push({ line, reason: "order or mode out of range" });
    return null;
  }
  const names = m[4];
  const form: FailureLineForm = m[1] === "." ? "dot-hex" : names === undefined ? "colon-hex" : "colon-named";
  const b: ReportBuilder = {
    line,
    endLine: line,
    comm,
    order,
    gfpMask,
    gfpNames: names ?? null,
    form,
    nodemask: undefined,
    cpuset: undefined,
    memsAllowed: undefined,
    task: null,
    hardware: null,
    callTrace: [],
    memInfo: null,
    caller: undefined,
    vmalloc: null,
  };
  let tail = (m[5] as string).trim();
  if (tail.startsWith(", nodemask=") || tail.startsWith(",nodemask=")) {
    tail = tail.slice(tail.indexOf("=") + 1);
    const end = tail.indexOf(",cpuset=");
    const nm = (end < 0 ? tail : tail.slice(0, end)).trim();
    b.nodemask = nm === "(null)" ? null : nm;
    tail = end < 0 ? "" : tail.slice(end);
  }
  if (tail.startsWith(",cpuset=")) {
    const mems = tail.lastIndexOf(",mems_allowed=");
    if (mems > 0) {
      b.cpuset = tail.slice(",cpuset=".length, mems);
      b.memsAllowed = tail.slice(mems + ",mems_allowed=".length).trim();
      tail = "";
    }
  }
  if (tail !== "") problems.push({ line, reason: `cannot read ${JSON.stringify(tail.slice(0, 60))} after the mode` });
  return b;
}

function readTask(text: string, line: number): ReportTask | null {
  const m = TASK_RE.exec(text);
  if (m) {
    return {
      line,
      cpu: Number(m[1]),
      uid: m[2] === undefined ? null : Number(m[2]),
      pid: Number(m[3]),
      comm: m[4] as string,
      tainted: m[5] === undefined ? null : m[5].trim(),
      release: m[6] as string,
      build: m[7] as string,
      extra: (m[8] as string).trim(),
    };
  }
  const o = OLD_TASK_RE.exec(text);
  if (o) {
    return {
      line,
      cpu: null,
      uid: null,
      pid: Number(o[1]),
      comm: o[2] as string,
      tainted: o[3] === undefined ? null : o[3].trim(),
      release: o[4] as string,
      build: o[5] as string,
      extra: (o[6] as string).trim(),
    };
  }
  return null;
}

function newMemInfo(line: number): MemInfoBuilder {
  return {
    line,
    globals: {},
    nodes: [],
    zones: [],
    zoneByKey: new Map(),
    hugepages: [],
    totals: {},
    freeSwapKb: null,
    totalSwapKb: null,
    otherLines: [],
    inGlobals: true,
    inTail: false,
  };
}

function freezeQuantities(fields: Record<string, RawQuantity>, pageSizeKb: number): Record<string, ReportQuantity> {
  const out: Record<string, ReportQuantity> = {};
  for (const [k, q] of Object.entries(fields)) {
    const pages = q.unit === "" ? q.value : q.value % pageSizeKb === 0 ? q.value / pageSizeKb : null;
    out[k] = { value: q.value, unit: q.unit, pages };
  }
  return out;
}

function freezeMemInfo(mi: MemInfoBuilder, problems: ReportProblem[]): ReportMemInfo {
  let pageSizeKb = 4;
  let pageSizeFrom: ReportMemInfo["pageSizeFrom"] = "default";
  for (const z of mi.zones) {
    const first = z.freeArea?.orders[0];
    if (first === undefined) continue;
    if (pageSizeFrom === "default") {
      pageSizeKb = first.sizeKb;
      pageSizeFrom = "free-area";
    } else if (first.sizeKb !== pageSizeKb) {
      problems.push({ line: z.freeArea?.line ?? z.line, reason: `order-0 block size ${first.sizeKb}kB differs from ${pageSizeKb}kB of an earlier zone` });
    }
  }
  const zones: ReportZone[] = mi.zones.map((z) => ({
    nid: z.nid,
    name: z.name,
    line: z.line,
    fields: freezeQuantities(z.fields, pageSizeKb),
    allUnreclaimable: z.allUnreclaimable,
    lowmemReserve: z.lowmemReserve,
    lowmemReserveLine: z.lowmemReserveLine,
    freeArea: z.freeArea,
  }));
  for (const z of zones) {
    for (const [k, q] of Object.entries(z.fields)) {
      if (q.pages === null) problems.push({ line: z.line, reason: `${k}:${q.value}${q.unit} is not a whole number of ${pageSizeKb}kB pages` });
    }
  }
  const nodes: ReportNode[] = mi.nodes.map((n) => ({
    line: n.line,
    nid: n.nid,
    fields: freezeQuantities(n.fields, pageSizeKb),
    allUnreclaimable: n.allUnreclaimable,
  }));
  return {
    line: mi.line,
    globals: mi.globals,
    nodes,
    zones,
    hugepages: mi.hugepages,
    totals: mi.totals,
    freeSwapKb: mi.freeSwapKb,
    totalSwapKb: mi.totalSwapKb,
    pageSizeKb,
    pageSizeFrom,
    otherLines: mi.otherLines,
  };
}

function freezeReport(b: ReportBuilder, problems: ReportProblem[]): FailureReport {
  return {
    line: b.line,
    endLine: b.endLine,
    comm: b.comm,
    order: b.order,
    gfpMask: b.gfpMask,
    gfpNames: b.gfpNames,
    form: b.form,
    nodemask: b.nodemask,
    cpuset: b.cpuset,
    memsAllowed: b.memsAllowed,
    task: b.task,
    kernelRelease: b.task?.release ?? null,
    hardware: b.hardware,
    callTrace: b.callTrace,
    memInfo: b.memInfo === null ? null : freezeMemInfo(b.memInfo, problems),
    vmalloc: b.vmalloc,
  };
}

/**
 * Read every "page allocation failure" report in a log (dmesg, syslog, journalctl, logcat, a
 * mail with quoted and re-wrapped lines; CRLF or LF), from 2.6.x to 6.19: the failure line, the
 * task line (which names the kernel release), the stack dump as text, and show_mem's Mem-Info
 * (global counters, per-node and per-zone lines, lowmem_reserve[], the free-area lines with
 * migratetype letters, hugepages and the trailing totals).
 * kernel: mm/page_alloc.c warn_alloc() and mm/show_mem.c __show_mem() (the formats they print)
 *
 * Nothing is guessed: what cannot be read is listed in `problems` with its line number, and the
 * field is left out. Lines between reports are ignored.
 *
 * @param text - the log text
 * @returns the reports in file order and the problems found
 * @throws {InvalidReportError} only when `text` is not a string
 * @example
 * ```ts
 * import { parseFailureReports } from "@pagealloc/report";
 * const { reports } = parseFailureReports("<4>[  1.0] swapper: page allocation failure. order:1, mode:0x20\n");
 * console.log(reports[0].comm, reports[0].order, reports[0].gfpMask, reports[0].form); // => swapper 1 32 dot-hex
 * ```
 */
export function parseFailureReports(text: string): ParsedReports {
  if (typeof text !== "string") throw new InvalidReportError(`the report must be text, got ${typeof text}`, "text");
  const problems: ReportProblem[] = [];
  const reports: FailureReport[] = [];
  let cur: ReportBuilder | null = null;
  let pending: Pending | null = null;

  const finish = () => {
    if (cur) reports.push(freezeReport(cur, problems));
    cur = null;
  };

  const addZone = (mi: MemInfoBuilder, z: ZoneBuilder) => {
    mi.zones.push(z);
    mi.zoneByKey.set(`${z.nid}/${z.name}`, z);
  };

  /** The logical line before the one being processed (for the ≤ 4.8 vmalloc message). */
  let previous: { text: string; line: number } | null = null;
  const processLine = (p: Pending) => {
    const textLine = p.parts.join(" ");
    const line = p.line;
    const before = previous;
    previous = { text: textLine, line };
    processKind(p, textLine, line, before);
  };
  const processKind = (p: Pending, textLine: string, line: number, previousLine: { text: string; line: number } | null) => {
    if (p.kind === "failure") {
      finish();
      cur = readFailureLine(textLine, line, problems);
      if (cur) {
        cur.caller = p.caller;
        const v = previousLine === null ? null : VMALLOC_RE.exec(previousLine.text);
        if (v && previousLine) cur.vmalloc = { line: previousLine.line, allocatedBytes: Number(v[1]), requestedBytes: Number(v[2]) };
      }
      return;
    }
    const r: ReportBuilder | null = cur;
    if (r === null) return;
    r.endLine = p.lastLine;
    const ensureMemInfo = (): MemInfoBuilder => {
      r.memInfo ??= newMemInfo(line);
      return r.memInfo;
    };
    switch (p.kind) {
      case "task": {
        const t = readTask(textLine, line);
        if (t && r.task === null) r.task = t;
        else if (!t) problems.push({ line, reason: "cannot read the CPU/PID/Comm line (kernel release unknown)" });
        return;
      }
      case "hardware":
        r.hardware = textLine.slice("Hardware name:".length).trim();
        return;
      case "calltrace":
        r.callTrace.push(textLine);
        return;
      case "meminfo":
        if (r.memInfo) problems.push({ line, reason: "a second Mem-Info: in one report" });
        else r.memInfo = newMemInfo(line);
        return;
      case "globals": {
        const mi = ensureMemInfo();
        const { fields } = readFields(splitWords(textLine), line, problems);
        for (const [k, q] of Object.entries(fields)) mi.globals[k] = q.value;
        return;
      }
      case "node": {
        const mi = ensureMemInfo();
        mi.inGlobals = false;
        const m = NODE_PREFIX_RE.exec(textLine) as RegExpExecArray;
        const { fields, allUnreclaimable } = readFields(splitWords(textLine.slice(m[0].length)), line, problems);
        mi.nodes.push({ line, nid: Number(m[1]), fields, allUnreclaimable });
        return;
      }
      case "zone": {
        const mi = ensureMemInfo();
        mi.inGlobals = false;
        const m = ZONE_START_RE.exec(textLine) as RegExpExecArray;
        const nid = m[1] === undefined ? null : Number(m[1]);
        const name = m[2] as string;
        const head = (m[1] === undefined ? 0 : `Node ${m[1]} `.length) + name.length;
        const { fields, allUnreclaimable } = readFields(splitWords(textLine.slice(head)), line, problems);
        addZone(mi, {
          nid,
          name,
          line,
          fields,
          allUnreclaimable,
          hasWatermarkLine: true,
          lowmemReserve: null,
          lowmemReserveLine: null,
          freeArea: null,
        });
        return;
      }
      case "lowmem": {
        const mi = ensureMemInfo();
        const z = mi.zones[mi.zones.length - 1];
        const nums = splitWords(textLine.slice("lowmem_reserve[]:".length)).map(safeInt);
        if (!z || z.lowmemReserve !== null || !z.hasWatermarkLine) {
          problems.push({ line, reason: "lowmem_reserve[] line that does not follow a zone line" });
        } else if (nums.some((n) => n === null)) {
          problems.push({ line, reason: "cannot read the lowmem_reserve[] numbers" });
        } else {
          z.lowmemReserve = nums as number[];
          z.lowmemReserveLine = line;
        }
        return;
      }
      case "freearea": {
        const mi = ensureMemInfo();
        mi.inGlobals = false;
        const m = FREEAREA_START_RE.exec(textLine) as RegExpExecArray;
        const nid = m[1] === undefined ? null : Number(m[1]);
        const name = m[2] as string;
        const body = textLine.slice(textLine.indexOf(": ") + 2);
        const fa = readFreeArea(body, line, problems);
        if (fa === null) return;
        const z = mi.zoneByKey.get(`${nid}/${name}`);
        if (z && z.freeArea === null) z.freeArea = fa;
        else if (z) problems.push({ line, reason: `a second free-area line for zone ${name}` });
        else {
          addZone(mi, {
            nid,
            name,
            line,
            fields: {},
            allUnreclaimable: null,
            hasWatermarkLine: false,
            lowmemReserve: null,
            lowmemReserveLine: null,
            freeArea: fa,
          });
          problems.push({ line, reason: `free-area line for zone ${name} without its watermark line` });
        }
        return;
      }
      case "hugepages": {
        const mi = ensureMemInfo();
        const m = HUGEPAGES_RE.exec(textLine);
        mi.inTail = true;
        if (!m) return void problems.push({ line, reason: "cannot read the hugepages line" });
        mi.hugepages.push({
          line,
          nid: Number(m[1]),
          total: Number(m[2]),
          free: Number(m[3]),
          surp: Number(m[4]),
          sizeKb: Number(m[5]),
        });
        return;
      }
      case "total": {
        if (r.memInfo === null) return void r.callTrace.push(textLine);
        const m = TOTAL_RE.exec(textLine) as RegExpExecArray;
        const n = safeInt(m[1] as string);
        r.memInfo.inTail = true;
        if (n === null) problems.push({ line, reason: "number too large" });
        else r.memInfo.totals[m[2] as string] = n;
        return;
      }
      case "swap": {
        if (r.memInfo === null) return void r.callTrace.push(textLine);
        const m = SWAP_RE.exec(textLine) as RegExpExecArray;
        r.memInfo.inTail = true;
        const n = safeInt(m[2] as string);
        if (m[1] === "Free swap") r.memInfo.freeSwapKb = n;
        else r.memInfo.totalSwapKb = n;
        return;
      }
      case "swapcache":
      case "pcp":
        if (r.memInfo) r.memInfo.otherLines.push({ line, text: textLine });
        else r.callTrace.push(textLine);
        return;
      case "cpuset": {
        // ≈4.10–5.x printed "COMM cpuset=NAME mems_allowed=LIST" on its own line.
        const c = textLine.indexOf(" cpuset=");
        const ma = textLine.lastIndexOf(" mems_allowed=");
        if (r.memInfo === null && ma > c) {
          r.cpuset = textLine.slice(c + " cpuset=".length, ma);
          r.memsAllowed = textLine.slice(ma + " mems_allowed=".length).trim();
        } else r.callTrace.push(textLine);
        return;
      }
      case "suppressed":
        return;
      default: {
        // An unrecognised line.
        const mi: MemInfoBuilder | null = r.memInfo;
        if (mi === null) r.callTrace.push(textLine);
        else if (mi.inTail) {
          // The report is over; this is some other message.
          r.endLine = line - 1;
          finish();
        } else problems.push({ line, reason: `unrecognised line in Mem-Info: ${JSON.stringify(textLine.slice(0, 60))}` });
      }
    }
  };

  const { lines, lineNos } = logicalLines(text);
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i] as string;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    const split = splitLogPrefix(raw);
    const t = split.text.trim();
    const lineNo = lineNos[i] as number;
    // CONFIG_PRINTK_CALLER: a line another task or CPU printed in the middle of the report is not part of it.
    const reportCaller = (pending as Pending | null)?.kind === "failure" ? (pending as Pending | null)?.caller : (cur as ReportBuilder | null)?.caller;
    if (reportCaller !== undefined && split.caller !== undefined && split.caller !== reportCaller && !isFailureLine(t)) continue;
    if (t === "" || ELISION_RE.test(t)) {
      if (pending) processLine(pending);
      pending = null;
      // Text cut by whoever pasted the report: what follows may not be show_mem's any more.
      const mi = (cur as ReportBuilder | null)?.memInfo;
      if (t !== "" && mi) mi.inTail = true;
      continue;
    }
    const inGlobals =
      pending?.kind === "meminfo" || pending?.kind === "globals" || ((cur as ReportBuilder | null)?.memInfo?.inGlobals ?? false);
    // Globals are read while in the global section; a wrapped node/zone tail never looks like a start.
    const kind = classify(t, inGlobals && !(pending !== null && (pending.kind === "node" || pending.kind === "zone")));
    if (kind === null && !(pending && continues(pending, t)) && i + 1 < lines.length) {
      // A line wrapped right at its start: inside "page allocation failure" (long syslog prefixes do
      // that) or just after "Node 0 Normal". Join it with the next line if that makes a known line.
      const next = stripLogPrefix((lines[i + 1] as string).replace(/\r$/, "")).trim();
      const joined = `${t} ${next}`;
      const joinedKind = next === "" ? null : classify(joined, false);
      const at = joined.indexOf(FAILURE_MARK);
      const ok =
        joinedKind === "failure"
          ? at <= t.length && at + FAILURE_MARK.length > t.length
          : joinedKind !== null && SPLIT_HEAD_RE.test(t) && ["zone", "freearea", "node", "hugepages"].includes(joinedKind);
      if (ok && joinedKind !== null) {
        if (pending) processLine(pending);
        pending = {
          kind: joinedKind,
          caller: split.caller,
          line: lineNo,
          lastLine: (lineNos[i + 1] as number | undefined) ?? lineNo + 1,
          parts: [t, next],
          parenDepth: parenDelta(joined),
          complete: joinedKind === "freearea" ? endsFreeArea(next) : joinedKind === "hugepages" ? HUGEPAGES_RE.test(joined) : true,
        };
        i++;
        continue;
      }
    }
    if (pending && kind === null && continues(pending, t)) {
      pending.parts.push(t);
      pending.lastLine = lineNo;
      if (pending.kind === "failure") pending.parenDepth += parenDelta(t);
      if (pending.kind === "freearea") pending.complete = endsFreeArea(`${(pending.parts.at(-2) ?? "").slice(-32)} ${t}`);
      if (pending.kind === "hugepages") pending.complete = HUGEPAGES_RE.test(pending.parts.join(" "));
      if (pending.kind === "task") pending.complete = TASK_BUILD_RE.test(` ${t}`);
      continue;
    }
    if (pending) processLine(pending);
    pending = {
      kind,
      caller: split.caller,
      line: lineNo,
      lastLine: lineNo,
      parts: [t],
      parenDepth: kind === "failure" ? parenDelta(t) : 0,
      complete: kind === "freearea" ? endsFreeArea(t) : kind === "hugepages" ? HUGEPAGES_RE.test(t) : kind === "task" ? TASK_BUILD_RE.test(t) : true,
    };
  }
  if (pending) processLine(pending);
  finish();
  // Page-size problems are found when a report is complete; list every problem in line order.
  problems.sort((a, b) => a.line - b.line);
  return { reports, problems };
}
