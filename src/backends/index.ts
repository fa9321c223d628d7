// Public surface of the backends: the only code besides cli.ts that touches the system.

export { cleanLeftovers, findLeftovers, type Leftovers, mountTracefs } from "./clean.js";
export { containerBackend, dockerEngine, type EngineCheck } from "./container.js";
export { type ContainerLeftover, findContainers, removeContainers } from "./container-clean.js";
export { describeFailure, type Exec, exec, type ProcessResult } from "./exec.js";
export { type GuestBackendOptions, guestBackend } from "./guest.js";
export { hostBackend } from "./host.js";
export { hasTool, requireRoot, requireTools } from "./preflight.js";
export { newRunId } from "./scripts.js";
export type { Backend, BatchOptions, BatchRun } from "./types.js";
export { PROJECT_VAGRANT_DIR, type VagrantOptions, vagrantBackend } from "./vagrant.js";
