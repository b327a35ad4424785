import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GFP_LAYOUT_ERAS, gfpLayout } from "./layout";
import { GFP_NAME_TABLE_ERAS } from "./name-table";
import { decodeModeFragment } from "./fragment";
import { formatGfp, formatModeFragment, gfpFlagNames, parseGfp } from "./format";
import { InvalidGfpError } from "./errors";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");

describe("formatGfp: the kernel-facts vectors", () => {
  // §1.6 examples (≥6.15 table, computed there and matching live trace output) and §11.3 vectors.
  it.each([
    [0xcc0, "GFP_KERNEL"],
    [0x40dc0, "GFP_KERNEL|__GFP_ZERO|__GFP_COMP"],
    [0x40cc0, "GFP_KERNEL|__GFP_COMP"],
    [0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP"],
    [0x2800, "GFP_NOWAIT"],
    [0x820, "GFP_ATOMIC"],
    [0x152cc0, "GFP_USER|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP"],
    [0x200, "0x200"],
    [0x100cca, "GFP_HIGHUSER_MOVABLE"],
    [0x1c24ca, "GFP_TRANSHUGE"],
    [0x1c20ca, "GFP_TRANSHUGE_LIGHT"],
    [0x400cc0, "GFP_KERNEL_ACCOUNT"],
    [0x1, "GFP_DMA"],
    [0x4, "GFP_DMA32"],
    [0xc00, "GFP_NOIO"],
    [0x800, "__GFP_KSWAPD_RECLAIM"],
    [0xc40, "GFP_NOFS"],
    [0x101cc0, "GFP_USER|__GFP_WRITE"],
    [0xc0c40, "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC"],
  ])("6.18: %s -> %s", (mask, text) => {
    expect(formatGfp(mask, "6.18")).toBe(text);
    expect(formatGfp(mask, "6.18", "trace")).toBe(text);
  });

  it("0 prints nothing with %pGg, 'none' in a 4.6+ trace, 'GFP_NOWAIT' in an older trace", () => {
    expect(formatGfp(0, "6.18")).toBe("");
    expect(formatGfp(0, "6.18", "trace")).toBe("none");
    expect(formatGfp(0, "4.4", "trace")).toBe("GFP_NOWAIT");
  });

  it("0x800 is GFP_NOWAIT on 5.1–6.7 and __GFP_KSWAPD_RECLAIM from 6.8 (§11.3)", () => {
    expect(formatGfp(0x800, "6.7")).toBe("GFP_NOWAIT");
    expect(formatGfp(0x800, "5.1")).toBe("GFP_NOWAIT");
    expect(formatGfp(0x800, "6.8")).toBe("__GFP_KSWAPD_RECLAIM");
  });

  it("the other real lines of §1.7.4 decode to what their kernels printed", () => {
    expect(formatGfp(0x240c0d0, "4.9.56")).toBe("GFP_TEMPORARY|__GFP_COMP|__GFP_ZERO");
    expect(formatGfp(0x400dc0, "5.10.5")).toBe("GFP_KERNEL_ACCOUNT|__GFP_ZERO");
    expect(formatGfp(0x100cca, "5.4.17")).toBe("GFP_HIGHUSER_MOVABLE");
    expect(formatGfp(0xcc0, "6.15.0-rc4")).toBe("GFP_KERNEL");
    // Hex-only era: the 3.x trace table renders 0x200da as GFP_HIGHUSER_MOVABLE.
    expect(formatGfp(0x200da, "3.4", "trace")).toBe("GFP_HIGHUSER_MOVABLE");
    expect(formatGfp(0x200da, "3.4", "printk")).toBe("0x200da");
  });

  it("a zero-valued GFP_NOTRACK entry matches whenever bits remain (2.6.39–3.7 without KMEMCHECK)", () => {
    // trace_print_flags_seq(): (flags & 0) == 0, so the entry is printed; §1.7.3 derives 3.3 0xd1.
    expect(formatGfp(0xd1, "3.3", "trace")).toBe("GFP_KERNEL|GFP_NOTRACK|0x1");
    expect(formatGfp(0xd1, "3.3", "trace", { noTrack: true })).toBe("GFP_KERNEL|0x1");
    expect(formatGfp(0xd0, "3.3", "trace")).toBe("GFP_KERNEL");
  });

  it("bits no entry names are one lowercase hex item at the end", () => {
    // 4.6–5.14 tables do not name ZEROTAGS/SKIP_KASAN_POISON: the 5.14 fix mail shows GFP_KERNEL|0x1800000.
    expect(formatGfp(0x1800cc0, "5.14")).toBe("GFP_KERNEL|0x1800000");
    expect(formatGfp(0x1800cc0, "5.15")).toBe("GFP_KERNEL|__GFP_ZEROTAGS|__GFP_SKIP_KASAN_POISON");
    // NOLOCKDEP has no entry before 6.15 (a 6.4–6.9 LOCKDEP kernel prints 0x4000000).
    expect(formatGfp(0x4000cc0, "6.9", "printk", { lockdep: true })).toBe("GFP_KERNEL|0x4000000");
    expect(formatGfp(0x80000000, "6.18")).toBe("0x80000000");
  });

  it("6.15 rebuilt the table: single bits in bit order, after all composites", () => {
    // ≤6.14 (and the 4.9 real line GFP_TEMPORARY|__GFP_COMP|__GFP_ZERO): COMP before ZERO, __GFP_HIGHMEM before GFP_DMA32.
    expect(formatGfp(0x40dc0, "6.14")).toBe("GFP_KERNEL|__GFP_COMP|__GFP_ZERO");
    expect(formatGfp(0x40dc0, "6.15")).toBe("GFP_KERNEL|__GFP_ZERO|__GFP_COMP");
    expect(formatGfp(0x6, "6.14")).toBe("__GFP_HIGHMEM|GFP_DMA32");
    expect(formatGfp(0x6, "6.15")).toBe("GFP_DMA32|__GFP_HIGHMEM");
    // NO_OBJ_EXT is named from 6.15 (its bit exists from 6.10) and gone again in 6.19.
    expect(formatGfp(0x1000000, "6.14")).toBe("0x1000000");
    expect(formatGfp(0x1000000, "6.18")).toBe("__GFP_NO_OBJ_EXT");
    expect(formatGfp(0x1000000, "6.19")).toBe("0x1000000");
  });

  it("the failure report's mode: item, by era", () => {
    expect(formatModeFragment(0x26040c0, "4.8")).toBe("mode:0x26040c0(GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK)");
    expect(formatModeFragment(0, "6.18")).toBe("mode:0x0()");
    expect(formatModeFragment(0xd0, "2.6.24")).toBe("mode:0xd0");
    expect(gfpFlagNames(0, "6.18")).toEqual([]);
  });
});

describe("real kernel output", () => {
  // The three real failure reports: each file's first line names its kernel.
  it.each([
    ["warn_alloc_4.8_x86_64.txt", "4.8.0-rc3", 0x26040c0, "GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK"],
    ["warn_alloc_6.8.9_ppc32.txt", "6.8.9", 0x820, "GFP_ATOMIC"],
    ["warn_alloc_6.19-rc5_x86_64.txt", "6.19.0-rc5", 0xc0c40, "GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC"],
  ])("%s: the hex alone decodes to the names the kernel printed", (file, version, mask, names) => {
    const text = fixture(file);
    const line = text.split("\n").find((l) => l.includes("page allocation failure") && l.includes("mode:")) as string;
    const d = decodeModeFragment(line, version);
    expect(d.mask).toBe(mask);
    expect(d.printed).toBe(names);
    expect(d.expected).toBe(names);
    expect(d.matches).toBe(true);
    expect(formatGfp(d.mask, version)).toBe(d.printed);
  });

  it("decodeModeFragment reports a disagreement and the hex-only era", () => {
    const wrong = decodeModeFragment("mode:0xcc0(GFP_NOFS)", "6.18");
    expect(wrong).toMatchObject({ mask: 0xcc0, printed: "GFP_NOFS", expected: "GFP_KERNEL", matches: false });
    const old = decodeModeFragment("swapper: page allocation failure. order:1, mode:0x20", "2.6.24");
    expect(old).toMatchObject({ mask: 0x20, printed: null, matches: null, expected: "0x20" });
    expect(decodeModeFragment("oom: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0", "5.4.17").matches).toBe(true);
    expect(() => decodeModeFragment("nothing here", "6.18")).toThrow(InvalidGfpError);
  });

  it("every gfp_flags= of the 6.18 trace sample formats identically from its mask", () => {
    const lines = fixture("tracefs-trace-sample-6.18.txt").split("\n").filter((l) => l.includes("gfp_flags="));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const printed = (/gfp_flags=(\S+)/.exec(line) as RegExpExecArray)[1];
      const mask = parseGfp(printed, "6.18", { style: "trace" });
      expect(formatGfp(mask, "6.18", "trace")).toBe(printed);
    }
    // §1.7.4: the sample's names are the mask 0x140dca.
    expect(parseGfp("GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", "6.18")).toBe(0x140dca);
  });

  it("live 6.18 pairs (mask selected by a tracefs filter, names the kernel printed) format identically", () => {
    const pairs = fixture("live-6.18-trace-gfp-pairs.txt").split("\n").filter((l) => l.startsWith("0x"));
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    for (const pair of pairs) {
      const [hex, names] = pair.split(" ");
      expect(formatGfp(Number(hex), "6.18", "trace"), hex).toBe(names);
      expect(parseGfp(names, "6.18")).toBe(Number(hex));
    }
  });
});

