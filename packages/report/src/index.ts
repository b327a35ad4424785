export { stripLogPrefix, splitLogPrefix, type LogPrefixKind } from "./log-prefix";
export { InvalidReportError, ReportExplainError } from "./errors";
export { parseFailureReports } from "./parse-report";
export type * from "./report-types";
export {
  type DiagnosisKind,
  type ZoneCheckOutcome,
  type WatermarkCheck,
  type ZoneWalkEntry,
  type Suggestion,
  type ReportExplanation,
  type ExplainOptions,
  DIAGNOSIS_KINDS,
  explainReport,
} from "./explain";
export { renderExplanation } from "./render-explanation";
export { type WhatIfRequest, type WhatIfResult, whatIf } from "./what-if";
export { type ProcFiles, memInfoFromProc } from "./proc-state";
export { type ParsedPagetypeinfo, type PagetypeFreeRow, type PagetypeBlockRow, parsePagetypeinfo } from "./pagetypeinfo";
export { type SimulationResult, type SimulatedZoneCheck } from "./simulate";
