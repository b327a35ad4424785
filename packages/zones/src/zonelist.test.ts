import { type MachineDescription, getPreset, loadMachine, presets } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { InvalidZonelistRequestError } from "./errors";
import { buildZonelists, candidateZones, defaultZonelistOrder, forEachCandidateZone, zonelistFor } from "./zonelist";
import { buildZones } from "./zones";

// Expected node orders are worked by hand from find_next_best_node()/build_zonelists() (kernel-facts §3.2,
// §3.4): val = (distance + (n < local) + 1 if n has CPUs) × K + node_load[n], K much larger than any load,
// smallest val wins, ties go to the lowest id; node_load is shared by the whole rebuild.

/** A machine with `n` nodes of 1 GiB each above 4 GiB (so every node has only a Normal zone, except node 0). */
function machine(distance: number[][], cpuless: number[] = [], memoryless: number[] = []): MachineDescription {
  return {
    name: "t",
    arch: "x86_64",
    nodes: distance.map((_row, id) => ({
      id,
      ...(cpuless.includes(id) ? {} : { cpus: [id] }),
      memory: memoryless.includes(id) ? [] : id === 0 ? [{ start: "0x1000", end: "0x40000000" }] : [{ start: `0x${(0x100000000 + id * 0x40000000).toString(16)}`, size: "1G" }],
    })),
    distance,
  };
}

const orders = (desc: MachineDescription, version = "6.18") => {
  const zl = buildZonelists(buildZones(loadMachine(desc), { version }));
  return { orders: zl.nodes.map((n) => n.nodeOrder.join(" ")), loads: zl.nodes.map((n) => n.nodeLoadAfter.join(",")), zl };
};

describe("2 nodes", () => {
  it("SLIT 10/21: each node first, then the other", () => {
    // node 0: pick 0; pick 1 (21·K), distance 21 != 10 -> node_load[1] = 1
    // node 1: pick 1; pick 0 ((21+1+1)·K), 21 != 10 -> node_load[0] = 1
    const r = orders(machine([[10, 21], [21, 10]]));
    expect(r.orders).toEqual(["0 1", "1 0"]);
    expect(r.loads).toEqual(["0,1", "1,1"]);
  });

  it("a memoryless node: listed first in its own order before 6.7, skipped from 6.7", () => {
    const desc = machine([[10, 21], [21, 10]], [], [1]);
    // node 1 has no memory: nobody else picks it (only N_MEMORY nodes are candidates)
    expect(orders(desc, "6.6").orders).toEqual(["0", "1 0"]);
    expect(orders(desc, "6.18").orders).toEqual(["0", "0"]);
    // either way its fallback list holds node 0's zones only
    expect(zonelistFor(orders(desc, "6.18").zl, 1).map((z) => `${z.nid}:${z.name}`)).toEqual(["0:DMA32", "0:DMA"]);
  });
});

