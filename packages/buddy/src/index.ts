export { findBuddyPfn, combinedPfn } from "./buddy-math";
export { InvalidBuddyinfoError, InvalidZoneSpecError, InvalidBuddyArgumentError, BadPageFreeError, BuddyInvariantError } from "./errors";
export { type BuddyinfoZone, parseBuddyinfo, formatBuddyinfo } from "./buddyinfo";
export { type ContigPageInfo, fillContigPageInfo, unusableIndex, extfragIndex, renderUnusableIndex, renderExtfragIndex } from "./extfrag";
export {
  type BuddyVersionFacts,
  type FallbackAlgorithm,
  type MergeRule,
  type WatermarkAlgorithm,
  type AllocFlagsEra,
  type GfpToAllocFlagsRule,
  type PcpModel,
  buddyVersionFacts,
} from "./version";
export { type AllocFlagBits, allocFlagBits, wmarkIndex } from "./alloc-flags";
export { type AllocFlagsGfp, type GfpToAllocFlagsContext, gfpToAllocFlags } from "./gfp-to-alloc-flags";
export { type WatermarkZoneView, zoneWatermarkOk } from "./watermark";
export { type BuddyZoneSpec, type PfnRange, PG_ALLOC, PG_BUDDY, PG_HOLE, PG_PCP, PG_RESERVED, ZoneState } from "./zone-state";
export {
  type ZoneRef,
  type BuddyZoneSetLike,
  type AllocRequest,
  type GfpDecoder,
  type SlowPathHook,
  type BootBuddyOptions,
  BuddyAllocator,
  bootBuddy,
} from "./allocator";
export { checkInvariants } from "./invariants";
export { type ZoneinfoDynamic, buddyinfoZones, renderBuddyinfo, renderPagetypeinfo, zoneinfoDynamic, zoneinfoCounters, renderZoneinfo, renderVmstat } from "./render";
export { type BuddyTraceEvent, type TraceFormatOptions, type TraceLineContext, formatTraceEvent, formatTraceLine } from "./trace";
export { buddyZonesFromZoneSet, gfpDecoder, bootBuddyFromZoneSet } from "./zoneset";
export { type ZoneStateData, type BuddyStateData, exportState, importState } from "./state";
export { type ZoneFreeCounts, type BootFromFreeCountsOptions, bootBuddyFromFreeCounts } from "./from-free-counts";
