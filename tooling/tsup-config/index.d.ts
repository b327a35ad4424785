import type { Options } from "tsup";
export declare function libraryConfig(overrides?: Partial<Options>): Options;
export declare function binConfig(overrides?: Partial<Options>): Options;
