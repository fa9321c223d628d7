// The TAP reporter: TAP version 13, one test point per result, YAML diagnostics on failures.
import { stringify } from "yaml";
import { demandFacts } from "../../checks/index.js";
import { sawText, stageText } from "../evidence.js";
import type { Evidence, Result, RunReport } from "../types.js";
import { resultLabel } from "./matrix.js";

// Formats a run as TAP version 13; xfail is a TODO, xpass and every failure are strict "not ok".
export function formatTap(report: RunReport): string {
  const lines = ["TAP version 13", `1..${report.results.length}`];
  report.results.forEach((r, i) => {
    lines.push(...subtests(r), ...testPoint(r, i + 1));
  });
  return `${lines.join("\n")}\n`;
}

// A script check's own TAP points, nested as a subtest before its point (TAP 13's indentation).
function subtests(r: Result): string[] {
  const points = "evidence" in r ? r.evidence?.subtests : undefined;
  if (!points?.length) return [];
  return [
    `    # Subtest: ${escapeDesc(resultLabel(r))}`,
    `    1..${points.length}`,
    ...points.map(
      (p) =>
        `    ${p.ok ? "ok" : "not ok"} ${p.id} - ${escapeDesc(p.name)}${p.directive ? ` # ${p.directive}` : ""}`,
    ),
  ];
}

function testPoint(r: Result, n: number): string[] {
  const desc = `${n} - ${escapeDesc(resultLabel(r))}`;
  switch (r.status) {
    case "pass":
      return [`ok ${desc}`];
    case "xfail":
      return [`not ok ${desc} # TODO expected failure`, ...diag(verdictFields(r))];
    case "skip":
      return [`ok ${desc} # SKIP ${escapeDesc(r.reason)}`];
    case "xpass": {
      const message =
        r.outcome === "reach" ? "unexpectedly reached" : `unexpectedly passed (saw ${r.outcome})`;
      return [`not ok ${desc}`, ...diag({ message, ...verdictFields(r) })];
    }
    case "fail": {
      const message = `expected ${r.expected}, ${sawText(r.outcome, r.evidence)}${r.flaky ? " (flaky)" : ""}`;
      return [`not ok ${desc}`, ...diag({ message, ...verdictFields(r) })];
    }
    case "error":
      return [
        `not ok ${desc}`,
        ...diag({ message: r.reason, ...(r.evidence ? evidenceFields(r.evidence) : {}) }),
      ];
    case "crash":
      return [`not ok ${desc}`, ...diag({ message: `kernel crashed: ${r.reason}`, console: r.console })];
    default:
      return assertNever(r);
  }
}

type Checked = Extract<Result, { status: "pass" | "fail" | "xfail" | "xpass" }>;

function verdictFields(r: Checked): Record<string, unknown> {
  return {
    outcome: r.outcome,
    expected: r.expected,
    ...evidenceFields(r.evidence),
    ...(r.runs > 1 ? { runs: r.runs, reached: r.reached } : {}),
    ...(r.flaky ? { flaky: r.flaky } : {}),
  };
}

// Every field the check demanded, beside what it saw; the stage also in words.
function evidenceFields(e: Evidence): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    command: e.command,
    exit: e.exitCode,
    duration_ms: e.durationMs,
  };
  if (e.timeoutS !== undefined) fields.timeout_s = e.timeoutS;
  if (e.answerTimeoutS !== undefined) fields.answer_timeout_s = e.answerTimeoutS;
  if (e.stage !== undefined) Object.assign(fields, { stage: e.stage, reached: stageText(e) });
  if (e.service !== undefined) fields.service = e.service;
  if (e.answeredBy !== undefined) fields.answered_by = e.answeredBy;
  // Each demand and diagnosis as its module words it: bytes, offload, drops, pcaps, subtests.
  for (const f of demandFacts(e)) fields[f.label] = f.text;
  fields.stderr = e.stderrTail;
  return fields;
}

// A YAML block between "---" and "...", indented two spaces under its test point.
function diag(fields: Record<string, unknown>): string[] {
  // No block scalars ("stderr: |-"): Perl's TAP::Parser (prove) stops reading at one. Quoted
  // strings with \n escapes are read by every consumer.
  const body = stringify(fields, { lineWidth: 0, blockQuote: false }).trimEnd().split("\n");
  return ["  ---", ...body.map((line) => (line === "" ? line : `  ${line}`)), "  ..."];
}

// "#" starts a directive and a newline ends the line, so descriptions escape the one and flatten the other.
function escapeDesc(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/#/g, "\\#")
    .replace(/\s*\r?\n\s*/g, " ")
    .trim();
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}
