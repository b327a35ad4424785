import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PageUse } from "./memory-use";
import { consumeTo, oneZone } from "./test-helpers";

// A real 6.19-rc5 report (first line of the fixture says where it came from), kernel log prefixes stripped.
const real = fs
  .readFileSync(path.join(__dirname, "__fixtures__", "warn_alloc_6.19-rc5_x86_64.txt"), "utf8")
  .split("\n")
  .slice(1)
  .map((l) => l.replace(/^\[\s*[\d.]+\]\s?/, "").replace(/^\s{16}/, " "));

/** The `name:` keys of a line, in order (values dropped). */
const keys = (line: string) => [...line.matchAll(/([A-Za-z_()]+[?:])/g)].map((m) => m[1]);

describe("warn_alloc + show_mem layout (6.18 = the 6.19 layout of the real sample)", () => {
  const { a, r, gfp } = oneZone(4096, { min: 128, low: 160, high: 192 });
  const pfns = consumeTo(a, 40);
  for (const pfn of pfns.slice(0, 1000)) r.markPage(pfn, 0, PageUse.FILE_DIRTY);
  for (const pfn of pfns.slice(1000, 1500)) r.markPage(pfn, 0, PageUse.ANON);
  a.allocPages(gfp("GFP_ATOMIC"), 0);
  const ours = r.lastOutcome!.report!.split("\n");
  const find = (lines: string[], re: RegExp) => lines.find((l) => re.test(l))!;

  it("prints the same fields in the same order as the real kernel", () => {
    for (const re of [/^Node 0 active_anon:/, /^Node 0 Normal free:/, /^Mem-Info:/, /^ free:/, /^active_anon:/, /^ kernel_misc_reclaimable:/]) {
      expect(keys(find(ours, re)), String(re)).toEqual(keys(find(real, re)));
    }
    expect(find(ours, /^Node 0 hugepages_total=/)).toBe("Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB");
    const tail = (lines: string[]) => lines.slice(lines.findIndex((l) => /total pagecache pages$/.test(l))).map((l) => l.replace(/\d+/g, "N"));
    expect(tail(ours)).toEqual(tail(real.filter((l) => l !== "")));
  });

  it("prints the model's state: counters in pages and kB, free areas with migratetype letters", () => {
    // 1000 dirty page-cache pages and 500 anon pages, all on the inactive lists (new pages start inactive)
    expect(find(ours, /^active_anon:/)).toBe("active_anon:0 inactive_anon:500 isolated_anon:0");
    expect(find(ours, /^ active_file:/)).toBe(" active_file:0 inactive_file:1000 isolated_file:0");
    expect(find(ours, /^ unevictable:/)).toBe(" unevictable:0 dirty:1000 writeback:0");
    expect(find(ours, /^Node 0 Normal free:/)).toContain("free:160kB boost:0kB min:512kB low:640kB high:768kB");
    expect(find(ours, /^Node 0 Normal free:/)).toContain("inactive_anon:2000kB active_file:0kB inactive_file:4000kB unevictable:0kB writepending:4000kB");
    // the 40 free pages as buddy blocks: Σ count × size must equal free
    const freeArea = find(ours, /^Node 0 Normal: /);
    const sum = [...freeArea.matchAll(/(\d+)\*(\d+)kB/g)].reduce((s, m) => s + Number(m[1]) * Number(m[2]), 0);
    expect(sum).toBe(160);
    expect(freeArea.endsWith("= 160kB")).toBe(true);
    expect(find(ours, /total pagecache pages$/)).toBe("1000 total pagecache pages");
  });
});
