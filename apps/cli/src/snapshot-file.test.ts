import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootKernel, readSnapshotExtra, restore, snapshot } from "@pagealloc/page-api";
import { runScript } from "@pagealloc/workload";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write";
import { capture } from "./commands/cli-test-helpers";
import { run } from "./run";
import { loadSnapshotFile, saveSnapshotFile } from "./snapshot-file";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-snap-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text?: string) => {
  const p = path.join(dir, name);
  if (text !== undefined) fs.writeFileSync(p, text);
  return p;
};

const PART1 = "alloc a order=3 gfp=GFP_KERNEL count=5\nalloc b order=0 gfp=GFP_HIGHUSER_MOVABLE count=40\nfree a[1]\nfree b[3]\n";
const PART2 = "alloc c order=2 gfp=GFP_KERNEL count=7\nfree c[0]\nshow buddyinfo\nshow pagetypeinfo\n";

describe("pagealloc run --save / --load", () => {
  it("part 1 --save, then part 2 --load prints what the whole script prints in one run", async () => {
    const whole = capture();
    expect(await run(["run", file("whole.pa", PART1 + PART2), "--machine", "tiny-16m", "--kernel", "6.18"], whole)).toBe(0);
    const save = capture();
    const state = path.join(dir, "state.pgs");
    expect(await run(["run", file("p1.pa", PART1), "--machine", "tiny-16m", "--kernel", "6.18", "--save", state], save)).toBe(0);
    const load = capture();
    expect(await run(["run", file("p2.pa", PART2), "--load", state], load)).toBe(0);
    // the /proc text the show lines print (without the "# FILE:LINE: show" headings and the step summary)
    const shows = (out: string) => out.split("\n").filter((l) => !l.startsWith("#") && !/ steps, /.test(l)).join("\n");
    expect(shows(load.stdout)).toBe(shows(whole.stdout));
    expect(load.stdout).toContain("Node 0, zone      DMA");
  });

  it("a damaged or truncated file is exit 2 with SNAPSHOT_CORRUPT and the file name, no stack trace", async () => {
    const good = snapshot(bootKernel({ machine: "tiny-16m" }));
    const bad = file("bad.pgs");
    fs.writeFileSync(bad, good.subarray(0, good.length - 10));
    const c = capture();
    expect(await run(["run", file("p.pa", "show buddyinfo\n"), "--load", bad], c)).toBe(2);
    expect(c.stderr).toMatch(/SNAPSHOT_CORRUPT/);
    expect(c.stderr).toContain(bad);
    expect(c.stderr).not.toMatch(/\n\s+at /);
    const missing = capture();
    expect(await run(["run", file("p.pa"), "--load", path.join(dir, "nope.pgs")], missing)).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });

  it("--save of a kernel with the slow path writes its state (format version 2 holds it)", async () => {
    const state = path.join(dir, "r.pgs");
    const script = "alloc a order=0 gfp=GFP_HIGHUSER_MOVABLE count=3300\nalloc b order=3 gfp=GFP_KERNEL count=4\nshow buddyinfo\n";
    const c = capture();
    expect(await run(["run", file("r.pa", script), "--machine", "tiny-16m", "--reclaim", "--save", state], c)).toBe(0);
    const k = restore(new Uint8Array(fs.readFileSync(state)));
    expect(k.reclaim).not.toBeNull();
    // 3300 movable pages and four order-3 blocks take tiny-16m's DMA zone below its low watermark: the slow path ran
    expect(k.reclaim!.lastOutcome).not.toBeNull();
    expect(c.stdout).toContain(k.buddyinfo());
  });
});

