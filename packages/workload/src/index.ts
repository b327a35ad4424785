export { mulberry32 } from "@pagealloc/physmem";
export { ScriptError, TraceParseError, WorkloadArgumentError } from "./errors";
export { type AllocFailure, type ZoneVerdict, explainAllocFailure } from "./explain";
export {
  STATE_FILES,
  type StateFile,
  type ZoneWatermarkRow,
  type FragmentationRow,
  type PageblockMapZone,
  isStateFile,
  renderState,
  zoneWatermarks,
  fragmentation,
  migratetypeLegend,
  pageblockMap,
} from "./state";
export {
  type ScriptValue,
  type CompareOp,
  type ScriptPosition,
  type Statement,
  type Expectation,
  type ParseScriptOptions,
  type ExpectResult,
  type ScriptStep,
  type ScriptResult,
  type RunScriptOptions,
  type ScriptHeader,
  type MarkUse,
  ScriptOwners,
  parseScript,
  runScript,
  runScriptAsync,
  scriptHeader,
} from "./script";
export { type ScriptState, type ScriptStateAllocation, ScriptStateError, encodeScriptState, decodeScriptState } from "./script-state";
export {
  type DemoKind,
  type DemoOptions,
  type DemoPhase,
  type DemoSnapshot,
  type DemoReport,
  type DemoStyle,
  DEMO_KINDS,
  type SlowPathRequest,
  type SlowPathStep,
  type SlowPathReport,
  runDemo,
  runSlowPathDemo,
  renderDemo,
} from "./demo";
export { type TakeResult, takeBlockAt } from "./mem-map";
export { KMEM_PAGE_EVENTS, type KmemPageEvent, type TraceRecord, parseTraceLine } from "./trace";
export { type ReplayMode, type ReplayOptions, type ReplaySummary, TraceReplayer } from "./replay";
