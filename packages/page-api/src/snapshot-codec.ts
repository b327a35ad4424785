// The blob compression of snapshot format version 2: run-length coding of a typed array's elements.
//
// Per-page arrays are long runs of one value (free pages carry the same flags, refcount 0, no links), so a run of
// identical elements becomes one token. The stream is a sequence of tokens, each a LEB128 header h (at most 5
// bytes, h < 2^32) and its data; width w is the element size of the blob's type (1, 2, 4 or 8 bytes):
//
//   h even: a literal run of h / 2 elements, followed by their h / 2 × w bytes;
//   h odd:  a repeat run of (h − 1) / 2 elements, followed by the one element's w bytes.
//
// A count is at least 1 and the decoded bytes are exactly the size the blob reference declares.
//
// Arrays of links, pfns and slot numbers count up (next = pfn + 1, pfns of consecutive blocks): they are first
// delta coded (each element minus the one before, in the array's own arithmetic), which turns such a progression
// into one run; the blob reference says so with `"d": 1`. The decoder reads
// the stream twice: first to check every token (bounds, counts, the declared size) without writing, then to
// write into an array of the declared size; both passes are linear in the stream and the output. Pure
// TypeScript, synchronous, browser-safe and deterministic (the same array always gives the same bytes).

/** Element counts per token stay below this (so that 2 × count + 1 fits the header's 32 bits). */
const MAX_COUNT = 2 ** 31 - 1;

/** Called with the reason and the byte offset (in the file) of a bad token; must throw. */
export type CorruptHandler = (reason: string, at: number) => never;

class ByteSink {
  buf: Uint8Array;
  len = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  header(h: number): void {
    this.reserve(5);
    while (h >= 0x80) {
      this.buf[this.len++] = (h % 0x80) | 0x80;
      h = Math.floor(h / 0x80);
    }
    this.buf[this.len++] = h;
  }
  bytes(src: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    this.buf.set(src.subarray(from, to), this.len);
    this.len += to - from;
  }
}

/** The element lanes of a byte view: one u8, u16 or u32 per element, or two u32 for 8-byte elements. */
function lanes(bytes: Uint8Array, width: number): { view: Uint8Array | Uint16Array | Uint32Array; k: number } {
  const aligned = bytes.byteOffset % Math.min(width, 4) === 0;
  const src = aligned ? bytes : bytes.slice();
  if (width === 1) return { view: src, k: 1 };
  if (width === 2) return { view: new Uint16Array(src.buffer, src.byteOffset, src.length / 2), k: 1 };
  return { view: new Uint32Array(src.buffer, src.byteOffset, src.length / 4), k: width / 4 };
}

/**
 * Run-length code the bytes of a typed array, element by element.
 *
 * @param bytes - the array's bytes (a multiple of `width` long)
 * @param width - the element size: 1, 2, 4 or 8
 * @returns the token stream
 */
export function rleEncode(bytes: Uint8Array, width: number): Uint8Array {
  const n = bytes.length / width;
  const { view, k } = lanes(bytes, width);
  const out = new ByteSink(Math.min(bytes.length, 1 << 16));
  // a repeat token costs a header and one element: worth it from 2 elements of 4 or 8 bytes, from 4 of 1 or 2
  const minRun = width >= 4 ? 2 : 4;
  const literal = (from: number, to: number) => {
    for (let s = from; s < to; s += MAX_COUNT) {
      const e = Math.min(to, s + MAX_COUNT);
      out.header((e - s) * 2);
      out.bytes(bytes, s * width, e * width);
    }
  };
  let litStart = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    if (k === 1) {
      const v = view[i];
      while (j < n && view[j] === v) j++;
    } else {
      const a = view[2 * i];
      const b = view[2 * i + 1];
      while (j < n && view[2 * j] === a && view[2 * j + 1] === b) j++;
    }
    if (j - i >= minRun) {
      literal(litStart, i);
      for (let s = i; s < j; s += MAX_COUNT) {
        out.header(Math.min(j - s, MAX_COUNT) * 2 + 1);
        out.bytes(bytes, i * width, (i + 1) * width);
      }
      litStart = j;
    }
    i = j;
  }
  literal(litStart, n);
  return out.buf.slice(0, out.len);
}

/** Read one LEB128 header at `at`; returns [value, next offset] or fails. */
function readHeader(input: Uint8Array, at: number, base: number, corrupt: CorruptHandler): [number, number] {
  let h = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at + i >= input.length) corrupt("a token header runs past the end of its blob", base + input.length);
    const b = input[at + i]!;
    h += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (h >= 2 ** 32) corrupt(`a token header is ${h}, more than 32 bits`, base + at);
      return [h, at + i + 1];
    }
    scale *= 0x80;
  }
  return corrupt("a token header is longer than 5 bytes", base + at);
}

/**
 * Check a token stream without decoding it: every header, count and data range, and that it decodes to exactly
 * `size` bytes. Linear in the stream; allocates nothing.
 *
 * @param input - the token stream
 * @param width - the element size: 1, 2, 4 or 8
 * @param size - the declared decoded size in bytes
 * @param base - the file offset of `input`, for error locations
 * @param corrupt - throws the caller's error for a bad stream, with the file offset of the bad token
 */
