import { BadGfpZoneError } from "@pagealloc/gfp";
import { PAGE_POISON } from "@pagealloc/physmem";
import { describe, expect, it } from "vitest";
import { BadPageStateError, InvalidAddressError, NotInThisKernelError, PageApiArgumentError } from "./errors";
import { bootKernel, Page } from "./kernel";

// Expected values below come from the kernel's rules (kernel-facts §8, the book §3.5.4–3.5.7), written down
// next to each assertion; none is a copy of this model's output.

/** Allocate order-`order` blocks until the allocator says no; returns them. */
function exhaust(k: ReturnType<typeof bootKernel>, gfp: string, order: number) {
  const got = [];
  for (;;) {
    const p = k.alloc_pages(gfp, order);
    if (!p) return got;
    got.push(p);
  }
}

describe("the book's statements, as executable tests", () => {
  it("get_zeroed_page returns a zeroed page even when the frame was dirty before", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    // A page freed to the per-cpu list is the first one handed out again (hot, LIFO: kernel-facts §7).
    const addr = k.__get_free_page("GFP_KERNEL");
    k.write(addr, new Array(4096).fill(0x5a));
    k.free_page(addr);
    const again = k.get_zeroed_page("GFP_KERNEL");
    expect(again).toBe(addr); // the same, dirty frame...
    expect(k.read(again, 4096).every((b) => b === 0)).toBe(true); // ...cleared by __GFP_ZERO
  });

  it("other allocations leave the frame's old contents (undefined memory)", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const addr = k.__get_free_page("GFP_KERNEL");
    k.write(addr, [1, 2, 3, 4]);
    k.free_page(addr);
    const again = k.__get_free_page("GFP_KERNEL");
    expect(again).toBe(addr);
    expect(Array.from(k.read(again, 4))).toEqual([1, 2, 3, 4]);
  });

  it("failures return null for alloc_pages/alloc_page and 0 for the address functions", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    // GFP_KERNEL fast path stops at the low watermark; without reclaim (not modelled in this layer) the
    // allocator then fails: every function must report it in its own way.
    exhaust(k, "GFP_KERNEL", 0);
    expect(k.alloc_pages("GFP_KERNEL", 0)).toBeNull();
    expect(k.alloc_page("GFP_KERNEL")).toBeNull();
    expect(k.get_zeroed_page("GFP_KERNEL")).toBe(0n);
    expect(k.__get_free_pages("GFP_KERNEL", 1)).toBe(0n);
    expect(k.__get_free_page("GFP_KERNEL")).toBe(0n);
  });

  it("get_dma_pages memory lies in ZONE_DMA (x86: below 16 MiB, pfn < 4096)", () => {
    const k = bootKernel({ machine: "pc-4g" });
    for (let i = 0; i < 20; i++) {
      const addr = k.get_dma_pages("GFP_KERNEL", 2);
      expect(addr).not.toBe(0n);
      const pfn = k.page_to_pfn(k.virt_to_page(addr));
      expect(pfn + 3).toBeLessThan(4096);
    }
    // the same allocation without GFP_DMA comes from the highest zone, Normal (above 4 GiB)
    expect(k.page_to_pfn(k.virt_to_page(k.__get_free_pages("GFP_KERNEL", 2)))).toBeGreaterThanOrEqual(0x100000);
  });

  it("free_pages/__free_pages return 2^order pages and the buddy lists show them merged back", () => {
    for (const version of ["6.18", "2.6.24"]) {
      const k = bootKernel({ machine: "tiny-16m", version });
      const boot = k.buddyinfo();
      const blocks = [0, 1, 2, 3, 5, 9, 10].map((order) => ({ order, addr: k.__get_free_pages("GFP_KERNEL", order) }));
      expect(k.buddyinfo()).not.toBe(boot);
      for (const { order, addr } of blocks.reverse()) k.free_pages(addr, order);
      k.drain_all_pages(); // pcp pages go back to the buddy lists and merge
      expect(k.buddyinfo()).toBe(boot);
    }
  });

  it("addresses live in the arch's direct map", () => {
    // x86_64 4.19.5+ PAGE_OFFSET 0xffff888000000000; 2.6.27–4.19.4 0xffff880000000000; i386 0xC0000000
    const x = bootKernel({ machine: "tiny-16m" });
    const page = x.pfn_to_page(0x123);
    expect(x.page_address(page)).toBe(0xffff888000000000n + 0x123000n);
    expect(x.virt_to_phys(0xffff888000123000n)).toBe(0x123000n);
    expect(x.phys_to_virt(0x123000n)).toBe(0xffff888000123000n);
    const i = bootKernel({ machine: "i386-1g-highmem" });
    expect(i.page_address(i.pfn_to_page(0x100))).toBe(0xc0100000n);
  });
});

