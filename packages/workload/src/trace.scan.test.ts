// The fast scanner (scanTraceLine) against the general parser (parseTraceLineGeneral): wherever the scanner
// accepts a line it must give exactly the general parser's record, and where it calls a line no event the
// general parser must agree. Checked on every line of the real 6.18 sample (src/__fixtures__/trace-6.18.txt,
// the same text as apps/cli/src/commands/__fixtures__/samples-6.18-x86_64/tracefs_trace_sample.txt) and on
// mutated lines.
import fs from "node:fs";
import path from "node:path";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SCAN_FALLBACK, SCAN_NONE, SCAN_OK, ScannedTraceRecord, parseTraceLine, parseTraceLineGeneral, scanTraceLine } from "./trace";

const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
const SAMPLE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/trace-6.18.txt"), "utf8").split("\n").slice(1);
const EVENTS = SAMPLE.filter((l) => l.includes("mm_page"));

/** The general parser's answer: a record, null, or the error it throws. */
function general(text: string): ReturnType<typeof parseTraceLineGeneral> | PageallocError {
  try {
    return parseTraceLineGeneral(text, 9, "t.txt");
  } catch (e) {
    if (e instanceof PageallocError) return e;
    throw e;
  }
}

/** Scan `text`; check the scanner's answer against the general parser's. Returns the scan status. */
// One record reused across all lines, as a replayer does: nothing of a line may leak into the next.
const shared = new ScannedTraceRecord();

function agree(text: string): number {
  const out = new ScannedTraceRecord();
  const s = scanTraceLine(text, 9, out);
  expect(scanTraceLine(text, 9, shared), JSON.stringify(text)).toBe(s);
  if (s === SCAN_OK) expect(shared.toRecord()).toStrictEqual(out.toRecord());
  const g = general(text);
  if (s === SCAN_OK) {
    expect(g, JSON.stringify(text)).not.toBeInstanceOf(PageallocError);
    expect(out.toRecord(), JSON.stringify(text)).toStrictEqual(g);
    expect(out.event).toBe(out.toRecord().event);
  } else if (s === SCAN_NONE) expect(g, JSON.stringify(text)).toBeNull();
  else expect(s).toBe(SCAN_FALLBACK);
  // parseTraceLine (scanner, then general parser) answers as the general parser does.
  let p: unknown;
  try {
    p = parseTraceLine(text, 9, "t.txt");
  } catch (e) {
    p = e;
  }
  if (g instanceof PageallocError) expect((p as PageallocError).message).toBe(g.message);
  else expect(p).toStrictEqual(g);
  return s;
}

// Character-level damage (truncation, bit flips, inserted text: blanks, tabs, unicode spaces, line terminators,
// prefixes, numbers of every shape, duplicated keys, brackets) at random places.
const INSERTS = [" ", "\t", "  ", "\u00a0", "\r", "\n", "\u2028", "kmem:", "-", "[", "]", "(", ")", ":", "=", "0x", "x", "00", "1e3", "99", ".5", "order=3 ", "pfn=7 ", "page=0 ", "migratetype=x ", "mm_page_free: ", "mm_page_alloc", "#", "9".repeat(20), "é", "\u0000"];
const mutations = fc.array(fc.record({ kind: fc.nat({ max: 3 }), at: fc.nat(), n: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 });
function mutate(text: string, ms: readonly { kind: number; at: number; n: number }[]): string {
  let s = text;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    if (m.kind === 0) s = s.slice(0, at);
    else if (m.kind === 1) s = s.slice(0, at) + String.fromCharCode((s.charCodeAt(at) || 0) ^ (1 << (m.n % 8))) + s.slice(at + 1);
    else if (m.kind === 2) s = s.slice(0, at) + INSERTS[m.n % INSERTS.length]! + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + 1 + (m.n % 3));
  }
  return s;
}

describe("scanTraceLine: the fast path gives the general parser's records", () => {
  it("on every line of the real 6.18 sample, and reads every kmem line of it itself", () => {
    const status = SAMPLE.map(agree);
    // The sample is the kernel's standard `trace` layout: no line needs the general parser.
    expect(status.filter((s) => s === SCAN_FALLBACK)).toEqual([]);
    expect(status.filter((s) => s === SCAN_OK).length).toBe(EVENTS.length);
    expect(EVENTS.length).toBeGreaterThan(10);
  });

  it("on a sample line checked by hand (kernel's format: comm-pid [cpu] flags ts: event: fields)", () => {
    const out = new ScannedTraceRecord();
    const line = EVENTS.find((l) => l.includes("mm_page_alloc:"))!;
    expect(scanTraceLine(line, 3, out)).toBe(SCAN_OK);
    const m = /^\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+): mm_page_alloc: page=(\S+) pfn=0x([0-9a-f]+) order=(\d+) migratetype=(\d+) gfp_flags=(\S+)$/.exec(line)!;
    expect(out).toMatchObject({ event: "mm_page_alloc", comm: m[1], pid: Number(m[2]), cpu: Number(m[3]), timestamp: Number(m[4]), page: m[5], pfn: parseInt(m[6]!, 16), order: Number(m[7]), migratetype: Number(m[8]), gfp: m[9], failed: false });
  });

  it("on mutated sample lines", () => {
    const seen = [0, 0, 0];
    fc.assert(fc.property(fc.nat({ max: EVENTS.length - 1 }), mutations, (k, ms) => {
        // The intact line first (it fills the shared record's caches), then the damaged one.
        agree(EVENTS[(k * 7) % EVENTS.length]!);
        seen[agree(mutate(EVENTS[k]!, ms))]!++;
      }), { seed: 0x5ca7, numRuns: 3000 * SOAK });
    // The mutations reach both paths: many damaged lines are still read by the scanner, many are not.
    expect(seen[SCAN_OK]).toBeGreaterThan(300);
    expect(seen[SCAN_FALLBACK]).toBeGreaterThan(300);
  });

  it("on the layouts of other tools and versions (they go to the general parser)", () => {
    for (const l of [
      "           bash-1234  [001]  5.250000: mm_page_free:         page=0xffffea0000040000 pfn=4096 order=1",
      "         python3 19204 [000]   963.863731: kmem:mm_page_free: page=0x5607aae3 pfn=0x1db80e order=0",
      "     kworker/0:0-154   [001] d..2   12.000001: mm_page_pcpu_drain: page=ffffea0000123400 pfn=4660 order=0 migratetype=0",
      "  a-1 (  1) [000] .....  1.000000: mm_page_alloc: page=0000000000000000 pfn=0 order=0 migratetype=0 gfp_flags=GFP_KERNEL",
      "  a-1 [000] .....  1.000000: mm_page_alloc: page=(null) pfn=0 order=0 migratetype=0 gfp_flags=GFP_KERNEL",
      "  a-1 [000] .....  1.000000: mm_page_free_batched: page=0000000000000001 pfn=0x7",
      "  a-1 [000] .....  1.000000: mm_page_free: page=1 pfn=0x7 order=99",
      "  a-1 [000] .....  1.000000: mm_page_alloc_extfrag: page=1 pfn=0x7 alloc_order=2 fallback_order=9 alloc_migratetype=1 fallback_migratetype=0",
    ])
      agree(l);
  });
});
