import { parseGfp } from "@pagealloc/gfp";
import { type Kernel, Page } from "@pagealloc/page-api";
import { PageallocError, createPrng, prngFromState } from "@pagealloc/physmem";
import { ScriptError } from "./errors";
import { type AllocFailure, explainAllocFailure } from "./explain";
import { SCRIPT_NAME_RE, type ScriptState } from "./script-state";
import { STATE_FILES, type StateFile, fragmentation, isStateFile, renderState } from "./state";

/** A number in a script: a constant or `random(lo,hi)` (inclusive, from the seeded generator). */
export type ScriptValue = { readonly kind: "const"; readonly value: number } | { readonly kind: "random"; readonly lo: number; readonly hi: number };

/** A comparison of an `expect` line. */
export type CompareOp = "==" | "!=" | ">=" | "<=" | ">" | "<";

/** Where a statement came from. */
export interface ScriptPosition {
  readonly line: number;
  readonly column: number;
}

/** One statement of a parsed workload script. */
export type Statement = ScriptPosition &
  (
    | { readonly op: "alloc"; readonly name: string; readonly order: ScriptValue; readonly gfp: string; readonly node?: ScriptValue; readonly cpu?: ScriptValue; readonly count: ScriptValue }
    | { readonly op: "free"; readonly name: string; readonly index?: ScriptValue | "random" }
    | { readonly op: "reclaimable"; readonly name: string }
    | { readonly op: "mark"; readonly name: string; readonly use: MarkUse }
    | { readonly op: "tick" }
    | { readonly op: "sleep"; readonly ms: number }
    | { readonly op: "drain" }
    | { readonly op: "show"; readonly file: StateFile }
    | { readonly op: "repeat"; readonly times: ScriptValue; readonly body: readonly Statement[] }
    | { readonly op: "expect"; readonly expect: Expectation }
  );

/** What `mark NAME USE` says a block holds (the reclaim model's page use). */
export type MarkUse = "pagecache" | "dirty" | "anon" | "slab" | "pinned";
const MARK_USES: readonly MarkUse[] = ["pagecache", "dirty", "anon", "slab", "pinned"];

/** What an `expect` line checks. */
export type Expectation =
  | { readonly kind: "alloc"; readonly name: string; readonly outcome: "ok" | "fail" }
  | { readonly kind: "count" | "failures" | "evicted"; readonly name: string; readonly cmp: CompareOp; readonly value: number }
  | { readonly kind: "buddyinfo" | "unusable" | "extfrag"; readonly zone: string; readonly node: number; readonly order: number; readonly cmp: CompareOp; readonly value: number }
  | { readonly kind: "free_pages"; readonly zone: string; readonly node: number; readonly cmp: CompareOp; readonly value: number }
  | { readonly kind: "pageblocks"; readonly zone: string; readonly node: number; readonly type: string; readonly cmp: CompareOp; readonly value: number };

/** Options of {@link parseScript}. */
export interface ParseScriptOptions {
  /** File name used in error locations (default `script`). */
  readonly file?: string;
  /** Names allocated before this script (by the run a {@link ScriptState} resumes), which `free`, `mark` … may use. */
  readonly names?: Iterable<string>;
}

const OPS: readonly CompareOp[] = [">=", "<=", "==", "!=", ">", "<"];

interface Token {
  readonly text: string;
  readonly column: number;
}

function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

class LineParser {
  constructor(
    private readonly file: string,
    private readonly line: number,
  ) {}

  fail(reason: string, column: number): never {
    throw new ScriptError(reason, this.file, this.line, column);
  }

  value(text: string, column: number, what: string): ScriptValue {
    const r = /^random\((-?\d+),(-?\d+)\)$/.exec(text);
    if (r) {
      const lo = Number(r[1]);
      const hi = Number(r[2]);
      if (lo > hi) this.fail(`${what}: random(${lo},${hi}) has lo > hi`, column);
      return { kind: "random", lo, hi };
    }
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) this.fail(`${what}: expected a number or random(lo,hi), got ${JSON.stringify(text)}`, column);
    return { kind: "const", value: Number(text) };
  }

  number(text: string, column: number, what: string): number {
    if (!/^-?\d+$/.test(text)) this.fail(`${what}: expected an integer, got ${JSON.stringify(text)}`, column);
    return Number(text);
  }

  name(t: Token | undefined, after: string, column: number): string {
    if (!t) this.fail(`${after}: missing NAME`, column);
    if (!SCRIPT_NAME_RE.test(t.text)) this.fail(`${after}: ${JSON.stringify(t.text)} is not a name (letters, digits, _ . -)`, t.column);
    return t.text;
  }

  /** key=value options; `allowed` lists the keys, `required` those that must be present. */
  options(tokens: readonly Token[], allowed: readonly string[], required: readonly string[], endColumn: number): Map<string, Token> {
    const out = new Map<string, Token>();
    for (const t of tokens) {
      const eq = t.text.indexOf("=");
      if (eq <= 0) this.fail(`expected key=value, got ${JSON.stringify(t.text)}`, t.column);
      const key = t.text.slice(0, eq);
      if (!allowed.includes(key)) this.fail(`unknown option ${key} (expected ${allowed.join(", ")})`, t.column);
      if (out.has(key)) this.fail(`option ${key} given twice`, t.column);
      out.set(key, { text: t.text.slice(eq + 1), column: t.column + eq + 1 });
    }
    for (const key of required) if (!out.has(key)) this.fail(`missing ${key}=`, endColumn);
    return out;
  }

  cmp(tokens: readonly Token[], from: number, endColumn: number): { cmp: CompareOp; value: number } {
    const op = tokens[from];
    const v = tokens[from + 1];
    if (!op || !OPS.includes(op.text as CompareOp)) this.fail(`expected a comparison (${OPS.join(" ")})`, op?.column ?? endColumn);
    if (!v) this.fail("expected a number after the comparison", endColumn);
    if (tokens.length > from + 2) this.fail(`unexpected ${JSON.stringify(tokens[from + 2]!.text)}`, tokens[from + 2]!.column);
    return { cmp: op.text as CompareOp, value: this.number(v.text, v.column, "expected value") };
  }
}

