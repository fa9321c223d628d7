// Public surface of the backends: the only code besides cli.ts that touches the system.

export {
  describeFailure,
  type Exec,
  exec,
  hasTool,
  type ProcessResult,
  requireRoot,
  requireTools,
} from "../system/index.js";
export { cleanLeftovers, findLeftovers, type Leftovers, mountTracefs } from "./clean.js";
export { containerBackend, dockerEngine, type EngineCheck } from "./container.js";
export { type ContainerLeftover, findContainers, removeContainers } from "./container-clean.js";
export { type GuestBackendOptions, guestBackend } from "./guest.js";
export { hostBackend } from "./host.js";
export { newRunId } from "./scripts.js";
export type { Backend, BatchOptions, BatchRun, ScriptRun } from "./types.js";
export { PROJECT_VAGRANT_DIR, type VagrantOptions, vagrantBackend } from "./vagrant.js";
