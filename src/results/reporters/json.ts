// The JSON reporter: the whole run as one versioned document (schemas/results.schema.json).
import { VERSION } from "../../package.js";
import { completeRun } from "../standing.js";
import type { RunReport } from "../types.js";
import { columnsOf } from "./matrix.js";

// Version 4: each result's `verdict` (3 called it `status`), the host, each column's machine and
// accelerator, the exit status, and the topologies as dot too. (3: the nsmatrix version,
// timestamps, each column's spec and wall time, ok. 2: columns are kernel × userspace.)
export function formatJson(report: RunReport): string {
  const done = completeRun(report);
  const doc = {
    version: 4,
    nsmatrix: report.version ?? VERSION,
    ...(report.startedAt ? { startedAt: report.startedAt } : {}),
    ...(report.finishedAt ? { finishedAt: report.finishedAt } : {}),
    ...(report.hostname ? { hostname: report.hostname } : {}),
    durationMs: report.durationMs,
    ok: done.ok,
    exitCode: done.exitCode,
    columns: columnsOf(report),
    ...(report.graphs ? { graphs: report.graphs } : {}),
    ...(report.dot ? { dot: report.dot } : {}),
    summary: done.summary,
    results: report.results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
