import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootKernel, readSnapshotExtra, snapshot } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import { renderState, runScript } from "@pagealloc/workload";
import { replay } from "./session";
import { loadSnapshot, saveSnapshot } from "./snapshot-file";
import { type PlaygroundState, encodeState } from "./state";

// a script op draws random() with seed = its op index, so the history must keep counting after a load
const script = "repeat 20 {\n  alloc m order=random(0,3) gfp=GFP_HIGHUSER_MOVABLE\n}\nrepeat 8 {\n  free m[random]\n}\nshow buddyinfo";
const before: PlaygroundState["ops"] = [
  { kind: "alloc", gfp: "GFP_KERNEL", order: 2, node: -1, cpu: 0 },
  { kind: "script", text: script, cpu: 1 },
  { kind: "free", of: 0, cpu: 0 },
];
const after: PlaygroundState["ops"] = [
  { kind: "script", text: script, cpu: 0 },
  { kind: "alloc", gfp: "GFP_DMA", order: 3, node: -1, cpu: 1 },
  { kind: "free", of: 1, cpu: 0 },
];

describe("playground snapshots", () => {
  it("save, load, then the same operations give what the page that saved would have shown", () => {
    const saved: PlaygroundState = { machine: "tiny-16m", version: "5.15", sysctls: { min_free_kbytes: 512 }, ops: before, step: 3 };
    const s = replay(saved);
    const bytes = saveSnapshot(s.kernel, saved);
    const loaded = loadSnapshot(bytes, "tiny.pgs");
    expect(loaded).toMatchObject({ machine: "tiny-16m", version: "5.15", sysctls: { min_free_kbytes: 512 }, ops: [], step: 0 });
    expect(loaded.snapshot).toMatchObject({ name: "tiny.pgs", opBase: 3, fromPlayground: true });
    const l = replay(loaded);
    for (const f of ["buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat"] as const) expect(renderState(l.kernel, f)).toBe(renderState(s.kernel, f));
    // the one-page history: the operations after the save, applied to the page that never saved
    const whole = replay({ ...saved, ops: [...before, ...after.map((o) => (o.kind === "free" ? { ...o, of: o.of + 3 } : o))], step: 6 });
    const cont = replay({ ...loaded, ops: after, step: 3 });
    expect(cont.results).toEqual(whole.results.slice(3));
    for (const f of ["buddyinfo", "pagetypeinfo", "zoneinfo"] as const) expect(renderState(cont.kernel, f)).toBe(renderState(whole.kernel, f));
    // going back within the loaded history returns to the loaded kernel
    expect(cont.rewind()).toBe(true);
    expect(renderState(cont.kernel, "buddyinfo")).toBe(renderState(s.kernel, "buddyinfo"));
  });

  it("the section holds the saved hash and the op count, as JSON", () => {
    const saved: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, ops: before, step: 2 };
    const extra = JSON.parse(new TextDecoder().decode(readSnapshotExtra(saveSnapshot(replay(saved).kernel, saved))!));
    expect(extra).toEqual({ format: "pagealloc-playground", version: 1, opBase: 2, state: encodeState(saved) });
  });

  it("loads a file of the CLI (script state in its section): no playground history, the kernel as saved", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
    runScript(k, "alloc a order=3 gfp=GFP_KERNEL count=3");
    const state = loadSnapshot(snapshot(k, { extra: new TextEncoder().encode('{"format":"pagealloc-script-state","version":1}') }), "cli.pgs");
    expect(state.snapshot).toMatchObject({ opBase: 0, fromPlayground: false });
    expect(renderState(replay(state).kernel, "buddyinfo")).toBe(renderState(k, "buddyinfo"));
  });

  it("a damaged file is SNAPSHOT_CORRUPT with its location", () => {
    const bytes = snapshot(bootKernel({ machine: "tiny-16m" }));
    bytes[bytes.length - 5]! ^= 0xff;
    expect(() => loadSnapshot(bytes, "bad.pgs")).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
    expect(() => loadSnapshot(bytes.subarray(0, 10), "short.pgs")).toThrow(expect.objectContaining({ code: "SNAPSHOT_CORRUPT" }));
  });

  it("a file with bytes changed anywhere loads or is refused with a typed error, never another exception (fuzz)", () => {
    const saved: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, ops: before, step: 3 };
    const good = saveSnapshot(replay(saved).kernel, saved);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(good.length), (flips, cut) => {
        const bytes = good.slice(0, Math.max(cut, 1));
        for (const [at, x] of flips) if (at < bytes.length) bytes[at]! ^= x;
        try {
          replay(loadSnapshot(bytes, "fuzz.pgs"));
        } catch (e) {
          expect(e).toBeInstanceOf(PageallocError);
        }
      }),
      { numRuns: 60, seed: 0x11_5a7e },
    );
  });
});
