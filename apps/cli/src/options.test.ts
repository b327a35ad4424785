import { expect, it } from "vitest";
import { UsageError } from "./io";
import { collect, parseSysctlOptions, readDirEntries, readJsonFile, readTextFile } from "./options";

it("collects repeatable options", () => {
  expect(collect("b", collect("a"))).toEqual(["a", "b"]);
});

it("parses --sysctl vm.NAME=VALUE with or without the vm. prefix", () => {
  expect(parseSysctlOptions(["vm.min_free_kbytes=67584", "watermark_scale_factor=10"])).toEqual({
    min_free_kbytes: "67584",
    watermark_scale_factor: "10",
  });
  expect(() => parseSysctlOptions(["vm.min_free_kbytes"])).toThrow(UsageError);
});

it("names the file when it cannot be read", () => {
  expect(() => readTextFile("/nonexistent/zoneinfo")).toThrow("/nonexistent/zoneinfo: no such file");
  expect(() => readJsonFile("/proc/self/status")).toThrow(/\/proc\/self\/status(:\d+)?: invalid JSON/);
});

it("lists a directory named on the command line; a missing one is a usage error naming it", () => {
  expect(readDirEntries(__dirname)).toContain("options.ts");
  expect(() => readDirEntries("/nonexistent/vm")).toThrow(UsageError);
  expect(() => readDirEntries("/nonexistent/vm")).toThrow("/nonexistent/vm: not a readable directory");
});
