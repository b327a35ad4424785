import { InvalidKernelVersionError } from "@pagealloc/physmem";
import { expect, it } from "vitest";
import { buddyVersionFacts } from "./version";

it("picks the facts of a version (uname -r text accepted)", () => {
  const rhel8 = buddyVersionFacts("4.18.0-80.el8.x86_64");
  expect([rhel8.fallbackAlgorithm, rhel8.allocFlagsEra, rhel8.pcpModel, rhel8.mergeRule, rhel8.noFragment]).toEqual(["steal-fallback", "harder", "order0", "isolate", false]);
  const v618 = buddyVersionFacts("6.18");
  expect([v618.fallbackAlgorithm, v618.allocFlagsEra, v618.pcpModel, v618.pcpAutoTune, v618.migratetypeNames.join()]).toEqual([
    "claim-steal",
    "non-block",
    "high-order",
    true,
    "Unmovable,Movable,Reclaimable,HighAtomic,Isolate",
  ]);
  expect(buddyVersionFacts("2.6.24").migratetypeNames.join()).toBe("Unmovable,Reclaimable,Movable,Reserve,(null)");
  expect(buddyVersionFacts("3.10").fallbackAlgorithm).toBe("2.6.24");
  expect(buddyVersionFacts("4.11").fallbackAlgorithm).toBe("steal-4.1");
  // NR_PAGE_ORDERS is 11 in every era with the default configuration (MAX_ORDER 11, then MAX_PAGE_ORDER 10 + 1)
  expect(["2.6.24", "4.4", "6.4", "6.18"].map((v) => buddyVersionFacts(v).nrPageOrders)).toEqual([11, 11, 11, 11]);
  expect(() => buddyVersionFacts("2.6.23")).toThrow(InvalidKernelVersionError);
});
