import { PageallocError } from "./errors";
import type { Machine, PfnRange } from "./machine";

/** PAGE_POISON (include/linux/poison.h): the byte freed pages are filled with under page poisoning. */
export const PAGE_POISON = 0xaa;

/** An access outside the physical memory a {@link FrameStore} models. */
export class PhysAddressError extends PageallocError {
  /** The first offending physical address. */
  readonly address: bigint;
  constructor(address: bigint, reason: string) {
    super("BAD_PHYS_ADDR", reason, `phys 0x${address.toString(16)}`);
    this.address = address;
  }
}

/**
 * What an untouched frame reads as. `"garbage"` (default): a deterministic pseudo-random pattern
 * derived from the pfn and offset only ({@link initialFrameByte}), so reading memory nobody wrote
 * (an allocation without __GFP_ZERO) shows recognisable, reproducible junk. `"zero"`: zeros.
 */
export type InitialContent = "garbage" | "zero";

/** Options of {@link FrameStore}. */
export interface FrameStoreOptions {
  /** Content of frames never written. Default `"garbage"`. */
  initial?: InitialContent;
  /** The RAM: only pfns inside these ranges may be accessed (default: every pfn below `maxPfn`). */
  ranges?: readonly PfnRange[];
  /** First pfn that cannot be accessed when `ranges` is not given (default 2^40). */
  maxPfn?: number;
}

/**
 * The byte at `offset` of a never-written frame `pfn` in a `"garbage"` store: a 32-bit mix
 * (multiply-xorshift, the "lowbias32" finalizer) of `pfn * 0x9e3779b1 + (offset >> 2)`, taking
 * byte `offset & 3` of the result (little-endian). Pure, so the junk is the same in every run.
 *
 * @example
 * ```ts
 * import { initialFrameByte } from "@pagealloc/physmem";
 * console.log(initialFrameByte(5, 0) === initialFrameByte(5, 0), initialFrameByte(5, 0) !== initialFrameByte(6, 0)); // => true true
 * ```
 */
export function initialFrameByte(pfn: number, offset: number): number {
  return (initialWord(pfn, offset >>> 2) >>> ((offset & 3) * 8)) & 0xff;
}