describe("HighMem: page_address, kmap and kunmap (book §3.5.8, kernel mappings)", () => {
  it("a HighMem page has no address until kmap, and keeps its pkmap address after kunmap until a flush", () => {
    const k = bootKernel({ machine: "i386-1g-highmem" });
    const page = k.alloc_pages("GFP_HIGHUSER", 0)!;
    expect(k.PageHighMem(page)).toBe(true);
    expect(k.page_address(page)).toBeNull();
    // map_new_virtual(): last_pkmap_nr starts at 0 and is advanced before use → first slot is 1;
    // PKMAP_BASE 0xff800000 (non-PAE) → 0xff801000.
    const va = k.kmap(page);
    expect(va).toBe(0xff801000n);
    expect(k.page_address(page)).toBe(va);
    expect(k.kmap(page)).toBe(va); // a second kmap of a mapped page reuses its slot
    k.write(va, [9, 8, 7]);
    expect(Array.from(k.page_contents(page).slice(0, 3))).toEqual([9, 8, 7]);
    k.kunmap(page);
    k.kunmap(page);
    expect(k.page_address(page)).toBe(va); // count 1: still mapped until flush_all_zero_pkmaps()
    expect(() => k.kunmap(page)).toThrow(PageApiArgumentError);
  });

  it("__get_free_pages strips __GFP_HIGHMEM on modern kernels; 2.6.24 returns 0 for a HighMem page", () => {
    const modern = bootKernel({ machine: "i386-1g-highmem" });
    const a = modern.__get_free_pages("GFP_HIGHUSER", 0);
    expect(a).toBeGreaterThanOrEqual(0xc0000000n); // from Normal, mapped
    const old = bootKernel({ machine: "book-i386", version: "2.6.24" });
    const before = old.buddyinfo();
    expect(old.__get_free_pages("GFP_HIGHUSER", 0)).toBe(0n); // allocated from HighMem, no permanent address
    expect(old.buddyinfo()).not.toBe(before); // ...and the page is gone (leaked), as in the kernel
  });

  it("get_zeroed_page(__GFP_HIGHMEM) is a BUG on 2.6.24", () => {
    const old = bootKernel({ machine: "book-i386", version: "2.6.24" });
    expect(() => old.get_zeroed_page("GFP_HIGHUSER")).toThrow(/kernel BUG .*get_zeroed_page/);
  });
});

