export { ZONE_NAMES, type ZoneName, isZoneName } from "./zone-type";
export { InvalidGfpError, BadGfpZoneError, BadGfpMigratetypeError, GfpTableError } from "./errors";
export { type GfpConfig, type GfpConfigOption, type GfpLayout, GFP_LAYOUT_ERAS, gfpLayout } from "./layout";
export { GFP_COMPOSITE_ERAS, gfpFlags } from "./composite";
export { type GfpNameEntry, type GfpPrintStyle, GFP_NAME_TABLE_ERAS, PRINTK_NAMES_SINCE, gfpNameTable } from "./name-table";
export { type ParseGfpOptions, formatGfp, gfpFlagNames, gfpBitNames, formatModeFragment, parseGfp, hexGfp } from "./format";
export { type DecodedModeFragment, decodeModeFragment } from "./fragment";
export {
  type GfpZoneOptions,
  type GfpZonelistOptions,
  type GfpMigratetype,
  type GfpMigratetypeOptions,
  GFP_ZONE_MODIFIERS,
  gfpZone,
  gfpZoneIdx,
  gfpZonelist,
  isGfpZoneBad,
  gfpMigratetype,
  gfpMigratetypeIndex,
} from "./zone";
export {
  type GfpPredicate,
  GFP_PREDICATE_ERAS,
  gfpTest,
  gfpAllowsDirectReclaim,
  gfpAllowsBlocking,
  gfpAllowsKswapd,
  gfpIsHighPriority,
  gfpNoWarn,
  gfpWantsZero,
  gfpWantsComp,
  gfpThisNode,
  gfpNoFail,
  gfpNoRetry,
  gfpRetryMayFail,
  gfpAllowsIo,
  gfpAllowsFs,
  gfpIsMovable,
  gfpAccount,
} from "./predicates";
