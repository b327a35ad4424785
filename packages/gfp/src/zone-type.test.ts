import { expect, it } from "vitest";
import { ZONE_NAMES, isZoneName } from "./zone-type";

it("lists the zones in enum zone_type order, spelt as /proc/zoneinfo prints them", () => {
  expect(ZONE_NAMES).toEqual(["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"]);
  expect(isZoneName("Normal")).toBe(true);
  expect(isZoneName("NORMAL")).toBe(false);
});
