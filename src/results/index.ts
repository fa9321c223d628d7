// Public surface of results: TAP → observations → results with verdicts.
export { assembleResults, exitCodeOf, type RunContext } from "./assemble.js";
export { expectationFor, kernelSemver, verdictOf } from "./expect.js";
export { observationsFromTap, type ScriptRun } from "./tap.js";
export type { Evidence, Observation, Result, RunReport, Verdict } from "./types.js";
