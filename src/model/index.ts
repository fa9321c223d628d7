// Public surface of the model: load and validate user files.
export {
  fileKind,
  loadScenario,
  loadTopology,
  parseScenario,
  scenarioFrom,
  scriptScenario,
  topologyFrom,
} from "./load.js";
export { readSource } from "./read.js";
export type { ExpectationT, ExpectT, OutcomeT, TopologyT } from "./schema.js";
export { Scenario, Topology } from "./schema.js";
export { parseSource, type Source } from "./source.js";
export type {
  CheckModel,
  CheckTarget,
  Proto,
  ScenarioModel,
  ScriptFile,
  ServiceModel,
  VariantModel,
} from "./types.js";
