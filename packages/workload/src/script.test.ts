import { bootKernel } from "@pagealloc/page-api";
import { describe, expect, it } from "vitest";
import { ScriptError } from "./errors";
import { ScriptOwners, parseScript, runScript, runScriptAsync } from "./script";

describe("parseScript", () => {
  it("reports the line and column of a problem", () => {
    const err = (() => {
      try {
        parseScript("alloc a order=1 gfp=GFP_KERNEL\n  alloc b order=x gfp=GFP_KERNEL", { file: "w.txt" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ScriptError);
    expect((err as ScriptError).location).toBe("w.txt:2:17");
    expect((err as ScriptError).code).toBe("SCRIPT_PARSE");
  });
  it("rejects free of a name never allocated, unknown statements and unclosed repeats", () => {
    expect(() => parseScript("free x")).toThrow(/no earlier "alloc x".*script:1:6/);
    expect(() => parseScript("allocate x")).toThrow(/unknown statement/);
    expect(() => parseScript("repeat 3 {\nalloc a order=0 gfp=GFP_KERNEL")).toThrow(/not closed.*script:1:1/);
    expect(() => parseScript("alloc a gfp=GFP_KERNEL")).toThrow(/missing order=/);
  });
  it("parses repeat blocks, random values and JSON Lines to the same statements", () => {
    const text = parseScript("repeat 2 {\nalloc a order=random(0,3) gfp=GFP_KERNEL\n}");
    const jsonl = parseScript('{"op":"repeat","times":2}\n{"op":"alloc","name":"a","order":{"random":[0,3]},"gfp":"GFP_KERNEL"}\n{"op":"end"}');
    expect(jsonl).toEqual(text);
    expect(text[0]).toMatchObject({ op: "repeat", times: { kind: "const", value: 2 } });
  });
});

describe("runScript", () => {
  it("allocates, frees and checks buddyinfo against the buddy arithmetic", () => {
    // tiny-16m on 6.18: DMA holds the whole machine. Taking one order-10 block and giving it back
    // must restore the order-10 count (the freed block merges with nothing: its buddy is in use or absent).
    const k = bootKernel({ machine: "tiny-16m" });
    const signal = { aborted: false };
    let seen = 0;
    // 3 x (alloc of 4 order-0 pages + free of them) = 3 * 8 = 24 steps; abort during the 5th step (the first free).
    const r = runScript(k, "repeat 3 {\n  alloc a order=0 gfp=GFP_KERNEL count=4\n  free a\n}\nexpect count a == 99", {
      signal,
      onStep: () => {
        if (++seen === 5) signal.aborted = true;
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.steps.length).toBe(5);
    expect(r.steps.map((s) => s.op)).toEqual(["alloc", "alloc", "alloc", "alloc", "free"]);
    // the expect line never ran, so no failed expectation
    expect(r.expectations).toEqual([]);
    expect(r.ok).toBe(true);
    // 4 blocks allocated, the first freed: 3 live
    expect(r.allocations.a!.live).toBe(3);
  });

  it("a signal never aborted changes nothing: interrupted is false", () => {
    const r = runScript(bootKernel({ machine: "tiny-16m" }), "alloc a order=1 gfp=GFP_KERNEL count=2", { signal: { aborted: false } });
    expect(r.interrupted).toBe(false);
    expect(r.steps.length).toBe(2);
  });
});

describe("runScriptAsync", () => {
  it("gives timers a turn during a long script, so a timer can abort it; same steps as runScript up to there", async () => {
    const script = "repeat 200000 {\n  alloc a order=0 gfp=GFP_KERNEL\n  free a\n}";
    const signal = { aborted: false };
    // the timer can only fire if the script yields to the event loop: 400 000 steps take far longer than 5 ms
    setTimeout(() => {
      signal.aborted = true;
    }, 5);
    const r = await runScriptAsync(bootKernel({ machine: "tiny-16m" }), script, { signal, yieldEvery: 16 });
    expect(r.interrupted).toBe(true);
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.steps.length).toBeLessThan(400_000);
    // stopped at a step boundary: the same prefix as a synchronous run stopped after as many steps
    const n = r.steps.length;
    const sig2 = { aborted: false };
    let count = 0;
    const r2 = runScript(bootKernel({ machine: "tiny-16m" }), script, {
      signal: sig2,
      onStep: () => {
        sig2.aborted = ++count >= n;
      },
    });
    expect(r2.steps).toEqual(r.steps);
  });
});

describe("runScriptAsync({ shouldYield })", () => {
  it("yields exactly after the steps shouldYield picks", async () => {
    const asked: number[] = [];
    const r = await runScriptAsync(bootKernel({ machine: "tiny-16m" }), "alloc a order=0 gfp=GFP_KERNEL count=5", {
      shouldYield: (n) => {
        asked.push(n);
        return n === 2;
      },
    });
    // asked after each of the 5 steps
    expect(asked).toEqual([1, 2, 3, 4, 5]);
    expect(r.steps.length).toBe(5);
  });
});

describe("failure explanations with the slow path (on by default)", () => {
  const burst = "repeat 420 {\n  alloc net order=3 gfp=GFP_ATOMIC\n}\n";
  it("say how the slow path ended after the fast path's verdict", () => {
    // tiny-16m holds 3328 pages: 420 order-3 buffers (3360 pages) must fail. GFP_ATOMIC has no __GFP_DIRECT_RECLAIM,
    // so after the retry at min __alloc_pages_slowpath() gives up (nopage): no compaction, reclaim or OOM.
    const r = runScript(bootKernel({ machine: "tiny-16m", version: "6.18" }), burst);
    expect(r.failures.length).toBeGreaterThan(0);
    for (const f of r.failures) expect(f.explanation).toMatch(/; the slow path ended with nopage: /);
  });
  it("have no slow-path part when the kernel was booted without it", () => {
    const r = runScript(bootKernel({ machine: "tiny-16m", version: "6.18", reclaim: false }), burst);
    expect(r.failures.length).toBeGreaterThan(0);
    for (const f of r.failures) expect(f.explanation).not.toMatch(/slow path/);
  });
});

describe("sleep: simulated time for warn_alloc's rate limiter", () => {
  it("parses N s / N ms, JSON Lines too, and rejects other units with a location", () => {
    expect(parseScript("sleep 10s\nsleep 250ms")).toMatchObject([{ op: "sleep", ms: 10_000 }, { op: "sleep", ms: 250 }]);
    expect(parseScript('{"op":"sleep","ms":250}')).toEqual(parseScript("sleep 250ms"));
    expect(() => parseScript("sleep 1h", { file: "w.pa" })).toThrow(/sleep N\(ms\|s\).*w\.pa:1:7/);
    expect(() => parseScript("sleep")).toThrow(/sleep N\(ms\|s\)/);
    expect(() => parseScript("sleep 1s 2s")).toThrow(/unexpected "2s"/);
  });

  it("6.18 prints one report per 10 s: after sleep 10001ms the next one follows 'warn_alloc: N callbacks suppressed'", () => {
    // tiny-16m has fewer than 8 free order-9 blocks, so 12 GFP_ATOMIC order-9 requests fail at least 4 times; a
    // GFP_ATOMIC request cannot reclaim or compact, so each failure reaches warn_alloc. 6.18: nopage_rs = (10*HZ, 1):
    // the first failure is printed, the others in the same 10 s window are missed. ___ratelimit() opens a new window
    // only strictly after begin + 10000 ms, and then prints "%s: %d callbacks suppressed" with the missed count.
    const k = bootKernel({ machine: "tiny-16m", version: "6.18" });
    const r = runScript(k, "alloc big order=9 gfp=GFP_ATOMIC count=12\nsleep 10001ms\nalloc more order=9 gfp=GFP_ATOMIC");
    const failed = r.failures.length;
    expect(failed).toBeGreaterThanOrEqual(5);
    const text = k.dmesg().map((l) => l.text);
    const reports = text.filter((t) => t.includes("page allocation failure"));
    expect(reports).toHaveLength(2);
    const missed = failed - 2; // all failures but the two printed
    expect(text).toContain(`warn_alloc: ${missed} callbacks suppressed`);
  });
});
