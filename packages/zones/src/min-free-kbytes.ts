/** Integer square root (floor), as the kernel's int_sqrt(). */
export function intSqrt(x: number): number {
  if (x < 0 || !Number.isFinite(x)) return 0;
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * The default `vm.min_free_kbytes` from the amount of lowmem, before clamping:
 * `int_sqrt(lowmem_kbytes * 16)`.
 * kernel: mm/page_alloc.c calculate_min_free_kbytes()
 *
 * @param lowmemKbytes - nr_free_buffer_pages() in kB
 * @returns the unclamped value in kB
 * @example
 * ```ts
 * import { defaultMinFreeKbytes } from "@pagealloc/zones";
 * console.log(defaultMinFreeKbytes(1024 * 1024)); // => 4096
 * ```
 */
export function defaultMinFreeKbytes(lowmemKbytes: number): number {
  return intSqrt(lowmemKbytes * 16);
}
