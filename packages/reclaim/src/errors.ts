import { PageallocError } from "@pagealloc/physmem";

/** A bad argument to the memory-use model or the slow path (nothing changed). */
export class InvalidReclaimArgumentError extends PageallocError {
  constructor(reason: string, location: string) {
    super("INVALID_RECLAIM_ARGUMENT", reason, location);
  }
}

/**
 * A `__GFP_NOFAIL` request that the kernel would retry forever (nothing reclaimable, no OOM victim that frees
 * memory, reserves exhausted). The kernel never returns NULL for it; the model stops and says so.
 */
export class NofailStallError extends PageallocError {
  constructor(reason: string, location: string) {
    super("NOFAIL_STALL", reason, location);
  }
}
