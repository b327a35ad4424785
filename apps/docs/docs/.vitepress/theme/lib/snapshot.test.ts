import { describe, expect, it } from "vitest";
import { bootKernel, type Kernel } from "@pagealloc/page-api";
import { renderBuddyinfo, renderPagetypeinfo } from "@pagealloc/buddy";
import { restoreState, snapshotState } from "./snapshot";

/** A mixed workload touching every kind of state: free lists, pcp lists, compound pages, frame contents, the log. */
function work(k: Kernel, n: number): void {
  const held: { page: NonNullable<ReturnType<Kernel["alloc_pages"]>>; order: number }[] = [];
  for (let i = 0; i < n; i++) {
    k.set_cpu(i % 2);
    const order = (i * 7) % 5;
    const gfp = ["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL|__GFP_ZERO|__GFP_COMP", "GFP_DMA"][i % 4]!;
    const page = k.alloc_pages(gfp, order);
    if (page) held.push({ page, order });
    if (i % 3 === 2) {
      const h = held.shift()!;
      k.__free_pages(h.page, h.order);
    }
  }
  k.alloc_pages("GFP_KERNEL", 20); // above MAX_ORDER: a logged warning
  if (n > 30) k.drain_all_pages();
}

/** Everything observable about a kernel's state, as one comparable value. */
function observe(k: Kernel) {
  const snap = snapshotState(k);
  return { snap: JSON.stringify(snap.root, (_key, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : typeof v === "bigint" ? `${v}n` : v)), buddyinfo: renderBuddyinfo(k.buddy), pagetypeinfo: renderPagetypeinfo(k.buddy), dmesg: k.dmesg().map((l) => l.text) };
}

describe("snapshotState / restoreState", () => {
  it.each(["tiny-16m", "book-i386"])("rewinding %s to boot and replaying gives the state of a fresh boot", (machine) => {
    const version = machine === "book-i386" ? "2.6.24" : "6.18";
    const k = bootKernel({ machine, version });
    const boot = snapshotState(k);
    work(k, 60);
    const after60 = renderBuddyinfo(k.buddy);
    restoreState(k, boot);
    work(k, 25);
    const fresh = bootKernel({ machine, version });
    work(fresh, 25);
    expect(renderBuddyinfo(k.buddy)).not.toBe(after60);
    expect(observe(k)).toEqual(observe(fresh));
  });

  it("copies the typed arrays (mem_map) and counts their bytes", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const s = snapshotState(k);
    // 4096 pages × (next, prev, refcount: 4 bytes each; priv, flags: 1 byte each) = 57344 bytes at least.
    expect(s.bytes).toBeGreaterThanOrEqual(4096 * 14);
  });
});
