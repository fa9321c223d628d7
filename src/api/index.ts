// The TypeScript API: builders for scenarios and topologies, and run(), the one path to results.
export {
  defineScenario,
  defineTopology,
  type ScenarioInput,
  type TopologyDefinition,
  type TopologyInput,
} from "./define.js";
export { RUN_DEFAULTS, type RunApiOptions, run } from "./run.js";
