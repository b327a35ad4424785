import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { loadMachine } from "./machine";
import { MachineImportError, machineFromSysfsNodes, parseNumactlHardware } from "./importers";

// Written by hand in the exact layout numactl 2.0.x prints for `numactl --hardware`
// (numactl.c hardware(): "available: %d nodes (%s)", "node %d cpus:" + " %d" per CPU,
// "node %d size: %lld MB", "node %d free: %lld MB", "node distances:", "node " + "%3d " header,
// "%3d: " + "%3d " rows, with the trailing spaces).
const TWO_SOCKET = `available: 2 nodes (0-1)
node 0 cpus: 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
node 0 size: 128677 MB
node 0 free: 120312 MB
node 1 cpus: 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
node 1 size: 129019 MB
node 1 free: 126110 MB
node distances:
node   0   1 
  0:  10  21 
  1:  21  10 
`;

const AMD_4NODE = `available: 4 nodes (0-3)
node 0 cpus: 0 1 2 3 4 5 6 7
node 0 size: 16036 MB
node 0 free: 15011 MB
node 1 cpus: 8 9 10 11 12 13 14 15
node 1 size: 16160 MB
node 1 free: 15893 MB
node 2 cpus: 16 17 18 19 20 21 22 23
node 2 size: 16160 MB
node 2 free: 15920 MB
node 3 cpus: 24 25 26 27 28 29 30 31
node 3 size: 16144 MB
node 3 free: 15870 MB
node distances:
node   0   1   2   3 
  0:  10  16  16  22 
  1:  16  10  22  16 
  2:  16  22  10  16 
  3:  22  16  16  10 
`;

const MEMORYLESS = `available: 2 nodes (0,2)
node 0 cpus: 0 1
node 0 size: 2015 MB
node 0 free: 1500 MB
node 2 cpus: 2 3
node 2 size: 0 MB
node 2 free: 0 MB
No distance information available.
`;

