export { InvalidSysctlError, ZoneinfoParseError, InvalidZoneLayoutError, InvalidZonelistRequestError } from "./errors";
export { type ZoneVersionFacts, ZONE_VERSION_ROWS, zoneVersionFacts } from "./version-facts";
export {
  intSqrt,
  defaultMinFreeKbytes,
  type MinFreeKbytesInput,
  minFreeKbytes,
  MIGRATE_PCPTYPES,
  type ThpRecommendedInput,
  thpRecommendedMinFreeKbytes,
} from "./min-free-kbytes";
export {
  SWAP_CLUSTER_MAX,
  type WatermarkZoneInput,
  type ZoneWatermark,
  type ZoneWatermarksOptions,
  zoneWatermarks,
  defaultLowmemReserveRatio,
  lowmemReserve,
  type TotalreserveZoneInput,
  totalreservePages,
} from "./watermarks";
export {
  MIN_PERCPU_PAGELIST_HIGH_FRACTION,
  zoneBatchsize,
  pcpBatch,
  type ZoneHighsizeInput,
  zoneHighsize,
  type PcpSizes,
  type PcpHighInput,
  pcpHigh,
  vmStatThreshold,
} from "./pcp";
export {
  type Sysctls,
  type ResolvedSysctls,
  DEFAULT_SYSCTLS,
  resolveSysctls,
  parseSysctlDir,
  parseSysctlOptions,
  pcpFraction,
} from "./sysctls";
