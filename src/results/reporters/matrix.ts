// Arranging results as a matrix: one row per scenario × variant × check, one column per kernel.
import type { Result, ResultKey, RunReport } from "../types.js";

/** One row of the matrix; `cells[i]` belongs to `Matrix.kernels[i]`. */
export interface MatrixRow {
  scenario: string;
  variant: string;
  check: string;
  cells: (Result | undefined)[];
}

/** Rows in first-seen order, columns in the report's kernel order. */
export interface Matrix {
  kernels: string[];
  rows: MatrixRow[];
}

// Kernels in the report's order, then any kernel that only the results name, in first-seen order.
export function kernelsOf(report: RunReport): string[] {
  const kernels = [...report.kernels];
  for (const r of report.results) if (!kernels.includes(r.kernel)) kernels.push(r.kernel);
  return kernels;
}

// Groups results into rows of (scenario, variant, check) with one cell per kernel.
export function buildMatrix(report: RunReport): Matrix {
  const kernels = kernelsOf(report);
  const rows = new Map<string, MatrixRow>();
  for (const r of report.results) {
    const key = JSON.stringify([r.scenario, r.variant, r.check]);
    let row = rows.get(key);
    if (row === undefined) {
      row = { scenario: r.scenario, variant: r.variant, check: r.check, cells: kernels.map(() => undefined) };
      rows.set(key, row);
    }
    row.cells[kernels.indexOf(r.kernel)] = r;
  }
  return { kernels, rows: [...rows.values()] };
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
  switch (result.status) {
    case "pass":
    case "fail":
    case "xfail":
    case "xpass": {
      const notes = [
        ...(result.runs > 1 ? [`${result.reached}/${result.runs} reached`] : []),
        ...(result.expected === "flaky" ? ["known race"] : []),
      ];
      const note = notes.length ? ` (${notes.join(", ")})` : "";
      return `${result.outcome} ${result.status}${note}${result.flaky ? " FLAKY" : ""}`;
    }
    case "skip":
    case "error":
    case "crash":
      return result.status;
    default:
      return assertNever(result);
  }
}

// Names one result as "scenario/variant/check [kernel]".
export function resultLabel(key: ResultKey): string {
  return `${key.scenario}/${key.variant}/${key.check} [${key.kernel}]`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}
