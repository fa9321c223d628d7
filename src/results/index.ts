// Public surface of results: TAP → observations → results with verdicts.
export { assembleResults, type RunContext } from "./assemble.js";
export { evidenceFacts, evidenceLines, type Fact, sawText, shortfall, stageText } from "./evidence.js";
export { expectationFor, kernelSemver, verdictOf } from "./expect.js";
export { mergeReports, readResults } from "./merge.js";
export { ResultsDocument } from "./schema.js";
export { completeRun, exitCodeOf, summarize, VERDICTS } from "./standing.js";
export { observationsFromTap } from "./tap.js";
export type {
  Column,
  CompletedRun,
  Counts,
  Evidence,
  Observation,
  Result,
  RunReport,
  Stage,
  Verdict,
} from "./types.js";
