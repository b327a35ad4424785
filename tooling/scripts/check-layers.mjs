#!/usr/bin/env node
// The layer rule of the design card, enforced: physmem <- gfp <- zones <- buddy <- reclaim <- page-api
// <- [analysis/replay packages] <- apps. A workspace package may depend only on packages strictly
// below it (no upward or sideways edge, hence no cycle), and no file may reach into another
// package's src/. Tooling packages (private configs) may be used by anyone as devDependencies.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const STACK = ["@pagealloc/physmem", "@pagealloc/gfp", "@pagealloc/zones", "@pagealloc/buddy", "@pagealloc/reclaim", "@pagealloc/page-api"];
const ANALYSIS_RANK = STACK.length; // other packages under packages/ (analyse or replay)
const APP_RANK = STACK.length + 10;

/** Rank of a workspace package, or null for tooling. */
function rankOf(pkg) {
  const i = STACK.indexOf(pkg.name);
  if (i >= 0) return i;
  if (pkg.kind === "tooling") return null;
  if (pkg.kind === "app") return APP_RANK;
  // analysis packages may declare their order among themselves: "pagealloc": { "layer": 1 }
  return ANALYSIS_RANK + (pkg.json.pagealloc?.layer ?? 0) / 100;
}

function listWorkspace(root) {
  const out = [];
  for (const [dir, kind] of [["packages", "package"], ["apps", "app"], ["tooling", "tooling"]]) {
    const base = path.join(root, dir);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base).sort()) {
      const file = path.join(base, name, "package.json");
      if (!fs.existsSync(file)) continue;
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      out.push({ name: json.name, dir: path.join(base, name), rel: `${dir}/${name}`, kind, json });
    }
  }
  return out;
}

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs|vue)$/.test(e.name)) yield p;
  }
}

const IMPORT_RE = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g;

/**
 * Check the workspace under `root`. Returns a list of problems (empty = the stack holds).
 * @param {string} root
 */
export function checkLayers(root) {
  const problems = [];
  const pkgs = listWorkspace(root);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const edges = new Map();
  for (const pkg of pkgs) {
    const deps = { ...pkg.json.dependencies, ...pkg.json.peerDependencies, ...pkg.json.optionalDependencies };
    const devDeps = pkg.json.devDependencies ?? {};
    const targets = [];
    for (const [dep, spec] of Object.entries({ ...deps, ...devDeps })) {
      const target = byName.get(dep);
      if (!target) continue;
      targets.push(dep);
      const from = rankOf(pkg);
      const to = rankOf(target);
      if (to === null) continue; // a shared config
      if (from === null) {
        if (dep in deps) problems.push(`${pkg.rel}: tooling package depends on layer ${dep}`);
        continue;
      }
      if (to >= from) {
        const kind = to === from ? "sideways" : "upward";
        problems.push(`${pkg.rel}: ${kind} edge ${pkg.name} -> ${dep} (a layer may only depend on layers below it)`);
      }
      if (pkg.kind !== "tooling" && !String(spec).startsWith("workspace:")) {
        problems.push(`${pkg.rel}: internal dependency ${dep} must use the workspace: protocol, not "${spec}"`);
      }
    }
    edges.set(pkg.name, targets);
    // Imports in source must go through declared package names, never into another package's src/.
    // (Tooling is outside the stack; its tests hold import statements as data.)
    if (pkg.kind === "tooling") continue;
    for (const file of sourceFiles(pkg.dir)) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1];
        const line = text.slice(0, m.index).split("\n").length;
        const where = `${path.relative(root, file)}:${line}`;
        if (/^@pagealloc\/[^/]+\/src(\/|$)/.test(spec)) {
          problems.push(`${where}: imports another package's src/ ("${spec}")`);
        } else if (spec.startsWith(".")) {
          const resolved = path.resolve(path.dirname(file), spec);
          if (!resolved.startsWith(pkg.dir + path.sep) && resolved !== pkg.dir) {
            const other = pkgs.find((p) => resolved.startsWith(p.dir + path.sep));
            if (other && /[\\/]src([\\/]|$)/.test(resolved.slice(other.dir.length))) {
              problems.push(`${where}: reaches into ${other.rel}/src by relative path ("${spec}")`);
            }
          }
        } else {
          const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          const target = byName.get(name);
          if (target && name !== pkg.name && !(name in deps) && !(name in devDeps)) {
            problems.push(`${where}: imports ${name}, which ${pkg.rel}/package.json does not declare`);
          }
          if (target && name !== pkg.name && pkg.kind !== "tooling") {
            const from = rankOf(pkg);
            const to = rankOf(target);
            if (from !== null && to !== null && to >= from && !problems.some((p) => p.includes(`-> ${name} `))) {
              problems.push(`${where}: ${to === from ? "sideways" : "upward"} import of ${name}`);
            }
          }
        }
      }
    }
  }
  // Cycle check over declared edges (a strict rank order already forbids them; this reports the loop).
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const t of edges.get(n) ?? []) {
      if (state.get(t) === 1) problems.push(`cycle: ${[...stack.slice(stack.indexOf(t)), t].join(" -> ")}`);
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  for (const name of STACK) {
    if (!byName.has(name)) problems.push(`missing layer package ${name}`);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "../.."));
  const problems = checkLayers(root);
  if (problems.length) {
    for (const p of problems) console.error(`check-layers: ${p}`);
    process.exit(1);
  }
  console.log(`check-layers: the stack holds (${STACK.join(" <- ")} <- apps)`);
}
