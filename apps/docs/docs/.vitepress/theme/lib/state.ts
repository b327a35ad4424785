// The playground's state: what it boots and which operations it runs, and its URL-hash form.
// The hash is the whole state (no server): `#m=pc-4g&v=6.18&s=min_free_kbytes:2048&ops=a.GFP_KERNEL.3.-1.0~f.0`.
import { parseBuddyinfo } from "@pagealloc/buddy";
import { PageallocError, listPresets, validateMachine } from "@pagealloc/physmem";

export const PLAYGROUND_VERSIONS = ["6.18", "6.1", "5.15", "5.10", "4.19", "3.10", "2.6.32", "2.6.24"] as const;
export const SYSCTL_KEYS = ["min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor", "percpu_pagelist_high_fraction"] as const;
export type SysctlKey = (typeof SYSCTL_KEYS)[number];

/** One operation of the history: an allocation (node −1 = the CPU's node) or the free of an earlier allocation. */
export type PlaygroundOp =
  | { readonly kind: "alloc"; readonly gfp: string; readonly order: number; readonly node: number; readonly cpu: number }
  | { readonly kind: "free"; readonly of: number; readonly cpu: number }
  /** A workload script (@pagealloc/workload) run as one step. */
  | { readonly kind: "script"; readonly text: string; readonly cpu: number };

export interface PlaygroundState {
  /** A preset name, or "custom" with `machineJson`. */
  readonly machine: string;
  readonly machineJson?: unknown;
  readonly version: string;
  readonly sysctls: Partial<Record<SysctlKey, number>>;
  /**
   * `false`: boot without the slow path of @pagealloc/reclaim (kswapd, reclaim, compaction, OOM decision), which is
   * on by default as in bootKernel(); URL `r=0` (`r=1`, from links made when it was off by default, is the default).
   */
  readonly reclaim?: boolean;
  /** A pasted /proc/buddyinfo: after boot, the zones' free lists are rebuilt to hold exactly these free blocks. */
  readonly freeCounts?: string;
  readonly ops: readonly PlaygroundOp[];
  /** How many ops of the history are applied (≤ ops.length). */
  readonly step: number;
  /** The history starts from this loaded snapshot file instead of a boot (not part of the URL hash). */
  readonly snapshot?: LoadedSnapshot;
}

/** A snapshot file loaded into the playground (lib/snapshot-file.ts). */
export interface LoadedSnapshot {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Operations applied between boot and the save (0 when unknown): script op i of the new history uses seed opBase + i. */
  readonly opBase: number;
  /** The playground wrote it: machine, version and sysctls of the state come from its section. */
  readonly fromPlayground: boolean;
  /** Distinguishes two loads of the same file (each starts a new history). */
  readonly id: number;
}

export const DEFAULT_STATE: PlaygroundState = { machine: "tiny-16m", version: "6.18", sysctls: {}, ops: [], step: 0 };

/** A malformed hash: what was wrong and where (the hash field). */
export class PlaygroundHashError extends PageallocError {
  readonly reason: string;
  constructor(reason: string, location: string) {
    super("PLAYGROUND_BAD_HASH", reason, location);
    this.reason = reason;
    // the page shows "field: reason", the hash field first
    this.message = `${location}: ${reason}`;
  }
}

const GFP_TEXT = /^[A-Za-z0-9_|x ]+$/;

function base64urlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlDecode(text: string, where: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new PlaygroundHashError("not base64url text", where);
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    throw new PlaygroundHashError("not valid base64url UTF-8", where);
  }
}

function encodeOp(op: PlaygroundOp): string {
  if (op.kind === "alloc") return `a.${op.gfp.replace(/\|/g, "+")}.${op.order}.${op.node}.${op.cpu}`;
  if (op.kind === "free") return `f.${op.of}.${op.cpu}`;
  return `s.${base64urlEncode(op.text)}.${op.cpu}`;
}

function int(text: string | undefined, where: string, min: number, max: number): number {
  if (text === undefined || !/^-?\d+$/.test(text)) throw new PlaygroundHashError(`expected an integer, got ${JSON.stringify(text ?? "")}`, where);
  const n = Number(text);
  if (n < min || n > max) throw new PlaygroundHashError(`${n} is outside ${min}..${max}`, where);
  return n;
}