describe("pagealloc run --save / --load continue the script (random() sequence, named allocations)", () => {
  // A draws random() 3 times and names allocations; B frees A's names (at random, by index, whole) and draws more.
  const A = "alloc a order=random(0,2) gfp=GFP_KERNEL count=3\nalloc b order=0 gfp=GFP_HIGHUSER_MOVABLE count=6\nfree b[1]\n";
  const B = [
    "free a[random]",
    "alloc c order=random(0,3) gfp=GFP_KERNEL count=random(2,6)",
    "free b[2]",
    "free b",
    "free c[random]",
    "expect count a == 2",
    "expect count b == 0",
    "show buddyinfo",
    "show pagetypeinfo",
    "show zoneinfo",
    "",
  ].join("\n");
  const boot = ["--machine", "tiny-16m", "--kernel", "6.18", "--seed", "7"];

  it("A then B in one process prints, byte for byte, what A --save then B --load print, and saves the same file", async () => {
    const a = file("cont-a.pa", A);
    const b = file("cont-b.pa", B);
    const one = capture();
    expect(await run(["run", a, b, ...boot, "--save", file("cont-one.pgs")], one)).toBe(0);
    const first = capture();
    expect(await run(["run", a, ...boot, "--save", file("cont-a.pgs")], first)).toBe(0);
    const second = capture();
    expect(await run(["run", b, "--load", file("cont-a.pgs"), "--save", file("cont-two.pgs")], second)).toBe(0);
    expect(first.stdout + second.stdout).toBe(one.stdout);
    expect(second.stderr).toBe("");
    // the /proc text B shows, and B's expectations (A's names known after --load)
    expect(second.stdout).toContain(`# ${b}:8: show buddyinfo\nNode 0, zone      DMA `);
    expect(second.stdout).toContain("Node 0, zone      DMA\n  per-node stats");
    expect(second.stdout).toContain(`ok   ${b}:6: expect count a == 2`);
    // kernel and script state end the same either way
    expect(fs.readFileSync(file("cont-two.pgs")).equals(fs.readFileSync(file("cont-one.pgs")))).toBe(true);
  });

  it("with the slow path: reclaim's evictions of the saved run's marked blocks still reach their names after --load", async () => {
    // tiny-16m: about 3,900 free pages. A fills 2,500 with page cache; B's 1,500 kernel pages force reclaim to
    // evict some of it. B then frees what is left of the cache: freeing an evicted block again would be a
    // BAD_PAGE_FREE, so this runs only when the evictions after --load reach the names of A.
    const a = file("rc-a.pa", "alloc cache order=0 gfp=GFP_HIGHUSER_MOVABLE count=2500\nmark cache pagecache\n");
    const b = file("rc-b.pa", "alloc k order=0 gfp=GFP_KERNEL count=1500\nexpect evicted cache > 0\nfree cache\nexpect count cache == 0\nshow buddyinfo\nshow vmstat\n");
    const rboot = ["--machine", "tiny-16m", "--kernel", "6.18", "--reclaim"];
    const one = capture();
    expect(await run(["run", a, b, ...rboot], one)).toBe(0);
    const first = capture();
    expect(await run(["run", a, ...rboot, "--save", file("rc.pgs")], first)).toBe(0);
    const second = capture();
    expect(await run(["run", b, "--load", file("rc.pgs")], second)).toBe(0);
    expect(first.stdout + second.stdout).toBe(one.stdout);
    expect(second.stdout).toMatch(/ok {3}\S+rc-b\.pa:2: expect evicted cache > 0/);
  });

  it("the file holds the generator state: 3 draws from seed 7 leave 7 + 3 * 0x6D2B79F5 mod 2^32 (hand arithmetic)", async () => {
    expect(await run(["run", file("cont-a2.pa", A), ...boot, "--save", file("cont-a2.pgs")], capture())).toBe(0);
    const extra = readSnapshotExtra(new Uint8Array(fs.readFileSync(file("cont-a2.pgs"))));
    const state = JSON.parse(new TextDecoder().decode(extra!));
    // 3 * 0x6D2B79F5 = 0x1_4782_6DDF; + 7 = 0x1_4782_6DE6; mod 2^32 = 0x4782_6DE6 = 1199730150
    expect(state).toMatchObject({ format: "pagealloc-script-state", version: 1, prng: 1199730150 });
    // b[1] was freed: null in its place; a's three blocks live
    expect(state.allocations.map((g: { name: string; blocks: unknown[] }) => [g.name, g.blocks.map((x) => x !== null)])).toEqual([
      ["a", [true, true, true]],
      ["b", [true, false, true, true, true, true]],
    ]);
  });

  it("a file without script state (older format) still loads; random() starts from the seed, said once on stderr", async () => {
    const k = bootKernel({ machine: "tiny-16m", seed: 7 });
    fs.writeFileSync(file("old.pgs"), snapshot(k));
    const script = file("old.pa", "alloc x order=0 gfp=GFP_KERNEL count=random(1,1000)\n");
    const c = capture();
    expect(await run(["run", script, script, "--load", file("old.pgs"), "--json"], c)).toBe(0);
    expect(c.stderr.match(/holds no script state/g)).toHaveLength(1);
    expect(c.stderr).toContain("random() starts again from seed 7");
    // the same count as the first script of a fresh boot with seed 7 draws; the second script continues the first
    const fresh = runScript(bootKernel({ machine: "tiny-16m", seed: 7 }), "alloc x order=0 gfp=GFP_KERNEL count=random(1,1000)\nalloc x order=0 gfp=GFP_KERNEL count=random(1,1000)");
    const out = JSON.parse(c.stdout) as { steps: number }[];
    expect(out.map((r) => r.steps)).toEqual([fresh.steps.filter((s) => s.line === 1).length, fresh.steps.filter((s) => s.line === 2).length]);
    // another program's section (the playground's) is not a script state either
    fs.writeFileSync(file("pg.pgs"), snapshot(k, { extra: new TextEncoder().encode('{"format":"pagealloc-playground","version":1}') }));
    const pg = capture();
    expect(await run(["run", script, "--load", file("pg.pgs")], pg)).toBe(0);
    expect(pg.stderr).toContain('holds no script state (its extra section is "pagealloc-playground")');
    // names of the run before the snapshot are unknown
    const names = capture();
    expect(await run(["run", file("old-free.pa", "free a\n"), "--load", file("old.pgs")], names)).toBe(2);
    expect(names.stderr).toContain('no earlier "alloc a"');
  });

  it("a bad script section is SCRIPT_STATE_INVALID with the file, and nothing runs", async () => {
    const k = bootKernel({ machine: "tiny-16m" });
    fs.writeFileSync(file("bad-extra.pgs"), snapshot(k, { extra: new TextEncoder().encode('{"format":"pagealloc-script-state","version":1,"prng":"x"}') }));
    const c = capture();
    expect(await run(["run", file("p.pa", "show buddyinfo\n"), "--load", file("bad-extra.pgs")], c)).toBe(2);
    expect(c.stderr).toContain("SCRIPT_STATE_INVALID");
    expect(c.stderr).toContain("$.prng");
    expect(c.stderr).toContain(file("bad-extra.pgs"));
    expect(c.stdout).toBe("");
  });
});

