// Replay one trace file in a fresh process (recorded mode, 16 GiB machine, 6.18); print events/s and RSS.
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { replayFile } from "./replay.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "packages", p, "dist", "index.js")).href);
const { bootKernel } = await load("page-api");
const { TraceReplayer } = await load("workload");
const file = process.argv[2];
const mode = process.argv[3] ?? "recorded";
const kernel = bootKernel({ machine: { name: "replay-16g", arch: "x86_64", nodes: [{ id: 0, cpus: "0-1", memory: [{ start: 0, size: "16G" }] }] } });
const replayer = new TraceReplayer(kernel, { mode, file });
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
replayFile(file, (l) => replayer.line(l));
const summary = replayer.finish();
const ms = performance.now() - t0;
let events = 0;
for (const byOrder of Object.values(summary.events)) for (const n of Object.values(byOrder)) events += n;
const rss = process.memoryUsage().rss - rss0;
console.log(JSON.stringify({ mode, bytes: statSync(file).size, events, ms, eventsPerSec: (events * 1000) / ms, rss, applied: summary.applied }));
