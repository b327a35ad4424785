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
  type BoostWatermarkInput,
  boostWatermark,
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
export { type ZoneInfo, type ZoneNode, type ZoneSet, type BuildZonesOptions, MAX_ORDER_NR_PAGES, buildZones, x86LowReservePfns } from "./zones";
export { type ZoneBootPfns, zoneBootPfns } from "./boot-pfns";
export {
  type ZoneinfoFormat,
  zoneinfoFormat,
  ZONE_STAT_NAMES_6_18,
  ZONE_STAT_NAMES_2_6_24,
  NODE_STAT_NAMES_6_18,
  NUMA_STAT_NAMES,
} from "./zoneinfo-format";
export {
  type ZoneCounters,
  type ZoneinfoCounters,
  type RenderZoneinfoOptions,
  renderZoneinfoStatic,
  type ParsedPageset,
  type ParsedZone,
  type ParsedZoneinfo,
  parseZoneinfo,
  type MachineFromZoneinfoOptions,
  machineFromZoneinfo,
} from "./zoneinfo";
export {
  type ZoneRef,
  PENALTY_FOR_NODE_WITH_CPUS,
  type NodeZonelists,
  type Zonelists,
  type BuildZonelistsOptions,
  defaultZonelistOrder,
  buildZonelists,
  type ZonelistForOptions,
  zonelistFor,
  forEachCandidateZone,
  type CandidateZones,
  candidateZones,
  zonelistBootMessages,
} from "./zonelist";
