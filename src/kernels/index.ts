// The kernel catalog's public surface: parse specs, fetch Debian kernels, resolve any spec to a guest kernel.

export { listCached, pruneOlder, type ResolveOptions, removeCached, resolveKernel } from "./cache.js";
export { DEBIAN_SERIES, DEFAULT_MIRROR, type DebianSeries, knownSeries } from "./catalog.js";
export type { CachedKernel } from "./entry.js";
export { defaultCacheDir, type FetchOptions, fetchDebianKernel, resolveDebianKernel } from "./fetch.js";
export {
  formatKernelEvent,
  type KernelEvent,
  type KernelProgress,
  kernelProgressPrinter,
  type ProgressSink,
} from "./progress.js";
export { formatKernelSpec, parseKernelList, parseKernelSpec } from "./spec.js";
export type { GuestKernel, KernelSpec } from "./types.js";
