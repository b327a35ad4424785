#!/usr/bin/env node
// The benchmark suite of issue 10 (`pnpm bench`): runs on the BUILT packages (packages/*/dist),
// prints every figure beside its target and writes the results as JSON under bench/results/.
//
//   node tooling/bench/run.mjs [--quick] [--only=order0-pcp,boot,...] [--out=bench/results/x.json]
//
// --quick shortens every measurement and skips the 1 TiB boot (for a smoke run).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Bench } from "tinybench";
import { PlainBuddy } from "./baseline.mjs";
import { mixedSequence, runMixedBaseline, runMixedBuddy } from "./mixed.mjs";
import { blockStatsFn } from "./memory-map.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const pkg = (name) => import(pathToFileURL(join(root, "packages", name, "dist", "index.js")).href);
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const outArg = args.find((a) => a.startsWith("--out="))?.slice(6);
const want = (name) => !only || only.includes(name);

const { bootKernel } = await pkg("page-api");
const { renderBuddyinfo } = await pkg("buddy");
const { TraceReplayer, renderState } = await pkg("workload");

/** One machine of one node and one memory range (the physmem description format). */
export function machineOf(size) {
  return { name: `bench-${size}`, arch: "x86_64", nodes: [{ id: 0, cpus: "0-1", memory: [{ start: 0, size }] }] };
}

/** Median time per call of fn (ms) with tinybench. */
async function timeIt(name, fn, ms = quick ? 150 : 1000) {
  const b = new Bench({ time: ms, warmupTime: quick ? 50 : 200 });
  b.add(name, fn);
  await b.run();
  const r = b.tasks[0].result;
  if (!r || !r.latency) throw new Error(`${name}: ${r?.error ?? "no result"}`);
  return { p50: r.latency.p50, min: r.latency.min, mean: r.latency.mean, samples: r.latency.samplesCount, rme: r.latency.rme };
}

const results = [];
/** A figure with its target: `dir` says whether lower (≤, <) or higher (≥) is better. */
function record(suite, metric, value, unit, target, dir, extra = {}) {
  const met = target === undefined ? undefined : dir === "<=" ? value <= target : dir === "<" ? value < target : value >= target;
  results.push({ suite, metric, value, unit, target, dir, met, ...extra });
}

// ---------------------------------------------------------------- 1. order0-pcp
if (want("order0-pcp")) {
  const k = bootKernel({ machine: "pc-4g", version: "6.18" });
  const gfp = k.gfp("GFP_KERNEL");
  const BATCH = 1000;
  for (let i = 0; i < 10_000; i++) k.__free_pages(k.alloc_pages(gfp, 0), 0); // warm the per-cpu list
  const t = await timeIt("order0-pcp", () => {
    for (let i = 0; i < BATCH; i++) k.__free_pages(k.alloc_pages(gfp, 0), 0);
  });
  const ns = (t.p50 * 1e6) / BATCH;
  const base = new PlainBuddy(1 << 20);
  const tb = await timeIt("order0-baseline", () => {
    for (let i = 0; i < BATCH; i++) base.free_(base.alloc(0), 0);
  });
  const nsBase = (tb.p50 * 1e6) / BATCH;
  // The figure is the median batch; the fastest batch (`best`) shows the cost without interference from other jobs.
  record("order0-pcp", "alloc_pages + __free_pages, order 0 (ns/pair)", ns, "ns", 100, "<=", { baseline: nsBase, ratio: nsBase / ns, best: (t.min * 1e6) / BATCH });
}

