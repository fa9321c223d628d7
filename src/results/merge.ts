// `nsmatrix report`: results of several runs (their JSON) read back and merged into one matrix.
import { NsmError } from "../errors.js";
import { ResultsDocument } from "./schema.js";
import { completeRun, exitCodeOf } from "./standing.js";
import type { Column, CompletedRun, Result, RunReport } from "./types.js";

const same = (a: { kernel: string; userspace: string }, b: { kernel: string; userspace: string }) =>
  a.kernel === b.kernel && a.userspace === b.userspace;

const keyOf = (r: Result) => JSON.stringify([r.scenario, r.variant, r.check, r.kernel, r.userspace]);
const verdictOf = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict);

// Version 3 called a result's verdict `status` and had no exit status: read it as version 4.
function upgraded(data: unknown): unknown {
  if (typeof data !== "object" || data === null || (data as { version?: unknown }).version !== 3) return data;
  const d = data as { results?: unknown };
  if (!Array.isArray(d.results)) return data;
  const results = d.results.map((r: unknown) => {
    if (typeof r !== "object" || r === null || !("status" in r)) return r;
    const { status, ...rest } = r as { status: unknown };
    return { ...rest, verdict: status };
  });
  return { ...d, version: 4, results, exitCode: exitCodeOf(results as Result[]) };
}

/** Reads one results file's text (what `-f json` wrote, version 3 or 4); throws E_SCHEMA naming what is wrong. */
export function readResults(name: string, text: string): CompletedRun {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new NsmError("E_SCHEMA", `${name}: not JSON: ${(e as Error).message}`);
  }
  const r = ResultsDocument.safeParse(upgraded(data));
  if (!r.success) {
    const i = r.error.issues[0];
    const at = i?.path.length ? `${i.path.join(".")}: ` : "";
    throw new NsmError(
      "E_SCHEMA",
      `${name}: not nsmatrix results (version 4): ${at}${i?.message ?? "invalid"}`,
    );
  }
  const d = r.data;
  return completeRun({
    results: d.results as Result[],
    columns: d.columns as Column[],
    durationMs: d.durationMs,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    ...(d.hostname ? { hostname: d.hostname } : {}),
    version: d.nsmatrix,
    ...(d.graphs ? { graphs: d.graphs } : {}),
    ...(d.dot ? { dot: d.dot } : {}),
  });
}

/**
 * The union of the runs' columns and results. A cell that two runs both have keeps the first
 * run's result; where their verdicts differ, it names them all (`disagree`).
 */
export function mergeReports(reports: RunReport[]): CompletedRun {
  const columns: Column[] = [];
  for (const c of reports.flatMap((r) => r.columns)) if (!columns.some((x) => same(x, c))) columns.push(c);
  const cells = new Map<string, Result[]>();
  for (const r of reports.flatMap((x) => x.results)) cells.set(keyOf(r), [...(cells.get(keyOf(r)) ?? []), r]);
  const results = [...cells.values()].map((all) => {
    const first = all[0] as Result;
    const verdicts = all.map(verdictOf);
    return new Set(verdicts).size > 1 ? { ...first, disagree: verdicts } : first;
  });
  const starts = reports.flatMap((r) => (r.startedAt ? [r.startedAt] : [])).sort();
  const ends = reports.flatMap((r) => (r.finishedAt ? [r.finishedAt] : [])).sort();
  const graphs = Object.assign({}, ...reports.map((r) => r.graphs ?? {}));
  const dot = Object.assign({}, ...reports.map((r) => r.dot ?? {}));
  // Runs from several machines (a CI job per kernel) name them all.
  const hosts = [...new Set(reports.flatMap((r) => (r.hostname ? [r.hostname] : [])))];
  const versions = [...new Set(reports.flatMap((r) => (r.version ? [r.version] : [])))];
  return completeRun({
    results,
    columns,
    ...(Object.keys(graphs).length ? { graphs } : {}),
    ...(Object.keys(dot).length ? { dot } : {}),
    ...(hosts.length ? { hostname: hosts.join(", ") } : {}),
    ...(versions.length ? { version: versions.join(", ") } : {}),
    durationMs: Math.max(0, ...reports.map((r) => r.durationMs)),
    ...(starts[0] ? { startedAt: starts[0] } : {}),
    ...(ends.length ? { finishedAt: ends[ends.length - 1] } : {}),
  });
}
