export { ZONE_NAMES, type ZoneName, isZoneName } from "./zone-type";
