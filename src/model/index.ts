// Public surface of the model: load and validate user files.
export { fileKind, loadScenario, loadTopology, scriptScenario } from "./load.js";
export type { ExpectationT, ExpectT, OutcomeT, TopologyT } from "./schema.js";
export { Scenario, Topology } from "./schema.js";
export type {
  CheckModel,
  CheckTarget,
  Proto,
  ScenarioModel,
  ScriptFile,
  ServiceModel,
  VariantModel,
} from "./types.js";
