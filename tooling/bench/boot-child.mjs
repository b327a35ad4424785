// Boot one machine in a fresh process and print time and RSS growth (one JSON line).
//   node boot-child.mjs 64G
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { bootKernel } = await import(pathToFileURL(join(root, "packages", "page-api", "dist", "index.js")).href);
const size = process.argv[2] ?? "4G";
const machine = { name: `bench-${size}`, arch: "x86_64", nodes: [{ id: 0, cpus: "0-1", memory: [{ start: 0, size }] }] };
// Warm the code paths on a tiny machine first so that the figure is the boot, not module compilation.
bootKernel({ machine: "tiny-16m" });
globalThis.gc?.();
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const k = bootKernel({ machine, version: "6.18" });
const ms = performance.now() - t0;
const rss = process.memoryUsage().rss - rss0;
const pages = k.buddy.zones.reduce((s, z) => s + z.spanned, 0);
console.log(JSON.stringify({ size, ms, pages, rss, rssPerPage: rss / pages }));
