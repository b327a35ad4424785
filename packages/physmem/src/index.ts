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
export {
  type ArchName,
  type ArchZoneName,
  type ArchOptions,
  type ArchFacts,
  ARCH_NAMES,
  isArchName,
  archFacts,
  UnsupportedArchError,
} from "./arch";
export { parseSize, parseCpulist, formatCpulist, formatPhysAddr, formatMemRange, formatSize } from "./units";
export {
  type SizeSpec,
  type RangeSpec,
  type NodeDescription,
  type MachineDescription,
  type PfnRange,
  type MachineNode,
  type ZoneOverride,
  type Machine,
  type MachineProblem,
  type MachineValidation,
  InvalidMachineError,
  validateMachine,
  loadMachine,
  nodeDistance,
  LOCAL_DISTANCE,
  REMOTE_DISTANCE,
  MAX_NUMNODES,
  MAX_NR_CPUS,
} from "./machine";
export { machineSchema } from "./schema";
export { type Preset, presets, getPreset, listPresets } from "./presets";
export {
  type InitialContent,
  type FrameStoreOptions,
  FrameStore,
  PhysAddressError,
  PAGE_POISON,
  initialFrameByte,
} from "./frame-store";
export { type ImportOptions, MachineImportError, parseNumactlHardware, machineFromSysfsNodes } from "./importers";
export { type ErrorCatalogueEntry, ERROR_CATALOGUE } from "./error-catalogue";
export { type Prng, createPrng, prngFromState, mulberry32 } from "./prng";
