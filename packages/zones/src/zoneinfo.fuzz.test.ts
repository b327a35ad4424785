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

// ---- fuzz helpers (the same few lines in every package's *.fuzz.test.ts: test files cannot share a module across layers)
// Budget: FUZZ_RUNS cases per input kind with a fixed seed (x100 under `pnpm test:soak`); each case must return or
// throw a PageallocError with a code and a location within CASE_MS; an input 10x longer must take < 30x the time.
const SOAK = Math.max(1, Number(process.env.PAGEALLOC_SOAK ?? 1) || 1);
const FUZZ_RUNS = 150 * SOAK;
const CASE_MS = 1500;
const SEED = 0x11_f022;
type Mutation = { kind: number; at: number; n: number };
/** Truncation, bit flips, huge, negative and non-integer numbers, wrong units, binary junk, very long lines. */
const mutations = fc.array(fc.record({ kind: fc.nat({ max: 7 }), at: fc.nat(), n: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 });
function mutate(text: string, ms: readonly Mutation[]): string {
  let s = text;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    const put = (x: string, cut = 0) => (s = s.slice(0, at) + x + s.slice(at + cut));
    if (m.kind === 0) s = s.slice(0, at);
    else if (m.kind === 1) put(String.fromCharCode((s.charCodeAt(at) || 0) ^ (1 << (m.n % 8))), 1);
    else if (m.kind === 2) put(["18446744073709551616", "9007199254740993", "1e308", "0xffffffffffffffffff"][m.n % 4]!);
    else if (m.kind === 3) put("-");
    else if (m.kind === 4) put([".5", "e3", "NaN", "Infinity"][m.n % 4]!);
    else if (m.kind === 5) put(["kB", "MiB", "T", "pages", "%", "G"][m.n % 6]!);
    else if (m.kind === 6) put(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => (m.n * (i + 7) + i) & 0xff)));
    else put("9".repeat(5000 + m.n * 40));
  }
  return s;
}
/** Run f: a result, or a PageallocError with a code and a location; anything else (or a slow case) fails the test. */
function typedOrOk<T>(f: () => T, label = ""): T | PageallocError {
  const t0 = performance.now();
  let out: T | PageallocError;
  try {
    out = f();
  } catch (e) {
    if (!(e instanceof PageallocError)) throw new Error(`untyped exception ${label}: ${String(e)}`, { cause: e });
    expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(e.location, `${e.code} without a location: ${e.message}`).toBeTruthy();
    out = e;
  }
  expect(performance.now() - t0, `slow case ${label}`).toBeLessThan(CASE_MS);
  return out;
}
/** Time f(input) against f(input 10x longer): must stay below 30x (plus a fixed slack for timer noise). */
function expectLinear(f: (s: string) => unknown, unit: string): void {
  const time = (s: string) => {
    const t0 = performance.now();
    for (let r = 0; r < 3; r++) typedOrOk(() => f(s));
    return performance.now() - t0;
  };
  const small = unit.repeat(50);
  const big = unit.repeat(500);
  time(small);
  expect(time(big)).toBeLessThan(30 * time(small) + 30);
}
// ---- end of fuzz helpers

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
