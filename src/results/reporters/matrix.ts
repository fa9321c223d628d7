// Arranging results as a matrix: one row per scenario × variant × check, one column per kernel ×
// userspace.
import { subtestTally } from "../../checks/index.js";
import { formatToolVersions } from "../../text.js";
import type { Column, Result, ResultKey, RunReport } from "../types.js";

/** One row of the matrix; `cells[i]` belongs to `Matrix.columns[i]`. */
export interface MatrixRow {
  scenario: string;
  variant: string;
  check: string;
  cells: (Result | undefined)[];
}

/** Rows in first-seen order, columns in the report's order; `labels[i]` names `columns[i]`. */
export interface Matrix {
  columns: Column[];
  labels: string[];
  rows: MatrixRow[];
}

const same = (a: { kernel: string; userspace: string }, b: { kernel: string; userspace: string }) =>
  a.kernel === b.kernel && a.userspace === b.userspace;

/** A column's name in every reporter: the kernel, then whose tools, e.g. `6.1.0-27-amd64 · debian:bullseye`. */
export function columnLabel(c: { kernel: string; userspace: string }): string {
  return `${c.kernel} · ${c.userspace}`;
}

// Columns in the report's order, then any that only the results name, in first-seen order.
export function columnsOf(report: RunReport): Column[] {
  const columns = [...report.columns];
  for (const r of report.results)
    if (!columns.some((c) => same(c, r))) columns.push({ kernel: r.kernel, userspace: r.userspace });
  return columns;
}

/** The results of one column. */
export function resultsIn(report: RunReport, c: Column): Result[] {
  return report.results.filter((r) => same(r, c));
}

// Groups results into rows of (scenario, variant, check) with one cell per column.
export function buildMatrix(report: RunReport): Matrix {
  const columns = columnsOf(report);
  const rows = new Map<string, MatrixRow>();
  for (const r of report.results) {
    const key = JSON.stringify([r.scenario, r.variant, r.check]);
    let row = rows.get(key);
    if (row === undefined) {
      row = { scenario: r.scenario, variant: r.variant, check: r.check, cells: columns.map(() => undefined) };
      rows.set(key, row);
    }
    row.cells[columns.findIndex((c) => same(c, r))] = r;
  }
  return { columns, labels: columns.map(columnLabel), rows: [...rows.values()] };
}

// Splits rows by scenario, keeping first-seen order of scenarios and of rows within each.
export function byScenario(rows: readonly MatrixRow[]): Map<string, MatrixRow[]> {
  const groups = new Map<string, MatrixRow[]>();
  for (const row of rows) {
    const group = groups.get(row.scenario);
    if (group === undefined) groups.set(row.scenario, [row]);
    else group.push(row);
  }
  return groups;
}

// Text for one cell: "reach pass", "no-reach xfail", "skip", "error", "crash", or "-" when absent.
// With --repeat, how many runs reached: "reach pass (3/3 reached)".
export function cellText(result: Result | undefined): string {
  if (result === undefined) return "-";
  // Runs merged by `nsmatrix report` that disagree on this cell: all their verdicts.
  if (result.disagree) return `${verdictText(result)} DISAGREE (${result.disagree.join(" / ")})`;
  return verdictText(result);
}

function verdictText(result: Result): string {
  switch (result.verdict) {
    case "pass":
    case "fail":
    case "xfail":
    case "xpass": {
      const tally = subtestTally(result.evidence.subtests);
      const notes = [
        ...(result.runs > 1 ? [`${result.reached}/${result.runs} reached`] : []),
        ...(tally
          ? [
              `${tally.ok}/${tally.total} subtests${tally.skipped.length ? `, ${tally.skipped.length} skipped` : ""}`,
            ]
          : []),
        ...(result.expected === "flaky" ? ["known race"] : []),
      ];
      const note = notes.length ? ` (${notes.join(", ")})` : "";
      return `${result.outcome} ${result.verdict}${note}${result.flaky ? " FLAKY" : ""}`;
    }
    case "skip":
    case "error":
    case "crash":
      return result.verdict;
    default:
      return assertNever(result);
  }
}

// Names one result as "scenario/variant/check [kernel · userspace]".
export function resultLabel(key: ResultKey): string {
  return `${key.scenario}/${key.variant}/${key.check} [${columnLabel(key)}]`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}

/** One line per column that knows its tools: `label: ip 5.9.0, nft 0.9.8, …`. */
export function toolLines(columns: readonly Column[]): string[] {
  return columns.flatMap((c) =>
    c.tools && Object.keys(c.tools).length ? [`${columnLabel(c)}: ${formatToolVersions(c.tools)}`] : [],
  );
}
