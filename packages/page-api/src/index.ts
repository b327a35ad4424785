export { getOrder } from "./get-order";
export { BadPageStateError, InvalidAddressError, PageApiArgumentError, NotInThisKernelError, KmapExhaustedError } from "./errors";
export { type PageApiFacts, pageApiFacts } from "./version-facts";
export { type Gfp, type BootKernelOptions, type KernelLogLine, Page, Kernel, bootKernel } from "./kernel";
export {
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotOptions,
  type RestoreOptions,
  type ReclaimCallbacks,
  SnapshotCorruptError,
  SnapshotVersionError,
  SnapshotUnsupportedError,
  crc32,
  snapshot,
  restore,
  readSnapshotExtra,
} from "./snapshot";
export { HOST_BYTES_PER_PAGE, HostMemoryLimitError, estimateHostBytes, checkHostMemory } from "./host-limits";
