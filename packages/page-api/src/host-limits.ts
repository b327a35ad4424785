import { type Machine, PageallocError } from "@pagealloc/physmem";

const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/**
 * Host bytes per page of a simulated machine's span: the buddy layer's mem_map arrays (next 4 + prev 4 + private 1
 * + flags 1 + refcount 4 = 14, see ZoneState) plus one byte per pageblock rounded up to a page's share, and 2 bytes
 * of slack for the typed arrays' headers and the page API's sparse maps.
 */
export const HOST_BYTES_PER_PAGE = 16;

/** A machine too large to simulate within the host memory allowed. */
export class HostMemoryLimitError extends PageallocError {
  /** Bytes the simulation would need. */
  readonly neededBytes: number;
  /** The limit it was checked against. */
  readonly limitBytes: number;
  constructor(machine: string, neededBytes: number, limitBytes: number) {
    super("HOST_MEMORY_LIMIT", `machine ${machine} needs about ${mib(neededBytes)} of host memory to simulate, more than the ${mib(limitBytes)} allowed`, "machine");
    this.neededBytes = neededBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * Host memory a simulation of `machine` needs before any page is written: its spanned pages (holes inside a node's
 * span cost their mem_map entries too, as in the kernel's FLATMEM) times {@link HOST_BYTES_PER_PAGE}. Written
 * frames cost one page each on top (FrameStore is sparse).
 *
 * @param machine - a loaded machine
 * @returns bytes
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { estimateHostBytes } from "@pagealloc/page-api";
 * console.log(estimateHostBytes(getPreset("tiny-16m"))); // => 65536
 * ```
 */
export function estimateHostBytes(machine: Machine): number {
  let pages = 0;
  for (const n of machine.nodes) pages += Math.max(0, n.spannedEndPfn - n.spannedStartPfn);
  return pages * HOST_BYTES_PER_PAGE;
}

/**
 * Refuse, before anything is allocated, a machine whose simulation would need more than `maxHostBytes`.
 *
 * @throws {HostMemoryLimitError} (code `HOST_MEMORY_LIMIT`) naming the memory it would need
 * @example
 * ```ts
 * import { getPreset } from "@pagealloc/physmem";
 * import { checkHostMemory } from "@pagealloc/page-api";
 * try {
 *   checkHostMemory(getPreset("server-2s-256g"), 1 << 30);
 * } catch (e) {
 *   console.log(e.code); // => HOST_MEMORY_LIMIT
 * }
 * ```
 */
export function checkHostMemory(machine: Machine, maxHostBytes: number): void {
  const needed = estimateHostBytes(machine);
  if (needed > maxHostBytes) throw new HostMemoryLimitError(machine.name, needed, maxHostBytes);
}
