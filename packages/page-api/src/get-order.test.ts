import { expect, it } from "vitest";
import { getOrder } from "./get-order";

// get_order(): 1..4096 -> 0, 4097..8192 -> 1, 8193..16384 -> 2 (4 KiB pages)
it.each([[1, 0], [4096, 0], [4097, 1], [8192, 1], [8193, 2], [4 * 1024 * 1024, 10]])("get_order(%i) = %i", (size, order) => {
  expect(getOrder(size)).toBe(order);
});
