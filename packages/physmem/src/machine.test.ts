import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PageallocError } from "./errors";
import { InvalidMachineError, loadMachine, nodeDistance, validateMachine } from "./machine";

const node0 = { id: 0, cpus: [0, 1], memory: [{ start: 0, end: "16M" }] };

function problems(json: unknown) {
  const r = validateMachine(json);
  if (r.ok) throw new Error("expected problems"); // lint-ignore: test helper
  return r.problems;
}

describe("validateMachine: normalization", () => {
  it("the live 6.18 machine's early memory node ranges give the kernel's page counts", () => {
    // kernel-facts 2.2 boot log: node 0 ranges [0x1000-0x9efff] [0x100000-0xbfffffff] [0x100000000-0x63fffffff]
    const m = loadMachine({
      name: "live",
      arch: "x86_64",
      nodes: [{ id: 0, cpus: "0-1", memory: [
        { start: "0x100000000", end: "0x640000000" },
        { start: "0x1000", end: "0x9f000" },
        { start: "0x100000", end: "0xc0000000" },
      ] }],
    });
    const n = m.nodes[0];
    expect(n.ranges).toEqual([
      { startPfn: 1, endPfn: 0x9f },
      { startPfn: 0x100, endPfn: 0xc0000 },
      { startPfn: 0x100000, endPfn: 0x640000 },
    ]);
    // §2.3: DMA present 158 + 3840, DMA32 present 782336 - 3840 (the part of [0x100, 0xc0000) above pfn 4096), Normal 5505024
    expect(n.presentPages).toBe(158 + (0xc0000 - 0x100) + 5505024);
    expect(n.spannedStartPfn).toBe(1);
    expect(n.spannedEndPfn).toBe(0x640000);
    expect(m.maxPfn).toBe(0x640000);
    expect(m.totalPages).toBe(n.presentPages);
    expect(m.distance).toEqual([[10]]);
    expect(n.cpus).toEqual([0, 1]);
  });

  it("adjacent ranges are merged like memblock does; sizes and ends are equivalent", () => {
    const m = loadMachine({ name: "a", arch: "x86_64", nodes: [{ id: 0, memory: [{ start: "1M", size: "1M" }, { start: "0x200000", end: 0x300000 }] }] });
    expect(m.nodes[0].ranges).toEqual([{ startPfn: 256, endPfn: 768 }]);
  });

  it("nodes are sorted by id and the distance matrix is permuted with them", () => {
    const m = loadMachine({
      name: "b",
      arch: "x86_64",
      nodes: [
        { id: 2, cpus: [2], memory: [{ start: "2G", size: "1G" }] },
        { id: 0, cpus: [0], memory: [{ start: 0, size: "1G" }] },
        { id: 1, cpus: [1], memory: [] },
      ],
      distance: [
        [10, 22, 16],
        [22, 10, 21],
        [16, 21, 10],
      ],
    });
    expect(m.nodes.map((n) => n.id)).toEqual([0, 1, 2]);
    expect(nodeDistance(m, 0, 2)).toBe(22);
    expect(nodeDistance(m, 1, 2)).toBe(16);
    expect(nodeDistance(m, 0, 1)).toBe(21);
    expect(m.nodes[1]).toMatchObject({ presentPages: 0, spannedStartPfn: 0, spannedEndPfn: 0 });
    expect(() => nodeDistance(m, 0, 7)).toThrow(PageallocError);
  });

  it("default SLIT is 10 local / 20 remote", () => {
    const m = loadMachine({ name: "c", arch: "x86_64", nodes: [node0, { id: 1, memory: [{ start: "16M", size: "16M" }] }] });
    expect(m.distance).toEqual([[10, 20], [20, 10]]);
  });

  it("scales to 4 TiB and beyond with exact byte addresses", () => {
    const m = loadMachine({ name: "big", arch: "x86_64", nodes: [
      { id: 0, memory: [{ start: 0, size: "4T" }] },
      { id: 1, memory: [{ start: "4T", size: "4T" }] },
    ] });
    expect(m.totalPages).toBe(2 * 2 ** 30); // 8 TiB / 4 KiB
    expect(m.maxPfn).toBe(2 ** 31);
  });

  it("zone overrides, reservations and cmdline are carried", () => {
    const m = loadMachine({
      name: "d",
      arch: "x86_64",
      nodes: [{ id: 0, memory: [{ start: "0x1000", end: "0x9f000" }, { start: "1M", end: "1G" }], zones: { DMA: { managed: 3840 } }, reserved: [{ start: "1M", size: "2M" }] }],
      cmdline: { kernelcore: "512M", movablecore: "20%" },
    });
    expect(m.zoneOverrides).toEqual([{ nid: 0, zone: "DMA", managedPages: 3840 }]);
    expect(m.nodes[0].reservedPfns).toEqual([{ startPfn: 256, endPfn: 768 }]);
    expect(m.cmdline).toEqual({ kernelcore: "512M", movablecore: "20%" });
  });
});

