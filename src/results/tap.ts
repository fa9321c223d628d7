// The script's TAP → one Observation per check. Uses tap-parser; the script's YAML diag carries the evidence.
import { Parser, type Result as TapPoint } from "tap-parser";
import { demandEvidence, type SubTest, stageInfo } from "../checks/index.js";
import type { ScriptRun } from "../script-run.js";
import type { Evidence, Observation } from "./types.js";

const tail = (s: string, lines = 5) => s.trimEnd().split("\n").slice(-lines).join("\n");

// tap-parser moves `duration_ms` out of the diag into the point's `time`.
function evidenceOf(diag: Record<string, unknown>, time: number | undefined, subtests: SubTest[]): Evidence {
  const num = (v: unknown) => (typeof v === "number" ? v : Number(v ?? Number.NaN));
  const exit = num(diag.exit);
  const kind = typeof diag.kind === "string" ? diag.kind : undefined;
  const stage = typeof diag.stage === "string" && stageInfo(diag.stage, kind) ? diag.stage : undefined;
  return {
    command: String(diag.command ?? ""),
    exitCode: Number.isFinite(exit) ? exit : null,
    durationMs: time ?? (num(diag.duration_ms) || 0),
    stderrTail: tail(String(diag.stderr ?? "")),
    ...(stage ? { stage } : {}),
    ...(kind ? { kind } : {}),
    ...(diag.timeout !== undefined ? { timeoutS: num(diag.timeout) } : {}),
    ...(diag.answer_timeout !== undefined ? { answerTimeoutS: num(diag.answer_timeout) } : {}),
    ...demandEvidence(diag),
    ...(subtests.length ? { subtests } : {}),
  };
}

function observe(point: TapPoint, checks: string[], subtests: SubTest[]): Observation {
  const check = checks[point.id - 1] ?? point.name;
  if (point.skip)
    return { check, status: "skip", reason: typeof point.skip === "string" ? point.skip : "skipped" };
  // A point's ok means "as expected" (kselftest's); what was seen is in its YAML.
  const diag = (point.diag ?? {}) as Record<string, unknown>;
  const outcome = diag.outcome === "reach" || diag.outcome === "no-reach" ? diag.outcome : undefined;
  if (!outcome)
    return { check, status: "error", reason: `the script's TAP point ${point.id} carries no outcome` };
  return {
    check,
    status: "observed",
    outcome,
    evidence: evidenceOf(diag, point.time ?? undefined, subtests),
  };
}

// A nested point's directive: TAP's SKIP and TODO, and kselftest's XFAIL and XPASS (which TAP
// parsers leave in the name).
function subTest(p: TapPoint): SubTest {
  const x = / # (XFAIL|XPASS)\b.*$/.exec(p.name);
  const name = x ? p.name.slice(0, x.index) : p.name;
  const directive = p.skip ? "SKIP" : p.todo ? "TODO" : x?.[1];
  return { id: p.id, name, ok: p.ok, ...(directive ? { directive } : {}) };
}

/** Why a script that did not report every check stopped early. */
function whyIncomplete(run: ScriptRun, bailout: string | undefined): string {
  if (run.timedOut) return `script timed out after ${(run.durationMs / 1000).toFixed(1)} s`;
  if (bailout) return `set-up failed: ${bailout}`;
  if (run.signal) return `script killed by ${run.signal}`;
  const err = tail(run.stderr, 3);
  return `script exited ${run.exitCode} before reporting${err ? `: ${err}` : ""}`;
}

/** Parses a script's TAP into one observation per check, in the compiled order. */
export function observationsFromTap(run: ScriptRun, checks: string[]): Observation[] {
  const points: { point: TapPoint; subtests: SubTest[] }[] = [];
  let bailout: string | undefined;
  // A script check's own TAP arrives as a subtest just before its point.
  let nested: SubTest[] = [];
  const parser = new Parser();
  parser.on("child", (child: Parser) => {
    const mine: SubTest[] = [];
    nested = mine;
    child.on("assert", (p: TapPoint) => mine.push(subTest(p)));
  });
  parser.on("assert", (p: TapPoint) => {
    points.push({ point: p, subtests: nested });
    nested = [];
  });
  parser.on("bailout", (reason: string) => {
    bailout = reason;
  });
  parser.end(run.tap);
  const byCheck = new Map(
    points.map(({ point, subtests }) => [
      checks[point.id - 1] ?? point.name,
      observe(point, checks, subtests),
    ]),
  );
  return checks.map(
    (check) => byCheck.get(check) ?? { check, status: "error", reason: whyIncomplete(run, bailout) },
  );
}