describe("4 nodes (numa-4node preset: SLIT 10/16/16/22, every node with CPUs)", () => {
  it("modern (node_load += 1)", () => {
    // node 0: 0; n1 = 17K, n2 = 17K, n3 = 23K -> n1 (tie, lowest id), 16 != 10 -> load[1]=1; n2 (17K, same 16);
    //         n3, 22 != 16 -> load[3]=1.                                 load = [0,1,0,1]
    // node 1: 1; n0 = (16+1+1)K = 18K, n2 = 23K, n3 = 17K+1 -> n3, load[3]=2; n0 18K (16 == 16); n2 (22) -> load[2]=1.
    //                                                                     load = [0,1,1,2]
    // node 2: 2; n0 = 18K, n1 = (22+1+1)K+1, n3 = 17K+2 -> n3, load[3]=3; n0 (same 16); n1, load[1]=2.
    //                                                                     load = [0,2,1,3]
    // node 3: 3; n0 = 24K, n1 = 18K+2, n2 = 18K+1 -> n2, load[2]=2; n1 (16); n0 (22), load[0]=1.
    //                                                                     load = [1,2,2,3]
    const r = orders(presets["numa-4node"].description);
    expect(r.orders).toEqual(["0 1 2 3", "1 3 0 2", "2 3 0 1", "3 2 1 0"]);
    expect(r.loads).toEqual(["0,1,0,1", "0,1,1,2", "0,2,1,3", "1,2,2,3"]);
  });

  it("2.6.24 (node_load[n] = load, load counting down from 4 on every pick)", () => {
    // node 0: pick 0 (load 4->3); n1 -> load[1] = 3 (3->2); n2 same distance (2->1); n3 -> load[3] = 1.  [0,3,0,1]
    // node 1: pick 1 (4->3); n3 = 17K+1 beats n0 = 18K -> load[3] = 3 (3->2); n0 (2->1); n2 -> load[2] = 1. [0,3,1,3]
    // node 2: pick 2; n3 = 17K+3 beats n0 = 18K -> load[3] = 3; n0; n1 (22) -> load[1] = 1.              [0,1,1,3]
    // node 3: pick 3; n1 = 18K+1 and n2 = 18K+1 tie -> n1, load[1] = 3; n2; n0 -> load[0] = 1.           [1,3,1,3]
    const zs = buildZones(getPreset("numa-4node"), { version: "2.6.24" });
    const zl = buildZonelists(zs);
    expect(zl.nodes.map((n) => n.nodeOrder.join(" "))).toEqual(["0 1 2 3", "1 3 0 2", "2 3 0 1", "3 1 2 0"]);
    expect(zl.nodes.map((n) => n.nodeLoadAfter.join(","))).toEqual(["0,3,0,1", "0,3,1,3", "0,1,1,3", "1,3,1,3"]);
  });

  it("≈5.15 (node_load[n] += load, load counting down from 4)", () => {
    // node 0: 0 (4->3); n1 -> load[1] += 3 (3->2); n2 (2->1); n3 -> load[3] += 1.             [0,3,0,1]
    // node 1: 1; n3 = 17K+1 < n0 = 18K -> load[3] += 3 = 4; n0; n2 -> load[2] += 1.             [0,3,1,4]
    // node 2: 2; n3 = 17K+4 < n0 = 18K -> load[3] += 3 = 7; n0; n1 (22) -> load[1] += 1 = 4.    [0,4,1,7]
    // node 3: 3; n2 = 18K+1 < n1 = 18K+4 -> load[2] += 3 = 4; n1; n0 -> load[0] += 1.           [1,4,4,7]
    const zl = buildZonelists(buildZones(getPreset("numa-4node"), { version: "5.15" }));
    expect(zl.nodes.map((n) => n.nodeOrder.join(" "))).toEqual(["0 1 2 3", "1 3 0 2", "2 3 0 1", "3 2 1 0"]);
    expect(zl.nodes.map((n) => n.nodeLoadAfter.join(","))).toEqual(["0,3,0,1", "0,3,1,4", "0,4,1,7", "1,4,4,7"]);
  });

  it("2.6.24 default order is ZONE here, and zone vs node order lay out the Normal list differently", () => {
    // DMA+DMA32 = 3998+782336 pages of ~16.8M: not > half; average = total/(4+1) ≈ 3.36M; node 0 (4.19M pages)
    // is above average but its DMA/DMA32 share (~19%) is not > 70% -> ZONELIST_ORDER_ZONE.
    const zs = buildZones(getPreset("numa-4node"), { version: "2.6.24" });
    expect(defaultZonelistOrder(zs)).toBe("zone");
    const zone = buildZonelists(zs);
    expect(zone.orderName).toBe("Default");
    const names = (l: readonly { nid: number; name: string }[]) => l.map((z) => `${z.nid}:${z.name}`).join(" ");
    // list for ZONE_NORMAL (index 2): Normal of every node in node order, then DMA32, then DMA
    expect(names(zonelistFor(zone, 0, { highestZoneIdx: 2 }))).toBe("0:Normal 1:Normal 2:Normal 3:Normal 0:DMA32 0:DMA");
    // list for ZONE_DMA32 (index 1) holds only zones of type <= DMA32
    expect(names(zonelistFor(zone, 1, { highestZoneIdx: 1 }))).toBe("0:DMA32 0:DMA");
    const node = buildZonelists(zs, "2.6.24", { order: "node" });
    expect(node.orderName).toBe("Node");
    expect(names(zonelistFor(node, 0, { highestZoneIdx: 2 }))).toBe("0:Normal 0:DMA32 0:DMA 1:Normal 2:Normal 3:Normal");
    expect(names(zonelistFor(node, 2, { highestZoneIdx: 2 }))).toBe("2:Normal 3:Normal 0:Normal 0:DMA32 0:DMA 1:Normal");
    // THISNODE lists: the node's own zones only
    expect(names(zonelistFor(node, 2, { thisNode: true, highestZoneIdx: 2 }))).toBe("2:Normal");
  });

  it("zone_reclaim_mode: set by 2.6.24 for distances above RECLAIM_DISTANCE (20 then), never from 3.16", () => {
    // numa-4node has distances 16 and 22: 22 > 20 on 2.6.24; 2.6.36-3.15 use RECLAIM_DISTANCE 30
    expect(buildZonelists(buildZones(getPreset("numa-4node"), { version: "2.6.24" })).zoneReclaimMode).toBe(1);
    expect(buildZonelists(buildZones(getPreset("numa-4node"), { version: "3.10" })).zoneReclaimMode).toBe(0);
    expect(buildZonelists(buildZones(getPreset("server-2s-256g"), { version: "2.6.24" })).zoneReclaimMode).toBe(1);
    expect(buildZonelists(buildZones(getPreset("numa-4node"), { version: "6.18" })).zoneReclaimMode).toBe(0);
  });

  it("4.14+ has node order only, whatever numa_zonelist_order says", () => {
    const zs = buildZones(getPreset("numa-4node"), { version: "4.19", sysctls: { numa_zonelist_order: "zone" } });
    expect(buildZonelists(zs).order).toBe("node");
  });
});

