#!/usr/bin/env node
// Compare two result files of `pnpm bench`: `pnpm bench:compare A.json B.json`.
// Prints each figure of A and B, the change B/A, and whether B is better or worse for that figure's target.
import { readFileSync } from "node:fs";

const [fa, fb] = process.argv.slice(2);
if (!fa || !fb) {
  console.error("usage: bench:compare A.json B.json");
  process.exit(2);
}
const load = (f) => JSON.parse(readFileSync(f, "utf8"));
const a = load(fa);
const b = load(fb);
const key = (r) => `${r.suite}\u0000${r.metric}`;
const byA = new Map(a.results.map((r) => [key(r), r]));
const byB = new Map(b.results.map((r) => [key(r), r]));
const keys = [...new Set([...byA.keys(), ...byB.keys()])];
const fmt = (v) => (v == null ? "-" : Math.abs(v) >= 1e5 ? v.toExponential(3) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const rows = keys.map((k) => {
  const ra = byA.get(k);
  const rb = byB.get(k);
  const r = rb ?? ra;
  let change = "";
  if (ra && rb && ra.value !== 0) {
    const ratio = rb.value / ra.value;
    const better = r.dir === ">=" ? ratio > 1 : ratio < 1;
    change = `${ratio.toFixed(2)}x ${Math.abs(ratio - 1) < 0.03 ? "same" : better ? "better" : "worse"}`;
  }
  return [r.suite, r.metric, fmt(ra?.value), fmt(rb?.value), change, r.target == null ? "" : `${r.dir} ${fmt(r.target)}`];
});
const head = ["suite", "figure", "A", "B", "B/A", "target"];
const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const line = (r) => r.map((c, i) => (i === 2 || i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
console.log(`A: ${fa} (${a.date}, ${a.machine.node}, ${a.machine.cpu})`);
console.log(`B: ${fb} (${b.date}, ${b.machine.node}, ${b.machine.cpu})\n`);
console.log(line(head));
console.log(w.map((n) => "-".repeat(n)).join("  "));
for (const r of rows) console.log(line(r));