describe("validateMachine: problems, all at once, with JSON paths", () => {
  it("reports every problem of a badly broken description", () => {
    const p = problems({
      name: "",
      arch: "x86_64",
      nodes: [
        { id: 0, cpus: [0, 1, 1], memory: [{ start: "0x1000", end: "0x20000" }, { start: "0x10000", end: "0x30000" }] },
        { id: 0, cpus: "1-2", memory: [{ start: "0x2000", size: "4K" }, { start: "0x100001", end: "0x200000" }] },
        { id: -1, memory: [{ start: "1P", size: "1P" }] },
      ],
      distance: [[10, 21], [20, 10, 30]],
      memroy: [],
    });
    const paths = p.map((x) => x.path);
    expect(paths).toEqual(expect.arrayContaining([
      "$.name",
      "$.memroy",
      "$.nodes[0].cpus[2]", // CPU 1 twice on node 0
      "$.nodes[1].id", // duplicate id
      "$.nodes[1].cpus", // CPU 1 also on node 0
      "$.nodes[1].memory[1].start", // unaligned
      "$.nodes[2].id",
      "$.nodes[2].memory[0]", // beyond 2^46
      "$.distance", // 2 rows for 3 nodes
      "$.distance[0]", // 2 values for 3 nodes
    ]));
    // overlaps within node 0 and between nodes 0 and 1
    const overlaps = p.filter((x) => x.reason.startsWith("overlaps"));
    expect(overlaps.map((x) => x.path).sort()).toEqual(["$.nodes[0].memory[1]", "$.nodes[1].memory[0]"]);
    expect(p.find((x) => x.path === "$.nodes[2].memory[0]")!.reason).toContain("physical address limit 0x400000000000");
  });

  it("i386 without PAE cannot have memory above 4 GiB; PAE can (36 bits)", () => {
    const desc = (arch: string) => ({ name: "e", arch, nodes: [{ id: 0, memory: [{ start: 0, end: "5G" }] }] });
    expect(problems(desc("i386"))[0]).toMatchObject({ path: "$.nodes[0].memory[0]" });
    expect(validateMachine(desc("i386-pae")).ok).toBe(true);
  });

  it("unknown arch, unknown zone, bad distances, asymmetry", () => {
    expect(problems({ name: "f", arch: "sparc", nodes: [node0] }).map((x) => x.path)).toEqual(["$.arch"]);
    expect(problems({ name: "g", arch: "x86_64", nodes: [{ ...node0, zones: { HighMem: { managed: 1 } } }] })[0]).toMatchObject({
      path: "$.nodes[0].zones.HighMem",
      reason: expect.stringContaining("x86_64 has no zone"),
    });
    const two = [node0, { id: 1, memory: [{ start: "16M", size: "16M" }] }];
    expect(problems({ name: "h", arch: "x86_64", nodes: two, distance: [[11, 20], [20, 10]] })[0].path).toBe("$.distance[0][0]");
    expect(problems({ name: "h", arch: "x86_64", nodes: two, distance: [[10, 10], [10, 10]] }).map((x) => x.path)).toEqual(["$.distance[0][1]", "$.distance[1][0]"]);
    expect(problems({ name: "h", arch: "x86_64", nodes: two, distance: [[10, 20], [21, 10]] })[0]).toMatchObject({ path: "$.distance[1][0]", reason: expect.stringContaining("not symmetric") });
    expect(validateMachine({ name: "h", arch: "x86_64", nodes: two, distance: [[10, 20], [21, 10]], distanceAsymmetric: true }).ok).toBe(true);
  });

  it("range shape problems", () => {
    const p = problems({ name: "i", arch: "x86_64", nodes: [{ id: 0, memory: [{ start: 0 }, { start: 0, end: 4096, size: 4096 }, { start: "8K", end: "4K" }, { start: "lots", end: 1.5 }, 7] }] });
    expect(p.map((x) => `${x.path}: ${x.reason.split(" ")[0]}`)).toEqual([
      "$.nodes[0].memory[0]: missing",
      "$.nodes[0].memory[1]: give",
      "$.nodes[0].memory[2]: empty",
      "$.nodes[0].memory[3].start: must",
      "$.nodes[0].memory[3].end: must",
      "$.nodes[0].memory[4]: a",
    ]);
  });

  it("reservations outside memory, managed above present, bad cmdline", () => {
    const p = problems({
      name: "j",
      arch: "x86_64",
      nodes: [{ id: 0, memory: [{ start: 0, end: "16M" }], reserved: [{ start: "15M", size: "2M" }], zones: { DMA: { managed: 5000 } } }],
      cmdline: { kernelcore: "lots", other: "x" },
    });
    expect(p.map((x) => x.path)).toEqual(["$.nodes[0].reserved[0]", "$.nodes[0].zones.DMA", "$.cmdline.other", "$.cmdline.kernelcore"]);
  });

  it("a machine without memory is refused", () => {
    expect(problems({ name: "k", arch: "x86_64", nodes: [{ id: 0, cpus: [0], memory: [] }] })[0].reason).toBe("the machine has no memory");
  });

  it("loadMachine throws InvalidMachineError listing every problem", () => {
    let err: unknown;
    try {
      loadMachine({ name: "l", arch: "x86_64", nodes: [{ id: 0, memory: [{ start: 1, size: 4096 }] }, { id: 0, memory: [] }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidMachineError);
    const e = err as InvalidMachineError;
    expect(e.code).toBe("INVALID_MACHINE");
    expect(e.problems.map((p) => p.path)).toEqual(["$.nodes[0].memory[0].start", "$.nodes[0].memory[0].size", "$.nodes[1].id"]);
    expect(e.location).toBe("$.nodes[0].memory[0].start");
    expect(e.message).toContain("and 2 more");
  });
});

describe("validateMachine never throws", () => {
  it("on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validateMachine(v);
        expect(r.ok ? r.machine : r.problems.length).toBeTruthy();
      }),
      { numRuns: 2000 },
    );
  });

  it("on JSON values shaped like machine descriptions", () => {
    const size = fc.oneof(fc.integer({ min: -5, max: 2 ** 40 }), fc.constantFrom("4G", "0x1000", "16M", "1P", "x", ""), fc.jsonValue());
    const range = fc.record({ start: size, end: size, size }, { requiredKeys: [] });
    const nodeArb = fc.record(
      { id: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.jsonValue()), cpus: fc.oneof(fc.array(fc.integer({ min: -1, max: 8 })), fc.constantFrom("0-3", "3-1", "a"), fc.jsonValue()), memory: fc.oneof(fc.array(range, { maxLength: 3 }), fc.jsonValue()), reserved: fc.array(range, { maxLength: 2 }), zones: fc.dictionary(fc.constantFrom("DMA", "Normal", "HighMem", "__proto__", "constructor"), fc.oneof(fc.record({ managed: fc.jsonValue() }), fc.jsonValue())) },
      { requiredKeys: [] },
    );
    const desc = fc.record(
      {
        name: fc.oneof(fc.string(), fc.jsonValue()),
        arch: fc.constantFrom("x86_64", "i386", "i386-pae", "arm64", "vax", 3),
        archOptions: fc.oneof(fc.record({ fiveLevelPaging: fc.jsonValue(), pageShift: fc.constantFrom(12, 14, 16, 13), zoneDmaLimit: size, lowmemLimitPfn: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
        nodes: fc.array(nodeArb, { maxLength: 4 }),
        distance: fc.oneof(fc.array(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 4 }), { maxLength: 4 }), fc.jsonValue()),
        cmdline: fc.oneof(fc.record({ kernelcore: fc.oneof(fc.constantFrom("512M", "mirror", "20%"), fc.jsonValue()) }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(desc, (v) => {
        const r = validateMachine(v);
        if (r.ok) expect(r.machine.totalPages).toBeGreaterThan(0);
        else for (const p of r.problems) expect(p.path.startsWith("$")).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("on descriptions parsed from JSON text with __proto__ keys", () => {
    const r = validateMachine(JSON.parse('{"name":"p","arch":"x86_64","__proto__":{"nodes":1},"nodes":[{"id":0,"memory":[{"start":0,"size":"4K"}],"zones":{"__proto__":{}}}]}'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toEqual(["$.__proto__", "$.nodes[0].zones.__proto__"]);
  });
});

it("a normalized machine is frozen", () => {
  const m = loadMachine({ name: "z", arch: "x86_64", nodes: [node0] });
  expect(Object.isFrozen(m.nodes[0].ranges[0])).toBe(true);
  expect(() => (m.nodes as unknown as unknown[]).push(1)).toThrow(TypeError);
});
