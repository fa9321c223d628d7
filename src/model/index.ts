// Public surface of the model: load and validate user files.

export { ipv6On, ruleFamily } from "./family.js";
export { formatPath } from "./issues.js";
export {
  fileKind,
  type LoadedFile,
  loadFile,
  loadScenario,
  loadTopology,
  parseScenario,
  scenarioFrom,
  topologyFrom,
} from "./load.js";
export { readSource } from "./read.js";
export type { ExpectationT, ExpectT, OutcomeT, TopologyT } from "./schema.js";
export {
  type BridgePortT,
  type InterfaceT,
  type NodeT,
  type PolicyRuleT,
  type RouteT,
  Scenario,
  Topology,
  type TunnelT,
} from "./schema.js";
export { QDISCS, vidsOf } from "./schema-devices.js";
export { scriptScenario } from "./selftests.js";
export { lowerNodes, nodeOrder } from "./semantic-devices.js";
export { type Path, parseSource, type Source } from "./source.js";
export type {
  CheckModel,
  CheckTarget,
  Proto,
  ScenarioModel,
  ScriptFile,
  ServiceModel,
  VariantModel,
} from "./types.js";
