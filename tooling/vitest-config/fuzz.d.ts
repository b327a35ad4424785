import type { Arbitrary } from "fast-check";
export type Mutation = { kind: number; at: number; n: number };
export declare const SOAK: number;
export declare const FUZZ_RUNS: number;
export declare const CASE_MS: number;
export declare const mutations: Arbitrary<Mutation[]>;
export declare function mutate(text: string, ms: readonly Mutation[]): string;
export declare function fuzzHelpers<E extends Error & { code: string; location?: string }>(
  ErrorClass: abstract new (...args: any[]) => E,
): {
  typedOrOk<T>(f: () => T, label?: string): T | E;
  expectLinear(f: (s: string) => unknown, unit: string): void;
};
