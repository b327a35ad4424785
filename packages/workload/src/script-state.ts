import { PageallocError } from "@pagealloc/physmem";

// Both exist in every JavaScript host (browsers, Node, workers); the library compiles without DOM or Node types.
declare const TextEncoder: { new (): { encode(text: string): Uint8Array } };
declare const TextDecoder: { new (label: string, options: { fatal: boolean }): { decode(bytes: Uint8Array): string } };

/** One named allocation of a script run, as plain data. */
export interface ScriptStateAllocation {
  readonly name: string;
  /** Each attempt of `alloc NAME` in order (`NAME[i]` is the i-th): `[pfn, order]` while live, `null` once failed or freed. */
  readonly blocks: readonly (readonly [pfn: number, order: number] | null)[];
  /** Failed attempts (`expect failures`). */
  readonly failed: number;
  /** Outcome of the last `alloc NAME` line (`expect alloc`): true ok, false fail, null partial. */
  readonly lastOk: boolean | null;
  /** A `reclaimable NAME` line ran. */
  readonly reclaimable: boolean;
  /** Blocks reclaim freed (`expect evicted`). */
  readonly evicted: number;
}

/**
 * What a script run keeps between statements, so that a later run continues it exactly (`runScript(k, script,
 * { resume })`), also after a snapshot: the state of the `random(...)` generator, the named allocations, and the
 * owner ids handed to the reclaim model (owner id i is `owners[i]`: allocation name and block index).
 */
export interface ScriptState {
  /** The generator's state (`Prng.state()` of `@pagealloc/physmem`). */
  readonly prng: number;
  /** Named allocations in the order they were first made. */
  readonly allocations: readonly ScriptStateAllocation[];
  /** The blocks marked for the reclaim model, by owner id. */
  readonly owners: readonly (readonly [name: string, index: number])[];
}

/** A saved script state that cannot be read: not JSON, wrong format or version, or a field out of range. */
export class ScriptStateError extends PageallocError {
  constructor(reason: string, location?: string) {
    super("SCRIPT_STATE_INVALID", reason, location);
  }
}

/** `format` of the encoded state, and the one version this build writes and reads. */
const FORMAT = "pagealloc-script-state";
const VERSION = 1;
/** A script name (`alloc NAME`): letters, digits, `_ . -`, not starting with a digit. */
export const SCRIPT_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * The state as a small versioned JSON document in UTF-8, e.g. for the caller's section of a snapshot
 * (`snapshot(k, { extra })` of `@pagealloc/page-api`).
 *
 * @param state - `ScriptResult.state` of a run
 * @returns `{"format":"pagealloc-script-state","version":1,"prng":…,"allocations":[…],"owners":[…]}` as UTF-8
 * @example
 * ```ts
 * import { bootKernel } from "@pagealloc/page-api";
 * import { decodeScriptState, encodeScriptState, runScript } from "@pagealloc/workload";
 * const r = runScript(bootKernel({ machine: "tiny-16m" }), "alloc a order=1 gfp=GFP_KERNEL count=2\nfree a[0]");
 * const back = decodeScriptState(encodeScriptState(r.state));
 * console.log(back.allocations[0].name, back.allocations[0].blocks[0], back.allocations[0].blocks[1][1]); // => a null 1
 * ```
 */
export function encodeScriptState(state: ScriptState): Uint8Array {
  const doc = { format: FORMAT, version: VERSION, prng: state.prng, allocations: state.allocations, owners: state.owners };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/**
 * Read a state written by {@link encodeScriptState}, checking every field.
 *
 * @param bytes - the UTF-8 JSON document
 * @returns the state
 * @throws {ScriptStateError} (code `SCRIPT_STATE_INVALID`, `location` a JSON path) for anything else
 * @example
 * ```ts
 * import { decodeScriptState } from "@pagealloc/workload";
 * try {
 *   decodeScriptState(new TextEncoder().encode('{"format":"pagealloc-script-state","version":1,"prng":-4,"allocations":[],"owners":[]}'));
 * } catch (e) {
 *   console.log(e.code, e.location); // => SCRIPT_STATE_INVALID $.prng
 * }
 * ```
 */
export function decodeScriptState(bytes: Uint8Array): ScriptState {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ScriptStateError(`not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`, "$");
  }
  const o = record(doc, "$");
  if (o.format !== FORMAT) throw new ScriptStateError(`expected format ${JSON.stringify(FORMAT)}, got ${JSON.stringify(o.format)}`, "$.format");
  if (o.version !== VERSION) throw new ScriptStateError(`version ${JSON.stringify(o.version)} is not read by this build (it reads ${VERSION})`, "$.version");
  const prng = integer(o.prng, "$.prng", 0xffffffff);
  const names = new Map<string, number>();
  const allocations = array(o.allocations, "$.allocations").map((raw, i): ScriptStateAllocation => {
    const at = `$.allocations[${i}]`;
    const a = record(raw, at);
    if (typeof a.name !== "string" || !SCRIPT_NAME_RE.test(a.name)) throw new ScriptStateError(`not a script name: ${JSON.stringify(a.name)}`, `${at}.name`);
    if (names.has(a.name)) throw new ScriptStateError(`${a.name} appears twice`, `${at}.name`);
    const blocks = array(a.blocks, `${at}.blocks`).map((b, j) => {
      if (b === null) return null;
      const pair = array(b, `${at}.blocks[${j}]`);
      if (pair.length !== 2) throw new ScriptStateError("expected [pfn, order] or null", `${at}.blocks[${j}]`);
      return [integer(pair[0], `${at}.blocks[${j}][0]`), integer(pair[1], `${at}.blocks[${j}][1]`, 63)] as const;
    });
    names.set(a.name, blocks.length);
    if (a.lastOk !== null && typeof a.lastOk !== "boolean") throw new ScriptStateError("expected true, false or null", `${at}.lastOk`);
    if (typeof a.reclaimable !== "boolean") throw new ScriptStateError("expected true or false", `${at}.reclaimable`);
    return { name: a.name, blocks, failed: integer(a.failed, `${at}.failed`), lastOk: a.lastOk, reclaimable: a.reclaimable, evicted: integer(a.evicted, `${at}.evicted`) };
  });
  const owners = array(o.owners, "$.owners").map((raw, i) => {
    const pair = array(raw, `$.owners[${i}]`);
    const n = typeof pair[0] === "string" ? names.get(pair[0]) : undefined;
    if (pair.length !== 2 || n === undefined) throw new ScriptStateError("expected [name of an allocation, block index]", `$.owners[${i}]`);
    return [pair[0] as string, integer(pair[1], `$.owners[${i}][1]`, n - 1)] as const;
  });
  return { prng, allocations, owners };
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ScriptStateError("expected an object", at);
  return v as Record<string, unknown>;
}

function array(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new ScriptStateError("expected an array", at);
  return v;
}

function integer(v: unknown, at: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new ScriptStateError(`expected an integer in 0..${max}, got ${JSON.stringify(v)}`, at);
  return v;
}
