export {
  PAGE_ALLOC_COSTLY_ORDER,
  MAX_RECLAIM_RETRIES,
  MAX_COMPACT_RETRIES,
  SWAP_CLUSTER_MAX,
  DEF_PRIORITY,
  COMPACT_MAX_DEFER_SHIFT,
  COMPACT_PRIO_SYNC_FULL,
  COMPACT_PRIO_SYNC_LIGHT,
  COMPACT_PRIO_ASYNC,
  MIN_COMPACT_PRIORITY,
  MIN_COMPACT_COSTLY_PRIORITY,
  DEF_COMPACT_PRIORITY,
  INIT_COMPACT_PRIORITY,
  type CompactResult,
} from "./constants";
export { InvalidReclaimArgumentError, NofailStallError } from "./errors";
export {
  PageUse,
  type PageUseValue,
  type PageUseName,
  type EvictReason,
  MemoryUseModel,
  LRU_INACTIVE_ANON,
  LRU_ACTIVE_ANON,
  LRU_INACTIVE_FILE,
  LRU_ACTIVE_FILE,
  LRU_SLAB,
} from "./memory-use";
export { type OomTask, type OomDecision, OOM_SCORE_ADJ_MIN, oomBadness, selectBadProcess } from "./oom";
export { type ReclaimTraceEvent, type ReclaimTraceLineContext, type VmscanTraceFormats, formatReclaimTraceEvent, formatReclaimTraceLine, traceEventExists, vmscanTraceFormats } from "./trace";
export { type SlowPathFlow, type FailureLineForm, type ShowMemLayout, type ReclaimVersionFacts, reclaimVersionFacts, type WarnRatelimitFacts, warnRatelimitFacts } from "./version";
export { type ShowMemLayoutFacts, type WarnAllocOptions, renderWarnAlloc, showMemLayout } from "./warn-alloc";
export {
  type ReclaimOptions,
  type SlowPathResult,
  type SlowPathOutcome,
  type FailureContext,
  type ReclaimVmEvent,
  Reclaim,
  createReclaim,
} from "./reclaim";
export { type MemoryUseStateData, type ReclaimStateData, type KswapdStateData, type DeferStateData, type WarnRatelimitStateData } from "./state";
export { type ScenarioRequest, type ScenarioResult, SLOW_PATH_SCENARIOS, runSlowPathScenario } from "./scenarios";
