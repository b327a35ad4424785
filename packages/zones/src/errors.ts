import { PageallocError } from "@pagealloc/physmem";

/** A sysctl name or value is not one the kernel would accept (vm.* via /proc/sys/vm or `k=v`). */
export class InvalidSysctlError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("INVALID_SYSCTL", reason, location);
  }
}

/** A /proc/zoneinfo text could not be understood (the location is `zoneinfo:LINE`). */
export class ZoneinfoParseError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("ZONEINFO_PARSE", reason, location);
  }
}

/** Zone layout input that the kernel would not produce or accept (kernelcore=, overrides, sizes). */
export class InvalidZoneLayoutError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("INVALID_ZONE_LAYOUT", reason, location);
  }
}

/** A zonelist request names a node or zone that does not exist. */
export class InvalidZonelistRequestError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("INVALID_ZONELIST_REQUEST", reason, location);
  }
}
