import { it } from "vitest";
import * as g from "./index";
it("smoke", () => {
  for (const v of ["2.6.24","2.6.31","2.6.38","2.6.39","3.3","3.6","3.8","3.16","4.1","4.4","4.5","4.8","4.10","4.13","4.14","4.15","4.18","5.1","5.14","5.18","6.3","6.4","6.8","6.10","6.18","6.19"]) {
    const c = g.gfpFlags(v);
    console.log(v, g.gfpLayout(v).bitsShift, ["GFP_ATOMIC","GFP_NOWAIT","GFP_NOIO","GFP_NOFS","GFP_KERNEL","GFP_TEMPORARY","GFP_KERNEL_ACCOUNT","GFP_USER","GFP_HIGHUSER","GFP_HIGHUSER_MOVABLE","GFP_TRANSHUGE_LIGHT","GFP_TRANSHUGE","__GFP_RECLAIM"].map(n => n in c ? c[n].toString(16) : "-").join(" "));
    console.log("  ", g.gfpNameTable(v, "trace")?.map(e=>e.name).join(","));
  }
  console.log(g.formatGfp(0x26040c0, "4.8"), g.formatGfp(0xd1, "3.3", "trace"), g.formatGfp(0x240c0d0, "4.9"));
});
