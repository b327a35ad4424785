import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ScriptResult, runScript } from "./script";
import { type ScriptState, decodeScriptState, encodeScriptState } from "./script-state";

// A uses random() and names allocations; B frees A's names (by index, at random, whole groups) and draws more.
const A = [
  "alloc a order=random(0,2) gfp=GFP_KERNEL count=3",
  "alloc b order=0 gfp=GFP_HIGHUSER_MOVABLE count=random(5,9)",
  "free b[random]",
  "alloc big order=10 gfp=GFP_KERNEL count=20",
].join("\n");
const B = [
  "free a[1]",
  "free b[random]",
  "alloc c order=random(0,3) gfp=GFP_KERNEL count=4",
  "free b",
  "free c[random]",
  "expect count a == 2",
  "expect failures big >= 1",
  "expect alloc a ok",
  "show buddyinfo",
  "show pagetypeinfo",
].join("\n");
const linesOfA = A.split("\n").length;

/** B's part of the one-process run of A then B, with B's line numbers. */
function tailOf(whole: ScriptResult, stepsOfA: number) {
  const shift = <T extends { line: number }>(x: T) => ({ ...x, line: x.line - linesOfA });
  return {
    steps: whole.steps.slice(stepsOfA).map(shift),
    shows: whole.shows.map(shift),
    expectations: whole.expectations.map(shift),
    failures: whole.failures.filter((f) => f.line > linesOfA).map(shift),
  };
}
const partOf = (r: ScriptResult) => ({ steps: r.steps, shows: r.shows, expectations: r.expectations, failures: r.failures });

describe("runScript({ resume })", () => {
  it("continues a run: A then B (resumed) is the one-process run of A followed by B", () => {
    const whole = runScript(bootKernel({ machine: "tiny-16m" }), `${A}\n${B}`, { seed: 7 });
    const k = bootKernel({ machine: "tiny-16m" });
    const a = runScript(k, A, { seed: 7 });
    const b = runScript(k, B, { resume: a.state });
    expect(partOf(b)).toEqual(tailOf(whole, a.steps.length));
    expect(b.allocations).toEqual(whole.allocations);
    expect(b.state).toEqual(whole.state);
    expect(b.ok).toBe(true);
  });

  it("continues across a snapshot: kernel bytes plus the encoded state give the same future", () => {
    const whole = runScript(bootKernel({ machine: "tiny-16m", version: "2.6.24" }), `${A}\n${B}`, { seed: 7 });
    const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
    const a = runScript(k, A, { seed: 7 });
    const bytes = snapshot(k, { extra: encodeScriptState(a.state) });
    const k2 = restore(bytes);
    const b = runScript(k2, B, { resume: decodeScriptState(encodeScriptState(a.state)) });
    expect(partOf(b)).toEqual(tailOf(whole, a.steps.length));
    expect(b.shows[0]!.text).toContain("Node 0, zone      DMA");
  });

  it("keeps the generator state by hand arithmetic: 3 draws from seed 7 leave 7 + 3 * 0x6D2B79F5 mod 2^32", () => {
    const r = runScript(bootKernel({ machine: "tiny-16m" }), "alloc a order=random(0,2) gfp=GFP_KERNEL count=3", { seed: 7 });
    // 3 * 0x6D2B79F5 = 0x1_4782_6DDF; + 7 = 0x1_4782_6DE6; mod 2^32 = 0x4782_6DE6
    expect(r.state.prng).toBe(0x47826de6);
    // the named blocks are kept with the pfns and orders the steps report
    expect(r.state.allocations[0]!.blocks).toEqual(r.steps.map((s) => [s.pfn, s.order]));
  });

  it("without resume, a second run starts the sequence again (the old behaviour, for contrast)", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    runScript(k, "alloc x order=random(0,1000) gfp=GFP_KERNEL", { seed: 7 });
    expect(() => runScript(k, "free x")).toThrow(/no earlier "alloc x"/);
    const again = runScript(k, "alloc y order=0 gfp=GFP_KERNEL count=random(0,1000)", { seed: 7 });
    const resumed = runScript(bootKernel({ machine: "tiny-16m" }), "alloc y order=0 gfp=GFP_KERNEL count=random(0,1000)", { seed: 7 });
    expect(again.steps.length).toBe(resumed.steps.length);
  });
});

describe("encodeScriptState / decodeScriptState", () => {
  it("is a small versioned JSON document", () => {
    const state: ScriptState = { prng: 5, allocations: [{ name: "a", blocks: [[4096, 2], null], failed: 1, lastOk: null, reclaimable: true, evicted: 0 }], owners: [["a", 0]] };
    const text = new TextDecoder().decode(encodeScriptState(state));
    expect(text).toBe(
      '{"format":"pagealloc-script-state","version":1,"prng":5,"allocations":[{"name":"a","blocks":[[4096,2],null],"failed":1,"lastOk":null,"reclaimable":true,"evicted":0}],"owners":[["a",0]]}',
    );
    expect(decodeScriptState(encodeScriptState(state))).toEqual(state);
  });

  it("round-trips any state (property)", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,6}$/);
    const alloc = fc.record({
      blocks: fc.array(fc.option(fc.tuple(fc.nat(1 << 30), fc.nat(15)), { nil: null }), { maxLength: 6 }),
      failed: fc.nat(),
      lastOk: fc.constantFrom(true, false, null),
      reclaimable: fc.boolean(),
      evicted: fc.nat(),
    });
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.uniqueArray(fc.tuple(name, alloc), { selector: (x) => x[0], maxLength: 4 }), (prng, groups) => {
        const allocations = groups.map(([n, g]) => ({ name: n, ...g }));
        const owners = allocations.flatMap((a) => a.blocks.map((_, i) => [a.name, i] as const));
        const state = { prng, allocations, owners };
        expect(decodeScriptState(encodeScriptState(state))).toEqual(state);
      }),
    );
  });

  it("rejects bad input with a JSON path", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const ok = { format: "pagealloc-script-state", version: 1, prng: 1, allocations: [{ name: "a", blocks: [[1, 0]], failed: 0, lastOk: true, reclaimable: false, evicted: 0 }], owners: [] };
    const bad = (patch: object) => enc(JSON.stringify({ ...ok, ...patch }));
    const cases: [Uint8Array, string][] = [
      [enc("{"), "$"],
      [new Uint8Array([0xff, 0xfe]), "$"],
      [enc("[]"), "$"],
      [bad({ format: "other" }), "$.format"],
      [bad({ version: 2 }), "$.version"],
      [bad({ prng: 2 ** 32 }), "$.prng"],
      [bad({ allocations: [{ ...ok.allocations[0], name: "9x" }] }), "$.allocations[0].name"],
      [bad({ allocations: [ok.allocations[0], ok.allocations[0]] }), "$.allocations[1].name"],
      [bad({ allocations: [{ ...ok.allocations[0], blocks: [[1, 64]] }] }), "$.allocations[0].blocks[0][1]"],
      [bad({ allocations: [{ ...ok.allocations[0], blocks: [[1]] }] }), "$.allocations[0].blocks[0]"],
      [bad({ allocations: [{ ...ok.allocations[0], lastOk: "yes" }] }), "$.allocations[0].lastOk"],
      [bad({ owners: [["b", 0]] }), "$.owners[0]"],
      [bad({ owners: [["a", 1]] }), "$.owners[0][1]"],
    ];
    for (const [bytes, location] of cases) {
      expect(() => decodeScriptState(bytes), location).toThrow(expect.objectContaining({ code: "SCRIPT_STATE_INVALID", location }));
    }
  });
});
