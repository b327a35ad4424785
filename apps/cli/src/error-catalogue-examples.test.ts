// The error catalogue's examples (ERROR_CATALOGUE in @pagealloc/physmem) produce the code they illustrate. Each
// thunk below is the entry's `example` written out; codes whose example cannot be run in one call are listed apart.
import fs from "node:fs";
import path from "node:path";
import { bootBuddy, checkInvariants, parseBuddyinfo } from "@pagealloc/buddy";
import { gfpMigratetype, gfpZone, parseGfp } from "@pagealloc/gfp";
import { Page, bootKernel, restore, snapshot } from "@pagealloc/page-api";
import { ERROR_CATALOGUE, FrameStore, archFacts, getPreset, loadMachine, nodeDistance, parseKernelVersion, parseNumactlHardware } from "@pagealloc/physmem";
import { parseFailureReports, whatIf } from "@pagealloc/report";
import { decodeScriptState, parseScript, parseTraceLine, renderState, runScript } from "@pagealloc/workload";
import { buildZones, parseSysctlDir, parseZoneinfo, zonelistFor } from "@pagealloc/zones";
import { describe, expect, it } from "vitest";
import { capture } from "./commands/cli-test-helpers";
import { run } from "./run";

// a real warn_alloc report (the fixture's first line says where it came from)
const WARN_ALLOC = fs.readFileSync(path.join(import.meta.dirname, "../../../packages/report/src/__fixtures__/warn_alloc_6.19-rc5_x86_64.txt"), "utf8");
const spec = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 2048, presentPages: 2048, managedPages: 2048, watermark: { min: 8, low: 10, high: 12 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };

