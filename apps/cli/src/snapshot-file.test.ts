import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootKernel, restore, snapshot } from "@pagealloc/page-api";
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

  it("--save of a kernel with the slow path is refused with SNAPSHOT_UNSUPPORTED (exit 2)", async () => {
    const c = capture();
    expect(await run(["run", file("r.pa", "alloc a order=0 gfp=GFP_KERNEL\n"), "--machine", "tiny-16m", "--reclaim", "--save", path.join(dir, "r.pgs")], c)).toBe(2);
    expect(c.stderr).toContain("SNAPSHOT_UNSUPPORTED");
    expect(fs.existsSync(path.join(dir, "r.pgs"))).toBe(false);
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
        beforeRename: (temp) => {
          expect(fs.statSync(temp).size).toBe(snapshot(k).length);
          throw new Error("simulated crash before rename");
        },
      }),
    ).toThrow("simulated crash");
    expect(fs.readFileSync(target).equals(old)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes("state-crash") && f.endsWith(".tmp"))).toEqual([]);
    expect(loadSnapshotFile(target).buddyinfo()).toBe(bootKernel({ machine: "tiny-16m" }).buddyinfo());
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
