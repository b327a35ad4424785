import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { type BuddyTraceEvent, formatTraceEvent } from "./trace";

// The kernel's own TP_printk strings (tracefs events/kmem/*/format of the 6.18 machine), filled in C-style with
// the arguments in the order the format lists them; our formatter must produce the same text.
function printFmt(event: string): string {
  const text = fs.readFileSync(path.join(__dirname, "__fixtures__", "6.18-x86_64", `tracefs_kmem_${event}_format.txt`), "utf8");
  return /print fmt: "([^"]*)"/.exec(text)![1]!;
}

function cFormat(fmt: string, args: (number | string)[]): string {
  let k = 0;
  return fmt.replace(/%(p|lx|d|u|s)/g, (_m, conv: string) => {
    const v = args[k++]!;
    if (conv === "p") return (v as number).toString(16).padStart(16, "0");
    if (conv === "lx") return (v as number).toString(16);
    return String(v);
  });
}

const ptr = 0xfac30e70;
const opts = { pagePointer: () => ptr, formatGfp: () => "GFP_KERNEL" };

describe.each<[string, BuddyTraceEvent, (number | string)[]]>([
  ["mm_page_alloc", { event: "mm_page_alloc", pfn: 0x17a9a7, order: 2, migratetype: 1, gfp: 0xcc0 }, [ptr, 0x17a9a7, 2, 1, "GFP_KERNEL"]],
  ["mm_page_free", { event: "mm_page_free", pfn: 0x1db80e, order: 3 }, [ptr, 0x1db80e, 3]],
  ["mm_page_free_batched", { event: "mm_page_free_batched", pfn: 0x1db80e }, [ptr, 0x1db80e]],
  ["mm_page_alloc_zone_locked", { event: "mm_page_alloc_zone_locked", pfn: 0x1b0060, order: 3, migratetype: 0, percpuRefill: true }, [ptr, 0x1b0060, 3, 0, 1]],
  ["mm_page_pcpu_drain", { event: "mm_page_pcpu_drain", pfn: 0x1c3bd0, order: 0, migratetype: 2 }, [ptr, 0x1c3bd0, 0, 2]],
  // fragmenting = fallback_order < pageblock_order: 7 < 9 → 1
  [
    "mm_page_alloc_extfrag",
    { event: "mm_page_alloc_extfrag", pfn: 0x12345, allocOrder: 0, fallbackOrder: 7, pageblockOrder: 9, allocMigratetype: 1, fallbackMigratetype: 0, changeOwnership: false },
    [ptr, 0x12345, 0, 7, 9, 1, 0, 1, 0],
  ],
])("%s", (event, e, args) => {
  it("matches the kernel's print fmt", () => {
    expect(formatTraceEvent(e, opts)).toBe(cFormat(printFmt(event), args));
  });
});

it("a failed mm_page_alloc prints a NULL page and pfn 0; gfp 0 prints none", () => {
  // REC->pfn != -1UL ? … : NULL / 0
  expect(formatTraceEvent({ event: "mm_page_alloc", pfn: -1, order: 0, migratetype: 0, gfp: 0 })).toBe("page=0000000000000000 pfn=0x0 order=0 migratetype=0 gfp_flags=none");
});

it("before 5.14 the pfn is decimal", () => {
  expect(formatTraceEvent({ event: "mm_page_free", pfn: 4096, order: 0 }, { pagePointer: () => 1, pfnHex: false })).toBe("page=0000000000000001 pfn=4096 order=0");
});

describe("where mm_page_alloc_zone_locked fires (commit 10e0f7530205, 5.19)", () => {
  const zone = { nid: 0, name: "Normal", zoneIdx: 2, startPfn: 0, spannedPages: 4096, presentPages: 4096, managedPages: 4096,
    watermark: { min: 0, low: 0, high: 0 }, lowmemReserve: [0, 0, 0], pcp: { batch: 1, high: 0 } };
  it.each([
    // 6.18: only blocks taken by __rmqueue_smallest, with that list's type; a whole-block claim does not fire it
    ["6.18", []],
    // 5.15: __rmqueue fires it for the fallback block too, with the requested type and percpu_refill = order == 0
    ["5.15", [{ event: "mm_page_alloc_zone_locked", pfn: 0, order: 0, migratetype: 0, percpuRefill: true }]],
  ] as const)("%s: an unmovable order-0 request served by a fallback", (version, expected) => {
    const events: BuddyTraceEvent[] = [];
    const a = bootBuddy([zone], { version, trace: (e) => events.push(e) });
    const pfn = a.rmqueue(a.zone(0, 2), 0, a.facts.mt.UNMOVABLE, 0);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(events.filter((e) => e.event === "mm_page_alloc_zone_locked")).toEqual(expected);
  });
});
