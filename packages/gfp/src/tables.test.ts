import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gfpFlags } from "./composite";
import { gfpLayout } from "./layout";
import { gfpNameTable } from "./name-table";

// Expected values: kernel-facts §1.7 (copied into __fixtures__/kernel-facts-1.7.md), which lists
// the layouts, composites and name tables per version range, established from kernel trees,
// patch mails and per-release tables; and the live 6.18 tracefs format file.
const facts = fs.readFileSync(path.join(__dirname, "__fixtures__", "kernel-facts-1.7.md"), "utf8");
const formatFile = fs.readFileSync(path.join(__dirname, "__fixtures__", "tracefs-mm-page-alloc-format-6.18.txt"), "utf8");

/** "2.6.24–2.6.30" -> ["2.6.24", "2.6.30"]; "6.10–6.18+" -> ["6.10", "6.18"]; "4.4" -> ["4.4", "4.4"]. */
function range(cell: string): [string, string] {
  const [lo, hi] = cell.replace(/\+$/, "").split("–");
  return [lo, (hi ?? lo).replace(/\+$/, "")];
}

function tableRows(headerStart: string): string[][] {
  const lines = facts.split("\n");
  const start = lines.findIndex((l) => l.startsWith(headerStart));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

describe("bit layouts (§1.7.1)", () => {
  const rows = tableRows("| versions | ___GFP_* values");
  it("covers every range of the reference", () => expect(rows.length).toBe(22));
  for (const [versions, values, , shift] of rows) {
    const expected = Object.fromEntries(
      values.split(", ").map((item) => {
        const [name, hex] = item.split(" ");
        return [`__GFP_${name}`, Number.parseInt(hex, 16)];
      }),
    );
    for (const v of range(versions)) {
      it(`${v}: every flag of the typical x86_64 config has the reference value`, () => {
        const layout = gfpLayout(v);
        const nonZero = Object.fromEntries(Object.entries(layout.flags).filter(([, value]) => value !== 0));
        expect(nonZero).toEqual(expected);
        const base = Number.parseInt(shift.replace(/^\D*/, ""), 10);
        if (!shift.startsWith("number of enum bits")) expect(layout.bitsShift).toBe(base);
        if (shift.includes("+LOCKDEP")) expect(gfpLayout(v, { lockdep: true }).bitsShift).toBe(base + 1);
      });
    }
  }

  it("config-dependent bits take the values the reference gives for each option", () => {
    // §1.1: 6.10+ enum packs SKIP_ZERO, SKIP_KASAN (KASAN_HW_TAGS), NOLOCKDEP, NO_OBJ_EXT from bit 24.
    expect(gfpLayout("6.18", { lockdep: true }).flags).toMatchObject({ __GFP_NOLOCKDEP: 1 << 24, __GFP_NO_OBJ_EXT: 1 << 25 });
    expect(gfpLayout("6.18", { kasan: true, lockdep: true }).flags).toMatchObject({
      __GFP_SKIP_ZERO: 1 << 24, __GFP_SKIP_KASAN: 1 << 25, __GFP_NOLOCKDEP: 1 << 26, __GFP_NO_OBJ_EXT: 1 << 27,
    });
    expect(gfpLayout("6.18", { slabObjExt: false }).flags.__GFP_NO_OBJ_EXT).toBe(0);
    expect(gfpLayout("6.18", { slabObjExt: false }).bitsShift).toBe(24);
    // §1.1: 6.4–6.9 fixed hex: SKIP_ZERO 0x1000000, SKIP_KASAN 0x2000000, NOLOCKDEP 0x4000000, shift 26 + LOCKDEP.
    expect(gfpLayout("6.9", { kasan: true, lockdep: true }).flags).toMatchObject({
      __GFP_SKIP_ZERO: 0x1000000, __GFP_SKIP_KASAN: 0x2000000, __GFP_NOLOCKDEP: 0x4000000,
    });
    // §1.7.1: 6.3 and 5.18 still had three KASAN bits, NOLOCKDEP 0x8000000.
    expect(gfpLayout("6.3", { kasan: true, lockdep: true }).flags).toMatchObject({
      __GFP_SKIP_ZERO: 0x1000000, __GFP_SKIP_KASAN_UNPOISON: 0x2000000, __GFP_SKIP_KASAN_POISON: 0x4000000, __GFP_NOLOCKDEP: 0x8000000,
    });
    // 2.6.31–3.7: NOTRACK 0x200000 only with CONFIG_KMEMCHECK; 3.8+ unconditional.
    expect(gfpLayout("3.3").flags.__GFP_NOTRACK).toBe(0);
    expect(gfpLayout("3.3", { noTrack: true }).flags.__GFP_NOTRACK).toBe(0x200000);
    expect(gfpLayout("3.10").flags.__GFP_NOTRACK).toBe(0x200000);
    expect(gfpLayout("4.12", { lockdep: true }).flags.__GFP_NOLOCKDEP).toBe(0x2000000);
    expect(gfpLayout("4.19", { lockdep: true }).flags.__GFP_NOLOCKDEP).toBe(0x800000);
  });

  it("a vendor uname -r resolves to its base release", () => {
    expect(gfpLayout("4.18.0-80.el8.x86_64").since).toBe("4.18");
    expect(gfpLayout("6.19.0-rc5-00027-g40fd0acc45d0").since).toBe("6.19");
    expect(gfpLayout("2.6.24").since).toBe("2.6.24");
    expect(() => gfpLayout("2.6.23")).toThrow(/older than 2.6.24/);
    expect(() => gfpLayout("banana")).toThrow(expect.objectContaining({ code: "INVALID_KERNEL_VERSION" }));
  });
});

describe("composite masks (§1.7.2, §1.3)", () => {
  const rows = tableRows("| versions | GFP_ATOMIC");
  const header = facts.split("\n").find((l) => l.startsWith("| versions | GFP_ATOMIC")) as string;
  const names = header.split("|").slice(2, -1).map((c) => c.trim());
  it("covers every range of the reference", () => expect(rows.length).toBe(14));
  for (const [versions, ...cells] of rows) {
    for (const v of range(versions)) {
      it(`${v}: ${names.length} composites as the reference lists them`, () => {
        const flags = gfpFlags(v);
        names.forEach((name, i) => {
          if (cells[i] === "—") expect(flags[name], name).toBeUndefined();
          else expect(flags[name], name).toBe(Number.parseInt(cells[i], 16));
        });
      });
    }
  }

  it("2.6.24 has the book's masks (§1.3)", () => {
    expect(gfpFlags("2.6.24")).toMatchObject({
      GFP_NOFS_PAGECACHE: 0x100050, GFP_USER_PAGECACHE: 0x1200d0, GFP_HIGHUSER_PAGECACHE: 0x1200d2,
      GFP_THISNODE: 0x41200, GFP_MOVABLE_MASK: 0x180000, GFP_TEMPORARY: 0x800d0,
    });
    expect(gfpFlags("2.6.24", { numa: false }).GFP_THISNODE).toBe(0);
  });

  it("GFP_HIGHUSER_MOVABLE carries the KASAN skip bits where the kernel adds them", () => {
    expect(gfpFlags("6.18", { kasan: true }).GFP_HIGHUSER_MOVABLE).toBe(0x100cca | (1 << 25)); // SKIP_KASAN = bit 25
    expect(gfpFlags("6.1", { kasan: true }).GFP_HIGHUSER_MOVABLE).toBe(0x100cca | 0x2000000 | 0x4000000);
  });
});

describe("name tables (§1.7.3, live 6.18 format)", () => {
  const lists = facts
    .split("\n")
    .filter((l) => /^- \*\*[\d.–]+\*\*: GFP_/.test(l))
    .map((l) => {
      const m = /^- \*\*([\d.–]+)\*\*: (.*)$/.exec(l) as RegExpExecArray;
      return [m[1], m[2].split(", ")] as const;
    });
  it("covers every range of the reference", () => expect(lists.length).toBe(15));
  for (const [versions, names] of lists) {
    for (const v of range(versions)) {
      it(`${v}: the trace table lists the reference names in order`, () => {
        expect(gfpNameTable(v, "trace")?.map((e) => e.name)).toEqual(names);
      });
    }
  }

  it("6.18: composites then every bit in bit order, exactly the entries and values of the live tracefs format", () => {
    const table = formatFile.slice(formatFile.indexOf("__print_flags"));
    const live = [...table.matchAll(/\{\( unsigned long\)(.*?), "(\w+)"\}/g)].map((m) => {
      const expr = m[1].replaceAll("( gfp_t)", "").replaceAll("1UL", "1");
      // The entries are C constant expressions of (1 << n), |, & and ~ only.
      expect(expr).toMatch(/^[\d()<>|&~ ]+$/);
      return { name: m[2], mask: Function(`return (${expr}) >>> 0`)() as number };
    });
    expect(live.length).toBe(38);
    expect(gfpNameTable("6.18", "trace")?.map(({ name, mask }) => ({ name, mask }))).toEqual(live);
    expect(gfpNameTable("6.18", "printk")).toEqual(gfpNameTable("6.18", "trace"));
  });

  it("no names before 2.6.32 (trace) or 4.6 (printk)", () => {
    expect(gfpNameTable("2.6.24", "trace")).toBeNull();
    expect(gfpNameTable("4.5", "printk")).toBeNull();
    expect(gfpNameTable("4.6", "printk")?.[0].name).toBe("GFP_TRANSHUGE");
  });

  it("config-dependent names appear only with their option (5.18–6.14 KASAN, 6.15+ NOLOCKDEP)", () => {
    const kasan = gfpNameTable("6.8", "printk", { kasan: true })?.map((e) => e.name).slice(-3);
    expect(kasan).toEqual(["__GFP_ZEROTAGS", "__GFP_SKIP_ZERO", "__GFP_SKIP_KASAN"]);
    expect(gfpNameTable("6.8", "printk", { lockdep: true })?.some((e) => e.name === "__GFP_NOLOCKDEP")).toBe(false);
    const tail = gfpNameTable("6.18", "printk", { lockdep: true })?.map((e) => e.name).slice(-3);
    expect(tail).toEqual(["__GFP_ZEROTAGS", "__GFP_NOLOCKDEP", "__GFP_NO_OBJ_EXT"]);
  });
});
