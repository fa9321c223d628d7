// The JUnit reporter: one <testsuite> per kernel × userspace, one <testcase> per result.
import { evidenceLines, sawText } from "../evidence.js";
import type { Column, Evidence, Result, RunReport } from "../types.js";
import { columnLabel, columnsOf, resultsIn } from "./matrix.js";

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

// Formats a run as JUnit XML; xfail counts as passing, xpass as a failure, crash as an error.
export function formatJunit(report: RunReport): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  const suites: string[] = [];
  const columns = columnsOf(report);
  for (const [id, column] of columns.entries()) {
    const results = resultsIn(report, column);
    // A suite's time is the column's wall time: its checks ran concurrently, their sum is not it.
    const counts = {
      ...countSuite(results),
      ...(column.durationMs !== undefined ? { ms: column.durationMs } : {}),
    };
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    total.ms += counts.ms;
    suites.push(
      `  <testsuite name=${attr(columnLabel(column))} ${countAttrs(counts)} id="${id}" package="nsmatrix" timestamp=${attr(timestamp(report))} hostname=${attr(report.hostname ?? "localhost")}>`,
      ...properties(column),
      ...results.map((r) => testCase(r, column)),
      "  </testsuite>",
    );
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="nsmatrix" ${countAttrs({ ...total, ms: report.durationMs })}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}

// The column's kernel, userspace and the versions of the tools it ran.
function properties(c: Column): string[] {
  const props = [
    ["kernel", c.kernel],
    ["userspace", c.userspace],
    ...Object.entries(c.tools ?? {}).map(([tool, v]) => [`tools.${tool}`, v]),
  ];
  return [
    "    <properties>",
    ...props.map(([name, value]) => `      <property name=${attr(name ?? "")} value=${attr(value ?? "")}/>`),
    "    </properties>",
  ];
}

function countSuite(results: readonly Result[]): Counts {
  const c: Counts = { tests: results.length, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const r of results) {
    c.ms += durationMs(r);
    if (r.verdict === "fail" || r.verdict === "xpass") c.failures += 1;
    else if (r.verdict === "error" || r.verdict === "crash") c.errors += 1;
    else if (r.verdict === "skip") c.skipped += 1;
  }
  return c;
}

function countAttrs(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${seconds(c.ms)}"`;
}

// The pcaps of a check, as the [[ATTACHMENT|path]] lines CI servers (Jenkins, GitLab) pick up
// from a test case's system-out.
function attachments(r: Result): string {
  const files = "evidence" in r ? (r.evidence?.pcaps ?? []) : [];
  return files.map((f) => `[[ATTACHMENT|${f}]]`).join("\n");
}

// JUnit's timestamp: ISO 8601 without a zone, in UTC.
function timestamp(report: RunReport): string {
  const t = report.startedAt ?? new Date(0).toISOString();
  return t.replace(/\.\d+Z$|Z$/, "");
}

/**
 * The classname names the column first, so that tools which know a test by classname and name
 * keep kernels apart: 6_1_0-50-amd64.box0-bridge-dnat.baseline (dots of the release as `_`, as
 * a dot separates packages), with the userspace when it is not the host's.
 */
export function classnameOf(r: Result, c: Column): string {
  const column = `${c.kernel}${c.userspace === "host" ? "" : `+${c.userspace}`}`.replace(/[.:]/g, "_");
  return `${column}.${r.scenario}.${r.variant}`;
}

function testCase(r: Result, c: Column): string {
  const open = `    <testcase classname=${attr(classnameOf(r, c))} name=${attr(r.check)} time="${seconds(durationMs(r))}"`;
  const files = attachments(r);
  const own = caseBody(r);
  const body =
    files && (r.verdict === "pass" || r.verdict === "xfail")
      ? own?.replace("</system-out>", `${escapeText(`\n${files}`)}</system-out>`)
      : files
        ? `${own ?? ""}\n      <system-out>${escapeText(files)}</system-out>`
        : own;
  return body === undefined ? `${open}/>` : `${open}>\n      ${body}\n    </testcase>`;
}

function caseBody(r: Result): string | undefined {
  switch (r.verdict) {
    case "pass":
      return `<system-out>${escapeText(evidenceText(r.evidence))}</system-out>`;
    case "xfail":
      return `<system-out>${escapeText(`expected failure seen\n${evidenceText(r.evidence)}`)}</system-out>`;
    case "fail": {
      const flaky = r.flaky ? ` (flaky: ${r.flaky.join(", ")})` : "";
      return element(
        "failure",
        `expected ${r.expected}, ${sawText(r.outcome, r.evidence)}${flaky}`,
        "fail",
        evidenceText(r.evidence),
      );
    }
    case "xpass":
      return element(
        "failure",
        `expected failure did not happen: ${sawText(r.outcome, r.evidence)}`,
        "xpass",
        evidenceText(r.evidence),
      );
    case "error":
      return element("error", r.reason, "error", r.evidence ? evidenceText(r.evidence) : "");
    case "crash":
      return element("error", `kernel crashed: ${r.reason}`, "crash", r.console);
    case "skip":
      return `<skipped message=${attr(r.reason)}/>`;
    default:
      return assertNever(r);
  }
}

function element(tag: string, message: string, type: string, text: string): string {
  return `<${tag} message=${attr(message)} type="${type}">${escapeText(text)}</${tag}>`;
}

function evidenceText(e: Evidence): string {
  const lines = evidenceLines(e);
  if (e.stderrTail !== "") lines.push("stderr:", e.stderrTail);
  return lines.join("\n");
}

function durationMs(r: Result): number {
  switch (r.verdict) {
    case "pass":
    case "fail":
    case "xfail":
    case "xpass":
      return r.evidence.durationMs;
    case "error":
      return r.evidence?.durationMs ?? 0;
    case "skip":
    case "crash":
      return 0;
    default:
      return assertNever(r);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// XML 1.0 forbids most C0 controls, lone surrogates, U+FFFE and U+FFFF even as character references.
const FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeText(text: string): string {
  return text
    .replace(FORBIDDEN, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

// A quoted attribute value; tab, newline and CR become references so parsers do not fold them to spaces.
function attr(value: string): string {
  const escaped = escapeText(value).replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
  return `"${escaped}"`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}
