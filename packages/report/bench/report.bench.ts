import { explainReport, parseFailureReports } from "@pagealloc/report";
import { bench, describe } from "vitest";

// A synthetic log of the kind a busy machine produces: many reports between unrelated messages.
const one = [
  "[  104.032925] kswapd0: page allocation failure: order:0, mode:0xc0c40(GFP_NOFS|__GFP_COMP|__GFP_NOMEMALLOC), nodemask=(null),cpuset=/,mems_allowed=0",
  "[  104.033307] CPU: 4 UID: 0 PID: 156 Comm: kswapd0 Not tainted 6.19.0-rc5 #435 PREEMPT(voluntary)",
  "[  104.034078] Mem-Info:",
  "[  104.034111] active_anon:511 inactive_anon:2355672 isolated_anon:0",
  "                free:36223 free_pcp:529 free_cma:0",
  "[  104.034166] Node 0 Normal free:79392kB boost:28672kB min:80308kB low:93216kB high:106124kB reserved_highatomic:2048KB free_highatomic:32KB managed:9346788kB free_cma:0kB",
  "[  104.034174] lowmem_reserve[]: 0 0 0 0 0",
  "[  104.034348] Node 0 Normal: 1024*4kB (UMEH) 534*8kB (UEH) 409*16kB (UME) 1301*32kB (UME) 154*64kB (UME) 39*128kB (UME) 14*256kB (UM) 1*512kB (U) 2*1024kB (UM) 1*2048kB (U) 0*4096kB = 79584kB",
  "[  104.034396] 299766 total pagecache pages",
  "[  104.034400] usb 1-1: new high-speed USB device number 2 using xhci_hcd",
].join("\n");
const big = Array.from({ length: 1000 }, () => one).join("\n");
const report = parseFailureReports(one).reports[0];

describe("report", () => {
  bench("parse 1000 reports (10k lines)", () => {
    parseFailureReports(big);
  });
  bench("explain one report", () => {
    if (report) explainReport(report);
  });
});