describe("parseNumactlHardware", () => {
  it("two-socket server: sizes in MB become contiguous ranges in node order", () => {
    const d = parseNumactlHardware(TWO_SOCKET, { name: "srv" });
    const m = loadMachine(d);
    expect(m.name).toBe("srv");
    expect(m.nodes[0].cpus).toEqual([...Array(16).keys(), ...Array.from({ length: 16 }, (_, i) => 32 + i)]);
    // 128677 MB = 128677 * 256 pages; node 1 starts where node 0 ends
    expect(m.nodes[0].ranges).toEqual([{ startPfn: 0, endPfn: 128677 * 256 }]);
    expect(m.nodes[1].ranges).toEqual([{ startPfn: 128677 * 256, endPfn: (128677 + 129019) * 256 }]);
    expect(m.distance).toEqual([[10, 21], [21, 10]]);
  });

  it("AMD 4-node: the SLIT is taken as printed", () => {
    const m = loadMachine(parseNumactlHardware(AMD_4NODE));
    expect(m.distance[0]).toEqual([10, 16, 16, 22]);
    expect(m.totalPages).toBe((16036 + 16160 + 16160 + 16144) * 256);
  });

  it("sparse node ids, a memoryless node and no SLIT (default 10/20)", () => {
    const m = loadMachine(parseNumactlHardware(MEMORYLESS));
    expect(m.nodes.map((n) => [n.id, n.presentPages])).toEqual([[0, 2015 * 256], [2, 0]]);
    expect(m.distance).toEqual([[10, 20], [20, 10]]);
  });

  it("an asymmetric SLIT is kept as the firmware gave it (real CXL tables are: see importers-realworld.test.ts)", () => {
    const d = parseNumactlHardware(TWO_SOCKET.replace("  1:  21  10 ", "  1:  20  10 "));
    expect(d.distance).toEqual([[10, 21], [20, 10]]);
    expect(d.distanceAsymmetric).toBe(true);
  });

  it.each([
    ["garbage line", TWO_SOCKET.replace("node 0 free: 120312 MB", "hello"), "numactl:4", /not a line of numactl/],
    ["bad CPU id", TWO_SOCKET.replace("cpus: 0 1 2", "cpus: 0 x 2"), "numactl:2", /CPU ids must be numbers/],
    ["short distance row", TWO_SOCKET.replace("  1:  21  10 ", "  1:  21"), "numactl:11", /1 values for 2 nodes/],
    ["bad distance value", TWO_SOCKET.replace("  0:  10  21 ", "  0:  10  5 "), "numactl:10", /above 10/],
    ["missing available", TWO_SOCKET.replace("available: 2 nodes (0-1)\n", ""), "numactl:1", /available/],
    ["node count mismatch", TWO_SOCKET.replace("2 nodes (0-1)", "3 nodes (0-1)"), "numactl:1", /says 3 nodes/],
    ["CPU on two nodes", TWO_SOCKET.replace("cpus: 16 17", "cpus: 15 17"), "numactl:5", /CPU 15 is also on/],
  ])("%s -> typed error at the line", (_name, text, location, reason) => {
    let err: unknown;
    try {
      parseNumactlHardware(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MachineImportError);
    expect((err as MachineImportError).location).toBe(location);
    expect((err as MachineImportError).message).toMatch(reason);
  });
});

describe("machineFromSysfsNodes", () => {
  it("MemTotal sizes and cpulists, distances by node", () => {
    const d = machineFromSysfsNodes({
      "node0/cpulist": "0-15,32-47\n",
      "node1/cpulist": "16-31,48-63\n",
      "node0/distance": "10 21\n",
      "node1/distance": "21 10\n",
      "node0/meminfo": "Node 0 MemTotal:       131766248 kB\nNode 0 MemFree:        123199436 kB\n",
      "node1/meminfo": "Node 1 MemTotal:       132115916 kB\nNode 1 MemFree:        129136900 kB\n",
      "node0/numastat": "numa_hit 1\n",
    });
    const m = loadMachine(d);
    // 131766248 kB / 4 = 32941562 pages
    expect(m.nodes[0].presentPages).toBe(32941562);
    expect(m.nodes[1].ranges[0].startPfn).toBe(32941562);
    expect(m.nodes[1].cpus.length).toBe(32);
    expect(m.distance).toEqual([[10, 21], [21, 10]]);
  });

  it("memory blocks give real addresses (block N = [N * block_size, (N+1) * block_size))", () => {
    const files: Record<string, string> = { "memory/block_size_bytes": "8000000\n", "node0/cpulist": "0-1\n", "node0/distance": "10\n" };
    for (let b = 0; b < 24; b++) files[`node0/memory${b}`] = "";
    for (let b = 32; b < 200; b++) files[`node0/memory${b}`] = "";
    const m = loadMachine(machineFromSysfsNodes(files));
    expect(m.nodes[0].ranges).toEqual([{ startPfn: 0, endPfn: 0xc0000 }, { startPfn: 0x100000, endPfn: 0x640000 }]);
  });

  it("errors name the file and line", () => {
    const at = (files: Record<string, string>) => {
      try {
        machineFromSysfsNodes(files);
      } catch (e) {
        expect(e).toBeInstanceOf(MachineImportError);
        return (e as MachineImportError).location;
      }
      return "no error";
    };
    expect(at({ "node0/cpulist": "0-x", "node0/meminfo": "Node 0 MemTotal: 4 kB" })).toBe("sysfs:node0/cpulist:1");
    expect(at({ "node0/cpulist": "0", "node0/meminfo": "Node 0 MemFree: 4 kB\nNode 1 MemTotal: 8 kB" })).toBe("sysfs:node0/meminfo:2");
    expect(at({ "node0/cpulist": "0", "node0/meminfo": "nothing" })).toBe("sysfs:node0/meminfo:1");
    expect(at({ "node0/cpulist": "0", "node0/meminfo": "Node 0 MemTotal: 4096 kB", "node0/distance": "10 20" })).toBe("sysfs:node0/distance:1");
    expect(at({ "node0/cpulist": "0", "node0/meminfo": "Node 0 MemTotal: 4096 kB", "node0/distance": "11" })).toBe("sysfs:node0/distance:1");
    expect(at({})).toBe("sysfs");
  });

  const live = "/sys/devices/system/node";
  it.skipIf(!fs.existsSync(`${live}/node0/cpulist`) || !fs.existsSync("/proc/zoneinfo"))("this machine's sysfs matches its /proc/zoneinfo", () => {
    const files: Record<string, string> = {};
    const blockSize = "/sys/devices/system/memory/block_size_bytes";
    if (fs.existsSync(blockSize)) files["memory/block_size_bytes"] = fs.readFileSync(blockSize, "utf8");
    for (const dir of fs.readdirSync(live).filter((d) => /^node\d+$/.test(d))) {
      for (const f of fs.readdirSync(`${live}/${dir}`)) {
        if (/^(cpulist|distance|meminfo)$/.test(f)) files[`${dir}/${f}`] = fs.readFileSync(`${live}/${dir}/${f}`, "utf8");
        else if (/^memory\d+$/.test(f)) files[`${dir}/${f}`] = "";
      }
    }
    const m = loadMachine(machineFromSysfsNodes(files));
    // The highest zone of each node ends where its memory ends: start_pfn + spanned of the last populated zone.
    const zoneinfo = fs.readFileSync("/proc/zoneinfo", "utf8");
    for (const node of m.nodes) {
      const zones = [...zoneinfo.matchAll(/^Node (\d+), zone\s+(\S+)\n[\s\S]*?spanned\s+(\d+)[\s\S]*?start_pfn:\s+(\d+)/gm)]
        .filter((z) => Number(z[1]) === node.id && Number(z[3]) > 0)
        .map((z) => Number(z[4]) + Number(z[3]));
      if (zones.length && files["memory/block_size_bytes"]) expect(node.spannedEndPfn).toBe(Math.max(...zones));
    }
    expect(m.nodes.flatMap((n) => n.cpus).length).toBeGreaterThan(0);
  });
});
