// Public surface of the userspace axis: specs, the cache, builds and the command.
export {
  buildUserspace,
  debootstrapArgs,
  formatUserspaceEvent,
  hasImage,
  importCommand,
  importImage,
  PACKAGES,
  type UserspaceEvent,
} from "./build.js";
export {
  type CachedUserspace,
  cachedUserspace,
  defaultUserspaceDir,
  listUserspaces,
  removeUserspace,
} from "./cache.js";
export {
  DEBIAN_SUITES,
  formatUserspaceSpec,
  imageOf,
  parseUserspaceList,
  parseUserspaceSpec,
  type UserspaceSpec,
} from "./spec.js";
export { formatToolVersions, parseToolVersions, TOOLS_PROBE, type ToolVersions } from "./tools.js";