describe("parseGfp", () => {
  it("reads names, hex, decimal, mixed, with any whitespace", () => {
    expect(parseGfp("GFP_KERNEL|__GFP_ZERO")).toBe(0xdc0);
    expect(parseGfp(" GFP_KERNEL | 0x100 ")).toBe(0xdc0);
    expect(parseGfp("0xCC0")).toBe(0xcc0);
    expect(parseGfp("3264")).toBe(0xcc0);
    expect(parseGfp("\tGFP_NOFS|\n__GFP_FS")).toBe(0xcc0);
    expect(parseGfp("___GFP_ZERO")).toBe(0x100);
    expect(parseGfp(0xcc0)).toBe(0xcc0);
  });

  it("uses the version's values and names", () => {
    expect(parseGfp("GFP_KERNEL", "2.6.24")).toBe(0xd0);
    expect(parseGfp("GFP_KERNEL", "4.18.0-80.el8.x86_64")).toBe(0x6000c0);
    expect(parseGfp("GFP_HIGH|GFP_WAIT", "3.10")).toBe(0x30); // old trace spellings are aliases
    expect(() => parseGfp("__GFP_ATOMIC", "6.18")).toThrow(/unknown GFP flag __GFP_ATOMIC/);
    expect(parseGfp("__GFP_ATOMIC", "6.2")).toBe(0x200);
    expect(parseGfp("__GFP_NOLOCKDEP", "6.18")).toBe(0); // defined, but 0 without CONFIG_LOCKDEP
  });

  it("reads kernel output in table order: the 4.4 trace GFP_ATOMIC bit and the old GFP_THISNODE bit", () => {
    expect(parseGfp("GFP_ATOMIC", "4.4", { style: "trace" })).toBe(0x2080020);
    expect(parseGfp("GFP_HIGH|GFP_ATOMIC", "4.4", { style: "trace" })).toBe(0x80020);
    expect(parseGfp("GFP_THISNODE", "3.10")).toBe(0x41200); // the composite (NUMA)
    expect(parseGfp("GFP_THISNODE", "3.10", { style: "trace" })).toBe(0x40000); // the printed bit
    expect(parseGfp("GFP_NOWAIT", "4.4", { style: "trace" })).toBe(0);
    expect(parseGfp("none")).toBe(0);
    expect(parseGfp("")).toBe(0);
  });

  it.each([
    ["GFP_KERNEL|GFP_BOGUS", 11, /unknown GFP flag GFP_BOGUS/],
    ["GFP_KERNEL||0x1", 11, /expected a flag name or a number/],
    ["|GFP_KERNEL", 0, /expected a flag name/],
    ["GFP_KERNEL|", 10, /ends with/],
    ["GFP_KERNEL 0x1", 11, /expected '\|'/],
    ["GFP_KERNEL + 1", 11, /unexpected character "\+"/],
    ["  0x100000000", 2, /32-bit/],
  ])("%j is an InvalidGfpError at char %i", (expr, position, message) => {
    try {
      parseGfp(expr);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidGfpError);
      expect((e as InvalidGfpError).code).toBe("INVALID_GFP");
      expect((e as InvalidGfpError).position).toBe(position);
      expect((e as InvalidGfpError).location).toBe(`char ${position}`);
      expect((e as Error).message).toMatch(message);
    }
  });

  it("rejects masks that are not 32-bit unsigned integers", () => {
    expect(() => parseGfp(-1)).toThrow(InvalidGfpError);
    expect(() => formatGfp(1.5)).toThrow(InvalidGfpError);
  });
});