const EXAMPLES: Record<string, () => unknown> = {
  INVALID_KERNEL_VERSION: () => parseKernelVersion("six.one"),
  UNSUPPORTED_ARCH: () => archFacts("sparc64" as never),
  INVALID_MACHINE: () => loadMachine({ arch: "x86_64", nodes: [] }),
  NO_SUCH_NODE: () => nodeDistance(getPreset("pc-4g"), 0, 7),
  UNKNOWN_PRESET: () => getPreset("pc-8g"),
  BAD_MACHINE_IMPORT: () => parseNumactlHardware("available: x nodes"),
  BAD_PHYS_ADDR: () => FrameStore.forMachine(getPreset("tiny-16m")).read(0x10000000n, 4),
  INVALID_ARGUMENT: () => new FrameStore(1000),
  INVALID_GFP: () => parseGfp("GFP_KERNEL|", "6.18"),
  GFP_ZONE_BAD: () => gfpZone(parseGfp("__GFP_DMA|__GFP_HIGHMEM"), { arch: "x86_64", version: "6.18" }),
  GFP_MIGRATETYPE_BAD: () => gfpMigratetype(parseGfp("__GFP_MOVABLE|__GFP_RECLAIMABLE"), "6.18"),
  INVALID_SYSCTL: () => parseSysctlDir({ min_free_kbytes: "-5\n" }),
  INVALID_ZONE_LAYOUT: () => buildZones(getPreset("pc-4g"), { version: "6.18", sysctls: { kernelcore: "200%" } as never }),
  INVALID_ZONELIST_REQUEST: () => zonelistFor(buildZones(getPreset("pc-4g"), { version: "6.18" }), 9),
  ZONEINFO_PARSE: () => parseZoneinfo("Node 0, zone\n  pages free x"),
  INVALID_BUDDYINFO: () => parseBuddyinfo("Node 0, zone Normal 1 2 x"),
  INVALID_ZONE_SPEC: () => bootBuddy([{ ...spec, managedPages: spec.presentPages + 1 }]),
  INVALID_BUDDY_ARGUMENT: () => bootBuddy([spec]).freePages(3, 99),
  BAD_PAGE_FREE: () => {
    const a = bootBuddy([spec]);
    const pfn = a.allocPagesRequest({ highestZoneIdx: 2, migratetype: a.facts.mt.MOVABLE }, 0);
    a.freePages(pfn, 0);
    a.freePages(pfn, 0);
  },
  BUDDY_INVARIANT: () => {
    const a = bootBuddy([spec]);
    a.zones[0]!.nrFreePages += 1;
    checkInvariants(a);
  },
  BAD_PAGE_STATE: () => {
    const k = bootKernel({ machine: "tiny-16m" });
    k.__free_pages(k.alloc_pages("GFP_KERNEL", 1)!, 0);
  },
  INVALID_ADDRESS: () => bootKernel({ machine: "tiny-16m" }).free_pages(0x123n, 0),
  PAGE_API_ARGUMENT: () => bootKernel({ machine: "tiny-16m" }).set_cpu(99),
  NOT_IN_THIS_KERNEL: () => bootKernel({ machine: "tiny-16m", version: "2.6.24" }).alloc_pages_exact(8192, "GFP_KERNEL"),
  KMAP_EXHAUSTED: () => {
    const k = bootKernel({ machine: "book-i386", version: "2.6.24" });
    for (let i = 0; i < 1025; i++) k.kmap(k.alloc_pages("GFP_HIGHUSER", 0)!);
  },
  SNAPSHOT_CORRUPT: () => restore(snapshot(bootKernel({ machine: "tiny-16m" })).subarray(0, 100)),
  SNAPSHOT_VERSION: () => {
    const b = snapshot(bootKernel({ machine: "tiny-16m" }));
    new DataView(b.buffer).setUint32(8, 99, true);
    restore(b);
  },
  SNAPSHOT_UNSUPPORTED: () => snapshot(bootKernel({ machine: "tiny-16m", reclaim: { current: new (class Task { comm = "sim"; pid = 1 })() } })),
  HOST_MEMORY_LIMIT: () => bootKernel({ machine: "server-2s-256g", maxHostBytes: 2 ** 28 }),
  REPORT_EXPLAIN: () => whatIf(parseFailureReports(WARN_ALLOC).reports[0]!, { order: 16, gfp: "GFP_KERNEL" }),
  INVALID_REPORT: () => parseFailureReports(42 as never),
  SCRIPT_PARSE: () => parseScript("alloc a order=x"),
  SCRIPT_RUNTIME: () => runScript(bootKernel({ machine: "tiny-16m" }), "alloc a order=0 gfp=GFP_KERNEL\nmark a pagecache\n"),
  SCRIPT_STATE_INVALID: () => decodeScriptState(new TextEncoder().encode("{}")),
  TRACE_PARSE: () => parseTraceLine("x-1 [000] ..... 1.0: mm_page_free: page=0 pfn=zz order=0", 1),
  WORKLOAD_ARGUMENT: () => renderState(bootKernel({ machine: "tiny-16m" }), "meminfo2"),
};
// not one call: internal consistency (GFP_TABLE), slow-path situations, CLI (CLI_USAGE is run below) and playground
const NOT_RUN = new Set(["GFP_TABLE", "INVALID_RECLAIM_ARGUMENT", "NOFAIL_STALL", "CLI_USAGE", "CLI_CHECK_FAILED", "CLI_INTERRUPTED", "PLAYGROUND_BAD_HASH"]);

describe("error catalogue examples", () => {
  it("every entry is either run below or listed as not runnable in one call", () => {
    expect(ERROR_CATALOGUE.map((e) => e.code).filter((c) => !(c in EXAMPLES) && !NOT_RUN.has(c))).toEqual([]);
  });

  it.each(Object.entries(EXAMPLES))("%s: the example throws that code", (code, example) => {
    let err: unknown;
    try {
      example();
    } catch (e) {
      err = e;
    }
    expect(err, `${code}: ${ERROR_CATALOGUE.find((e) => e.code === code)?.example}`).toMatchObject({ code });
  });

  it("CLI_USAGE: pagealloc run missing.pa exits 2", async () => {
    const c = capture();
    expect(await run(["run", "missing.pa"], c)).toBe(2);
    expect(c.stderr).toContain("no such file");
  });
});