function decodeOp(text: string, index: number, earlier: readonly PlaygroundOp[]): PlaygroundOp {
  const where = `ops[${index}]`;
  const parts = text.split(".");
  if (parts[0] === "a" && parts.length === 5) {
    const gfp = parts[1]!.replace(/\+/g, "|");
    if (!gfp || !GFP_TEXT.test(gfp)) throw new PlaygroundHashError(`bad GFP expression ${JSON.stringify(gfp)}`, `${where}.gfp`);
    return { kind: "alloc", gfp, order: int(parts[2], `${where}.order`, 0, 20), node: int(parts[3], `${where}.node`, -1, 1023), cpu: int(parts[4], `${where}.cpu`, 0, 8191) };
  }
  if (parts[0] === "f" && parts.length === 3) {
    const of = int(parts[1], `${where}.of`, 0, index - 1);
    if (earlier[of]?.kind !== "alloc") throw new PlaygroundHashError(`op ${of} is not an allocation`, `${where}.of`);
    return { kind: "free", of, cpu: int(parts[2], `${where}.cpu`, 0, 8191) };
  }
  if (parts[0] === "s" && parts.length === 3) {
    return { kind: "script", text: base64urlDecode(parts[1]!, `${where}.script`), cpu: int(parts[2], `${where}.cpu`, 0, 8191) };
  }
  throw new PlaygroundHashError(`expected a.GFP.ORDER.NODE.CPU, f.OP.CPU or s.SCRIPT.CPU, got ${JSON.stringify(text)}`, where);
}

/** The URL hash (without `#`) of a state. */
export function encodeState(s: PlaygroundState): string {
  const p = new URLSearchParams();
  p.set("m", s.machine);
  if (s.machine === "custom") p.set("mj", base64urlEncode(JSON.stringify(s.machineJson)));
  p.set("v", s.version);
  const sys = SYSCTL_KEYS.filter((k) => s.sysctls[k] !== undefined).map((k) => `${k}:${s.sysctls[k]}`);
  if (sys.length) p.set("s", sys.join(","));
  if (s.reclaim === false) p.set("r", "0");
  if (s.freeCounts) p.set("fc", base64urlEncode(s.freeCounts));
  if (s.ops.length) p.set("ops", s.ops.map(encodeOp).join("~"));
  if (s.step !== s.ops.length) p.set("step", String(s.step));
  return p.toString();
}

/**
 * Parse a URL hash back into a state, validating every field.
 * @throws {PlaygroundHashError} naming the field that is wrong
 */
export function decodeState(hash: string): PlaygroundState {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (text.trim() === "") return DEFAULT_STATE;
  const p = new URLSearchParams(text);
  const known = new Set(["m", "mj", "v", "s", "r", "fc", "ops", "step"]);
  for (const key of p.keys()) if (!known.has(key)) throw new PlaygroundHashError(`unknown field ${JSON.stringify(key)}`, key);
  const machine = p.get("m") ?? DEFAULT_STATE.machine;
  let machineJson: unknown;
  if (machine === "custom") {
    const raw = p.get("mj");
    if (raw === null) throw new PlaygroundHashError("machine 'custom' needs the mj field (base64url JSON)", "mj");
    try {
      machineJson = JSON.parse(base64urlDecode(raw, "mj"));
    } catch (e) {
      if (e instanceof PlaygroundHashError) throw e;
      throw new PlaygroundHashError("not JSON", "mj");
    }
    const v = validateMachine(machineJson);
    if (!v.ok) throw new PlaygroundHashError(v.problems.map((x) => `${x.path}: ${x.reason}`).join("; "), "mj");
  } else if (!listPresets().some((x) => x.name === machine)) {
    throw new PlaygroundHashError(`unknown preset ${JSON.stringify(machine)}`, "m");
  }
  const version = p.get("v") ?? DEFAULT_STATE.version;
  if (!(PLAYGROUND_VERSIONS as readonly string[]).includes(version)) {
    throw new PlaygroundHashError(`version ${JSON.stringify(version)} is not one of ${PLAYGROUND_VERSIONS.join(", ")}`, "v");
  }
  const sysctls: Partial<Record<SysctlKey, number>> = {};
  const s = p.get("s");
  if (s) {
    for (const [i, item] of s.split(",").entries()) {
      const [key, value] = item.split(":");
      if (!(SYSCTL_KEYS as readonly string[]).includes(key ?? "")) throw new PlaygroundHashError(`unknown sysctl ${JSON.stringify(key)}`, `s[${i}]`);
      sysctls[key as SysctlKey] = int(value, `s.${key}`, 0, 1 << 30);
    }
  }
  const r = p.get("r");
  if (r !== null && r !== "0" && r !== "1") throw new PlaygroundHashError(`expected 0 or 1, got ${JSON.stringify(r)}`, "r");
  const reclaim = r === "0" ? false : undefined;
  const fc = p.get("fc");
  let freeCounts: string | undefined;
  if (fc !== null) {
    freeCounts = base64urlDecode(fc, "fc");
    try {
      parseBuddyinfo(freeCounts, "fc");
    } catch (e) {
      throw new PlaygroundHashError(`not a /proc/buddyinfo: ${e instanceof Error ? e.message : String(e)}`, "fc");
    }
  }
  const ops: PlaygroundOp[] = [];
  const rawOps = p.get("ops");
  if (rawOps) for (const [i, item] of rawOps.split("~").entries()) ops.push(decodeOp(item, i, ops));
  const stepText = p.get("step");
  const step = stepText === null ? ops.length : int(stepText, "step", 0, ops.length);
  return { machine, machineJson, version, sysctls, ...(reclaim === false ? { reclaim } : {}), ...(freeCounts ? { freeCounts } : {}), ops, step };
}