describe("8 nodes: two groups of 4 (10 local, 12 in the group, 20 across); nodes 3 and 7 have no CPUs", () => {
  const d = Array.from({ length: 8 }, (_r, i) => Array.from({ length: 8 }, (_c, j) => (i === j ? 10 : (i < 4) === (j < 4) ? 12 : 20)));
  it("modern: CPU-less nodes are preferred and node_load rotates the first node of each distance group", () => {
    // node 0: 0; n3 = 12K (no CPU) -> load[3]=1; n1 13K, n2 13K (same 12); n7 = 20K -> load[7]=1; n4, n5, n6 (21K).
    //   order 0 3 1 2 7 4 5 6; load [0,0,0,1,0,0,0,1]
    // node 1: 1; n3 = 12K+1 -> load[3]=2; n2 13K; n0 14K; n7 = 20K+1 < 21K -> load[7]=2; n4 n5 n6.
    //   order 1 3 2 0 7 4 5 6; load [0,0,0,2,0,0,0,2]
    // node 2: 2; n3 = 12K+2 -> load[3]=3; n0 14K, n1 14K -> n0, n1; n7 = 20K+2 -> load[7]=3; n4 n5 n6.
    //   order 2 3 0 1 7 4 5 6; load [0,0,0,3,0,0,0,3]
    // node 3: 3; n0 = n1 = n2 = 14K -> n0, load[0]=1; n1; n2; n7 = 20K+3 < 21K -> load[7]=4; n4 n5 n6.
    //   order 3 0 1 2 7 4 5 6; load [1,0,0,3,0,0,0,4]
    // node 4: 4; n7 = 12K+4 < 13K -> load[7]=5; n5, n6 (13K); n3 = 21K+3 < 22K -> load[3]=4; n1 22K, n2 22K, n0 22K+1.
    //   order 4 7 5 6 3 1 2 0; load [1,0,0,4,0,0,0,5]
    // node 5: 5; n7 = 12K+5 -> load[7]=6; n6 13K; n4 14K; n3 = 21K+4 -> load[3]=5; n1, n2 (22K), n0 (22K+1).
    //   order 5 7 6 4 3 1 2 0; load [1,0,0,5,0,0,0,6]
    // node 6: 6; n7 = 12K+6 -> load[7]=7; n4, n5 (14K); n3 = 21K+5 -> load[3]=6; n1 n2 n0.
    //   order 6 7 4 5 3 1 2 0; load [1,0,0,6,0,0,0,7]
    // node 7: 7; n4 = n5 = n6 = 14K -> n4, load[4]=1; n5; n6; n3 = 21K+6 < 22K -> load[3]=7; n1, n2 (22K), n0 (22K+1).
    //   order 7 4 5 6 3 1 2 0; load [1,0,0,7,1,0,0,7]
    const r = orders(machine(d, [3, 7]));
    expect(r.orders).toEqual([
      "0 3 1 2 7 4 5 6", "1 3 2 0 7 4 5 6", "2 3 0 1 7 4 5 6", "3 0 1 2 7 4 5 6",
      "4 7 5 6 3 1 2 0", "5 7 6 4 3 1 2 0", "6 7 4 5 3 1 2 0", "7 4 5 6 3 1 2 0",
    ]);
    expect(r.loads).toEqual([
      "0,0,0,1,0,0,0,1", "0,0,0,2,0,0,0,2", "0,0,0,3,0,0,0,3", "1,0,0,3,0,0,0,4",
      "1,0,0,4,0,0,0,5", "1,0,0,5,0,0,0,6", "1,0,0,6,0,0,0,7", "1,0,0,7,1,0,0,7",
    ]);
  });
});

