// Public surface of run/: a matrix of scenarios × variants over columns (kernel × userspace).

export {
  type BisectOutcome,
  type BisectStep,
  bisectExit,
  bisectKernels,
  isCheck,
  type Measure,
  type Probe,
  probeOf,
} from "./bisect.js";
export { type ColumnOptions, columnBackends, skippedColumn } from "./columns.js";
export { columnFolder, type HeldRun, type RunOptions, runMatrix, selectedVariants } from "./matrix.js";
export { formatProgress, type Progress, type ProgressEvent } from "./progress.js";
