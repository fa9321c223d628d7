// nsmatrix as a library: build scenarios in TypeScript (or load them from files), run them on
// kernels, and get the typed results and reporters.
export {
  defineScenario,
  defineTopology,
  type RunApiOptions,
  run,
  type ScenarioInput,
  type TopologyDefinition,
  type TopologyInput,
} from "./api/index.js";
export { compileVariant } from "./compile/index.js";
export { NsmError } from "./errors.js";
export { loadScenario, loadTopology, type ScenarioModel, scriptScenario } from "./model/index.js";
export type { Column, Evidence, Result, RunReport, Verdict } from "./results/index.js";
export { exitCodeOf } from "./results/index.js";
export { formatReport, REPORT_FORMATS, type ReportFormat } from "./results/reporters/index.js";
