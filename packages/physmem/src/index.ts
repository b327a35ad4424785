export { PageallocError, InvalidKernelVersionError } from "./errors";
export {
  type KernelVersion,
  parseKernelVersion,
  compareKernelVersions,
  versionAtLeast,
  formatKernelVersion,
  pickByVersion,
  DEFAULT_KERNEL_VERSION,
  BOOK_KERNEL_VERSION,
} from "./version";