function parseExpect(p: LineParser, t: readonly Token[], endColumn: number): Expectation {
  const kind = t[1];
  if (!kind) return p.fail("expect: what? (alloc, count, failures, evicted, buddyinfo, free_pages, pageblocks, unusable, extfrag)", endColumn);
  switch (kind.text) {
    case "alloc": {
      const name = p.name(t[2], "expect alloc", endColumn);
      const outcome = t[3]?.text;
      if (outcome !== "ok" && outcome !== "fail") p.fail("expect alloc NAME ok|fail", t[3]?.column ?? endColumn);
      if (t.length > 4) p.fail(`unexpected ${JSON.stringify(t[4]!.text)}`, t[4]!.column);
      return { kind: "alloc", name, outcome };
    }
    case "count":
    case "failures":
    case "evicted": {
      const name = p.name(t[2], `expect ${kind.text}`, endColumn);
      return { kind: kind.text, name, ...p.cmp(t, 3, endColumn) };
    }
    case "buddyinfo":
    case "unusable":
    case "extfrag":
    case "free_pages": {
      const zone = t[2];
      if (!zone || zone.text.includes("=")) p.fail(`expect ${kind.text}: missing ZONE (DMA, DMA32, Normal, HighMem, Movable)`, zone?.column ?? endColumn);
      let k = 3;
      const opts: Token[] = [];
      while (t[k] && t[k]!.text.includes("=") && !OPS.includes(t[k]!.text as CompareOp)) opts.push(t[k++]!);
      const needOrder = kind.text !== "free_pages";
      const o = p.options(opts, needOrder ? ["node", "order"] : ["node"], needOrder ? ["order"] : [], t[k]?.column ?? endColumn);
      const node = o.has("node") ? p.number(o.get("node")!.text, o.get("node")!.column, "node") : 0;
      const { cmp, value } = p.cmp(t, k, endColumn);
      if (kind.text === "free_pages") return { kind: "free_pages", zone: zone.text, node, cmp, value };
      const order = p.number(o.get("order")!.text, o.get("order")!.column, "order");
      return { kind: kind.text, zone: zone.text, node, order, cmp, value };
    }
    case "pageblocks": {
      const zone = t[2];
      const type = t[3];
      if (!zone || !type) p.fail("expect pageblocks ZONE TYPE [node=N] OP VALUE", endColumn);
      let k = 4;
      const opts: Token[] = [];
      while (t[k] && t[k]!.text.includes("=") && !OPS.includes(t[k]!.text as CompareOp)) opts.push(t[k++]!);
      const o = p.options(opts, ["node"], [], t[k]?.column ?? endColumn);
      const node = o.has("node") ? p.number(o.get("node")!.text, o.get("node")!.column, "node") : 0;
      return { kind: "pageblocks", zone: zone.text, type: type.text, node, ...p.cmp(t, k, endColumn) };
    }
    default:
      return p.fail(`expect: unknown check ${JSON.stringify(kind.text)} (alloc, count, failures, evicted, buddyinfo, free_pages, pageblocks, unusable, extfrag)`, kind.column);
  }
}

