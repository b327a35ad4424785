#!/usr/bin/env node
// How our users consume single layers: pack every published package, install the tarballs
// into a temporary project outside the workspace with npm, then import each one through ESM
// `import` and CJS `require` and call one real function. Also runs the packed CLI's bin.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// One real call per layer, with the value the kernel's rule gives (not our own output).
const PROBES = {
  "@pagealloc/physmem": ['m.parseKernelVersion("4.18.0-80.el8.x86_64").minor', "18"],
  "@pagealloc/gfp": ['m.isZoneName("DMA32")', "true"],
  "@pagealloc/zones": ["m.defaultMinFreeKbytes(1024 * 1024)", "4096"],
  "@pagealloc/buddy": ["m.findBuddyPfn(12, 2)", "8"],
  "@pagealloc/reclaim": ["m.PAGE_ALLOC_COSTLY_ORDER", "3"],
  // a 4 KiB get_zeroed_page on the 16 MiB preset: a direct-map address whose page reads as zeros
  "@pagealloc/page-api": ['(() => { const k = m.bootKernel({ machine: "tiny-16m" }); const a = k.get_zeroed_page("GFP_KERNEL"); return a > 0n && k.read(a, 4096).every((b) => b === 0); })()', "true"],
  "@pagealloc/workload": ["m.mulberry32(7)() === m.mulberry32(7)()", "true"],
  "@pagealloc/report": ['m.stripLogPrefix("<4>[ 1.000000] Mem-Info:")', "Mem-Info:"],
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pagealloc-consumer-"));
const tarballs = path.join(tmp, "tarballs");
fs.mkdirSync(tarballs);
const published = [];
for (const dir of ["packages", "apps"]) {
  for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
    const pkgDir = path.join(root, dir, name);
    const file = path.join(pkgDir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (pkg.private) continue;
    execFileSync("npx", ["-y", "pnpm@10.34.9", "pack", "--pack-destination", tarballs], { cwd: pkgDir, stdio: "pipe" });
    published.push(pkg.name);
  }
}
const app = path.join(tmp, "app");
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, version: "0.0.0" }));
const files = fs.readdirSync(tarballs).map((f) => path.join(tarballs, f));
execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...files], { cwd: app, stdio: "inherit" });

let failures = 0;
const check = (label, actual, expected) => {
  const ok = actual === expected;
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${label}: ${actual}${ok ? "" : ` (expected ${expected})`}`);
};
for (const name of published) {
  if (name === "@pagealloc/cli") {
    const help = execFileSync(path.join(app, "node_modules/.bin/pagealloc"), ["--help"], { cwd: app, encoding: "utf8" });
    check(`${name} bin pagealloc --help`, help.startsWith("Usage: pagealloc"), true);
    // The main job from the installed tarball, the way a user runs it.
    const demo = execFileSync("npx", ["--no-install", "pagealloc", "demo", "--quiet"], { cwd: app, encoding: "utf8" });
    check(`${name} npx pagealloc demo`, demo.startsWith("pagealloc demo: machine pc-4g"), true);
    continue;
  }
  const probe = PROBES[name];
  if (!probe) {
    failures++;
    console.log(`FAIL ${name}: no probe in consumer-test.mjs`);
    continue;
  }
  const [expr, expected] = probe;
  const esm = `import * as m from ${JSON.stringify(name)}; console.log(String(${expr}));`;
  const cjs = `const m = require(${JSON.stringify(name)}); console.log(String(${expr}));`;
  fs.writeFileSync(path.join(app, "probe.mjs"), esm);
  fs.writeFileSync(path.join(app, "probe.cjs"), cjs);
  check(`${name} ESM import`, execFileSync(process.execPath, ["probe.mjs"], { cwd: app, encoding: "utf8" }).trim(), expected);
  check(`${name} CJS require`, execFileSync(process.execPath, ["probe.cjs"], { cwd: app, encoding: "utf8" }).trim(), expected);
}
fs.rmSync(tmp, { recursive: true, force: true });
if (failures) {
  console.error(`consumer test: ${failures} failure(s)`);
  process.exit(1);
}
console.log(`consumer test: ${published.length} packages consumed from tarballs`);
