// The TAP reporter: TAP version 13 read the kselftest way, one test point per result. A point is
// ok when the check met its expectation on that kernel; the outcome and the stage go in its YAML
// and in a selftest line ("# [ OK ] name: reach (connected), expected reach").
import { demandFacts } from "../../checks/index.js";
import { sawText, stageText } from "../evidence.js";
import type { Evidence, Result, ResultKey, RunReport } from "../types.js";
import { yamlishBlock as diag } from "./yamlish.js";

// A point's name in ASCII, "scenario/variant/check [kernel, userspace]": prove and other byte-wise
// readers show a multi-byte "·" as stray bytes. (Names and kernel releases are ASCII already.)
const tapLabel = (k: ResultKey) => `${k.scenario}/${k.variant}/${k.check} [${k.kernel}, ${k.userspace}]`;

// Formats a run as TAP version 13 with kselftest's directives: an expected failure is
// "ok … # XFAIL", a skip "ok … # SKIP"; a failure, an unexpected pass, an error and a crash are "not ok".
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
    `    # Subtest: ${escapeDesc(tapLabel(r))}`,
    `    1..${points.length}`,
    ...points.map(
      (p) =>
        `    ${p.ok ? "ok" : "not ok"} ${p.id} - ${escapeDesc(p.name)}${p.directive ? ` # ${p.directive}` : ""}`,
    ),
  ];
}

function testPoint(r: Result, n: number): string[] {
  const desc = `${n} - ${escapeDesc(tapLabel(r))}`;
  switch (r.verdict) {
    case "pass":
      return [`ok ${desc}`, ...diag(verdictFields(r)), selftestLine(r)];
    case "xfail":
      return [
        `ok ${desc} # XFAIL ${r.outcome}${r.evidence.stage ? ` (${r.evidence.stage})` : ""}`,
        ...diag(verdictFields(r)),
        selftestLine(r),
      ];
    case "skip":
      return [`ok ${desc} # SKIP ${escapeDesc(r.reason)}`];
    case "xpass": {
      const message =
        r.outcome === "reach" ? "unexpectedly reached" : `unexpectedly passed (saw ${r.outcome})`;
      return [`not ok ${desc}`, ...diag({ message, ...verdictFields(r) }), selftestLine(r)];
    }
    case "fail": {
      const message = `expected ${r.expected}, ${sawText(r.outcome, r.evidence)}${r.flaky ? " (flaky)" : ""}`;
      return [`not ok ${desc}`, ...diag({ message, ...verdictFields(r) }), selftestLine(r)];
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

const SELFTEST: Record<Checked["verdict"], string> = {
  pass: "[ OK ]",
  fail: "[FAIL]",
  xfail: "[XFAIL]",
  xpass: "[XPASS]",
};

// The line the reproducer prints for the same check, as net selftests print theirs.
function selftestLine(r: Checked): string {
  const stage = r.evidence.stage ? ` (${r.evidence.stage})` : "";
  return `# ${SELFTEST[r.verdict].padEnd(7)} ${escapeDesc(tapLabel(r))}: ${r.outcome}${stage}, expected ${r.expected}`;
}

type Checked = Extract<Result, { verdict: "pass" | "fail" | "xfail" | "xpass" }>;

function verdictFields(r: Checked): Record<string, unknown> {
  return {
    outcome: r.outcome,
    expected: r.expected,
    verdict: r.verdict,
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
