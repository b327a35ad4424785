export { findBuddyPfn, combinedPfn } from "./buddy-math";
export { InvalidBuddyinfoError, InvalidZoneSpecError, InvalidBuddyArgumentError, BadPageFreeError, BuddyInvariantError } from "./errors";
export { type BuddyinfoZone, parseBuddyinfo, formatBuddyinfo } from "./buddyinfo";
export { type ContigPageInfo, fillContigPageInfo, unusableIndex, extfragIndex, renderUnusableIndex, renderExtfragIndex } from "./extfrag";