// ---------------------------------------------------------------- slowpath-fail
// A failed allocation through the slow path: tiny-16m (6.18) filled with GFP_KERNEL pages, then order-3 GFP_ATOMIC
// requests that fail (kswapd woken, the retry at min, nopage). warn_alloc's rate limit (10 s, burst 1 in 6.18) keeps
// nearly all their reports out of the log; the second figure advances the simulated clock past the window before
// each request, so that every failure renders and prints its report.
if (want("slowpath-fail")) {
  const k = bootKernel({ machine: "tiny-16m", version: "6.18" });
  while (k.alloc_page("GFP_KERNEL|__GFP_NOWARN") !== null);
  const gfp = k.gfp("GFP_ATOMIC");
  const BATCH = 200;
  for (let i = 0; i < 2000; i++) k.alloc_pages(gfp, 3); // warm-up (and kswapd gives up: kswapd_failures)
  const t = await timeIt("slowpath-fail", () => {
    for (let i = 0; i < BATCH; i++) if (k.alloc_pages(gfp, 3) !== null) throw new Error("slowpath-fail: the request succeeded");
  });
  record("slowpath-fail", "failed order-3 GFP_ATOMIC, tiny-16m, report rate-limited (us/alloc)", (t.p50 * 1e3) / BATCH, "us", 100, "<=", { best: (t.min * 1e3) / BATCH });
  const tp = await timeIt("slowpath-fail-report", () => {
    for (let i = 0; i < 20; i++) {
      k.reclaim.advanceClock(10_001);
      if (k.alloc_pages(gfp, 3) !== null) throw new Error("slowpath-fail: the request succeeded");
    }
  });
  record("slowpath-fail", "failed order-3 GFP_ATOMIC, tiny-16m, every report printed (us/alloc)", (tp.p50 * 1e3) / 20, "us", undefined, "<=", { best: (tp.min * 1e3) / 20 });
}

