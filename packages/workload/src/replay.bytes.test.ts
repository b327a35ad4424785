// The byte path of a replay (issue 10). scanTraceLine runs scanTraceBytes on an ASCII copy of the line (its
// property tests against the general parser are in trace.scan.test.ts); here the byte scanner on a line framed by
// other bytes (it must not read past its ends) and without the text fields, and TraceReplayer.write() (chunks of
// bytes) against TraceReplayer.line() fed by Node's readline, as `pagealloc replay` reads a file: the same summary
// (or the same error) for the real 6.18 sample, mutated lines, CRLF and lone CR line ends, non-ASCII text and any
// chunking.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Readable } from "node:stream";
import { bootKernel } from "@pagealloc/page-api";
import { mutate as fuzzMutate, mutations as fuzzMutations } from "@pagealloc/vitest-config/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ReplayMode, TraceReplayer } from "./replay";
import { SCAN_FALLBACK, SCAN_NONE, SCAN_OK, ScannedTraceRecord, scanTraceBytes, scanTraceLine } from "./trace";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
const SAMPLE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/trace-6.18.txt"), "utf8").split("\n").slice(1);
const EVENTS = SAMPLE.filter((l) => l.includes("mm_page"));
const utf8 = (s: string) => new TextEncoder().encode(s);

// Damage at character level: the shared fuzz mutations, plus blanks, line terminators, non-ASCII text and the
// field shapes the scanners decide on.
const INSERTS = [" ", "\t", "\r", "\n", "\r\n", "\u00a0", "\u2028", "é", "日本", "\u0000", "[", "]", ":", "=", "0x", "-", "kmem:", "order=3 ", "pfn=7 ", "page=0 ", "migratetype=x ", "alloc_order=2 ", "alloc_migratetype=1 ", "gfp_flags=GFP_KERNEL ", "mm_page_free: ", "#", "9".repeat(20)];
const damage = fc.array(fc.record({ kind: fc.nat({ max: 2 }), at: fc.nat(), n: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 3 });
function mutate(text: string, ms: readonly { kind: number; at: number; n: number }[]): string {
  let s = text;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    if (m.kind === 0) s = s.slice(0, at) + INSERTS[m.n % INSERTS.length]! + s.slice(at);
    else if (m.kind === 1) s = s.slice(0, at) + s.slice(at + 1 + (m.n % 3));
    else s = s.slice(0, at) + String.fromCharCode((s.charCodeAt(at) || 0) ^ (1 << (m.n % 8))) + s.slice(at + 1);
  }
  return s;
}

/** The byte scanner's answer on a line without line terminators, checked against the text scanner's. */
function agree(text: string): number {
  const bytes = utf8(text);
  // Bytes before and after the line: the scanner must not read past its end (or before its start).
  const framed = new Uint8Array(bytes.length + 8);
  framed.set(utf8("pfn=0x1 "), 0);
  framed.set(bytes, 4);
  framed.set(utf8("=0x7"), 4 + bytes.length);
  const b = new ScannedTraceRecord();
  const s = scanTraceBytes(framed, 4, 4 + bytes.length, 9, b, true);
  const t = new ScannedTraceRecord();
  const st = scanTraceLine(text, 9, t);
  if (s === SCAN_OK) {
    expect(st, JSON.stringify(text)).toBe(SCAN_OK);
    expect(b.toRecord(), JSON.stringify(text)).toStrictEqual(t.toRecord());
    expect(b.eventIndex).toBe(t.eventIndex);
    // without the text fields: the same numbers, comm/page/gfp left out
    const lean = new ScannedTraceRecord();
    expect(scanTraceBytes(framed, 4, 4 + bytes.length, 9, lean, false)).toBe(SCAN_OK);
    expect(lean.toRecord()).toStrictEqual({ ...t.toRecord(), comm: undefined, page: undefined, gfp: undefined });
  } else if (s === SCAN_NONE) expect(st, JSON.stringify(text)).toBe(SCAN_NONE);
  else expect(s).toBe(SCAN_FALLBACK);
  return s;
}

describe("scanTraceBytes: the byte scanner gives the text scanner's records", () => {
  it("reads every kmem line of the real 6.18 sample itself, with the text scanner's records", () => {
    const status = SAMPLE.map(agree);
    expect(status.filter((s) => s === SCAN_FALLBACK)).toEqual([]);
    expect(status.filter((s) => s === SCAN_OK).length).toBe(EVENTS.length);
  });

  it("on mutated sample lines (ASCII and not): the same record, the same 'no event', or the text path", () => {
    const seen = [0, 0, 0];
    fc.assert(
      fc.property(fc.nat({ max: EVENTS.length - 1 }), damage, fuzzMutations, fc.boolean(), (k, ms, fm, shared) => {
        const text = shared ? fuzzMutate(EVENTS[k]!, fm) : mutate(EVENTS[k]!, ms);
        // a line never holds a line terminator: write() splits there
        for (const piece of text.split(/\r\n|\n|\r/)) seen[agree(piece)]!++;
      }),
      { seed: 0x10_b7e5, numRuns: 3000 * SOAK },
    );
    expect(seen[SCAN_OK]).toBeGreaterThan(300);
    expect(seen[SCAN_FALLBACK]).toBeGreaterThan(300);
  });
});

