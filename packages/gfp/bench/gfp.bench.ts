import { formatGfp, gfpZone, parseGfp } from "@pagealloc/gfp";
import { bench, describe } from "vitest";

// The hot uses: a trace renderer formats a mask per event, a replay parses one per line, the
// allocator asks gfp_zone() per allocation.
describe("gfp", () => {
  bench("formatGfp 0x140dca (6.18, trace)", () => {
    formatGfp(0x140dca, "6.18", "trace");
  });
  bench("parseGfp GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP (6.18, trace)", () => {
    parseGfp("GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", "6.18", { style: "trace" });
  });
  bench("gfpZone 0x100cca (x86_64, 6.18)", () => {
    gfpZone(0x100cca, { arch: "x86_64", version: "6.18" });
  });
});
