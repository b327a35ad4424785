/**
 * The smallest order whose block holds `size` bytes.
 * kernel: include/asm-generic/getorder.h get_order()
 *
 * @param size - size in bytes (> 0)
 * @param pageShift - log2 of the page size (12 for 4 KiB pages)
 * @example
 * ```ts
 * import { getOrder } from "@pagealloc/page-api";
 * console.log(getOrder(4096), getOrder(4097), getOrder(65536)); // => 0 1 4
 * ```
 */
export function getOrder(size: number, pageShift = 12): number {
  const pages = Math.ceil(size / 2 ** pageShift);
  let order = 0;
  while (2 ** order < pages) order++;
  return order;
}
