// Replay one trace file in a fresh process (recorded mode, 16 GiB machine, 6.18); print events/s and RSS.
//   node replay-child.mjs FILE [recorded|simulate] [bytes|lines]
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { replayFile } from "./replay.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "packages", p, "dist", "index.js")).href);
const { bootKernel } = await load("page-api");
const { TraceReplayer } = await load("workload");
const file = process.argv[2];
const mode = process.argv[3] ?? "recorded";
// "bytes" (default): 1 MiB chunks into TraceReplayer.write(); "lines": one string per line into TraceReplayer.line()
const feed = process.argv[4] ?? "bytes";
const kernel = bootKernel({ machine: { name: "replay-16g", arch: "x86_64", nodes: [{ id: 0, cpus: "0-1", memory: [{ start: 0, size: "16G" }] }] } });
const replayer = new TraceReplayer(kernel, { mode, file });
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
if (feed === "lines") replayFile(file, (l) => replayer.line(l));
else {
  const fd = openSync(file, "r");
  const buf = new Uint8Array(1 << 20);
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) replayer.write(buf.subarray(0, n));
  closeSync(fd);
}
const summary = replayer.finish();
const ms = performance.now() - t0;
let events = 0;
for (const byOrder of Object.values(summary.events)) for (const n of Object.values(byOrder)) events += n;
const rss = process.memoryUsage().rss - rss0;
console.log(JSON.stringify({ mode, feed, bytes: statSync(file).size, events, ms, eventsPerSec: (events * 1000) / ms, rss, applied: summary.applied }));
