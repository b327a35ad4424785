import { describe, expect, it } from "vitest";
import { gfpFlags } from "./composite";
import {
  gfpAccount, gfpAllowsBlocking, gfpAllowsDirectReclaim, gfpAllowsFs, gfpAllowsIo, gfpAllowsKswapd, gfpIsHighPriority,
  gfpIsMovable, gfpNoFail, gfpNoRetry, gfpNoWarn, gfpRetryMayFail, gfpThisNode, gfpWantsComp, gfpWantsZero,
} from "./predicates";

describe("predicates per version (flag values from kernel-facts §1.1–1.3, §1.7)", () => {
  it("GFP_KERNEL / GFP_ATOMIC / GFP_NOWAIT on 6.18: 0xcc0, 0x820, 0x2800", () => {
    expect([gfpAllowsDirectReclaim(0xcc0), gfpAllowsKswapd(0xcc0), gfpAllowsIo(0xcc0), gfpAllowsFs(0xcc0)]).toEqual([true, true, true, true]);
    expect([gfpAllowsBlocking(0x820), gfpAllowsKswapd(0x820), gfpIsHighPriority(0x820)]).toEqual([false, true, true]);
    expect([gfpAllowsBlocking(0x2800), gfpAllowsKswapd(0x2800), gfpNoWarn(0x2800), gfpIsHighPriority(0x2800)]).toEqual([false, true, true, false]);
    // GFP_TRANSHUGE_LIGHT (0x1c20ca) has both reclaim bits cleared: no direct reclaim, no kswapd.
    expect([gfpAllowsDirectReclaim(0x1c20ca), gfpAllowsKswapd(0x1c20ca), gfpWantsComp(0x1c20ca), gfpIsMovable(0x1c20ca)]).toEqual([false, false, true, true]);
  });

  it("single-bit questions follow the bit of each era", () => {
    expect([gfpWantsZero(0x100), gfpWantsZero(0x8000, "4.17"), gfpWantsZero(0x100, "4.17")]).toEqual([true, true, false]);
    expect([gfpThisNode(0x200000), gfpThisNode(0x40000, "2.6.24")]).toEqual([true, true]);
    expect([gfpNoFail(0x8000), gfpNoFail(0x800, "4.17")]).toEqual([true, true]);
    expect([gfpNoRetry(0x10000), gfpNoRetry(0x1000, "2.6.24")]).toEqual([true, true]);
    expect([gfpRetryMayFail(0x4000), gfpRetryMayFail(0x400, "4.12"), gfpRetryMayFail(0x400, "4.13")]).toEqual([true, true, true]);
    expect([gfpIsMovable(0x8, "2.6.24"), gfpIsMovable(0x100000, "2.6.24"), gfpIsMovable(0x8, "2.6.31")]).toEqual([false, true, true]);
  });

  it("direct reclaim: __GFP_WAIT until 4.3, __GFP_DIRECT_RECLAIM from 4.4", () => {
    expect(gfpAllowsDirectReclaim(gfpFlags("2.6.24").GFP_KERNEL, "2.6.24")).toBe(true);
    expect(gfpAllowsDirectReclaim(gfpFlags("2.6.24").GFP_ATOMIC, "2.6.24")).toBe(false);
    expect(gfpAllowsDirectReclaim(0x24000c0, "4.4")).toBe(true);
    expect(gfpAllowsDirectReclaim(0x2000000, "4.4")).toBe(false); // GFP_NOWAIT 4.4 = KSWAPD_RECLAIM only
  });

  it("kswapd: always before 2.6.38 except exact GFP_THISNODE, !__GFP_NO_KSWAPD until 4.3, __GFP_KSWAPD_RECLAIM after", () => {
    expect(gfpAllowsKswapd(0x20, "2.6.24")).toBe(true); // GFP_ATOMIC still wakes kswapd
    expect(gfpAllowsKswapd(0x41200 | 0xd0, "2.6.24")).toBe(false); // GFP_THISNODE bits all set
    expect(gfpAllowsKswapd(0x4352da, "3.10")).toBe(false); // GFP_TRANSHUGE has __GFP_NO_KSWAPD
    expect(gfpAllowsKswapd(0x200da, "3.10")).toBe(true);
    expect(gfpAllowsKswapd(0x2080020, "4.4")).toBe(true);
    expect(gfpAllowsKswapd(0x4352ca, "4.4")).toBe(false); // 4.4 GFP_TRANSHUGE clears KSWAPD_RECLAIM
  });

  it("accounting: __GFP_KMEMCG 3.8–3.15, none 3.16–4.4, __GFP_ACCOUNT from 4.5", () => {
    expect([gfpAccount(0x400cc0), gfpAccount(0x100000, "3.10"), gfpAccount(0x100000, "4.1"), gfpAccount(0x100000, "4.5")]).toEqual([true, true, false, true]);
    expect(gfpAccount(0xffffffff, "2.6.24")).toBe(false);
  });
});