// ---------------------------------------------------------------- 2. buddy-mixed
if (want("buddy-mixed")) {
  const OPS = quick ? 50_000 : 400_000;
  const seq = mixedSequence(OPS, 1);
  const runs = quick ? 2 : 5;
  const tk = [];
  const tbl = [];
  // One untimed pass first so that the figure is the allocator, not the JIT warming up; every timed pass
  // then starts from a fresh boot (free lists and per-cpu lists cold).
  runMixedBuddy(bootKernel({ machine: machineOf("4G"), version: "6.18" }), seq);
  runMixedBaseline(new PlainBuddy(1 << 20), seq);
  for (let r = 0; r < runs; r++) {
    const k = bootKernel({ machine: machineOf("4G"), version: "6.18" });
    tk.push(runMixedBuddy(k, seq));
    tbl.push(runMixedBaseline(new PlainBuddy(1 << 20), seq));
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ns = (med(tk) * 1e6) / OPS;
  const nsBase = (med(tbl) * 1e6) / OPS;
  record("buddy-mixed", "mixed orders 0..10 alloc/free, 4 GiB (ns/op)", ns, "ns", 400, "<=", { baseline: nsBase, ratio: nsBase / ns, ops: OPS });
}

// ---------------------------------------------------------------- 3. boot (each in a child process)
if (want("boot")) {
  const sizes = quick ? ["4G", "64G"] : ["4G", "64G", "1T"];
  // Targets of the issue: 64 GiB ≤ 0.2 s; 1 TiB ≤ 3 s and ≤ 12 bytes per page (smaller machines are
  // dominated by fixed costs: code, zone objects, the per-cpu lists).
  const targets = { "4G": [undefined, undefined], "64G": [200, undefined], "1T": [3000, 12] };
  // Three fresh processes per size: the time is dominated by first-touch page faults, whose cost depends on
  // what else the host is doing, so the figure is the median and the range is kept.
  const RUNS = quick ? 1 : 3;
  for (const size of sizes) {
    const runs = [];
    for (let k = 0; k < RUNS; k++) {
      const child = spawnSync(process.execPath, ["--max-old-space-size=8192", join(here, "boot-child.mjs"), size], { encoding: "utf8" });
      if (child.status !== 0) throw new Error(`boot ${size}: ${child.stderr}`);
      runs.push(JSON.parse(child.stdout.trim().split("\n").pop()));
    }
    runs.sort((x, y) => x.ms - y.ms);
    const r = runs[runs.length >> 1];
    const range = { minMs: runs[0].ms, maxMs: runs[runs.length - 1].ms };
    record("boot", `boot ${size}: time (ms)`, r.ms, "ms", targets[size][0], "<=", { pages: r.pages, ...range });
    record("boot", `boot ${size}: RSS growth (bytes/page)`, r.rssPerPage, "B/page", targets[size][1], "<=", { pages: r.pages, rssBytes: r.rss });
  }
}

// ---------------------------------------------------------------- 4. replay (streamed from a file)
if (want("replay")) {
  const { writeSyntheticTrace } = await import("./replay.mjs");
  const sizes = quick ? [200_000, 400_000] : [1_000_000, 4_000_000];
  const figures = [];
  for (const lines of sizes) {
    const file = writeSyntheticTrace(lines);
    const child = spawnSync(process.execPath, [join(here, "replay-child.mjs"), file], { encoding: "utf8" });
    rmSync(dirname(file), { recursive: true, force: true });
    if (child.status !== 0) throw new Error(`replay: ${child.stderr}`);
    figures.push(JSON.parse(child.stdout.trim().split("\n").pop()));
  }
  const big = figures[figures.length - 1];
  const small = figures[0];
  record("replay", "ftrace text replay, streamed (events/s)", big.eventsPerSec, "ev/s", 2_000_000, ">=", { mode: big.mode, events: big.events, bytes: big.bytes });
  // "Memory flat as the file grows": the RSS of a 4x longer trace minus the RSS of the short one.
  record("replay", "RSS growth, 4x longer trace (MiB)", (big.rss - small.rss) / 2 ** 20, "MiB", 32, "<=", {
    eventsSmall: small.events,
    eventsBig: big.events,
    rssSmall: small.rss,
    rssBig: big.rss,
  });
}

// ---------------------------------------------------------------- 5. render at 64 GiB
if (want("render")) {
  const k = bootKernel({ machine: machineOf("64G"), version: "6.18" });
  // Some state to render: a seeded mix of allocations across the zone.
  runMixedBuddy(k, mixedSequence(quick ? 20_000 : 100_000, 2));
  const blockStats = await blockStatsFn(root);
  const maxPfn = Math.max(...k.buddy.zones.map((z) => z.endPfn));
  const cases = [
    ["/proc/buddyinfo", () => renderBuddyinfo(k.buddy)],
    ["/proc/zoneinfo", () => renderState(k, "zoneinfo")],
  ];
  if (blockStats) cases.push(["memory map (per-pageblock typed arrays)", () => blockStats(k.buddy, maxPfn)]);
  for (const [name, fn] of cases) {
    const t = await timeIt(name, fn, quick ? 200 : 800);
    record("render", `${name}, 64 GiB (ms)`, t.p50, "ms", 20, "<");
  }
}

// ---------------------------------------------------------------- report
const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model;
  } catch {
    return cpus()[0]?.model;
  }
})();
const machine = { node: process.version, nproc: cpus().length, cpu: cpuModel, memGiB: Math.round(totalmem() / 2 ** 30), platform: `${process.platform}-${process.arch}`, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
const fmt = (v) => (Math.abs(v) >= 1e5 ? v.toExponential(3) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const rows = results.map((r) => [
  r.suite,
  r.metric,
  fmt(r.value),
  r.target === undefined ? "" : `${r.dir} ${fmt(r.target)}`,
  r.met === undefined ? "" : r.met ? "ok" : "MISSED",
  r.baseline === undefined ? "" : `${fmt(r.baseline)} (${r.ratio.toFixed(1)}x)`,
]);
const head = ["suite", "figure", "value", "target", "", "plain-object baseline"];
const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const line = (r) => r.map((c, i) => (i === 2 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
console.log(`\n${machine.node}, ${machine.nproc} CPUs, ${machine.cpu}, load average ${machine.loadavg.join(" ")}${quick ? " (quick run)" : ""}\n`);
console.log(line(head));
console.log(w.map((n) => "-".repeat(n)).join("  "));
for (const r of rows) console.log(line(r));
const out = outArg ?? join(root, "bench", "results", quick ? "quick.json" : "latest.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2)}\n`);
console.log(`\nwritten ${out}`);
