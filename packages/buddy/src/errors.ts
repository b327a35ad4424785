import { PageallocError } from "@pagealloc/physmem";

/** A `/proc/buddyinfo` (or similar) text could not be parsed. */
export class InvalidBuddyinfoError extends PageallocError {
  constructor(reason: string, location: string) {
    super("INVALID_BUDDYINFO", reason, location);
  }
}

/** A zone description handed to the buddy allocator is inconsistent. */
export class InvalidZoneSpecError extends PageallocError {
  constructor(reason: string, location: string) {
    super("INVALID_ZONE_SPEC", reason, location);
  }
}

/** A call into the allocator had an argument the kernel would reject (bad order, bad pfn, ...). */
export class InvalidBuddyArgumentError extends PageallocError {
  constructor(reason: string, location: string) {
    super("INVALID_BUDDY_ARGUMENT", reason, location);
  }
}

/** A page was freed that is not allocated (double free, free of a reserved or free page, wrong order). */
export class BadPageFreeError extends PageallocError {
  constructor(reason: string, location: string) {
    super("BAD_PAGE_FREE", reason, location);
  }
}

/** `checkInvariants()` found the allocator state inconsistent. */
export class BuddyInvariantError extends PageallocError {
  constructor(reason: string, location: string) {
    super("BUDDY_INVARIANT", reason, location);
  }
}
