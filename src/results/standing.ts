// A run's standing: results counted by verdict, kselftest's exit status, and whether it was ok.
import type { CompletedRun, Counts, Result, RunReport, Verdict } from "./types.js";

// Every verdict, in the order reporters list them.
export const VERDICTS: readonly Verdict[] = ["pass", "fail", "xfail", "xpass", "skip", "error", "crash"];

// Counts results per verdict; every verdict is present, zero when unseen.
export function summarize(results: readonly Result[]): Counts {
  const counts: Counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0, crash: 0 };
  for (const r of results) counts[r.verdict] += 1;
  return counts;
}

// Exit-status precedence, as in kselftest: anything unexpected makes the run fail.
const OK_VERDICTS: ReadonlySet<Verdict> = new Set(["pass", "xfail", "skip"]);

/** kselftest's exit status of a run (or of some results): 0 every result met its expectation, 1 one did not, 4 every one skipped. */
export function exitCodeOf(run: RunReport | readonly Result[]): 0 | 1 | 4 {
  const results = "results" in run ? run.results : run;
  // Merged runs that disagree on a cell are not a result one can trust either way.
  if (!results.every((r) => OK_VERDICTS.has(r.verdict) && !r.disagree)) return 1;
  // kselftest's: a run in which every check was skipped tested nothing.
  return results.length > 0 && results.every((r) => r.verdict === "skip") ? 4 : 0;
}

/** The report with its standing: ok, exit status and counts. */
export function completeRun(report: RunReport): CompletedRun {
  const exitCode = exitCodeOf(report);
  return { ...report, ok: exitCode !== 1, exitCode, summary: summarize(report.results) };
}