describe("candidate zones for a gfp mask (6.18, x86_64)", () => {
  const zs = buildZones(getPreset("server-2s-256g"));
  const zl = buildZonelists(zs);
  const names = (c: { zones: readonly { nid: number; name: string }[] }) => c.zones.map((z) => `${z.nid}:${z.name}`).join(" ");
  it.each([
    // kernel-facts §3.3: GFP_KERNEL tries Normal -> DMA32 -> DMA; GFP_DMA32 DMA32 -> DMA; GFP_DMA only DMA;
    // GFP_HIGHUSER_MOVABLE (zone idx 3, Movable empty) starts at Normal
    [0xcc0, 0, "Normal", "0:Normal 0:DMA32 0:DMA 1:Normal"],
    [0xcc0, 1, "Normal", "1:Normal 0:Normal 0:DMA32 0:DMA"],
    [0x4, 1, "DMA32", "0:DMA32 0:DMA"],
    [0x1, 0, "DMA", "0:DMA"],
    [0x100cca, 1, "Movable", "1:Normal 0:Normal 0:DMA32 0:DMA"],
  ] as const)("gfp %s on node %i", (gfp, nid, zone, list) => {
    const c = candidateZones(zl, zs, gfp, { nid });
    expect(c.highestZone).toBe(zone);
    expect(names(c)).toBe(list);
  });

  it("__GFP_THISNODE uses the no-fallback list; a nodemask filters nodes", () => {
    const thisNode = 0x200000; // ___GFP_THISNODE bit 21 in 6.18 (kernel-facts §1.1)
    expect(names(candidateZones(zl, zs, 0xcc0 | thisNode, { nid: 1 }))).toBe("1:Normal");
    expect(names(candidateZones(zl, zs, 0xcc0, { nid: 0, nodemask: [1] }))).toBe("1:Normal");
    expect(forEachCandidateZone(zonelistFor(zl, 0), 0).map((z) => z.name)).toEqual(["DMA"]);
  });

  it("an unknown node is a typed error", () => {
    expect(() => zonelistFor(zl, 5)).toThrow(InvalidZonelistRequestError);
  });
});

it("boot messages match the live 6.18 dmesg (samples-6.18-x86_64/dmesg_boot_mm_lines.txt)", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { machineFromZoneinfo } = await import("./zoneinfo");
  const { zonelistBootMessages } = await import("./zonelist");
  const text = fs.readFileSync(path.join(__dirname, "__fixtures__", "proc_zoneinfo-6.18-x86_64.txt"), "utf8");
  const zs = buildZones(loadMachine(machineFromZoneinfo(text)));
  const dmesg = fs.readFileSync(path.join(__dirname, "__fixtures__", "dmesg_boot_mm_lines-6.18-x86_64.txt"), "utf8");
  const wanted = dmesg.split("\n").filter((l) => /Fallback order|Built \d+ zonelists|Policy zone/.test(l)).map((l) => l.replace(/^\[[ \d.]+\] /, ""));
  expect(wanted).toHaveLength(3);
  expect(zonelistBootMessages(zs, buildZonelists(zs))).toEqual(wanted);
});
