import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { capture } from "./commands/cli-test-helpers";
import { interruptHooks } from "./interrupt";
import { REPLAY_CHUNK_BYTES } from "./commands/replay";
import { run } from "./run";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-interrupt-"));

/** An ftrace text trace of `n` order-0 allocations each followed by its free (pfns 0x10000.., inside pc-4g). */
function kmemTrace(n: number): string {
  const out = ["# tracer: nop"];
  for (let i = 0; i < n; i++) {
    const pfn = (0x10000 + (i % 5000)).toString(16);
    const ts = `${1 + Math.floor(i / 1e6)}.${String(i % 1e6).padStart(6, "0")}`;
    out.push(`p-1 [000] ..... ${ts}: mm_page_alloc: page=00000000deadbeef pfn=0x${pfn} order=0 migratetype=0 gfp_flags=GFP_KERNEL`);
    out.push(`p-1 [000] ..... ${ts}: mm_page_free: page=00000000deadbeef pfn=0x${pfn} order=0`);
  }
  return `${out.join("\n")}\n`;
}

/** Deliver SIGINT to this process's handlers (process.emit: no real signal) at the K-th checkpoint. */
function sigintAt(k: number): void {
  interruptHooks.atCheckpoint = (n) => {
    if (n === k) process.emit("SIGINT", "SIGINT");
  };
}

const listeners = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");

afterEach(() => {
  interruptHooks.atCheckpoint = undefined;
});

describe("pagealloc run, interrupted", () => {
  it("stops after the K-th step, prints the summary marked as interrupted, exit 130; --trace has exactly K steps' events", async () => {
    const dir = tmp();
    const script = path.join(dir, "long.pa");
    // 2 x 100000 steps: far more than the 7 done
    fs.writeFileSync(script, "repeat 100000 {\n  alloc a order=0 gfp=GFP_KERNEL\n  free a\n}\nexpect count a == 1\n");
    const trace = path.join(dir, "kmem.trace");
    const before = listeners();
    sigintAt(7);
    const io = capture();
    expect(await run(["run", script, "--machine", "tiny-16m", "--trace", trace], io)).toBe(130);
    expect(listeners()).toBe(before);
    // steps 1..7: alloc, free, alloc, free, alloc, free, alloc; the expect line never ran
    expect(io.stdout).toContain("7 steps, 0 failed allocations, 0/0 expectations held\n");
    expect(io.stdout).toContain(`interrupted (SIGINT) after 7 steps, at ${script}:2\n`);
    expect(io.stderr).toBe("");
    // every step's events are in the trace, none of a step not done: 4 allocations, 3 frees
    const text = fs.readFileSync(trace, "utf8");
    expect(text.match(/ mm_page_alloc: /g)?.length).toBe(4);
    expect(text.match(/ mm_page_free: /g)?.length).toBe(3);
  });

  it("--save writes the state reached at the interruption (atomically: no temporary file left); it loads back", async () => {
    const dir = tmp();
    const script = path.join(dir, "long.pa");
    fs.writeFileSync(script, "repeat 100000 {\n  alloc a order=0 gfp=GFP_KERNEL\n}\n");
    const save = path.join(dir, "state.pas");
    sigintAt(5);
    const io = capture();
    expect(await run(["run", script, "--machine", "tiny-16m", "--save", save, "--json"], io)).toBe(130);
    const r = JSON.parse(io.stdout);
    expect(r.steps).toBe(5);
    expect(r.allocations.a.live).toBe(5);
    expect(r.interrupted).toBe(`interrupted (SIGINT) after 5 steps, at ${script}:2`);
    expect(fs.readdirSync(dir).sort()).toEqual(["long.pa", "state.pas"]);
    interruptHooks.atCheckpoint = undefined;
    // the snapshot is complete and valid: a script runs on the loaded state
    const io2 = capture();
    const empty = path.join(dir, "empty.pa");
    fs.writeFileSync(empty, "alloc b order=0 gfp=GFP_KERNEL\n");
    expect(await run(["run", empty, "--load", save], io2)).toBe(0);
    expect(io2.stderr).toBe("");
  });

  it("a run not interrupted is unchanged: exit 0, no interrupted line, no listeners left", async () => {
    const dir = tmp();
    const script = path.join(dir, "short.pa");
    fs.writeFileSync(script, "alloc a order=0 gfp=GFP_KERNEL count=3\nexpect count a == 3\n");
    const before = listeners();
    const io = capture();
    expect(await run(["run", script, "--machine", "tiny-16m"], io)).toBe(0);
    expect(io.stdout).not.toContain("interrupted");
    expect(listeners()).toBe(before);
  });
});

