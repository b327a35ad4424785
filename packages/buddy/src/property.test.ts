import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootBuddy } from "./allocator";
import { renderBuddyinfo } from "./render";
import { zoneSpec } from "./test-helpers";

type Op =
  | { kind: "alloc"; order: number; mt: number; cpu: number; zone: number }
  | { kind: "free"; pick: number; cpu: number }
  | { kind: "drain"; cpu: number }
  | { kind: "isolate"; pfn: number }
  | { kind: "tick" };

const op = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("alloc" as const), order: fc.nat({ max: 10 }), mt: fc.nat({ max: 2 }), cpu: fc.nat({ max: 1 }), zone: fc.nat({ max: 1 }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat(), cpu: fc.nat({ max: 1 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("drain" as const), cpu: fc.nat({ max: 1 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("isolate" as const), pfn: fc.nat({ max: 10239 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("tick" as const) }), weight: 1 },
);

// Orders are biased towards small ones (as in real workloads) so that fallbacks and pcp lists get exercised.
const biased = (order: number) => (order > 6 ? order - 6 : order);

describe.each(["6.18", "6.12", "6.6", "5.15", "4.19", "4.4", "4.1", "3.10", "2.6.32", "2.6.24"])("random alloc/free sequences, %s", (version) => {
  it("keep every invariant, never hand out a page twice, and free back to the boot buddyinfo", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 150 }), (ops: Op[]) => {
        const a = bootBuddy(
          [
            zoneSpec({ name: "DMA32", zoneIdx: 1, startPfn: 0, spannedPages: 4096, managedPages: 4000, pcp: { batch: 7, high: 42, highMin: 21, highMax: 84 } }),
            zoneSpec({ name: "Normal", zoneIdx: 2, startPfn: 4096, spannedPages: 6144, pcp: { batch: 7, high: 42, highMin: 21, highMax: 84 } }),
          ],
          { version, cpus: 2, checkInvariants: true },
        );
        const boot = renderBuddyinfo(a);
        const live: { pfn: number; order: number }[] = [];
        const owner = new Map<number, number>();
        const movable = a.facts.mt.MOVABLE;
        for (const o of ops) {
          if (o.kind === "alloc") {
            const order = biased(o.order);
            const mt = o.mt === 1 ? movable : o.mt === 0 ? a.facts.mt.UNMOVABLE : a.facts.mt.RECLAIMABLE;
            const pfn = a.allocPagesRequest({ highestZoneIdx: o.zone + 1, migratetype: mt, cpu: o.cpu }, order);
            if (pfn < 0) continue;
            expect(pfn % 2 ** order).toBe(0);
            if (o.zone === 0) expect(pfn).toBeLessThan(4096);
            for (let p = pfn; p < pfn + 2 ** order; p++) {
              expect(owner.has(p)).toBe(false);
              owner.set(p, pfn);
            }
            live.push({ pfn, order });
          } else if (o.kind === "free") {
            if (live.length === 0) continue;
            const [b] = live.splice(o.pick % live.length, 1);
            a.freePages(b!.pfn, b!.order, { cpu: o.cpu });
            for (let p = b!.pfn; p < b!.pfn + 2 ** b!.order; p++) owner.delete(p);
          } else if (o.kind === "drain") {
            a.drainPages(o.cpu);
          } else if (o.kind === "tick") {
            a.vmstatUpdate();
          } else {
            // isolate the pageblock, or undo an earlier isolation of it
            const z = a.zoneOfPfn(o.pfn)!;
            if (!z.valid(o.pfn)) continue;
            if (z.pageblockMt(o.pfn) === a.facts.mt.ISOLATE) a.unisolatePageblock(o.pfn);
            else a.isolatePageblock(o.pfn);
          }
          // Pages are conserved: free + on pcp lists + allocated + reserved = present.
          for (const z of a.zones) {
            const pcp = z.pcpCount.reduce((s, c) => s + c, 0);
            let allocated = 0;
            for (const b of live) if (b.pfn >= z.startPfn && b.pfn < z.endPfn) allocated += 2 ** b.order;
            // 6.10+ does not count free pages of isolated pageblocks in NR_FREE_PAGES
            let isolatedFree = 0;
            if (a.facts.isolateNotCounted) for (let o = 0; o < a.nrOrders; o++) isolatedFree += z.listLen[o * z.nrTypes + a.facts.mt.ISOLATE]! * 2 ** o;
            expect(z.nrFreePages + isolatedFree + pcp + allocated + (z.spec.presentPages - z.spec.managedPages)).toBe(z.spec.presentPages);
          }
        }
        for (const b of live) a.freePages(b.pfn, b.order);
        a.drainPages();
        for (const z of a.zones) {
          for (let pfn = z.startPfn; pfn < z.endPfn; pfn += 2 ** a.pageblockOrder) {
            if (z.valid(pfn) && z.pageblockMt(pfn) === a.facts.mt.ISOLATE) a.unisolatePageblock(pfn);
          }
        }
        expect(renderBuddyinfo(a)).toBe(boot);
      }),
      { seed: 20261125, numRuns: 40 },
    );
  });
});
