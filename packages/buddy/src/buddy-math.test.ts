import { expect, it } from "vitest";
import { combinedPfn, findBuddyPfn } from "./buddy-math";

// kernel-facts §6.3: buddy_pfn = pfn ^ (1 << order), parent = pfn & buddy_pfn
it("finds buddies and parents by xor", () => {
  expect(findBuddyPfn(0, 0)).toBe(1);
  expect(findBuddyPfn(1, 0)).toBe(0);
  expect(findBuddyPfn(1024, 10)).toBe(0);
  expect(findBuddyPfn(12, 2)).toBe(8);
  expect(combinedPfn(12, 2)).toBe(8);
  expect(combinedPfn(8, 2)).toBe(8);
});