describe("round trip: parse(format(mask)) === mask", () => {
  // One version per layout era and per name-table era, and the boundaries either side.
  const versions = [...new Set([...GFP_LAYOUT_ERAS, ...GFP_NAME_TABLE_ERAS].map(([v]) => v))];
  const configs = [{}, { lockdep: true, kasan: true, noTrack: true }];

  for (const version of versions) {
    for (const config of configs) {
      const layout = gfpLayout(version, config);
      const defined = Object.values(layout.flags).filter((v) => v !== 0);
      const bits = defined.reduce((a, b) => (a | b) >>> 0, 0);
      // Random masks: any subset of the defined bits plus, sometimes, bits no flag uses.
      const masks = fc
        .tuple(fc.subarray(defined), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean())
        .map(([subset, extra, withExtra]) => (subset.reduce((a, b) => a | b, 0) | (withExtra ? extra & ~bits : 0)) >>> 0);
      it(`${version} ${JSON.stringify(config)}: printk and trace text`, () => {
        fc.assert(
          fc.property(masks, (mask) => {
            expect(parseGfp(formatGfp(mask, version, "printk", config), version, { style: "printk", config })).toBe(mask);
            // 4.4–4.5 trace tables print the __GFP_ATOMIC bit as "GFP_ATOMIC", the composite's text too:
            // without __GFP_HIGH before it the text is ambiguous in the kernel's own output.
            const atomic = layout.flags.__GFP_ATOMIC ?? 0;
            const ambiguous = (version === "4.4" || version === "4.5") && (mask & atomic) !== 0 && (mask & layout.flags.__GFP_HIGH) === 0;
            if (!ambiguous) {
              expect(parseGfp(formatGfp(mask, version, "trace", config), version, { style: "trace", config })).toBe(mask);
            }
          }),
          { numRuns: 300 },
        );
      });
    }
  }

  it("the 4.4 ambiguity is the kernel's: two masks, one text", () => {
    expect(formatGfp(0x80000, "4.4", "trace")).toBe("GFP_ATOMIC");
    expect(formatGfp(0x2080020, "4.4", "trace")).toBe("GFP_ATOMIC");
  });
});
