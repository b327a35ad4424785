// Fuzzing of /proc/zoneinfo and /proc/sys/vm input (issue 11): parseZoneinfo, machineFromZoneinfo, parseSysctlDir,
// and buildZones with the parsed sysctls.
import fs from "node:fs";
import path from "node:path";
import { PageallocError, getPreset } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildZones } from "./zones";
import { parseSysctlDir } from "./sysctls";
import { machineFromZoneinfo, parseZoneinfo } from "./zoneinfo";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
// live 6.18 x86_64 /proc/zoneinfo (first line of the fixture says where it came from); the first 120 lines keep cases fast
const ZONEINFO = fixture("proc_zoneinfo-6.18-x86_64.txt").split("\n").slice(1, 121).join("\n");
const SYSCTLS: Record<string, string> = { min_free_kbytes: "67584\n", watermark_scale_factor: "10\n", watermark_boost_factor: "15000\n", lowmem_reserve_ratio: "256\t256\t32\t0\t0\n", percpu_pagelist_high_fraction: "0\n" };

describe("fuzz: /proc/zoneinfo", () => {
  it("parseZoneinfo and machineFromZoneinfo on mutated real text: a result or ZONEINFO_PARSE / a typed error", () => {
    fc.assert(
      fc.property(mutations, (ms) => {
        const text = mutate(ZONEINFO, ms);
        typedOrOk(() => parseZoneinfo(text), "parseZoneinfo");
        typedOrOk(() => machineFromZoneinfo(text), "machineFromZoneinfo");
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("takes time linear in the text length", () => {
    expectLinear((s) => parseZoneinfo(`Node 0, zone   Normal\n  pages free     100\n${s}`), "        nr_free_pages 1\n");
  });
});

describe("fuzz: /proc/sys/vm", () => {
  const names = Object.keys(SYSCTLS);
  it("mutated sysctl files: typed INVALID_SYSCTL naming the file, and buildZones accepts what parses or throws typed", () => {
    const machine = getPreset("pc-4g");
    fc.assert(
      fc.property(fc.nat({ max: names.length - 1 }), mutations, (k, ms) => {
        const files = { ...SYSCTLS, [names[k]!]: mutate(SYSCTLS[names[k]!]!, ms) };
        const s = typedOrOk(() => parseSysctlDir(files));
        if (s instanceof PageallocError) expect(s.location).toContain(names[k]!);
        else typedOrOk(() => buildZones(machine, { version: "6.18", sysctls: s as never }), "buildZones");
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });
});
