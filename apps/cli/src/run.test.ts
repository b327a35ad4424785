import { expect, it } from "vitest";
import { run } from "./run";

function capture() {
  const io = { stdout: "", stderr: "", out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}

it("demo prints the buddy arithmetic", async () => {
  const io = capture();
  expect(await run(["demo"], io)).toBe(0);
  expect(io.stdout).toContain("order 2: buddy pfn 8, merged block starts at pfn 8");
  expect(io.stdout).toContain("1024 MB lowmem -> 4096 kB");
});

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
