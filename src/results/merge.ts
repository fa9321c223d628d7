// `nsmatrix report`: results of several runs (their JSON) read back and merged into one matrix.
import { NsmError } from "../errors.js";
import { ResultsDocument } from "./schema.js";
import type { Column, Result, RunReport } from "./types.js";

const same = (a: { kernel: string; userspace: string }, b: { kernel: string; userspace: string }) =>
  a.kernel === b.kernel && a.userspace === b.userspace;

const keyOf = (r: Result) => JSON.stringify([r.scenario, r.variant, r.check, r.kernel, r.userspace]);
const verdictOf = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.status}` : r.status);

/** Reads one results file's text (what `-f json` wrote); throws E_SCHEMA naming what is wrong. */
export function readResults(name: string, text: string): RunReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new NsmError("E_SCHEMA", `${name}: not JSON: ${(e as Error).message}`);
  }
  const r = ResultsDocument.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    const at = i?.path.length ? `${i.path.join(".")}: ` : "";
    throw new NsmError(
      "E_SCHEMA",
      `${name}: not nsmatrix results (version 3): ${at}${i?.message ?? "invalid"}`,
    );
  }
  const d = r.data;
  return {
    results: d.results as Result[],
    columns: d.columns as Column[],
    durationMs: d.durationMs,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    ...(d.graphs ? { graphs: d.graphs } : {}),
  };
}

/**
 * The union of the runs' columns and results. A cell that two runs both have keeps the first
 * run's result; where their verdicts differ, it names them all (`disagree`).
 */
export function mergeReports(reports: RunReport[]): RunReport {
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
  return {
    results,
    columns,
    ...(Object.keys(graphs).length ? { graphs } : {}),
    durationMs: Math.max(0, ...reports.map((r) => r.durationMs)),
    ...(starts[0] ? { startedAt: starts[0] } : {}),
    ...(ends.length ? { finishedAt: ends[ends.length - 1] } : {}),
  };
}
