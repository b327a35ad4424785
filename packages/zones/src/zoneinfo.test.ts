import fs from "node:fs";
import path from "node:path";
import { loadMachine } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { ZoneinfoParseError } from "./errors";
import { parseSysctlDir } from "./sysctls";
import { type ParsedZone, machineFromZoneinfo, parseZoneinfo, renderZoneinfoStatic } from "./zoneinfo";
import { buildZones } from "./zones";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");

/** `name=value` lines (the sample's format) -> the files of a /proc/sys/vm directory. */
function sysctlLines(text: string): Record<string, string> {
  return Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), `${l.slice(l.indexOf("=") + 1)}\n`]));
}

/** The values the kernel COMPUTES (never copied by the importer) of each zone. */
function computed(z: ParsedZone) {
  return {
    zone: `${z.nid}:${z.name}`,
    watermarks: [z.min, z.low, z.high, z.promo],
    protection: z.protection,
    pcp: z.pagesets.map((p) => [p.batch, p.highMin, p.highMax]),
    threshold: z.vmStatThreshold,
  };
}

function sizes(z: ParsedZone) {
  return [z.nid, z.name, z.startPfn, z.spanned, z.present, z.managed];
}

/** Import the sizes of `real`, recompute everything with `sysctls`, render, and return both sides. */
function roundTrip(real: string, sysctlFiles: Record<string, string>) {
  const machine = loadMachine(machineFromZoneinfo(real));
  const cpus = parseZoneinfo(real).cpus.length;
  const zs = buildZones(machine, { version: "6.18", sysctls: parseSysctlDir(sysctlFiles), cpus });
  const ours = parseZoneinfo(renderZoneinfoStatic(zs));
  return { want: parseZoneinfo(real).zones, got: ours.zones, zs };
}

describe("6.18 sample (samples-6.18-x86_64)", () => {
  const real = fixture("proc_zoneinfo-6.18-x86_64.txt");
  const sysctl = sysctlLines(fixture("proc_sys_vm-6.18-x86_64.txt"));

  it("the importer takes sizes only and reproduces them through the machine description", () => {
    const { want, got } = roundTrip(real, sysctl);
    expect(got.map(sizes)).toEqual(want.map(sizes));
  });

  it("reproduces every min/low/high/promo, protection, batch, high_min, high_max and threshold", () => {
    const { want, got } = roundTrip(real, sysctl);
    expect(got.map(computed)).toEqual(want.map(computed));
  });

  it("derives min_free_kbytes 67584 itself (THP recommendation) when the sysctl is not given", () => {
    const { min_free_kbytes: _drop, ...rest } = sysctl;
    const { want, got, zs } = roundTrip(real, rest);
    expect(zs.minFreeKbytes).toBe(67584);
    expect(got.map(computed)).toEqual(want.map(computed));
  });

  it("renders the static lines with the kernel's exact spacing", () => {
    const { zs } = roundTrip(real, sysctl);
    const ours = renderZoneinfoStatic(zs).split("\n");
    const theirs = real.split("\n");
    // every line that is not a dynamic counter (free pages, stats, pcp count/high) is identical
    const isStatic = (l: string) =>
      !/^\s+(nr_|numa_|workingset_|pg|count:|high: |pages free)/.test(l) && !/^\s{6}[a-z_]+\s+\d+$/.test(l);
    expect(ours.filter(isStatic)).toEqual(theirs.filter(isStatic));
  });

  it("the dynamic part comes from the counters input", () => {
    const { zs } = roundTrip(real, sysctl);
    const text = renderZoneinfoStatic(zs, {
      zone: (nid, name) => (name === "DMA" ? { freePages: 3840, boost: 5, pcp: [{ count: 7, high: 31 }] } : undefined),
    });
    const dma = parseZoneinfo(text).zones[0];
    expect([dma.freePages, dma.boost, dma.min, dma.pagesets[0].count, dma.pagesets[0].high]).toEqual([3840, 5, 38 + 5, 7, 31]);
    expect(dma.stats[0]).toEqual(["nr_free_pages", 3840]);
  });
});

// The live machine: /proc/zoneinfo and /proc/sys/vm read back to back (Normal's managed count grows
// lazily on this VM, so only one snapshot's computed values are compared with that same snapshot).
const live = fs.existsSync("/proc/zoneinfo");
describe.skipIf(!live)("live /proc/zoneinfo of this machine", () => {
  it("reproduces every computed value from the sizes alone", () => {
    let attempt = 0;
    for (;;) {
      const files: Record<string, string> = {};
      for (const name of ["min_free_kbytes", "watermark_scale_factor", "lowmem_reserve_ratio", "percpu_pagelist_high_fraction", "watermark_boost_factor"]) {
        const p = `/proc/sys/vm/${name}`;
        if (fs.existsSync(p)) files[name] = fs.readFileSync(p, "utf8");
      }
      const text = fs.readFileSync("/proc/zoneinfo", "utf8");
      const again = fs.readFileSync("/proc/zoneinfo", "utf8");
      const stable = parseZoneinfo(text).zones.map(sizes).join() === parseZoneinfo(again).zones.map(sizes).join();
      if (!stable && ++attempt < 5) continue;
      const { want, got } = roundTrip(text, files);
      // the boost is dynamic: compare watermarks without it
      const unboost = (z: ParsedZone) => {
        const c = computed(z);
        const b = z.boost ?? 0;
        return { ...c, watermarks: c.watermarks.map((x) => (x === undefined ? x : x - b)) };
      };
      expect(got.map(unboost)).toEqual(want.map(unboost));
      return;
    }
  });
});

describe("parseZoneinfo errors", () => {
  it("names the line", () => {
    const bad = "Node 0, zone      DMA\n  pages free     1\n        min      x\n";
    expect(() => parseZoneinfo(bad)).toThrow(ZoneinfoParseError);
    expect(() => parseZoneinfo(bad)).toThrow(/zoneinfo:3/);
    expect(() => parseZoneinfo("hello")).toThrow(/zoneinfo:1/);
    expect(() => parseZoneinfo("Node 0, zone   Weird\n")).toThrow(/unknown zone name/);
  });
});

describe("other layouts round-trip through the importer (self-consistency of parse/import/render)", () => {
  it.each([
    ["book-i386", "2.6.24", "i386"],
    ["numa-4node", "5.10", "x86_64"],
    ["server-2s-256g", "4.4", "x86_64"],
  ] as const)("%s at %s", async (preset, version, arch) => {
    const { getPreset } = await import("@pagealloc/physmem");
    const zs = buildZones(getPreset(preset), { version, sysctls: { min_free_kbytes: 11000 } });
    const text = renderZoneinfoStatic(zs);
    const desc = machineFromZoneinfo(text, { arch, version });
    const again = buildZones(loadMachine(desc), { version, sysctls: { min_free_kbytes: 11000 }, cpus: zs.onlineCpus });
    expect(renderZoneinfoStatic(again)).toBe(text);
  });
});
