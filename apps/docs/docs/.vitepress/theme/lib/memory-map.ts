// The memory map: per-pageblock statistics read from the allocator's typed arrays, and a renderer
// that turns them (or, zoomed in, every page) into RGBA pixels. Pure functions: benchmarked in Node.
import { type BuddyAllocator, PG_ALLOC, PG_BUDDY, PG_HOLE, PG_PCP, PG_RESERVED, type ZoneState } from "@pagealloc/buddy";

/** Page states of the zoomed-in map. */
export const PAGE_HOLE = 0;
export const PAGE_RESERVED = 1;
export const PAGE_FREE = 2;
export const PAGE_PCP = 3;
export const PAGE_ALLOC = 4;

/** Per-pageblock counts over pfn 0 .. maxPfn (struct of arrays). */
export interface BlockStats {
  readonly pageblockPages: number;
  readonly nrBlocks: number;
  /** Migratetype of each block (255 = no zone). */
  readonly mt: Uint8Array;
  /** Pages the allocator manages (free, on pcp lists or allocated). */
  readonly present: Uint32Array;
  /** Pages reserved at boot (PageReserved: never given to the allocator). */
  readonly reserved: Uint32Array;
  readonly free: Uint32Array;
  readonly pcp: Uint32Array;
  readonly freePages: number;
  readonly pcpPages: number;
  readonly allocPages: number;
}

/** Walk one zone's mem_map by block heads (free, pcp and allocated heads skip their whole block). */
function walkZone(z: ZoneState, visit: (pfn: number, len: number, state: number) => void, from = z.startPfn, to = z.endPfn): void {
  const start = Math.max(from, z.startPfn);
  const end = Math.min(to, z.endPfn);
  // A block may start before `from`: begin at the aligned position of the largest order and skip forward.
  const align = 2 ** (z.nrOrders - 1);
  let pfn = Math.max(z.startPfn, Math.floor(start / align) * align);
  const { flags } = z;
  while (pfn < end) {
    const i = pfn - z.startPfn;
    const f = flags[i]!;
    let len = 1;
    let state: number;
    if (f & PG_HOLE) state = PAGE_HOLE;
    else if (f & PG_RESERVED) state = PAGE_RESERVED;
    else if (f & PG_BUDDY) {
      state = PAGE_FREE;
      len = 2 ** z.order(i);
    } else if (f & PG_PCP) {
      state = PAGE_PCP;
      len = 2 ** z.order(i);
    } else if (f & PG_ALLOC) {
      state = PAGE_ALLOC;
      len = 2 ** z.order(i);
    } else state = PAGE_ALLOC; // tail of an allocated block whose head lies before `from`
    const a = Math.max(pfn, start);
    const b = Math.min(pfn + len, end);
    if (b > a) visit(a, b - a, state);
    pfn += len;
  }
}

/** Per-pageblock statistics of the whole machine. Cost: one step per block head, not per page. */
export function blockStats(b: BuddyAllocator, maxPfn: number): BlockStats {
  const pb = 2 ** b.pageblockOrder;
  const nrBlocks = Math.ceil(maxPfn / pb);
  const mt = new Uint8Array(nrBlocks).fill(255);
  const present = new Uint32Array(nrBlocks);
  const reserved = new Uint32Array(nrBlocks);
  const free = new Uint32Array(nrBlocks);
  const pcp = new Uint32Array(nrBlocks);
  let freePages = 0;
  let pcpPages = 0;
  let allocPages = 0;
  for (const z of b.zones) {
    if (z.spanned === 0) continue;
    const first = Math.floor(z.startPfn / pb);
    for (let j = 0; j < z.blockMt.length; j++) mt[first + j] = z.blockMt[j]!;
    walkZone(z, (pfn, len, state) => {
      if (state === PAGE_HOLE) return;
      if (state === PAGE_RESERVED) {
        reserved[Math.floor(pfn / pb)]! += len; // reserved runs are single pages
        return;
      }
      // A run can cross pageblocks (free blocks above pageblock_order): split it.
      let p = pfn;
      const end = pfn + len;
      while (p < end) {
        const blk = Math.floor(p / pb);
        const stop = Math.min(end, (blk + 1) * pb);
        const n = stop - p;
        present[blk]! += n;
        if (state === PAGE_FREE) free[blk]! += n;
        else if (state === PAGE_PCP) pcp[blk]! += n;
        p = stop;
      }
      if (state === PAGE_FREE) freePages += len;
      else if (state === PAGE_PCP) pcpPages += len;
      else allocPages += len;
    });
  }
  return { pageblockPages: pb, nrBlocks, mt, present, reserved, free, pcp, freePages, pcpPages, allocPages };
}

