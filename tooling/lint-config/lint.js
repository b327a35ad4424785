#!/usr/bin/env node
// Usage: pagealloc-lint [library|app]   (run in a package folder; checks src/, skips tests)
import fs from "node:fs";
import path from "node:path";
import { lintText } from "./rules.js";

const profile = process.argv[2] === "app" ? "app" : "library";
const root = path.resolve("src");
let count = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__fixtures__") walk(p);
    } else if (/\.(ts|tsx|mts|js)$/.test(entry.name) && !/\.(test|bench)\.ts$/.test(entry.name)) {
      for (const pr of lintText(fs.readFileSync(p, "utf8"), profile)) {
        console.error(`${path.relative(process.cwd(), p)}:${pr.line}  ${pr.rule}  ${pr.message}`);
        count++;
      }
    }
  }
}
if (fs.existsSync(root)) walk(root);
if (count) {
  console.error(`pagealloc-lint: ${count} problem(s)`);
  process.exit(1);
}