describe("atomic write", () => {
  it("a crash between write and rename leaves the old file intact and no temporary file behind", () => {
    const target = file("state-crash.pgs");
    const k = bootKernel({ machine: "tiny-16m" });
    saveSnapshotFile(target, k);
    const old = fs.readFileSync(target);
    k.alloc_pages("GFP_KERNEL", 4);
    expect(() =>
      saveSnapshotFile(target, k, {
        hooks: {
          beforeRename: (temp) => {
            expect(fs.statSync(temp).size).toBe(snapshot(k).length);
            throw new Error("simulated crash before rename");
          },
        },
      }),
    ).toThrow("simulated crash");
    expect(fs.readFileSync(target).equals(old)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes("state-crash") && f.endsWith(".tmp"))).toEqual([]);
    expect(loadSnapshotFile(target).kernel.buddyinfo()).toBe(bootKernel({ machine: "tiny-16m" }).buddyinfo());
  });

  it("SIGKILL of a child process in the middle of writing leaves the old file intact", async () => {
    const target = file("state-kill.pgs");
    const old = snapshot(bootKernel({ machine: "tiny-16m" }));
    writeFileAtomic(target, old);
    // the child runs this very module (transpiled to plain JS) and is killed after its first 1 MiB chunk
    const js = ts.transpileModule(fs.readFileSync(path.join(import.meta.dirname, "atomic-write.ts"), "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const mod = file("atomic-write.mjs", js);
    const child = file(
      "child.mjs",
      `import { writeFileAtomic } from ${JSON.stringify(mod)};
       writeFileAtomic(${JSON.stringify(target)}, new Uint8Array(64 << 20).fill(0x5a), {
         afterChunk: () => { process.stdout.write("mid\\n"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000); },
       });`,
    );
    const p = spawn(process.execPath, [child], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      p.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("mid")) resolve();
      });
      p.on("exit", () => reject(new Error("child exited before writing")));
    });
    const temps = fs.readdirSync(dir).filter((f) => f.startsWith(".state-kill.pgs.") && f.endsWith(".tmp"));
    expect(temps.length).toBe(1);
    expect(fs.statSync(path.join(dir, temps[0]!)).size).toBe(1 << 20);
    p.kill("SIGKILL");
    await new Promise((resolve) => p.on("exit", resolve));
    expect(Buffer.from(fs.readFileSync(target)).equals(Buffer.from(old))).toBe(true);
    expect(restore(new Uint8Array(fs.readFileSync(target))).buddyinfo()).toBe(bootKernel({ machine: "tiny-16m" }).buddyinfo());
  }, 30_000);
});