function parseTextScript(text: string, file: string, names: Iterable<string> = []): Statement[] {
  const lines = text.split(/\r?\n/);
  const stack: { body: Statement[]; open?: { line: number; column: number; times: ScriptValue } }[] = [{ body: [] }];
  const allocated = new Set<string>(names);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const hash = raw.indexOf("#");
    const src = hash >= 0 ? raw.slice(0, hash) : raw;
    const t = tokenize(src);
    if (t.length === 0) return;
    const p = new LineParser(file, lineNo);
    const endColumn = src.trimEnd().length + 1;
    const head = t[0]!;
    const at = { line: lineNo, column: head.column };
    const top = stack[stack.length - 1]!;
    switch (head.text) {
      case "alloc": {
        const name = p.name(t[1], "alloc", endColumn);
        const o = p.options(t.slice(2), ["order", "gfp", "node", "cpu", "count"], ["order", "gfp"], endColumn);
        const val = (k: string) => (o.has(k) ? p.value(o.get(k)!.text, o.get(k)!.column, k) : undefined);
        const gfp = o.get("gfp")!;
        if (gfp.text === "") p.fail("gfp= is empty", gfp.column);
        allocated.add(name);
        top.body.push({ ...at, op: "alloc", name, order: val("order")!, gfp: gfp.text, node: val("node"), cpu: val("cpu"), count: val("count") ?? { kind: "const", value: 1 } });
        return;
      }
      case "free":
      case "reclaimable": {
        const tok = t[1];
        if (!tok) p.fail(`${head.text}: missing NAME`, endColumn);
        const m = /^([^[\]]+)(?:\[(.*)\])?$/.exec(tok.text);
        const name = p.name(m ? { text: m[1]!, column: tok.column } : tok, head.text, endColumn);
        if (!allocated.has(name)) p.fail(`${head.text} ${name}: no earlier "alloc ${name}"`, tok.column);
        if (t.length > 2) p.fail(`unexpected ${JSON.stringify(t[2]!.text)}`, t[2]!.column);
        if (head.text === "reclaimable") {
          if (m?.[2] !== undefined) p.fail("reclaimable takes a NAME, not an element", tok.column);
          top.body.push({ ...at, op: "reclaimable", name });
          return;
        }
        const idxText = m?.[2];
        const index = idxText === undefined ? undefined : idxText === "random" ? "random" : p.value(idxText, tok.column + name.length + 1, "index");
        top.body.push({ ...at, op: "free", name, index });
        return;
      }
      case "drain":
      case "tick":
        if (t.length > 1) p.fail(`unexpected ${JSON.stringify(t[1]!.text)}`, t[1]!.column);
        top.body.push({ ...at, op: head.text });
        return;
      case "sleep": {
        // simulated time: the clock warn_alloc's rate limiter reads (HZ = 1000)
        const d = t[1];
        const m = d ? /^(\d{1,9})(ms|s)$/.exec(d.text) : null;
        if (!m) p.fail("sleep N(ms|s): a whole number of milliseconds or seconds, e.g. sleep 10s", d?.column ?? endColumn);
        if (t.length > 2) p.fail(`unexpected ${JSON.stringify(t[2]!.text)}`, t[2]!.column);
        top.body.push({ ...at, op: "sleep", ms: Number(m![1]) * (m![2] === "s" ? 1000 : 1) });
        return;
      }
      case "mark": {
        const name = p.name(t[1], "mark", endColumn);
        if (!allocated.has(name)) p.fail(`mark ${name}: no earlier "alloc ${name}"`, t[1]!.column);
        const use = t[2];
        if (!use || !MARK_USES.includes(use.text as MarkUse)) p.fail(`mark NAME ${MARK_USES.join("|")}`, use?.column ?? endColumn);
        if (t.length > 3) p.fail(`unexpected ${JSON.stringify(t[3]!.text)}`, t[3]!.column);
        top.body.push({ ...at, op: "mark", name, use: use.text as MarkUse });
        return;
      }
      case "show": {
        const f = t[1];
        if (!f || !isStateFile(f.text)) p.fail(`show: expected ${STATE_FILES.join("|")}`, f?.column ?? endColumn);
        if (t.length > 2) p.fail(`unexpected ${JSON.stringify(t[2]!.text)}`, t[2]!.column);
        top.body.push({ ...at, op: "show", file: f.text as StateFile });
        return;
      }
      case "repeat": {
        const n = t[1];
        if (!n) p.fail("repeat: missing count", endColumn);
        const times = p.value(n.text, n.column, "repeat count");
        if (t[2]?.text !== "{" || t.length > 3) p.fail('repeat N {: expected "{" at the end of the line', t[2]?.column ?? endColumn);
        stack.push({ body: [], open: { line: lineNo, column: head.column, times } });
        return;
      }
      case "}": {
        if (t.length > 1) p.fail(`unexpected ${JSON.stringify(t[1]!.text)}`, t[1]!.column);
        if (stack.length === 1) p.fail('"}" without "repeat N {"', head.column);
        const block = stack.pop()!;
        stack[stack.length - 1]!.body.push({ line: block.open!.line, column: block.open!.column, op: "repeat", times: block.open!.times, body: block.body });
        return;
      }
      case "expect":
        top.body.push({ ...at, op: "expect", expect: parseExpect(p, t, endColumn) });
        return;
      default:
        p.fail(`unknown statement ${JSON.stringify(head.text)} (alloc, free, reclaimable, mark, drain, tick, repeat, show, expect)`, head.column);
    }
  });
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!.open!;
    throw new ScriptError('"repeat" block is not closed with "}"', file, open.line, open.column);
  }
  return stack[0]!.body;
}