/** States of every page in [from, to): Uint8Array of PAGE_* (holes where no zone spans). */
export function pageStates(b: BuddyAllocator, from: number, to: number): { state: Uint8Array; mt: Uint8Array } {
  const state = new Uint8Array(to - from);
  const mt = new Uint8Array(to - from).fill(255);
  const pb = 2 ** b.pageblockOrder;
  for (const z of b.zones) {
    if (z.spanned === 0 || z.endPfn <= from || z.startPfn >= to) continue;
    walkZone(z, (pfn, len, s) => state.fill(s, pfn - from, pfn - from + len), from, to);
    for (let p = Math.max(from, z.startPfn); p < Math.min(to, z.endPfn); p += pb - (p % pb)) {
      const m = z.pageblockMt(p);
      mt.fill(m, p - from, Math.min(to, p - (p % pb) + pb, z.endPfn) - from);
    }
  }
  return { state, mt };
}

/** Colours (RGB) per migratetype name: allocated colour; the free colour is a pale tint of it. */
const MT_COLOURS: Record<string, [number, number, number]> = {
  Unmovable: [200, 60, 60],
  Movable: [40, 150, 80],
  Reclaimable: [60, 100, 210],
  HighAtomic: [150, 70, 190],
  Reserve: [230, 140, 30],
  CMA: [0, 160, 170],
  Isolate: [120, 120, 120],
};
const HOLE: [number, number, number] = [34, 34, 40];
const RESERVED: [number, number, number] = [95, 95, 105];
const PCP: [number, number, number] = [240, 200, 40];

export function mtColour(name: string): [number, number, number] {
  return MT_COLOURS[name] ?? [128, 128, 128];
}

function pale(c: readonly number[]): [number, number, number] {
  return [Math.round(c[0]! + (255 - c[0]!) * 0.78), Math.round(c[1]! + (255 - c[1]!) * 0.78), Math.round(c[2]! + (255 - c[2]!) * 0.78)];
}

function rgba(c: readonly number[]): number {
  // ImageData is RGBA bytes; a little-endian Uint32 view holds ABGR.
  return (255 << 24) | (c[2]! << 16) | (c[1]! << 8) | c[0]!;
}

/** How units (pageblocks or pages) are laid out on the canvas. */
export interface MapLayout {
  readonly width: number;
  readonly height: number;
  /** Side of one unit's square in pixels (≥ 1), or 1 when several units share a pixel. */
  readonly cell: number;
  readonly cols: number;
  /** Units per pixel (1 unless there are more units than pixels). */
  readonly perPixel: number;
  readonly units: number;
}

/** Fit `units` squares into a canvas `width` wide and at most `maxHeight` high. */
export function layoutMap(units: number, width: number, maxHeight: number): MapLayout {
  const pixels = width * maxHeight;
  if (units > pixels) {
    const perPixel = Math.ceil(units / pixels);
    const cells = Math.ceil(units / perPixel);
    return { width, height: Math.ceil(cells / width), cell: 1, cols: width, perPixel, units };
  }
  let cell = Math.max(1, Math.floor(Math.sqrt(pixels / Math.max(1, units))));
  cell = Math.min(cell, 24);
  let cols = Math.floor(width / cell);
  while (cell > 1 && Math.ceil(units / cols) * cell > maxHeight) {
    cell--;
    cols = Math.floor(width / cell);
  }
  return { width: cols * cell, height: Math.max(1, Math.ceil(units / cols) * cell), cell, cols, perPixel: 1, units };
}

