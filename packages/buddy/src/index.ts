export { findBuddyPfn, combinedPfn } from "./buddy-math";