/** JSON Lines: one statement per line, `{"op":"alloc","name":"x","order":3,"gfp":"GFP_ATOMIC"}` (see README). */
function parseJsonLines(text: string, file: string, names?: Iterable<string>): Statement[] {
  // Each JSON object is rewritten as the equivalent text line, so both forms share one parser and its checks.
  const lines = text.split(/\r?\n/).map((raw, idx) => {
    const s = raw.trim();
    if (s === "" || s.startsWith("#") || s.startsWith("//")) return "";
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(s) as Record<string, unknown>;
    } catch (e) {
      throw new ScriptError(`invalid JSON (${e instanceof Error ? e.message : String(e)})`, file, idx + 1, 1);
    }
    if (typeof o !== "object" || o === null || typeof o.op !== "string") throw new ScriptError('expected an object with "op"', file, idx + 1, 1);
    const v = (x: unknown) => (x === undefined ? undefined : typeof x === "object" && x !== null && "random" in x ? `random(${(x as { random: number[] }).random.join(",")})` : String(x));
    const kv = (k: string) => (o[k] === undefined ? "" : ` ${k}=${v(o[k])}`);
    switch (o.op) {
      case "alloc":
        return `alloc ${String(o.name)}${kv("order")}${kv("gfp")}${kv("node")}${kv("cpu")}${kv("count")}`;
      case "free":
        return `free ${String(o.name)}${o.index === undefined ? "" : `[${v(o.index)}]`}`;
      case "reclaimable":
        return `reclaimable ${String(o.name)}`;
      case "show":
        return `show ${String(o.file)}`;
      case "drain":
        return "drain";
      case "tick":
        return "tick";
      case "sleep":
        return `sleep ${String(o.ms)}ms`;
      case "mark":
        return `mark ${String(o.name)} ${String(o.use)}`;
      case "repeat":
        return `repeat ${v(o.times)} {`;
      case "end":
        return "}";
      case "expect":
        return `expect ${String(o.check)}`;
      default:
        throw new ScriptError(`unknown op ${JSON.stringify(o.op)}`, file, idx + 1, 1);
    }
  });
  return parseTextScript(lines.join("\n"), file, names);
}

/**
 * Parse a workload script (the line language, or JSON Lines when the first statement starts with `{`).
 *
 * @param text - the script
 * @param options - `file` for error locations
 * @returns the statements, `repeat` blocks nested
 * @throws {ScriptError} with `FILE:LINE:COLUMN` for the first problem
 * @example
 * ```ts
 * import { parseScript } from "@pagealloc/workload";
 * const s = parseScript("alloc net order=3 gfp=GFP_ATOMIC count=4\nfree net[0]");
 * console.log(s.length, s[0].op, s[1].op); // => 2 alloc free
 * ```
 */
export function parseScript(text: string, options: ParseScriptOptions = {}): Statement[] {
  const file = options.file ?? "script";
  const first = text.split(/\r?\n/).find((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  return first?.trim().startsWith("{") ? parseJsonLines(text, file, options.names) : parseTextScript(text, file, options.names);
}

/** Command-line defaults a script asks for in a `# pagealloc-run: --machine M --kernel V ...` comment line. */
export interface ScriptHeader {
  readonly args: readonly string[];
  readonly line: number;
}

/**
 * The `# pagealloc-run:` comment of a script (the first one), whose arguments `pagealloc run` uses as
 * defaults (so an example says which machine and kernel its expectations are for).
 *
 * @example
 * ```ts
 * import { scriptHeader } from "@pagealloc/workload";
 * console.log(scriptHeader("# pagealloc-run: --machine tiny-16m --kernel 2.6.24\nalloc a order=0 gfp=GFP_KERNEL").args.join(" ")); // => --machine tiny-16m --kernel 2.6.24
 * ```
 */
export function scriptHeader(text: string): ScriptHeader | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*#\s*pagealloc-run:\s*(.*)$/.exec(lines[i]!);
    if (m) return { args: m[1]!.trim().split(/\s+/).filter(Boolean), line: i + 1 };
  }
  return undefined;
}

/** The outcome of one `expect` line. */
export interface ExpectResult {
  readonly line: number;
  readonly text: string;
  readonly ok: boolean;
  /** The value found (or `ok`/`fail`). */
  readonly actual: string;
}

/** One executed statement (a step), for logs and the playground. */
export interface ScriptStep {
  readonly line: number;
  readonly op: "alloc" | "free" | "reclaimable" | "mark" | "drain" | "tick" | "sleep" | "show" | "expect";
  readonly name?: string;
  readonly order?: number;
  /** First pfn of the block (−1: a failed allocation). */
  readonly pfn?: number;
}

/** The result of {@link runScript}. */
export interface ScriptResult {
  /** Every expectation held. */
  readonly ok: boolean;
  readonly expectations: readonly ExpectResult[];
  /** Allocation failures, each explained. */
  readonly failures: readonly (AllocFailure & { line: number; name: string })[];
  /** The text of each `show` line. */
  readonly shows: readonly { line: number; file: StateFile; text: string }[];
  /** Every step in execution order. */
  readonly steps: readonly ScriptStep[];
  /** Named allocations: live blocks, failed attempts, reclaimable flag. */
  readonly allocations: Readonly<Record<string, { live: number; failed: number; pages: number; reclaimable: boolean; evicted: number }>>;
  /** The run stopped early because `options.signal` was aborted (the result covers the steps done). */
  readonly interrupted: boolean;
  /** What a later run needs to continue this one (`runScript(k, next, { resume: state })`): generator state and named allocations. */
  readonly state: ScriptState;
}

