// Public surface of system/.
export { describeFailure, type Exec, exec, type ProcessResult } from "./exec.js";
export { outside, readUserFile } from "./files.js";
export { makeFolder } from "./folders.js";
export { PACKAGE_OF, SCRIPT_TOOLS } from "./packages.js";
export { defaultCacheDir, defaultUserspaceDir, PROJECT_DIR } from "./paths.js";
export { processAlive } from "./pid.js";
export { hasTool, requireRoot, requireTools, searchPath } from "./preflight.js";