describe("references, compound pages and partial frees", () => {
  it("get_page/put_page: the last reference frees the block", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const boot = k.buddyinfo();
    const page = k.alloc_pages("GFP_KERNEL", 1)!;
    k.get_page(page);
    expect(k.page_count(page)).toBe(2);
    k.__free_pages(page, 1); // refcount 2 → 1; 6.18 then frees the upper half of a non-compound block
    expect(k.page_count(page)).toBe(1);
    k.__free_pages(page, 0); // the head is now an order-0 page
    k.drain_all_pages();
    expect(k.buddyinfo()).toBe(boot);
  });

  it("__free_pages with the head still referenced frees order-1..0 sub-blocks on 5.10+, nothing on 2.6.24", () => {
    // kernel (5.10+): for k = order-1 down to 0, free page + 2^k as an order-k block.
    const k = bootKernel({ machine: "tiny-16m" });
    const page = k.alloc_pages("GFP_KERNEL", 4)!; // order 4 > 3: not a pcp order, freed straight to buddy
    k.get_page(page);
    k.__free_pages(page, 4);
    k.drain_all_pages();
    // After the merge attempts: pfn+8 (order 3), +4 (order 2), +2 (order 1) are free; pfn+1 (order 0) is free;
    // none can merge with its buddy because the head page (pfn) is still allocated.
    const p = page.pfn;
    expect([k.buddy.pageBuddyOrder(p + 8), k.buddy.pageBuddyOrder(p + 4), k.buddy.pageBuddyOrder(p + 2), k.buddy.pageBuddyOrder(p + 1)]).toEqual([3, 2, 1, 0]);
    expect(k.buddy.pageBuddyOrder(p)).toBe(-1);
    expect(k.page_count(page)).toBe(1);

    const old = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
    const q = old.alloc_pages("GFP_KERNEL", 4)!;
    old.get_page(q);
    old.__free_pages(q, 4); // put_page_testzero fails → nothing is freed
    expect([8, 4, 2, 1].map((d) => old.buddy.pageBuddyOrder(q.pfn + d))).toEqual([-1, -1, -1, -1]);
    old.__free_pages(q, 4); // the last reference frees all 16 pages
  });

  it("__GFP_COMP makes a compound page: tails answer for the head, the head frees all", () => {
    const k = bootKernel({ machine: "tiny-16m" });
    const boot = k.buddyinfo();
    const head = k.alloc_pages("GFP_KERNEL|__GFP_COMP", 2)!;
    const tail = new Page(head.pfn + 3);
    expect(k.PageHead(head)).toBe(true);
    expect(k.PageTail(tail)).toBe(true);
    expect(k.compound_head(tail).pfn).toBe(head.pfn);
    k.get_page(tail); // a tail's reference goes to the head
    expect(k.page_count(head)).toBe(2);
    k.put_page(tail);
    k.put_page(head); // last reference: the whole order-2 compound page is freed
    k.drain_all_pages();
    expect(k.buddyinfo()).toBe(boot);
  });

  it("alloc_pages_exact(5 pages): keeps 5 of the order-3 block and frees the other 3 to the buddy lists", () => {
    // kernel-facts §8: order = get_order(5×4096) = 3; pfn+5 is freed as order 0, pfn+6 and pfn+7 merge into
    // an order-1 block; nothing merges further because pfn+4 is still in use.
    const k = bootKernel({ machine: "tiny-16m" });
    const addr = k.alloc_pages_exact(5 * 4096, "GFP_KERNEL");
    const pfn = k.page_to_pfn(k.virt_to_page(addr));
    expect(k.buddy.pageBuddyOrder(pfn + 5)).toBe(0);
    expect(k.buddy.pageBuddyOrder(pfn + 6)).toBe(1);
    for (let i = 0; i < 5; i++) expect(k.page_count(new Page(pfn + i))).toBe(1);
    k.free_pages_exact(addr, 5 * 4096);
    k.drain_all_pages();
    expect(k.buddy.pageBuddyOrder(pfn)).toBeGreaterThanOrEqual(3); // the whole block merged back
  });

  it("alloc_pages_exact does not exist in 2.6.24 (added in 2.6.27)", () => {
    const k = bootKernel({ machine: "tiny-16m", version: "2.6.24" });
    expect(() => k.alloc_pages_exact(4096, "GFP_KERNEL")).toThrow(NotInThisKernelError);
  });
});