/** Options of {@link runScript}. */
export interface RunScriptOptions {
  /** Seed of `random(...)` (default: the kernel's seed; ignored with `resume`). */
  readonly seed?: number;
  /**
   * Continue an earlier run on the same kernel (or on one restored from its snapshot): `random(...)` goes on with
   * that run's sequence and its named allocations are known (`free`, `mark`, `expect count` of them work).
   */
  readonly resume?: ScriptState;
  readonly file?: string;
  /** Called after every step (for `--check`-style hooks or progress). */
  readonly onStep?: (step: ScriptStep) => void;
  /** Stop after this many steps (guards playground loops and memory: every step is kept in the result, about 1.5 KB each; default 1 000 000). */
  readonly maxSteps?: number;
  /**
   * Stop cleanly when `signal.aborted` becomes true: it is read after every step (a step is always applied
   * whole), and the result then has `interrupted: true` and covers the steps done. An `AbortSignal` fits.
   */
  readonly signal?: { readonly aborted: boolean };
  /**
   * Needed when the kernel runs the slow path (bootKernel's default) and the script marks memory: the
   * same {@link ScriptOwners} whose `hooks` were given to bootKernel, so that blocks reclaim frees or
   * compaction moves are followed.
   */
  readonly owners?: ScriptOwners;
}

/**
 * Follows the blocks a script marked for the reclaim model (`reclaimable`, `mark`): reclaim may free them
 * and compaction may move them. Pass `hooks` to `bootKernel({ reclaim: { ...owners.hooks } })` and the
 * object itself to {@link runScript}.
 *
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { ScriptOwners, runScript } from "@pagealloc/workload";
 * const owners = new ScriptOwners();
 * const k = bootKernel({ machine: "tiny-16m", reclaim: { ...owners.hooks } });
 * const r = runScript(k, "alloc cache order=0 gfp=GFP_HIGHUSER_MOVABLE count=8\nmark cache pagecache\nexpect evicted cache == 0", { owners });
 * console.log(r.ok); // => true
 * ```
 */
export class ScriptOwners {
  private target: { evict(owner: number): void; migrate(owner: number, to: number): void } | undefined;
  /** The reclaim callbacks for bootKernel (onEvict: reclaim freed a block; onMigrate: compaction moved it). */
  readonly hooks = {
    onEvict: (_pfn: number, owner: number): void => {
      if (owner >= 0) this.target?.evict(owner);
    },
    onMigrate: (_from: number, to: number, owner: number): void => {
      if (owner >= 0) this.target?.migrate(owner, to);
    },
  };
  /** @internal runScript() receives the callbacks. */
  attach(target: { evict(owner: number): void; migrate(owner: number, to: number): void }): void {
    this.target = target;
  }
}

interface Group {
  blocks: ({ page: Page; order: number } | null)[];
  failed: number;
  lastOk: boolean | undefined;
  reclaimable: boolean;
  evicted: number;
}

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case "<":
      return a < b;
  }
}

function expectText(e: Expectation): string {
  switch (e.kind) {
    case "alloc":
      return `expect alloc ${e.name} ${e.outcome}`;
    case "count":
    case "failures":
    case "evicted":
      return `expect ${e.kind} ${e.name} ${e.cmp} ${e.value}`;
    case "free_pages":
      return `expect free_pages ${e.zone} node=${e.node} ${e.cmp} ${e.value}`;
    case "pageblocks":
      return `expect pageblocks ${e.zone} ${e.type} node=${e.node} ${e.cmp} ${e.value}`;
    default:
      return `expect ${e.kind} ${e.zone} node=${e.node} order=${e.order} ${e.cmp} ${e.value}`;
  }
}

/**
 * Run a workload script on a booted kernel. Allocations go through the page API (`alloc_pages_node`
 * on the script's CPU), so trace events, invariant checks and warnings of the kernel apply. Every GFP
 * expression is checked before the first statement runs, so a bad script changes no state.
 *
 * @param kernel - from `bootKernel()` of `@pagealloc/page-api`
 * @param script - the script text or parsed statements
 * @param options - seed, file name, step hook
 * @returns expectations, explained failures, shown files, steps and named allocations
 * @throws {ScriptError} for a script that does not parse or a statement that cannot run (with FILE:LINE:COLUMN)
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { runScript } from "@pagealloc/workload";
 * const k = bootKernel({ machine: "tiny-16m" });
 * const r = runScript(k, "alloc a order=2 gfp=GFP_KERNEL count=3\nexpect count a == 3\nfree a[1]\nexpect count a == 2");
 * console.log(r.ok, r.expectations.length); // => true 2
 * ```
 */