function fillCell(px: Uint32Array, width: number, l: MapLayout, u: number, colour: number): void {
  const cx = (u % l.cols) * l.cell;
  const cy = Math.floor(u / l.cols) * l.cell;
  // 1-pixel gaps between cells of ≥ 4 px keep blocks distinguishable.
  const side = l.cell >= 4 ? l.cell - 1 : l.cell;
  for (let y = 0; y < side; y++) px.fill(colour, (cy + y) * width + cx, (cy + y) * width + cx + side);
}

/**
 * Render per-block statistics: each block coloured by its migratetype, from pale (all free) to saturated
 * (all allocated); pcp pages pull it towards yellow; holes dark. With more blocks than pixels, a pixel shows
 * the sum of its blocks (majority migratetype).
 */
export function renderBlocks(s: BlockStats, names: readonly string[], l: MapLayout, px: Uint32Array): void {
  px.fill(rgba([255, 255, 255]));
  const full = names.map(mtColour);
  const light = full.map(pale);
  const votes = new Float64Array(Math.max(8, names.length));
  const cells = Math.ceil(l.units / l.perPixel);
  for (let c = 0; c < cells; c++) {
    let present = 0;
    let reserved = 0;
    let free = 0;
    let pcp = 0;
    let best = 255;
    const first = c * l.perPixel;
    const last = Math.min(l.units, first + l.perPixel);
    if (l.perPixel === 1) {
      present = s.present[first]!;
      reserved = s.reserved[first]!;
      free = s.free[first]!;
      pcp = s.pcp[first]!;
      best = s.mt[first]!;
    } else {
      votes.fill(0);
      for (let u = first; u < last; u++) {
        present += s.present[u]!;
        reserved += s.reserved[u]!;
        free += s.free[u]!;
        pcp += s.pcp[u]!;
        if (s.mt[u]! !== 255) votes[s.mt[u]!]! += s.present[u]!;
      }
      let most = 0;
      for (let m = 0; m < votes.length; m++) if (votes[m]! > most) (most = votes[m]!), (best = m);
    }
    let colour: readonly number[];
    if (present === 0) colour = reserved > 0 ? RESERVED : HOLE;
    else {
      const f = full[best] ?? [128, 128, 128];
      const p = light[best] ?? [220, 220, 220];
      const allocFrac = (present - free - pcp) / present;
      const pcpFrac = pcp / present;
      colour = [0, 1, 2].map((k) => Math.round(p[k]! + (f[k]! - p[k]!) * allocFrac + (PCP[k]! - p[k]!) * pcpFrac));
    }
    fillCell(px, l.width, l, c, rgba(colour));
  }
}

/** Render every page of a region (zoomed in): free pages pale, allocated saturated, pcp yellow, reserved grey. */
export function renderPages(states: Uint8Array, mts: Uint8Array, names: readonly string[], l: MapLayout, px: Uint32Array): void {
  px.fill(rgba([255, 255, 255]));
  const full = names.map((n) => rgba(mtColour(n)));
  const light = names.map((n) => rgba(pale(mtColour(n))));
  const hole = rgba(HOLE);
  const reserved = rgba(RESERVED);
  const pcp = rgba(PCP);
  for (let u = 0; u < states.length; u++) {
    const s = states[u]!;
    const m = mts[u]!;
    const c = s === PAGE_HOLE ? hole : s === PAGE_RESERVED ? reserved : s === PAGE_PCP ? pcp : s === PAGE_FREE ? (light[m] ?? hole) : (full[m] ?? hole);
    fillCell(px, l.width, l, u, c);
  }
}
