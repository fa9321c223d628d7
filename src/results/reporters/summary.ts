// Counting results by verdict, shared by the pretty and JSON reporters.
import type { Result, Verdict } from "../types.js";

// Every verdict, in the order reporters list them.
export const VERDICTS: readonly Verdict[] = ["pass", "fail", "xfail", "xpass", "skip", "error", "crash"];

// Counts results per verdict; every verdict is present, zero when unseen.
export function summarize(results: readonly Result[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = {
    pass: 0,
    fail: 0,
    xfail: 0,
    xpass: 0,
    skip: 0,
    error: 0,
    crash: 0,
  };
  for (const r of results) counts[r.status] += 1;
  return counts;
}
