// nsmatrix as a library: build scenarios in TypeScript (or load them from files), run them on
// kernels, and get the typed results and reporters.
export {
  defineScenario,
  defineTopology,
  RUN_DEFAULTS,
  type RunApiOptions,
  run,
  type ScenarioInput,
  type TopologyDefinition,
  type TopologyInput,
} from "./api/index.js";
export { compileVariant } from "./compile/index.js";
export { type ErrorCode, NsmError } from "./errors.js";
export { loadScenario, loadTopology, type ScenarioModel, scriptScenario } from "./model/index.js";
export type { Column, CompletedRun, Counts, Evidence, Result, RunReport, Verdict } from "./results/index.js";
export { completeRun, exitCodeOf, mergeReports, readResults, summarize, VERDICTS } from "./results/index.js";
export {
  formatReport,
  problemText,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportOptions,
} from "./results/reporters/index.js";
export { formatProgress, type Progress, type ProgressEvent } from "./run/index.js";
