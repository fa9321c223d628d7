// The JSON reporter: the whole run as one versioned document (schemas/results.schema.json).
import { VERSION } from "../../version.js";
import { exitCodeOf } from "../assemble.js";
import type { RunReport } from "../types.js";
import { columnsOf } from "./matrix.js";
import { summarize } from "./summary.js";

// Version 3: the nsmatrix version, timestamps, each column's kernel spec, release and wall time,
// and whether the run as a whole was ok. (2: columns are kernel × userspace with their tools.)
export function formatJson(report: RunReport): string {
  const doc = {
    version: 3,
    nsmatrix: VERSION,
    ...(report.startedAt ? { startedAt: report.startedAt } : {}),
    ...(report.finishedAt ? { finishedAt: report.finishedAt } : {}),
    durationMs: report.durationMs,
    ok: exitCodeOf(report.results) !== 1,
    columns: columnsOf(report),
    ...(report.graphs ? { graphs: report.graphs } : {}),
    summary: summarize(report.results),
    results: report.results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
