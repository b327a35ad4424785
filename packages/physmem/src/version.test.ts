import { describe, expect, it } from "vitest";
import { InvalidKernelVersionError, PageallocError } from "./errors";
import { compareKernelVersions, parseKernelVersion, pickByVersion, versionAtLeast } from "./version";

describe("parseKernelVersion", () => {
  it.each([
    ["6.18", 6, 18, 0],
    ["6.18.44", 6, 18, 44],
    ["4.18.0-80.el8.x86_64", 4, 18, 0],
    ["6.19.0-rc5", 6, 19, 0],
    ["2.6.24", 2, 6, 24],
    ["5.15.0-91-generic", 5, 15, 0],
    ["v6.8.9", 6, 8, 9],
  ])("%s", (text, major, minor, patch) => {
    expect(parseKernelVersion(text)).toMatchObject({ major, minor, patch });
  });

  it.each(["", "linux", "6", "1.0", "6.x", "6.18junk"])("rejects %j with a typed error", (text) => {
    const f = () => parseKernelVersion(text);
    expect(f).toThrow(InvalidKernelVersionError);
    expect(f).toThrow(PageallocError);
  });

  it("orders 2.6.24 < 2.6.32 < 3.0 < 4.4 < 6.3 < 6.18", () => {
    const list = ["6.18", "3.0", "2.6.32", "6.3", "2.6.24", "4.4"];
    expect([...list].sort(compareKernelVersions)).toEqual(["2.6.24", "2.6.32", "3.0", "4.4", "6.3", "6.18"]);
    expect(versionAtLeast("6.3.0-rc1", "6.3")).toBe(true);
    expect(versionAtLeast("6.2.16", "6.3")).toBe(false);
  });

  it("pickByVersion takes the last row at or below the version", () => {
    const rows = [["2.6.24", "a"], ["4.4", "b"], ["6.3", "c"]] as const;
    expect(pickByVersion(rows, "2.6.24")).toBe("a");
    expect(pickByVersion(rows, "4.3.9")).toBe("a");
    expect(pickByVersion(rows, "4.18.0-80.el8.x86_64")).toBe("b");
    expect(pickByVersion(rows, "6.18")).toBe("c");
    expect(() => pickByVersion(rows, "2.6.18")).toThrow(InvalidKernelVersionError);
  });
});
