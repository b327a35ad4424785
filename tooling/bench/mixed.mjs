// buddy-mixed: a seeded sequence of allocations of orders 0..10 weighted as in real kmem traces
// (mostly order 0, some 1-3, a few 9-10) and frees of random live blocks. The sequence is generated
// once, independent of the allocator, so that the real allocator and the plain-object baseline run
// exactly the same operations.

/** mulberry32: the seeded generator the workload package uses too. */
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Order weights (per mille): order 0 80 %, orders 1-3 15 %, order 9 3 %, order 10 1 %, orders 4-8 1 %.
const WEIGHTS = [
  [0, 800],
  [1, 70],
  [2, 50],
  [3, 30],
  [4, 3],
  [5, 2],
  [6, 2],
  [7, 2],
  [8, 1],
  [9, 30],
  [10, 10],
];
const CUM = [];
{
  let c = 0;
  for (const [o, w] of WEIGHTS) CUM.push([o, (c += w)]);
}

/**
 * The operation sequence: `order[i] ≥ 0` allocates a block of that order, `order[i] = −1` frees the
 * live block at position `arg[i]` of the live list (swap-remove). The live set hovers around
 * `liveTarget` blocks (about 25 % of a 4 GiB zone with these weights).
 */
export function mixedSequence(ops, seed, liveTarget = 10_000) {
  const rnd = mulberry32(seed);
  const order = new Int8Array(ops);
  const arg = new Uint32Array(ops);
  let live = 0;
  for (let i = 0; i < ops; i++) {
    const pAlloc = live === 0 ? 1 : live < liveTarget ? 0.6 : 0.4;
    if (rnd() < pAlloc) {
      const x = rnd() * 1000;
      let o = 0;
      for (const [ord, c] of CUM) {
        if (x < c) {
          o = ord;
          break;
        }
      }
      order[i] = o;
      live++;
    } else {
      order[i] = -1;
      arg[i] = Math.floor(rnd() * live);
      live--;
    }
  }
  return { order, arg, ops };
}

/** Run the sequence on the buddy allocator of a booted kernel; returns elapsed ms. Live blocks are freed afterwards (untimed). */
export function runMixedBuddy(kernel, seq) {
  const a = kernel.buddy;
  const normal = a.zones.find((z) => z.spec.name === "Normal") ?? a.zones[a.zones.length - 1];
  const movable = { highestZoneIdx: normal.spec.zoneIdx, migratetype: a.facts.mt.MOVABLE };
  const unmovable = { highestZoneIdx: normal.spec.zoneIdx, migratetype: a.facts.mt.UNMOVABLE };
  const livePfn = new Float64Array(seq.ops);
  const liveOrder = new Int8Array(seq.ops);
  let live = 0;
  const { order, arg, ops } = seq;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const o = order[i];
    if (o >= 0) {
      livePfn[live] = a.allocPagesRequest(o >= 1 && o <= 3 ? unmovable : movable, o);
      liveOrder[live++] = o;
    } else {
      const j = arg[i];
      const pfn = livePfn[j];
      const po = liveOrder[j];
      live--;
      livePfn[j] = livePfn[live];
      liveOrder[j] = liveOrder[live];
      if (pfn >= 0) a.freePages(pfn, po);
    }
  }
  const ms = performance.now() - t0;
  for (let j = 0; j < live; j++) if (livePfn[j] >= 0) a.freePages(livePfn[j], liveOrder[j]);
  return ms;
}

/** The same sequence on the plain-object baseline; returns elapsed ms. */
export function runMixedBaseline(b, seq) {
  const livePfn = [];
  const liveOrder = [];
  const { order, arg, ops } = seq;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const o = order[i];
    if (o >= 0) {
      livePfn.push(b.alloc(o));
      liveOrder.push(o);
    } else {
      const j = arg[i];
      const pfn = livePfn[j];
      const po = liveOrder[j];
      livePfn[j] = livePfn[livePfn.length - 1];
      liveOrder[j] = liveOrder[liveOrder.length - 1];
      livePfn.pop();
      liveOrder.pop();
      if (pfn >= 0) b.free_(pfn, po);
    }
  }
  return performance.now() - t0;
}
