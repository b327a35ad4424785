// Fuzzing of failure reports (issue 11): parseFailureReports on mutated real warn_alloc / OOM logs.
import fs from "node:fs";
import path from "node:path";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFailureReports } from "./parse-report";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const dir = path.join(import.meta.dirname, "__fixtures__");
// real kernel logs (each fixture's first line says where it came from)
const LOGS = fs.readdirSync(dir).filter((f) => f.startsWith("warn_alloc")).map((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").slice(1).join("\n"));

describe("fuzz: parseFailureReports", () => {
  it("mutated real logs: reports and problems, never an exception", () => {
    fc.assert(
      fc.property(fc.nat({ max: LOGS.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseFailureReports(mutate(LOGS[k]!, ms)));
        expect(r).not.toBeInstanceOf(PageallocError);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it("random text and non-text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (t) => void typedOrOk(() => parseFailureReports(t))), { seed: SEED, numRuns: FUZZ_RUNS });
    const r = typedOrOk(() => parseFailureReports(42 as never));
    expect(r).toBeInstanceOf(PageallocError);
  });

  it("takes time linear in the log length", () => {
    expectLinear((s) => parseFailureReports(s), LOGS[0]!.slice(0, 2000));
  });
});
