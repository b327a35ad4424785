// A copy of a booted kernel's mutable state, to go back in the history without booting again.
// Generic over the object graph (typed arrays, Maps, Sets, arrays, objects), so that it needs no
// knowledge of each layer's private fields; frozen objects (version tables) are immutable and skipped.

type Snap =
  | { readonly t: "same" }
  | { readonly t: "typed"; readonly v: ArrayBufferView & { slice(): ArrayBufferView } }
  | { readonly t: "map"; readonly v: [unknown, Snap][] }
  | { readonly t: "set"; readonly v: unknown[] }
  | { readonly t: "array"; readonly v: Snap[] }
  | { readonly t: "object"; readonly v: Record<string, Snap> }
  | { readonly t: "value"; readonly v: unknown };

/** The saved state of `root` and everything it references (shared references are saved once). */
export interface StateSnapshot {
  readonly root: Snap;
  /** Bytes held by the copied typed arrays. */
  readonly bytes: number;
}

function isTyped(x: unknown): x is ArrayBufferView & { slice(): ArrayBufferView; set(a: ArrayLike<number>): void; length: number } {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** Save the state of an object graph. */
export function snapshotState(root: object): StateSnapshot {
  const seen = new Set<object>();
  let bytes = 0;
  const save = (x: unknown): Snap => {
    if (x === null || typeof x !== "object") return { t: "value", v: x };
    if (seen.has(x) || Object.isFrozen(x)) return { t: "same" };
    seen.add(x);
    if (isTyped(x)) {
      bytes += x.byteLength;
      return { t: "typed", v: x.slice() as never };
    }
    if (x instanceof Map) return { t: "map", v: [...x].map(([k, v]) => [k, save(v)]) };
    if (x instanceof Set) return { t: "set", v: [...x] };
    if (Array.isArray(x)) return { t: "array", v: x.map(save) };
    const v: Record<string, Snap> = {};
    for (const key of Object.keys(x)) {
      const val = (x as Record<string, unknown>)[key];
      if (typeof val !== "function") v[key] = save(val);
    }
    return { t: "object", v };
  };
  const snap = save(root);
  return { root: snap, bytes };
}

/** Put an object graph back into the state saved by {@link snapshotState} (same objects, same typed arrays). */
export function restoreState(root: object, snapshot: StateSnapshot): void {
  const done = new Set<object>();
  const restoreInto = (x: unknown, s: Snap): unknown => {
    if (s.t === "value") return s.v;
    if (s.t === "same" || x === null || typeof x !== "object" || done.has(x)) return x;
    done.add(x);
    if (s.t === "typed") (x as { set(a: ArrayBufferView): void }).set(s.v);
    else if (s.t === "map") {
      const m = x as Map<unknown, unknown>;
      const old = new Map(m);
      m.clear();
      for (const [k, v] of s.v) m.set(k, v.t === "value" ? v.v : restoreInto(old.get(k), v) ?? rebuild(v));
    } else if (s.t === "set") {
      const set = x as Set<unknown>;
      set.clear();
      for (const v of s.v) set.add(v);
    } else if (s.t === "array") {
      const a = x as unknown[];
      const old = a.slice();
      a.length = s.v.length;
      for (let i = 0; i < s.v.length; i++) a[i] = old[i] !== undefined ? restoreInto(old[i], s.v[i]!) : rebuild(s.v[i]!);
    } else {
      const o = x as Record<string, unknown>;
      for (const [k, v] of Object.entries(s.v)) {
        const cur = o[k];
        o[k] = v.t === "value" ? v.v : cur !== undefined && cur !== null ? restoreInto(cur, v) : rebuild(v);
      }
    }
    return x;
  };
  restoreInto(root, snapshot.root);
}

/** A fresh value for a snapshot whose original object is gone (e.g. an array element that was removed). */
function rebuild(s: Snap): unknown {
  switch (s.t) {
    case "value":
      return s.v;
    case "typed":
      return s.v.slice();
    case "map":
      return new Map(s.v.map(([k, v]) => [k, rebuild(v)]));
    case "set":
      return new Set(s.v);
    case "array":
      return s.v.map(rebuild);
    case "object":
      return Object.fromEntries(Object.entries(s.v).map(([k, v]) => [k, rebuild(v)]));
    case "same":
      return undefined;
  }
}
