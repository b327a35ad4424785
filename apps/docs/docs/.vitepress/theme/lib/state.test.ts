import { describe, expect, it } from "vitest";
import { DEFAULT_STATE, type PlaygroundState, PlaygroundHashError, decodeState, encodeState } from "./state";

describe("playground URL hash", () => {
  it("round-trips a state with every kind of operation", () => {
    const s: PlaygroundState = {
      machine: "numa-4node",
      version: "2.6.24",
      sysctls: { min_free_kbytes: 2048, watermark_scale_factor: 30 },
      reclaim: false,
      ops: [
        { kind: "alloc", gfp: "GFP_KERNEL|__GFP_THISNODE", order: 3, node: 2, cpu: 5 },
        { kind: "free", of: 0, cpu: 1 },
        { kind: "script", text: "alloc a order=1 gfp=GFP_KERNEL\nshow buddyinfo", cpu: 0 },
      ],
      step: 2,
    };
    const hash = encodeState(s);
    expect(hash).toContain("ops=a.GFP_KERNEL%2B__GFP_THISNODE.3.2.5%7Ef.0.1%7Es.");
    expect(decodeState(`#${hash}`)).toEqual({ ...s, machineJson: undefined });
  });

  it("the slow path is on by default: only r=0 (reclaim: false) is written; r=1 of older links reads as the default", () => {
    expect(encodeState(DEFAULT_STATE)).not.toContain("r=");
    expect(encodeState({ ...DEFAULT_STATE, reclaim: false })).toContain("r=0");
    expect(decodeState("m=tiny-16m&r=0").reclaim).toBe(false);
    expect(decodeState("m=tiny-16m&r=1").reclaim).toBeUndefined();
    expect(decodeState("m=tiny-16m").reclaim).toBeUndefined();
  });

  it("round-trips a pasted machine", () => {
    const machineJson = { name: "box", arch: "x86_64", nodes: [{ id: 0, cpus: [0, 1], memory: [{ start: "1M", size: "63M" }] }] };
    const s = decodeState(encodeState({ ...DEFAULT_STATE, machine: "custom", machineJson }));
    expect(s.machineJson).toEqual(machineJson);
  });

  it("round-trips a pasted /proc/buddyinfo (fc) and rejects text that is not one", () => {
    const s: PlaygroundState = { ...DEFAULT_STATE, freeCounts: "Node 0, zone      DMA      3      1      0 \n" };
    expect(decodeState(encodeState(s))).toEqual(s);
    expect(() => decodeState("m=tiny-16m&fc=aGVsbG8")).toThrow(PlaygroundHashError);
    try {
      decodeState("m=tiny-16m&fc=aGVsbG8");
    } catch (e) {
      expect((e as PlaygroundHashError).location).toBe("fc");
    }
  });

  it("an empty hash is the default state", () => {
    expect(decodeState("")).toBe(DEFAULT_STATE);
    expect(decodeState("#")).toBe(DEFAULT_STATE);
  });

  it.each([
    ["m=nope", "m", /unknown preset/],
    ["m=pc-4g&v=7.0", "v", /not one of/],
    ["m=pc-4g&x=1", "x", /unknown field/],
    ["s=min_free_kbytes:-5", "s.min_free_kbytes", /outside/],
    ["s=swappiness:60", "s[0]", /unknown sysctl/],
    ["ops=a.GFP_KERNEL.11x.0.0", "ops[0].order", /integer/],
    ["ops=a.GFP%3CKERNEL.1.0.0", "ops[0].gfp", /bad GFP/],
    ["ops=f.0.0", "ops[0].of", /outside 0..-1/],
    ["ops=a.GFP_KERNEL.1.0.0~f.1.0", "ops[1].of", /outside 0..0/],
    ["ops=a.GFP_KERNEL.1.0.0~f.0.0~f.1.0", "ops[2].of", /not an allocation/],
    ["ops=q.1", "ops[0]", /expected/],
    ["ops=a.GFP_KERNEL.1.0.0&step=2", "step", /outside 0..1/],
    ["m=custom", "mj", /needs the mj field/],
    ["r=yes", "r", /expected 0 or 1/],
    ["m=custom&mj=!!", "mj", /base64url/],
    ["m=custom&mj=e30", "mj", /name|nodes|arch/],
  ])("rejects %s at %s", (hash, location, reason) => {
    let err: unknown;
    try {
      decodeState(hash);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaygroundHashError);
    expect((err as PlaygroundHashError).location).toBe(location);
    expect((err as PlaygroundHashError).message).toMatch(reason);
  });
});
