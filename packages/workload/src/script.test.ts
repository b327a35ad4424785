import { bootKernel } from "@pagealloc/page-api";
import { describe, expect, it } from "vitest";
import { ScriptError } from "./errors";
import { ScriptOwners, parseScript, runScript } from "./script";

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
    const before = k.buddy.zone(0, "DMA").nrFree[10]!;
    const r = runScript(
      k,
      [
        "alloc big order=10 gfp=GFP_KERNEL",
        "expect alloc big ok",
        `expect buddyinfo DMA order=10 == ${before - 1}`,
        "free big",
        "drain",
        `expect buddyinfo DMA order=10 == ${before}`,
        "expect count big == 0",
      ].join("\n"),
    );
    expect(r.expectations.map((e) => [e.ok, e.actual])).toEqual([
      [true, "ok"],
      [true, String(before - 1)],
      [true, String(before)],
      [true, "0"],
    ]);
  });
  it("an order above MAX_PAGE_ORDER fails (6.18: orders 0..10)", () => {
    const r = runScript(bootKernel({ machine: "tiny-16m" }), "alloc x order=11 gfp=GFP_KERNEL\nexpect alloc x fail\nexpect failures x == 1");
    expect(r.ok).toBe(true);
  });
  it("a failed expectation is reported with what was found", () => {
    const r = runScript(bootKernel({ machine: "tiny-16m" }), "alloc x order=0 gfp=GFP_KERNEL count=2\nexpect count x == 3");
    expect(r.ok).toBe(false);
    expect(r.expectations[0]).toMatchObject({ line: 2, ok: false, actual: "2" });
  });
  it("a bad GFP expression is an error before anything runs", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const before = k.buddyinfo();
    expect(() => runScript(k, "alloc a order=0 gfp=GFP_KERNEL\nalloc b order=0 gfp=GFP_NOPE", { file: "s" })).toThrow(/s:2:1/);
    expect(k.buddyinfo()).toBe(before);
  });
  it("the same seed gives the same run", () => {
    const text = "repeat 50 {\n alloc a order=random(0,4) gfp=GFP_KERNEL\n}\nrepeat 20 {\n free a[random]\n}";
    const run = () => runScript(bootKernel({ machine: "tiny-16m" }), text, { seed: 7 }).steps.map((s) => `${s.op}${s.pfn}`).join();
    expect(run()).toBe(run());
  });
  it("explains a failure: GFP_DMA on tiny-16m once DMA is below its low watermark", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const z = k.buddy.zone(0, "DMA");
    // Allocate order-0 pages until the zone fails; the explanation must name the watermark it met.
    const r = runScript(k, `alloc a order=0 gfp=GFP_KERNEL count=${z.nrFreePages}`);
    expect(r.failures.length).toBeGreaterThan(0);
    const f = r.failures[0]!;
    expect(f.zones[0]).toMatchObject({ zone: "DMA", reason: "watermark", low: z.spec.watermark.low });
    expect(f.explanation).toContain(`low ${z.spec.watermark.low}`);
  });
});

describe("runScript checks", () => {
  it("cpu= applies to its line; a CPU that is not online is an error at that line", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    runScript(k, "alloc a order=0 gfp=GFP_KERNEL cpu=1");
    expect(k.smp_processor_id()).toBe(0);
    expect(() => runScript(k, "alloc a order=0 gfp=GFP_KERNEL cpu=7", { file: "c.pa" })).toThrow(/c\.pa:1:1/);
  });
  it("pageblocks counts the pageblocks of a type as /proc/pagetypeinfo does (tiny-16m: 8 Movable at boot)", () => {
    // 16 MiB = 4096 pages = 8 pageblocks of 512; memmap_init_range() makes every one Movable.
    const r = runScript(bootKernel({ machine: "tiny-16m" }), "expect pageblocks DMA Movable == 8\nexpect pageblocks DMA Unmovable == 0");
    expect(r.expectations.map((e) => e.ok)).toEqual([true, true]);
    expect(() => runScript(bootKernel({ machine: "tiny-16m" }), "expect pageblocks DMA Sticky == 0")).toThrow(/no migratetype Sticky/);
  });
  it("expect on a zone the machine lacks is a runtime error with the location", () => {
    expect(() => runScript(bootKernel({ machine: "tiny-16m" }), "expect free_pages HighMem > 0", { file: "z.pa" })).toThrow(/no zone HighMem on node 0 \(at z\.pa:1:1\)/);
  });
});

describe("runScript with the slow path (bootKernel({ reclaim }))", () => {
  it("page cache marked reclaimable is reclaimed so that a later allocation succeeds; the script follows the evictions", () => {
    // tiny-16m DMA: 3328 free pages, low watermark 196. 3000 pages of clean page cache leave 328 free;
    // 400 more order-0 pages cannot come from the free lists above the watermark (328 - 400 < 196),
    // so kswapd / direct reclaim must free clean page cache (shrink_folio_list: clean file folios are
    // freed without I/O) for the GFP_KERNEL requests to succeed.
    const owners = new ScriptOwners();
    const k = bootKernel({ machine: "tiny-16m", reclaim: { ...owners.hooks } });
    const r = runScript(
      k,
      [
        "alloc cache order=0 gfp=GFP_HIGHUSER_MOVABLE count=3000",
        "expect alloc cache ok",
        "reclaimable cache",
        "alloc more order=0 gfp=GFP_KERNEL count=400",
        "expect alloc more ok",
        "expect evicted cache >= 1",
        "free cache",
        "free more",
      ].join("\n"),
      { owners },
    );
    expect(r.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(r.allocations.cache!.evicted).toBeGreaterThan(0);
  });
  it("mark without the slow path is an error at its line (pagecache alone is only recorded)", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    expect(() => runScript(k, "alloc a order=0 gfp=GFP_KERNEL\nmark a anon", { file: "m.pa" })).toThrow(/needs the slow path.*m\.pa:2:1/);
    expect(() => runScript(k, "alloc a order=0 gfp=GFP_KERNEL\nmark a pagecache", { file: "m.pa" })).toThrow(/needs the slow path/);
    // With the slow path but no owners, `reclaimable` only records; `mark` asks for the owners.
    const slow = bootKernel({ machine: "tiny-16m", reclaim: true });
    expect(runScript(slow, "alloc a order=0 gfp=GFP_HIGHUSER_MOVABLE\nreclaimable a").allocations.a!.reclaimable).toBe(true);
    expect(() => runScript(slow, "alloc b order=0 gfp=GFP_HIGHUSER_MOVABLE\nmark b anon")).toThrow(/pass runScript\(\{ owners \}\)/);
    expect(runScript(bootKernel({ machine: "tiny-16m" }), "alloc a order=0 gfp=GFP_KERNEL\nreclaimable a").allocations.a!.reclaimable).toBe(true);
  });
});
