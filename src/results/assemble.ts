// Observations + expectations → results; repeated runs that disagree are flagged flaky.
import type { CheckModel, ExpectationT } from "../model/index.js";
import { expectationFor, verdictOf } from "./expect.js";
import type { Observation, Result } from "./types.js";

export interface RunContext {
  scenario: string;
  variant: string;
  kernel: string;
  userspace: string;
  checks: CheckModel[];
}

/** One result per check. `repeats` holds the observations of each run of the same variant. */
export function assembleResults(ctx: RunContext, repeats: Observation[][]): Result[] {
  return ctx.checks.map((check, i) => {
    const key = {
      scenario: ctx.scenario,
      variant: ctx.variant,
      check: check.name,
      kernel: ctx.kernel,
      userspace: ctx.userspace,
    };
    const seen = repeats.map((r) => r[i]).filter((o): o is Observation => o !== undefined);
    const first = seen.find((o) => o.status === "error") ?? seen.find((o) => o.status === "skip") ?? seen[0];
    if (!first) return { ...key, verdict: "error", reason: "no observation" };
    if (first.status === "error")
      return { ...key, verdict: "error", reason: first.reason, evidence: first.evidence };
    if (first.status === "skip") return { ...key, verdict: "skip", reason: first.reason };
    const expected = declared(expectationFor(check.expect, ctx.variant, ctx.kernel), first.evidence.stage);
    const outcomes = seen.flatMap((o) => (o.status === "observed" ? [o.outcome] : []));
    // Repeats that disagree fail the check, unless its expectation says it is a known race.
    const flaky = new Set(outcomes).size > 1 && expected !== "flaky";
    return {
      ...key,
      verdict: flaky ? "fail" : verdictOf(first.outcome, expected),
      outcome: first.outcome,
      expected,
      evidence: first.evidence,
      runs: outcomes.length,
      reached: outcomes.filter((o) => o === "reach").length,
      ...(flaky ? { flaky: outcomes } : {}),
    };
  });
}

// A script says what it expected by its exit code, as kselftest: 2 is an expected failure, 3 an
// unexpected pass. (nsm_verdict in compile/runtime/report.sh applies the same rule to its selftest line.)
function declared(expected: ExpectationT, stage: string | undefined): ExpectationT {
  if (stage === "xfail" && expected !== "no-reach") return "xfail";
  if (stage === "xpass" && expected === "reach") return "xfail";
  return expected;
}
