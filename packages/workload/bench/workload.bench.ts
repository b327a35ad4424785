import { bootKernel } from "@pagealloc/page-api";
import { TraceReplayer, parseTraceLine, runDemo } from "@pagealloc/workload";
import { bench, describe } from "vitest";

// The hot uses: `pagealloc demo` must finish in a few seconds; a replay parses one line per event.
const line = "            node-18990   [000] .....   963.827985: mm_page_alloc: page=00000000fac30e70 pfn=0x17a9a7 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP";

describe("workload", () => {
  bench("runDemo (pc-4g, 6.18)", () => {
    runDemo();
  }, { iterations: 2 });
  bench("parseTraceLine (6.18 mm_page_alloc)", () => {
    parseTraceLine(line, 1);
  });
  bench("simulate replay of 10 000 alloc/free pairs (pc-4g)", () => {
    const r = new TraceReplayer(bootKernel({ machine: "pc-4g" }), { mode: "simulate" });
    for (let i = 0; i < 10_000; i++) {
      r.line(`  a-1 [000] ..... 1.0: mm_page_alloc: page=01 pfn=${i} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE`);
      if (i % 2) r.line(`  a-1 [000] ..... 1.0: mm_page_free: page=01 pfn=${i - 1} order=0`);
    }
    r.finish();
  }, { iterations: 3 });
});