export function runScript(kernel: Kernel, script: string | readonly Statement[], options: RunScriptOptions = {}): ScriptResult {
  const it = scriptSteps(kernel, script, options);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link runScript} that gives the event loop a turn every `yieldEvery` steps (default 4096), or after the
 * steps for which `shouldYield(steps)` returns true (e.g. a host's wall-clock check), so that timers, I/O and signal handlers (Ctrl-C setting `options.signal`) run while a long
 * script executes. Same result as runScript for the same kernel, script and options.
 *
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { runScriptAsync } from "@pagealloc/workload";
 * const r = await runScriptAsync(bootKernel({ machine: "tiny-16m" }), "alloc a order=0 gfp=GFP_KERNEL count=3");
 * console.log(r.steps.length, r.interrupted); // => 3 false
 * ```
 */
export async function runScriptAsync(
  kernel: Kernel,
  script: string | readonly Statement[],
  options: RunScriptOptions & { readonly yieldEvery?: number; readonly shouldYield?: (steps: number) => boolean } = {},
): Promise<ScriptResult> {
  const every = Math.max(1, options.yieldEvery ?? 4096);
  const shouldYield = options.shouldYield ?? ((n: number) => n % every === 0);
  const it = scriptSteps(kernel, script, options);
  for (let n = 1; ; n++) {
    const r = it.next();
    if (r.done) return r.value;
    if (shouldYield(n)) await new Promise((resolve) => timers.setTimeout(resolve, 0));
  }
}

// setTimeout exists in every JavaScript host (browsers, Node, workers); the library compiles without DOM or Node types.
const timers = globalThis as unknown as { setTimeout(f: (v?: unknown) => void, ms: number): unknown };

/** The body of {@link runScript}: yields after every step, returns the result. */
function* scriptSteps(kernel: Kernel, script: string | readonly Statement[], options: RunScriptOptions): Generator<void, ScriptResult> {
  const file = options.file ?? "script";
  const resume = options.resume;
  const statements = typeof script === "string" ? parseScript(script, { file, names: resume?.allocations.map((g) => g.name) }) : script;
  const prng = resume ? prngFromState(resume.prng, "resume.prng") : createPrng(options.seed ?? kernel.seed);
  const rand = () => prng.next();
  const maxSteps = options.maxSteps ?? 1_000_000;
  const gfpOf = new Map<string, number>();
  const check = (list: readonly Statement[]) => {
    for (const s of list) {
      if (s.op === "repeat") check(s.body);
      else if (s.op === "alloc" && !gfpOf.has(s.gfp)) {
        try {
          gfpOf.set(s.gfp, kernel.gfp(s.gfp));
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          throw new ScriptError(`gfp=${s.gfp}: ${reason}`, file, s.line, s.column);
        }
      }
    }
  };
  check(statements);

  const groups = new Map<string, Group>();
  // Blocks handed to the reclaim model, by owner id.
  const owned: { group: Group; index: number }[] = [];
  if (resume) resumeGroups(resume, groups, owned);
  options.owners?.attach({
    evict(owner) {
      const o = owned[owner];
      if (!o || !o.group.blocks[o.index]) return;
      o.group.blocks[o.index] = null;
      o.group.evicted++;
    },
    migrate(owner, to) {
      const o = owned[owner];
      const b = o?.group.blocks[o.index];
      if (b) o!.group.blocks[o!.index] = { page: new Page(to), order: b.order };
    },
  });
  // `reclaimable` (recordOnly) marks only when it can: with the slow path and owners to follow evictions.
  const markBlocks = (s: ScriptPosition, g: Group, use: MarkUse, recordOnly = false) => {
    if (recordOnly && (!kernel.reclaim || !options.owners)) return;
    if (!kernel.reclaim) {
      throw new ScriptError(`mark ${use} needs the slow path, which this kernel was booted without (reclaim: false, pagealloc run --no-reclaim)`, file, s.line, s.column, "SCRIPT_RUNTIME");
    }
    if (!options.owners) throw new ScriptError("the kernel runs reclaim: pass runScript({ owners }) with the ScriptOwners given to bootKernel", file, s.line, s.column, "SCRIPT_RUNTIME");
    g.blocks.forEach((b, index) => {
      if (!b) return;
      const o = { order: b.order, owner: owned.push({ group: g, index }) - 1 };
      try {
        if (use === "pagecache" || use === "dirty") kernel.mark_page_cache(b.page, { ...o, dirty: use === "dirty" });
        else if (use === "anon") kernel.mark_anon(b.page, o);
        else if (use === "slab") kernel.mark_slab_reclaimable(b.page, o);
        else kernel.mark_pinned(b.page, o);
      } catch (e) {
        runtime(s, e);
      }
    });
  };
  const expectations: ExpectResult[] = [];
  const failures: (AllocFailure & { line: number; name: string })[] = [];
  const shows: { line: number; file: StateFile; text: string }[] = [];
  const steps: ScriptStep[] = [];
  const value = (v: ScriptValue) => (v.kind === "const" ? v.value : v.lo + Math.floor(rand() * (v.hi - v.lo + 1)));
  const step = (s: ScriptStep) => {
    steps.push(s);
    if (steps.length > maxSteps) throw new ScriptError(`more than ${maxSteps} steps`, file, s.line, 1, "SCRIPT_RUNTIME");
    options.onStep?.(s);
    if (options.signal?.aborted) throw STOP;
  };
  const runtime = (s: ScriptPosition, e: unknown): never => {
    if (e instanceof ScriptError) throw e;
    const reason = e instanceof PageallocError ? e.message : e instanceof Error ? e.message : String(e);
    throw new ScriptError(reason, file, s.line, s.column, "SCRIPT_RUNTIME");
  };
  const zoneOf = (s: ScriptPosition, node: number, zone: string) => {
    const z = kernel.buddy.nodeZones(node).find((x) => x.spec.name === zone);
    if (!z) throw new ScriptError(`no zone ${zone} on node ${node}`, file, s.line, s.column, "SCRIPT_RUNTIME");
    return z;
  };

  const exec = function* (list: readonly Statement[]): Generator<void, void> {
    for (const s of list) {
      switch (s.op) {
        case "repeat": {
          const n = value(s.times);
          for (let k = 0; k < n; k++) yield* exec(s.body);
          break;
        }
        case "alloc": {
          const g = groups.get(s.name) ?? { blocks: [], failed: 0, lastOk: undefined, reclaimable: false, evicted: 0 };
          groups.set(s.name, g);
          const count = value(s.count);
          const mask = gfpOf.get(s.gfp)!;
          let allOk = true;
          let anyOk = false;
          for (let k = 0; k < count; k++) {
            const order = value(s.order);
            const node = s.node ? value(s.node) : -1;
            let page: Page | null;
            let outcomeBefore: unknown = null;
            const cpu = kernel.smp_processor_id();
            try {
              // cpu= applies to this line only.
              if (s.cpu) kernel.set_cpu(value(s.cpu));
              outcomeBefore = kernel.reclaim?.lastOutcome ?? null;
              page = kernel.alloc_pages_node(node, mask, order);
            } catch (e) {
              return runtime(s, e);
            } finally {
              kernel.set_cpu(cpu);
            }
            if (page) {
              g.blocks.push({ page, order });
              anyOk = true;
            } else {
              g.blocks.push(null);
              g.failed++;
              allOk = false;
              if (order <= kernel.maxOrder) {
                const f = explainAllocFailure(kernel, mask, order, node === -1 ? kernel.numa_node_id() : node);
                // the fast path's verdict, then how the slow path (when it ran for this request) ended
                const out = kernel.reclaim?.lastOutcome ?? null;
                const slow = out !== null && out !== outcomeBefore ? `; the slow path ended with ${out.result}${out.reason ? `: ${out.reason}` : ""}` : "";
                failures.push({ ...f, explanation: f.explanation + slow, line: s.line, name: s.name });
              }
            }
            step({ line: s.line, op: "alloc", name: s.name, order, pfn: page ? page.pfn : -1 });
            yield;
          }
          g.lastOk = allOk ? true : anyOk ? undefined : false;
          if (count === 0) g.lastOk = true;
          break;
        }
        case "free": {
          const g = groups.get(s.name);
          if (!g) throw new ScriptError(`free ${s.name}: nothing allocated under that name yet`, file, s.line, s.column, "SCRIPT_RUNTIME");
          let picks: number[];
          if (s.index === undefined) picks = g.blocks.flatMap((b, i) => (b ? [i] : []));
          else if (s.index === "random") {
            const live = g.blocks.flatMap((b, i) => (b ? [i] : []));
            picks = live.length ? [live[Math.floor(rand() * live.length)]!] : [];
          } else {
            const i = value(s.index);
            if (!g.blocks[i]) throw new ScriptError(`free ${s.name}[${i}]: ${i < g.blocks.length ? "not allocated (failed or already freed)" : `only ${g.blocks.length} allocations`}`, file, s.line, s.column, "SCRIPT_RUNTIME");
            picks = [i];
          }
          for (const i of picks) {
            const b = g.blocks[i]!;
            try {
              kernel.__free_pages(b.page, b.order);
            } catch (e) {
              return runtime(s, e);
            }
            g.blocks[i] = null;
            step({ line: s.line, op: "free", name: s.name, order: b.order, pfn: b.page.pfn });
            yield;
          }
          break;
        }
        case "reclaimable": {
          // Recorded always; with the slow path the live blocks become clean page cache that reclaim may free.
          const g = groups.get(s.name)!;
          g.reclaimable = true;
          markBlocks(s, g, "pagecache", true);
          step({ line: s.line, op: "reclaimable", name: s.name });
          yield;
          break;
        }
        case "mark":
          markBlocks(s, groups.get(s.name)!, s.use);
          step({ line: s.line, op: "mark", name: s.name });
          yield;
          break;
        case "tick":
          kernel.kswapd_tick();
          step({ line: s.line, op: "tick" });
          yield;
          break;
        case "sleep":
          // without the slow path there is no clock to advance (nothing in the fast path reads time)
          kernel.reclaim?.advanceClock(s.ms);
          step({ line: s.line, op: "sleep" });
          yield;
          break;
        case "drain":
          kernel.drain_all_pages();
          step({ line: s.line, op: "drain" });
          yield;
          break;
        case "show":
          shows.push({ line: s.line, file: s.file, text: renderState(kernel, s.file) });
          step({ line: s.line, op: "show" });
          yield;
          break;
        case "expect": {
          const e = s.expect;
          let ok: boolean;
          let actual: string;
          if (e.kind === "alloc") {
            const g = groups.get(e.name);
            const outcome = g?.lastOk === true ? "ok" : g?.lastOk === false ? "fail" : "partial";
            actual = g ? outcome : "never allocated";
            ok = actual === e.outcome;
          } else if (e.kind === "count" || e.kind === "failures" || e.kind === "evicted") {
            const g = groups.get(e.name);
            const n = !g ? 0 : e.kind === "count" ? g.blocks.filter((b) => b).length : e.kind === "failures" ? g.failed : g.evicted;
            actual = String(n);
            ok = compare(n, e.cmp, e.value);
          } else if (e.kind === "free_pages") {
            const n = zoneOf(s, e.node, e.zone).nrFreePages;
            actual = String(n);
            ok = compare(n, e.cmp, e.value);
          } else if (e.kind === "pageblocks") {
            const z = zoneOf(s, e.node, e.zone);
            const names = kernel.buddy.facts.migratetypeNames;
            const mt = names.findIndex((n) => n.toLowerCase() === e.type.toLowerCase());
            if (mt < 0) throw new ScriptError(`no migratetype ${e.type} in ${kernel.version.raw} (${names.join(", ")})`, file, s.line, s.column, "SCRIPT_RUNTIME");
            // kernel: mm/vmstat.c pagetypeinfo_showblockcount_print(): every valid pageblock start of the zone
            const step = 2 ** kernel.buddy.pageblockOrder;
            let n = 0;
            for (let pfn = Math.ceil(z.startPfn / step) * step; pfn < z.endPfn; pfn += step) if (z.valid(pfn) && z.pageblockMt(pfn) === mt) n++;
            actual = String(n);
            ok = compare(n, e.cmp, e.value);
          } else if ("order" in e) {
            const z = zoneOf(s, e.node, e.zone);
            if (e.order < 0 || e.order >= kernel.buddy.nrOrders) throw new ScriptError(`order=${e.order} outside 0..${kernel.buddy.nrOrders - 1}`, file, s.line, s.column, "SCRIPT_RUNTIME");
            const row = fragmentation(kernel, [e.order]).find((r) => r.nid === e.node && r.zone === e.zone);
            const n = e.kind === "buddyinfo" ? z.nrFree[e.order]! : e.kind === "unusable" ? row!.unusable[e.order]! : row!.extfrag[e.order]!;
            actual = String(n);
            ok = compare(n, e.cmp, e.value);
          } else {
            actual = "?";
            ok = false;
          }
          expectations.push({ line: s.line, text: expectText(e), ok, actual });
          step({ line: s.line, op: "expect" });
          yield;
          break;
        }
      }
    }
  };
  let interrupted = false;
  try {
    yield* exec(statements);
  } catch (e) {
    if (e !== STOP) throw e;
    interrupted = true;
  }

  const allocations: Record<string, { live: number; failed: number; pages: number; reclaimable: boolean; evicted: number }> = {};
  for (const [name, g] of groups) {
    const live = g.blocks.filter((b): b is { page: Page; order: number } => b !== null);
    allocations[name] = { live: live.length, failed: g.failed, pages: live.reduce((n, b) => n + 2 ** b.order, 0), reclaimable: g.reclaimable, evicted: g.evicted };
  }
  const state = stateOf(prng.state(), groups, owned);
  return { ok: expectations.every((e) => e.ok), expectations, failures, shows, steps, allocations, interrupted, state };
}

/** The run's state between statements, as plain data. */
function stateOf(prng: number, groups: ReadonlyMap<string, Group>, owned: readonly { group: Group; index: number }[]): ScriptState {
  const nameOf = new Map<Group, string>();
  const allocations = [...groups].map(([name, g]) => {
    nameOf.set(g, name);
    return { name, blocks: g.blocks.map((b) => (b ? ([b.page.pfn, b.order] as const) : null)), failed: g.failed, lastOk: g.lastOk ?? null, reclaimable: g.reclaimable, evicted: g.evicted };
  });
  return { prng, allocations, owners: owned.map((o) => [nameOf.get(o.group)!, o.index] as const) };
}

/** Rebuild the groups (and owner ids) of a resumed run. */
function resumeGroups(state: ScriptState, groups: Map<string, Group>, owned: { group: Group; index: number }[]): void {
  for (const a of state.allocations) {
    groups.set(a.name, {
      blocks: a.blocks.map((b) => (b ? { page: new Page(b[0]), order: b[1] } : null)),
      failed: a.failed,
      lastOk: a.lastOk ?? undefined,
      reclaimable: a.reclaimable,
      evicted: a.evicted,
    });
  }
  for (const [name, index] of state.owners) owned.push({ group: groups.get(name)!, index });
}

/** Thrown inside {@link runScript} to unwind `repeat` bodies when `options.signal` is aborted; never escapes. */
const STOP: unique symbol = Symbol("runScript stop");
