// Fuzzing of physmem's inputs (issue 11): machine JSON (validateMachine / loadMachine), the numactl and sysfs
// importers, sizes and cpulists. Every case returns or throws a PageallocError with a code and a location.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PageallocError } from "./errors";
import { machineFromSysfsNodes, parseNumactlHardware } from "./importers";
import { loadMachine, validateMachine } from "./machine";
import { presets } from "./presets";
import { parseCpulist, parseSize } from "./units";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const NUMACTL = [
  "available: 2 nodes (0-1)",
  "node 0 cpus: 0 1 2 3",
  "node 0 size: 15949 MB",
  "node 0 free: 11021 MB",
  "node 1 cpus: 4 5 6 7",
  "node 1 size: 16125 MB",
  "node 1 free: 12000 MB",
  "node distances:",
  "node   0   1",
  "  0:  10  21",
  "  1:  21  10",
].join("\n");
const SYSFS = {
  "node0/cpulist": "0-3\n",
  "node0/distance": "10 21\n",
  "node0/meminfo": "Node 0 MemTotal:       16331920 kB\nNode 0 MemFree:         3908144 kB\n",
  "node1/cpulist": "4-7\n",
  "node1/distance": "21 10\n",
  "node1/meminfo": "Node 1 MemTotal:       16512000 kB\n",
};
const descriptions = Object.values(presets).map((p) => JSON.stringify(p.description));

describe("fuzz: machine JSON", () => {
  it("validateMachine never throws and loadMachine throws only InvalidMachineError for mutated preset descriptions", () => {
    fc.assert(
      fc.property(fc.nat({ max: descriptions.length - 1 }), mutations, (k, ms) => {
        let json: unknown;
        try {
          json = JSON.parse(mutate(descriptions[k]!, ms));
        } catch {
          return; // not JSON any more: the CLI reports JSON syntax errors itself
        }
        const v = validateMachine(json);
        const loaded = typedOrOk(() => loadMachine(json), "loadMachine");
        expect(v.ok).toBe(!(loaded instanceof PageallocError));
        if (loaded instanceof PageallocError) {
          expect(loaded.code).toBe("INVALID_MACHINE");
          if (!v.ok) for (const p of v.problems) expect(p.path).toMatch(/^\$/);
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("random JSON values (any shape) are rejected with the problems listed, never an untyped exception", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        const v = validateMachine(json);
        if (!v.ok) expect(v.problems.length).toBeGreaterThan(0);
        typedOrOk(() => loadMachine(json));
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("replacing any one value of a preset description with junk gives a typed error or a valid machine", () => {
    const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0.5, 1e308, -0, "16X", "0x", "1e3G", "-4K", "", null, [], {}));
    fc.assert(
      fc.property(fc.nat({ max: descriptions.length - 1 }), fc.nat(), junk, (k, pick, value) => {
        const json = JSON.parse(descriptions[k]!) as unknown;
        const slots: { parent: Record<string, unknown>; key: string }[] = [];
        const walk = (x: unknown): void => {
          if (x && typeof x === "object") for (const [key, v] of Object.entries(x)) (slots.push({ parent: x as Record<string, unknown>, key }), walk(v));
        };
        walk(json);
        const slot = slots[pick % slots.length]!;
        slot.parent[slot.key] = value;
        validateMachine(json);
        typedOrOk(() => loadMachine(json));
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });
});

describe("fuzz: importers and units", () => {
  it("parseNumactlHardware: mutated real output", () => {
    fc.assert(
      fc.property(mutations, (ms) => {
        const d = typedOrOk(() => parseNumactlHardware(mutate(NUMACTL, ms)));
        if (!(d instanceof PageallocError)) typedOrOk(() => loadMachine(d));
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("machineFromSysfsNodes: mutated real files", () => {
    const names = Object.keys(SYSFS);
    fc.assert(
      fc.property(fc.nat({ max: names.length - 1 }), mutations, (k, ms) => {
        const files: Record<string, string> = { ...SYSFS, [names[k]!]: mutate(SYSFS[names[k] as keyof typeof SYSFS], ms) };
        const d = typedOrOk(() => machineFromSysfsNodes(files));
        if (!(d instanceof PageallocError)) typedOrOk(() => loadMachine(d));
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("parseSize and parseCpulist return null or a value for any text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom("16M", "0x1000", "1.5G", "-4K", "4 T", "99999999999999999999G")), mutations, (t, ms) => {
        const s = mutate(t, ms);
        const size = typedOrOk(() => parseSize(s));
        if (typeof size === "bigint") expect(size >= 0n).toBe(true);
        const cpus = typedOrOk(() => parseCpulist(s));
        if (Array.isArray(cpus)) for (const c of cpus) expect(Number.isInteger(c) && c >= 0).toBe(true);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("numactl text and cpulists take time linear in their length", () => {
    expectLinear((s) => parseNumactlHardware(`available: 1 nodes (0)\nnode 0 cpus: ${s}\nnode 0 size: 1024 MB\n`), "0 1 2 3 ");
    expectLinear((s) => parseCpulist(s.slice(0, -1)), "1-3,");
  });
});