describe("pagealloc replay, interrupted", () => {
  // The file is read and replayed in chunks of REPLAY_CHUNK_BYTES; a checkpoint follows each chunk. Interrupted after
  // chunk K, the replay has read the complete lines of the first K chunks (a line the chunk cut off is dropped).
  const linesIn = (text: string, bytes: number) => text.slice(0, bytes).split("\n").length - 1;

  it("stops after the K-th chunk, summarises the lines it held, exit 130", async () => {
    const dir = tmp();
    const file = path.join(dir, "t.txt");
    const text = kmemTrace(10_000);
    fs.writeFileSync(file, text);
    expect(text.length).toBeGreaterThan(3 * REPLAY_CHUNK_BYTES);
    const before = listeners();
    sigintAt(2);
    const io = capture();
    expect(await run(["replay", file, "--quiet"], io)).toBe(130);
    expect(listeners()).toBe(before);
    // line 1 is the header, then allocation and free lines alternate
    const lines = linesIn(text, 2 * REPLAY_CHUNK_BYTES);
    const events = lines - 1;
    expect(io.stdout).toContain(`${lines} lines, ${events} kmem page events\n`);
    expect(io.stdout).toContain(`applied: ${Math.ceil(events / 2)} allocations, ${Math.floor(events / 2)} frees\n`);
    expect(io.stdout).toMatch(new RegExp(`interrupted \\(SIGINT\\) after ${lines} lines \\(${2 * REPLAY_CHUNK_BYTES} of ${text.length} bytes\\)\n$`));
    expect(io.stderr).toBe("");
  });

  it("--json: the results cover the lines read, with an interrupted field", async () => {
    const dir = tmp();
    const file = path.join(dir, "t.txt");
    const text = kmemTrace(1000);
    fs.writeFileSync(file, text);
    sigintAt(1);
    const io = capture();
    expect(await run(["replay", file, "--json", "--mode", "both"], io)).toBe(130);
    const r = JSON.parse(io.stdout);
    const lines = linesIn(text, REPLAY_CHUNK_BYTES);
    expect(r.results.map((s: { lines: number }) => s.lines)).toEqual([lines, lines]);
    expect(r.interrupted).toMatch(new RegExp(`^interrupted \\(SIGINT\\) after ${lines} lines`));
  });
});

const bin = path.join(__dirname, "..", "dist", "cli.js");

describe.runIf(fs.existsSync(bin))("the built bin on a real SIGINT", () => {
  it("replay of a big trace: exit 130, the interrupted summary on stdout, no stack trace on stderr", async () => {
    // 400 000 events: several seconds of replay. The trace goes through stdin so that the test knows when the
    // command has started reading (its handlers are installed before the boot), then SIGINT ~300 ms later.
    const data = Buffer.from(kmemTrace(200_000));
    const child = spawn(process.execPath, [bin, "replay", "-", "--quiet"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.on("error", () => {}); // EPIPE once it has stopped reading
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    let stop = false;
    const CHUNK = 1 << 20;
    let at = 0;
    const writeMore = () => {
      if (stop || at >= data.length) return void child.stdin.end();
      const chunk = data.subarray(at, at + CHUNK);
      at += CHUNK;
      child.stdin.write(chunk, (e) => {
        if (e) return;
        if (at === CHUNK) setTimeout(() => child.kill("SIGINT"), 300); // the first megabyte has been taken
        writeMore();
      });
    };
    writeMore();
    const { code, signal } = await done;
    stop = true;
    expect(signal).toBe(null);
    expect(code).toBe(130);
    expect(stdout).toContain("== mode recorded ==");
    expect(stdout).toMatch(/interrupted \(SIGINT\) after \d+ lines\n$/);
    const lines = Number(/after (\d+) lines/.exec(stdout)![1]);
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThan(400_001);
    expect(stdout).toContain(`${lines} lines, ${lines - 1} kmem page events`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toBe("");
  }, 30_000);
});