export function rleCheck(input: Uint8Array, width: number, size: number, base: number, corrupt: CorruptHandler): void {
  let total = 0;
  let at = 0;
  while (at < input.length) {
    const start = at;
    const [h, next] = readHeader(input, at, base, corrupt);
    const count = Math.floor(h / 2);
    if (count === 0) corrupt("a token with an element count of 0", base + start);
    const data = h % 2 === 1 ? width : count * width;
    if (next + data > input.length) corrupt(`a token's ${data} data bytes run past the end of its blob`, base + start);
    total += count * width;
    if (total > size) corrupt(`the tokens decode to more than the declared ${size} bytes`, base + start);
    at = next + data;
  }
  if (total !== size) corrupt(`the tokens decode to ${total} bytes, the blob declares ${size}`, base + input.length);
}

/**
 * Decode a token stream from {@link rleEncode} into exactly `size` bytes. The stream is checked completely
 * ({@link rleCheck}) before anything is allocated; time is linear in the stream and `size`.
 *
 * @param input - the token stream
 * @param width - the element size: 1, 2, 4 or 8
 * @param size - the declared decoded size in bytes (a multiple of `width`)
 * @param base - the file offset of `input`, for error locations
 * @param corrupt - throws the caller's error for a bad stream, with the file offset of the bad token
 * @returns the decoded bytes (a new array of `size` bytes)
 */
export function rleDecode(input: Uint8Array, width: number, size: number, base: number, corrupt: CorruptHandler): Uint8Array<ArrayBuffer> {
  rleCheck(input, width, size, base, corrupt);
  const out = new Uint8Array(size);
  let o = 0;
  let at = 0;
  while (at < input.length) {
    const [h, next] = readHeader(input, at, base, corrupt);
    const count = Math.floor(h / 2);
    if (h % 2 === 0) {
      out.set(input.subarray(next, next + count * width), o);
      o += count * width;
      at = next + count * width;
    } else {
      const end = o + count * width;
      if (width === 1) out.fill(input[next]!, o, end);
      else {
        out.set(input.subarray(next, next + width), o);
        // double the filled part until the run is complete: log2(count) copies
        for (let done = width; o + done < end; done *= 2) out.copyWithin(o + done, o, Math.min(o + done * 2, end) - done);
      }
      o = end;
      at = next + width;
    }
  }
  return out;
}

/** The array types the snapshot stores. */
export type CodedArray = Int32Array | Uint8Array | Float64Array;

/** Changes between neighbours in a[from, to): of the values (raw) and of their differences (delta). */
function changes(a: CodedArray, from: number, to: number, counts: { raw: number; delta: number }): void {
  if (a instanceof Int32Array) {
    let prev = (a[from + 1]! - a[from]!) | 0;
    for (let i = from + 2; i < to; i++) {
      const d = (a[i]! - a[i - 1]!) | 0;
      if (d !== 0) counts.raw++;
      if (d !== prev) counts.delta++;
      prev = d;
    }
  } else if (a instanceof Uint8Array) {
    let prev = (a[from + 1]! - a[from]!) & 0xff;
    for (let i = from + 2; i < to; i++) {
      const d = (a[i]! - a[i - 1]!) & 0xff;
      if (d !== 0) counts.raw++;
      if (d !== prev) counts.delta++;
      prev = d;
    }
  } else {
    let prev = a[from + 1]! - a[from]!;
    for (let i = from + 2; i < to; i++) {
      const d = a[i]! - a[i - 1]!;
      if (d !== 0) counts.raw++;
      if (d !== prev) counts.delta++;
      prev = d;
    }
  }
}

/**
 * Would delta coding make the array more repetitive (fewer places where an element differs from the one before),
 * and is it exact? Float64 arrays qualify only when every element and every difference is a safe integer (pfns),
 * not −0. One pass over the array (a sample misjudges arrays whose parts differ, such as mem_map links followed by
 * the free-list heads).
 *
 * @param a - the array
 * @returns true to delta code it
 */
export function deltaHelps(a: CodedArray): boolean {
  const n = a.length;
  if (n < 3) return false;
  const counts = { raw: 0, delta: 0 };
  changes(a, 0, n, counts);
  if (counts.delta >= counts.raw) return false;
  if (a instanceof Float64Array) {
    for (let i = 0; i < n; i++) if (!Number.isSafeInteger(a[i]) || Object.is(a[i], -0) || (i > 0 && !Number.isSafeInteger(a[i]! - a[i - 1]!))) return false;
  }
  return true;
}

/**
 * Delta code an array: element 0 as is, then each element minus the one before (modulo 2^8 or 2^32 for the integer
 * types; exact for Float64 arrays {@link deltaHelps} accepted).
 *
 * @param a - the array
 * @returns a new array of the same type
 */
export function deltaEncode<T extends CodedArray>(a: T): T {
  const out = a.slice() as T;
  if (a instanceof Int32Array) for (let i = a.length - 1; i > 0; i--) out[i] = (a[i]! - a[i - 1]!) | 0;
  else for (let i = a.length - 1; i > 0; i--) out[i] = a[i]! - a[i - 1]!; // Uint8Array wraps by itself
  return out;
}

/**
 * Undo {@link deltaEncode}, in place (prefix sums in the array's own arithmetic).
 *
 * @param a - the delta coded array
 */
export function deltaDecode(a: CodedArray): void {
  for (let i = 1; i < a.length; i++) a[i] = a[i - 1]! + a[i]!; // Int32/Uint8 wrap on store; Float64 sums are exact (safe integers)
}
