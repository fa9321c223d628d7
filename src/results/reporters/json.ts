// The JSON reporter: the whole run as one versioned document.
import type { RunReport } from "../types.js";
import { kernelsOf } from "./matrix.js";
import { summarize } from "./summary.js";

// Formats a run as pretty-printed JSON (format version 1) with per-verdict counts.
export function formatJson(report: RunReport): string {
  const doc = {
    version: 1,
    kernels: kernelsOf(report),
    durationMs: report.durationMs,
    summary: summarize(report.results),
    results: report.results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
