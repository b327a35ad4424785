// Fuzzing of workload input (issue 11): scripts (parseScript, runScript) and ftrace / perf text (parseTraceLine).
// A rejected script statement or trace line must be a typed error with FILE:LINE(:COLUMN); runScript on a script that
// does not parse must leave the kernel untouched.
import fs from "node:fs";
import path from "node:path";
import { bootKernel } from "@pagealloc/page-api";
import { PageallocError } from "@pagealloc/physmem";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScript, runScript } from "./script";
import { parseTraceLine } from "./trace";
import { FUZZ_RUNS, fuzzHelpers, mutate, mutations, SOAK } from "@pagealloc/vitest-config/fuzz";

// Fuzz budget and helpers: @pagealloc/vitest-config/fuzz (shared by every package's *.fuzz.test.ts).
const SEED = 0x11_f022;
const { typedOrOk, expectLinear } = fuzzHelpers(PageallocError);

const examples = path.join(import.meta.dirname, "../../../apps/cli/examples");
const SCRIPTS = fs.readdirSync(examples).filter((f) => f.endsWith(".pa")).map((f) => fs.readFileSync(path.join(examples, f), "utf8"));
// live 6.18 kmem events (first line of the fixture says where they came from)
const TRACE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/trace-6.18.txt"), "utf8").split("\n").filter((l) => l.includes("mm_page")).slice(0, 40);
const state = (k: ReturnType<typeof bootKernel>) => k.buddyinfo() + JSON.stringify(k.dmesg());

describe("fuzz: workload scripts", () => {
  it("mutated example scripts parse or throw a ScriptError at FILE:LINE:COLUMN", () => {
    fc.assert(
      fc.property(fc.nat({ max: SCRIPTS.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseScript(mutate(SCRIPTS[k]!, ms), { file: "x.pa" }));
        if (r instanceof PageallocError) expect(r.location).toMatch(/^x\.pa:\d+:\d+$/);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  }, 30_000 * SOAK);

  it("runScript on a mutated script: a result or a typed error; a script that does not parse changes nothing", () => {
    fc.assert(
      fc.property(fc.nat({ max: SCRIPTS.length - 1 }), mutations, (k, ms) => {
        const text = mutate(SCRIPTS[k]!, ms);
        // fast path only (as before the slow path became the default): through the slow path a failed allocation
        // costs ~1 ms (retries, direct reclaim, the OOM decision), and a mutated count=999… of failures would blow the
        // per-case time budget; what this property checks (typed errors, no change on a parse error) is the same
        const k0 = bootKernel({ machine: "tiny-16m", reclaim: false });
        const before = state(k0);
        const parsed = typedOrOk(() => parseScript(text));
        // maxSteps bounds a mutated count=999… (the default, 10 million steps, keeps every step and failure
        // explanation in memory and exhausts a 4 GiB heap first: see the report of issue 11)
        const r = typedOrOk(() => runScript(k0, text, { maxSteps: 20_000 }), "runScript");
        if (parsed instanceof PageallocError) {
          expect(r).toBeInstanceOf(PageallocError);
          expect(state(k0)).toBe(before);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(FUZZ_RUNS / 3) },
    );
  }, 30_000 * SOAK);

  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (t) => void typedOrOk(() => parseScript(t))), { seed: SEED, numRuns: FUZZ_RUNS });
  });

  it("parses in time linear in the script length", () => {
    expectLinear((s) => parseScript(s), "alloc a order=1 gfp=GFP_KERNEL\nfree a\n");
  });
});

describe("fuzz: ftrace / perf text", () => {
  it("mutated live trace lines give a record, null, or a TraceParseError at FILE:LINE", () => {
    fc.assert(
      fc.property(fc.nat({ max: TRACE.length - 1 }), mutations, (k, ms) => {
        const r = typedOrOk(() => parseTraceLine(mutate(TRACE[k]!, ms), 7, "t.txt"));
        if (r instanceof PageallocError) expect(r.location).toBe("t.txt:7");
        else if (r) expect(Number.isSafeInteger(r.pfn ?? 0)).toBe(true);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  }, 30_000 * SOAK);

  it("takes time linear in the line length", () => {
    expectLinear((s) => parseTraceLine(`bash-1 [000] ..... 1.0: mm_page_alloc: page=0 pfn=0x1 order=0 migratetype=0 gfp_flags=GFP_KERNEL ${s}`, 1), "x ");
  });
});