describe("bad calls: typed error, kernel-style report, no state change", () => {
  function setup() {
    const k = bootKernel({ machine: "tiny-16m" });
    const addr = k.__get_free_pages("GFP_KERNEL", 2);
    const page = k.virt_to_page(addr);
    return { k, addr, page, before: k.buddyinfo() };
  }

  it("double free: BUG: Bad page state, nonzero _refcount check", () => {
    const { k, addr } = setup();
    k.free_pages(addr, 2);
    const before = k.buddyinfo();
    let err: unknown;
    try {
      k.free_pages(addr, 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadPageStateError);
    const bad = err as BadPageStateError;
    expect(bad.code).toBe("BAD_PAGE_STATE");
    // modern bad_page(): "BUG: Bad page state in process %s  pfn:%05lx" (two spaces before pfn)
    expect(bad.report[0]).toBe(`BUG: Bad page state in process swapper  pfn:${bad.pfn.toString(16).padStart(5, "0")}`);
    expect(bad.report[1]).toMatch(/^page: refcount:0 mapcount:0 /);
    expect(k.buddyinfo()).toBe(before);
  });

  it("freeing a mapped page: nonzero mapcount", () => {
    const { k, page, before } = setup();
    k.map_page(page);
    expect(() => k.__free_pages(page, 2)).toThrow(/BUG: Bad page state .*: nonzero mapcount/);
    expect(k.buddyinfo()).toBe(before);
    k.unmap_page(page);
    k.__free_pages(page, 2);
  });

  it("freeing with the wrong order", () => {
    const { k, page, before } = setup();
    expect(() => k.__free_pages(page, 3)).toThrow(/freed with order 3, allocated with order 2/);
    expect(() => k.__free_pages(page, 1)).toThrow(BadPageStateError);
    expect(k.buddyinfo()).toBe(before);
  });

  it("an address that is not page-aligned or not in the direct map", () => {
    const { k, addr, before } = setup();
    expect(() => k.free_pages(addr + 8n, 2)).toThrow(InvalidAddressError);
    expect(() => k.free_pages(addr + 8n, 2)).toThrow(/is not page-aligned/);
    expect(() => k.free_pages(0xc0000000n, 0)).toThrow(/not a direct-map \(lowmem\) address/);
    expect(() => k.free_pages(0xffff888000000000n + (1n << 40n), 0)).toThrow(InvalidAddressError);
    expect(k.buddyinfo()).toBe(before);
    k.free_pages(0n, 3); // free_pages(0) is a no-op, as in the kernel
    expect(k.buddyinfo()).toBe(before);
  });

  it("order above the maximum: one warning, NULL, nothing allocated", () => {
    const { k, before } = setup();
    expect(k.alloc_pages("GFP_KERNEL", 11)).toBeNull();
    expect(k.alloc_pages("GFP_KERNEL", 12)).toBeNull();
    expect(k.dmesg()).toHaveLength(1); // WARN_ON_ONCE
    expect(k.dmesg()[0]!.text).toMatch(/^WARNING: .*order 11 > MAX_PAGE_ORDER 10/);
    expect(k.alloc_pages("GFP_KERNEL|__GFP_NOWARN", 11)).toBeNull();
    expect(k.buddyinfo()).toBe(before);
  });

  it("an invalid zone-modifier combination is a typed error naming the modifiers", () => {
    const { k, before } = setup();
    expect(() => k.alloc_pages("__GFP_DMA|__GFP_HIGHMEM|GFP_KERNEL", 0)).toThrow(BadGfpZoneError);
    expect(() => k.alloc_pages("__GFP_DMA|__GFP_HIGHMEM|GFP_KERNEL", 0)).toThrow(/__GFP_DMA.*__GFP_HIGHMEM|__GFP_HIGHMEM.*__GFP_DMA/);
    expect(k.buddyinfo()).toBe(before);
  });

  it("a non-page argument and a CPU that is not online", () => {
    const { k } = setup();
    expect(() => k.__free_pages(null as unknown as Page, 0)).toThrow(PageApiArgumentError);
    expect(() => k.set_cpu(99)).toThrow(/cpu 99 is not online/);
  });
});

describe("page poisoning and CPUs", () => {
  it("freed pages are filled with PAGE_POISON (0xaa) under page poisoning", () => {
    const k = bootKernel({ machine: "tiny-16m", pagePoisoning: true });
    const addr = k.__get_free_page("GFP_KERNEL");
    k.write(addr, [1, 2, 3]);
    k.free_page(addr);
    expect(Array.from(k.read(addr, 3))).toEqual([PAGE_POISON, PAGE_POISON, PAGE_POISON]);
  });

  it("each CPU has its own per-cpu list: a page freed on CPU 1 is not reused by CPU 0 first", () => {
    const k = bootKernel({ machine: "pc-4g", cpus: 2 });
    k.set_cpu(1);
    const a = k.__get_free_page("GFP_KERNEL");
    k.free_page(a);
    expect(k.__get_free_page("GFP_KERNEL")).toBe(a); // CPU 1's hot list
    k.free_page(a);
    k.set_cpu(0);
    expect(k.smp_processor_id()).toBe(0);
    expect(k.__get_free_page("GFP_KERNEL")).not.toBe(a);
  });
});