/** Replay `text` line by line as `pagealloc replay` reads a file (readline, crlfDelay Infinity): summary or error. */
async function viaLines(text: Uint8Array, mode: ReplayMode): Promise<unknown> {
  const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode, file: "t.txt" });
  try {
    for await (const line of readline.createInterface({ input: Readable.from([Buffer.from(text)]), crlfDelay: Infinity })) r.line(line);
    return r.finish();
  } catch (e) {
    return { error: String(e), location: (e as { location?: string }).location };
  }
}

/** Replay `text` through write() in chunks cut at `cuts`: summary or error. */
function viaBytes(text: Uint8Array, mode: ReplayMode, cuts: readonly number[]): unknown {
  const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode, file: "t.txt" });
  try {
    let at = 0;
    for (const c of [...cuts.map((x) => x % (text.length + 1))].sort((a, b) => a - b)) {
      r.write(text.subarray(at, Math.max(at, c)));
      at = Math.max(at, c);
    }
    r.write(text.subarray(at));
    return r.finish();
  } catch (e) {
    return { error: String(e), location: (e as { location?: string }).location };
  }
}

// Lines of the sample moved onto tiny-16m's pfns (the recorded mode places them), so that allocations and frees apply.
const TINY = EVENTS.slice(0, 60).map((l, k) => l.replace(/pfn=0x[0-9a-f]+/, `pfn=0x${(0x400 + 8 * (k % 25)).toString(16)}`));

describe("TraceReplayer.write(): bytes in chunks give what line() gives", () => {
  it("for the real sample, any chunking, both modes", async () => {
    const text = utf8(`${SAMPLE.join("\n")}\n`);
    for (const mode of ["recorded", "simulate"] as const) {
      const expected = await viaLines(text, mode);
      expect((expected as { lines: number }).lines).toBe(SAMPLE.length);
      for (const cuts of [[], [1], [100, 101, 102], Array.from({ length: 200 }, (_, k) => k * 997)]) expect(viaBytes(text, mode, cuts)).toStrictEqual(expected);
    }
  });

  it("for mutated lines joined by \\n, \\r\\n or a lone \\r, with or without a last line end, cut anywhere", async () => {
    const ends = ["\n", "\r\n", "\r"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: fc.nat({ max: TINY.length - 1 }), ms: fc.option(damage, { freq: 3 }), end: fc.nat({ max: 2 }) }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom<ReplayMode>("recorded", "simulate"),
        async (lines, cuts, lastEnd, mode) => {
          let s = "";
          lines.forEach((l, i) => {
            s += l.ms ? mutate(TINY[l.k]!, l.ms) : TINY[l.k]!;
            if (i < lines.length - 1 || lastEnd) s += ends[l.end]!;
          });
          const text = utf8(s);
          expect(viaBytes(text, mode, cuts)).toStrictEqual(await viaLines(text, mode));
        },
      ),
      { seed: 0x10_b7e6, numRuns: 300 * SOAK },
    );
  }, 60_000);

  it("empty input, a lone line end, a byte order mark", async () => {
    for (const s of ["", "\n", "\r", "\r\n", "\n\n\r\r\n", "a\n\r", "a\r\r", `\ufeff${TINY[0]}\n${TINY[1]}`, `${TINY[0]}\r`]) {
      const text = utf8(s);
      const expected = await viaLines(text, "recorded");
      for (const cuts of [[], [1], [1, 2, 3]]) expect(viaBytes(text, "recorded", cuts), JSON.stringify(s)).toStrictEqual(expected);
    }
  });
});

describe("TraceReplayer.finish({ partial })", () => {
  const alloc = "  a-1 [000] .....  1.000000: mm_page_alloc: page=0000000000000001 pfn=0x800 order=2 migratetype=0 gfp_flags=GFP_KERNEL";
  const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

  it("replays a last line without a line end by default, as readline would", () => {
    const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
    r.write(bytes(`# tracer: nop\n${alloc}`));
    expect(r.linesRead).toBe(1);
    const s = r.finish();
    expect([s.lines, s.applied.allocs]).toEqual([2, 1]);
  });

  it('drops it with partial: "drop" (input stopped mid-line: the bytes are the start of a line)', () => {
    const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
    r.write(bytes(`# tracer: nop\n${alloc.slice(0, 60)}`));
    const s = r.finish({ partial: "drop" });
    expect([s.lines, s.applied.allocs]).toEqual([1, 0]);
  });

  it('keeps a line that ended with a lone "\\r" even with partial: "drop"', () => {
    const r = new TraceReplayer(bootKernel({ machine: "tiny-16m" }), { mode: "recorded" });
    r.write(bytes(`${alloc}\r`));
    const s = r.finish({ partial: "drop" });
    expect([s.lines, s.applied.allocs]).toEqual([1, 1]);
  });
});
