// The built executable (CI builds before testing): a couple of runs through a real process.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const bin = path.join(__dirname, "..", "dist", "cli.js");

it("node dist/cli.js demo --quiet prints the demo summary and exits 0", () => {
  const out = execFileSync(process.execPath, [bin, "demo", "--quiet", "--machine", "tiny-16m"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(out).toContain("pagealloc demo: machine tiny-16m");
}, 60_000);

it("a bad option exits 2 with one line on stderr and nothing on stdout", () => {
  const r = spawnSync(process.execPath, [bin, "run", "/nonexistent.pa"], { encoding: "utf8" });
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe("pagealloc: /nonexistent.pa: no such file\n");
});

it("a closed pipe (pagealloc demo | head) ends quietly, without a stack trace", () => {
  const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" demo --machine tiny-16m --json | head -c 10`], { encoding: "utf8" });
  expect(r.stdout).toBe('{\n  "machi');
  expect(r.stderr).toBe("");
}, 60_000);