function initialWord(pfn: number, word: number): number {
  let x = (Math.imul(pfn | 0, 0x9e3779b1) + Math.imul((pfn / 0x100000000) | 0, 0x85ebca6b) + word) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Byte-addressable contents of physical page frames, stored sparsely: a frame costs host memory
 * only once part of it is written (a whole-page fill such as {@link FrameStore.zeroPage} costs one
 * number). Untouched frames read as their initial content (see {@link InitialContent}).
 *
 * @example
 * ```ts
 * import { FrameStore, PAGE_POISON } from "@pagealloc/physmem";
 * const mem = new FrameStore(4096, { initial: "zero" });
 * mem.write(0x1ffen, [1, 2, 3, 4]); // crosses from pfn 1 into pfn 2
 * console.log(Array.from(mem.read(0x1ffe, 4)).join(",")); // => 1,2,3,4
 * mem.poisonPage(7);
 * console.log(mem.readPage(7)[100] === PAGE_POISON, mem.touchedFrames); // => true 3
 * ```
 */
export class FrameStore {
  readonly pageSize: number;
  readonly initial: InitialContent;
  private readonly pageShift: number;
  private readonly frames = new Map<number, Uint8Array | number>();
  private readonly ranges: readonly PfnRange[] | null;
  private readonly maxPfn: number;

  /**
   * @param pageSize - PAGE_SIZE, a power of two (4096 on x86)
   * @param options - initial content and the accessible pfns
   * @throws {PageallocError} (code `INVALID_ARGUMENT`) for a page size that is not a power of two
   */
  constructor(pageSize: number, options: FrameStoreOptions = {}) {
    if (!Number.isInteger(pageSize) || pageSize < 512 || pageSize > 1 << 20 || (pageSize & (pageSize - 1)) !== 0) {
      throw new PageallocError("INVALID_ARGUMENT", `page size must be a power of two between 512 and 1 MiB, got ${pageSize}`, "pageSize");
    }
    this.pageSize = pageSize;
    this.pageShift = Math.log2(pageSize);
    this.initial = options.initial ?? "garbage";
    this.ranges = options.ranges ? [...options.ranges].sort((a, b) => a.startPfn - b.startPfn) : null;
    this.maxPfn = options.maxPfn ?? 2 ** 40;
  }

  /**
   * A store covering exactly the RAM of a machine (holes are out of range).
   *
   * @example
   * ```ts
   * import { FrameStore, getPreset } from "@pagealloc/physmem";
   * const mem = FrameStore.forMachine(getPreset("pc-4g"));
   * let err;
   * try { mem.read(0xa0000n, 1); } catch (e) { err = e; }
   * console.log(err.code, err.location); // => BAD_PHYS_ADDR phys 0xa0000
   * ```
   */
  static forMachine(machine: Machine, initial: InitialContent = "garbage"): FrameStore {
    return new FrameStore(machine.pageSize, { initial, ranges: machine.nodes.flatMap((n) => n.ranges) });
  }

  /** Number of frames that hold written content (host memory in use is about this × pageSize). */
  get touchedFrames(): number {
    return this.frames.size;
  }

  /** True when `pfn` may be accessed. */
  isValidPfn(pfn: number): boolean {
    if (!Number.isSafeInteger(pfn) || pfn < 0) return false;
    if (!this.ranges) return pfn < this.maxPfn;
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid];
      if (pfn < r.startPfn) hi = mid - 1;
      else if (pfn >= r.endPfn) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Read `len` bytes at physical address `phys` (a copy). */
  read(phys: bigint | number, len: number): Uint8Array {
    const out = new Uint8Array(this.checkLength(len));
    this.walk(phys, len, (pfn, offset, count, done) => {
      const f = this.frames.get(pfn);
      if (f === undefined) this.initialInto(out, done, pfn, offset, count);
      else if (typeof f === "number") out.fill(f, done, done + count);
      else out.set(f.subarray(offset, offset + count), done);
    });
    return out;
  }

  /** Write `bytes` at physical address `phys`. */
  write(phys: bigint | number, bytes: Uint8Array | readonly number[]): void {
    const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    this.walk(phys, data.length, (pfn, offset, count, done) => {
      this.frameForWrite(pfn).set(data.subarray(done, done + count), offset);
    });
  }

  /** Set `len` bytes at `phys` to `byte` (memset). */
  fill(phys: bigint | number, len: number, byte: number): void {
    const b = this.checkByte(byte);
    this.walk(phys, len, (pfn, offset, count) => {
      if (offset === 0 && count === this.pageSize) this.frames.set(pfn, b);
      else this.frameForWrite(pfn).fill(b, offset, offset + count);
    });
  }

  /** Copy `len` bytes from `src` to `dst` (memmove: overlapping ranges are fine). */
  copy(dst: bigint | number, src: bigint | number, len: number): void {
    this.walk(dst, len, () => undefined); // validate the destination before changing anything
    this.write(dst, this.read(src, len));
  }

  /** Fill frame `pfn` with zeros (clear_page). */
  // kernel: include/linux/highmem.h clear_highpage()
  zeroPage(pfn: number): void {
    this.fill(this.pfnAddress(pfn), this.pageSize, 0);
  }

  /** Fill frame `pfn` with {@link PAGE_POISON}. */
  // kernel: mm/page_poison.c poison_page()
  poisonPage(pfn: number): void {
    this.fill(this.pfnAddress(pfn), this.pageSize, PAGE_POISON);
  }

  /** The contents of frame `pfn` (a copy of pageSize bytes). */
  readPage(pfn: number): Uint8Array {
    return this.read(this.pfnAddress(pfn), this.pageSize);
  }

  /** Forget what was written to frame `pfn`: it reads as its initial content again and costs nothing. */
  discardPage(pfn: number): void {
    this.pfnAddress(pfn);
    this.frames.delete(pfn);
  }

  private pfnAddress(pfn: number): bigint {
    if (!Number.isSafeInteger(pfn) || pfn < 0) throw new PageallocError("INVALID_ARGUMENT", `pfn must be a non-negative integer, got ${pfn}`, "pfn");
    const addr = BigInt(pfn) << BigInt(this.pageShift);
    if (!this.isValidPfn(pfn)) throw new PhysAddressError(addr, `pfn ${pfn} is not RAM in this frame store`);
    return addr;
  }

  private checkLength(len: number): number {
    if (!Number.isSafeInteger(len) || len < 0) throw new PageallocError("INVALID_ARGUMENT", `length must be a non-negative integer, got ${len}`, "len");
    return len;
  }

  private checkByte(byte: number): number {
    if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new PageallocError("INVALID_ARGUMENT", `byte must be 0..255, got ${byte}`, "byte");
    return byte;
  }

  /** Check the whole access first (so a bad access changes nothing), then visit it page by page. */
  private walk(phys: bigint | number, len: number, visit: (pfn: number, offset: number, count: number, done: number) => void): void {
    this.checkLength(len);
    let addr: bigint;
    if (typeof phys === "bigint") addr = phys;
    else if (Number.isSafeInteger(phys)) addr = BigInt(phys);
    else throw new PageallocError("INVALID_ARGUMENT", `physical address must be an integer, got ${phys}`, "phys");
    if (addr < 0n) throw new PhysAddressError(addr, "negative physical address");
    const shift = BigInt(this.pageShift);
    const first = addr >> shift;
    const last = (addr + BigInt(Math.max(len, 1)) - 1n) >> shift;
    for (let p = first; p <= last; p++) {
      if (p > BigInt(Number.MAX_SAFE_INTEGER) || !this.isValidPfn(Number(p))) {
        const bad = p === first ? addr : p << shift;
        throw new PhysAddressError(bad, `physical address 0x${bad.toString(16)} is not RAM in this frame store`);
      }
    }
    let done = 0;
    let pfn = Number(first);
    let offset = Number(addr - (first << shift));
    while (done < len) {
      const count = Math.min(this.pageSize - offset, len - done);
      visit(pfn, offset, count, done);
      done += count;
      pfn++;
      offset = 0;
    }
  }

  private frameForWrite(pfn: number): Uint8Array {
    const f = this.frames.get(pfn);
    if (f instanceof Uint8Array) return f;
    const page = new Uint8Array(this.pageSize);
    if (typeof f === "number") page.fill(f);
    else this.initialInto(page, 0, pfn, 0, this.pageSize);
    this.frames.set(pfn, page);
    return page;
  }

  private initialInto(out: Uint8Array, at: number, pfn: number, offset: number, count: number): void {
    if (this.initial === "zero") {
      out.fill(0, at, at + count);
      return;
    }
    let word = 0;
    for (let i = 0; i < count; i++) {
      const byte = offset + i;
      if (i === 0 || (byte & 3) === 0) word = initialWord(pfn, byte >>> 2);
      out[at + i] = (word >>> ((byte & 3) * 8)) & 0xff;
    }
  }
}
