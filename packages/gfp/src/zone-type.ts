/**
 * The kernel's zone types in `enum zone_type` order (include/linux/mmzone.h). Which of them
 * exist depends on the architecture and configuration (CONFIG_ZONE_DMA, CONFIG_ZONE_DMA32,
 * CONFIG_HIGHMEM); the numeric values here are the positions in the full list, and the
 * per-configuration index is computed by the layers that need it.
 */
export const ZONE_NAMES = ["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"] as const;

/** A zone's name as the kernel prints it in /proc/zoneinfo and /proc/buddyinfo. */
export type ZoneName = (typeof ZONE_NAMES)[number];

/**
 * True when `name` is one of the kernel's zone names.
 *
 * @example
 * ```ts
 * import { isZoneName } from "@pagealloc/gfp";
 * console.log(isZoneName("DMA32"), isZoneName("Dma")); // => true false
 * ```
 */
export function isZoneName(name: string): name is ZoneName {
  return (ZONE_NAMES as readonly string[]).includes(name);
}
