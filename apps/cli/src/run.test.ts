import { expect, it } from "vitest";
import { run } from "./run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

it("demo runs the mixed workload on pc-4g and 6.18 by default (details in commands/demo.test.ts)", async () => {
  const io = capture();
  expect(await run(["demo", "--quiet"], io)).toBe(0);
  expect(io.stdout).toContain("pagealloc demo: machine pc-4g (4.0 GiB), Linux 6.18");
  expect(io.stdout).toContain("== Allocation failures");
}, 60_000);

it("an unknown command is a usage error with exit status 2 and no stack trace", async () => {
  const io = capture();
  expect(await run(["frobnicate"], io)).toBe(2);
  expect(io.stderr).toContain("unknown command 'frobnicate'");
  expect(io.stderr).not.toMatch(/\n\s+at /);
});

it("--version prints the version", async () => {
  const io = capture();
  expect(await run(["--version"], io)).toBe(0);
  expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});
