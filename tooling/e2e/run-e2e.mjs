#!/usr/bin/env node
// Serves the built docs site on 127.0.0.1 and drives Debian's chromium through it.
// Each check is a named test; the run writes out/e2e.json ({passed, failed}) for the CI summary.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(process.argv[2] ?? "../../apps/docs/docs/.vitepress/dist");
const outDir = path.resolve("out");
fs.mkdirSync(outDir, { recursive: true });
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".woff2": "font/woff2" };
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (p.endsWith("/")) p += "index.html";
  let file = path.join(root, p);
  if (!file.startsWith(root)) return res.writeHead(403).end();
  if (!fs.existsSync(file) && fs.existsSync(`${file}.html`)) file = `${file}.html`;
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) return res.writeHead(404).end("not found");
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const { tests: allTests } = await import(process.env.E2E_TESTS ? path.resolve(process.env.E2E_TESTS) : "./tests.mjs");
// E2E_ONLY=substring runs the tests whose name contains it (for local work; CI runs them all).
const tests = process.env.E2E_ONLY ? allTests.filter(([name]) => name.includes(process.env.E2E_ONLY)) : allTests;
const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "chromium-profile-")), {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let passed = 0;
let failed = 0;
for (const [name, fn] of tests) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await fn({ page, base, outDir });
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    passed++;
    console.log(`  ✓ ${name}`);
  } catch (e) {
    failed++;
    console.log(`  ✗ ${name}: ${e instanceof Error ? e.message : e}`);
  } finally {
    await page.close();
  }
}
await context.close();
server.close();
fs.writeFileSync(path.join(outDir, "e2e.json"), JSON.stringify({ passed, failed }));
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
