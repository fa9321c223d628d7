// The JSON reporter: the whole run as one versioned document.
import type { RunReport } from "../types.js";
import { columnsOf } from "./matrix.js";
import { summarize } from "./summary.js";

// Formats a run as pretty-printed JSON with per-verdict counts. Version 2: columns are kernel ×
// userspace, each with the tool versions it used; every result names its userspace.
export function formatJson(report: RunReport): string {
  const doc = {
    version: 2,
    columns: columnsOf(report),
    durationMs: report.durationMs,
    summary: summarize(report.results),
    results: report.results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
