export { stripLogPrefix, splitLogPrefix, type LogPrefixKind } from "./log-prefix";
export { InvalidReportError, ReportExplainError } from "./errors";
export { parseFailureReports } from "./parse-report";
export type * from "./report-types";
