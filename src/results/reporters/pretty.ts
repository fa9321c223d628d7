// The pretty reporter: aligned tables for a terminal, a summary line, then evidence for what went wrong.
import { visible } from "../../text.js";
import { evidenceLines, sawText, shortfall } from "../evidence.js";
import { summarize } from "../standing.js";
import type { Evidence, Result, RunReport, Verdict } from "../types.js";
import { buildMatrix, byScenario, cellText, resultLabel, toolLines } from "./matrix.js";

/** Options for the pretty reporter. */
export interface PrettyOptions {
  /** Colour verdicts with ANSI escapes. */
  color: boolean;
}

const GREEN = 32;
const RED = 31;
const YELLOW = 33;

// Formats a run for a human: one table per scenario, the summary line, failure evidence and skip reasons.
export function formatPretty(report: RunReport, opts: PrettyOptions): string {
  const paint = (code: number, text: string) => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { columns, labels, rows } = buildMatrix(report);
  const blocks: string[] = [];
  for (const [scenario, group] of byScenario(rows)) {
    const header = ["variant", "check", ...labels];
    const body = group.map((row) => [
      row.variant,
      row.check,
      ...row.cells.map((r) => (r === undefined ? "-" : paint(colorOf(r.verdict), cellText(r)))),
    ]);
    blocks.push([scenario, ...table(header, body)].join("\n"));
  }
  const tools = toolLines(columns);
  if (tools.length) blocks.push(["tools:", ...tools.map((t) => `  ${t}`)].join("\n"));
  blocks.push(summaryLine(report, paint));
  const split = report.results.filter((r) => r.disagree);
  if (split.length)
    blocks.push(
      [
        paint(RED, "runs disagree (nsmatrix report):"),
        ...split.map((r) => `  - ${resultLabel(r)}: ${r.disagree?.join(" / ")}`),
      ].join("\n"),
    );
  const problems = problemBlock(report, paint);
  if (problems) blocks.push(problems);
  const xfails = report.results.flatMap((r) => (r.verdict === "xfail" ? [r] : []));
  if (xfails.length > 0)
    blocks.push(
      [
        paint(GREEN, "expected failures, and how far each got:"),
        ...xfails.map((r) => `  - ${resultLabel(r)}: ${shortfall(r.evidence) ?? r.outcome}`),
      ].join("\n"),
    );
  const reasons = skipReasons(report.results);
  if (reasons.length > 0)
    blocks.push([paint(YELLOW, "skipped:"), ...reasons.map((r) => `  - ${r}`)].join("\n"));
  return `${blocks.join("\n\n")}\n`;
}

/**
 * What a CI log needs when the reports went to files: the summary line, then every result that
 * did not meet its expectation, with its evidence.
 */
export function formatDigest(report: RunReport, opts: PrettyOptions): string {
  const paint = (code: number, text: string) => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const problems = problemBlock(report, paint);
  return `${[summaryLine(report, paint), ...(problems ? [problems] : [])].join("\n\n")}\n`;
}

function problemBlock(report: RunReport, paint: Paint): string | undefined {
  const problems = report.results.filter((r) => colorOf(r.verdict) === RED);
  return problems.length ? problems.map((r) => problem(r, paint)).join("\n\n") : undefined;
}

function colorOf(status: Verdict): number {
  switch (status) {
    case "pass":
    case "xfail":
      return GREEN;
    case "skip":
      return YELLOW;
    case "fail":
    case "xpass":
    case "error":
    case "crash":
      return RED;
    default:
      return assertNever(status);
  }
}

// Pads every column to its widest visible cell, under a rule; the last column is not padded.
function table(header: string[], body: string[][]): string[] {
  const widths = header.map((_, i) =>
    Math.max(...[header, ...body].map((row) => visibleLength(row[i] ?? ""))),
  );
  const rule = widths.map((w) => "-".repeat(w));
  return [header, rule, ...body].map(
    (row) =>
      `  ${row.map((c, i) => (i === row.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - visibleLength(c)))).join("  ")}`,
  );
}

// ANSI colour codes take no columns on screen.
function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}

type Paint = (code: number, text: string) => string;

function summaryLine(report: RunReport, paint: Paint): string {
  const c = summarize(report.results);
  const n = report.results.length;
  const bad = (v: Verdict) => (c[v] > 0 ? paint(RED, `${c[v]} ${v}`) : `${c[v]} ${v}`);
  const ok = `${c.pass} pass, ${c.xfail} xfail, ${c.skip} skip`;
  const notOk = `${bad("fail")}, ${bad("xpass")}, ${bad("error")}, ${bad("crash")}`;
  return `${n} result${n === 1 ? "" : "s"}: ${ok} (${notOk}) in ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** A result's verdict, what was seen and its evidence, as the pretty report's failures list it. */
export function problemText(r: Result): string {
  return problem(r, (_c, t) => t);
}

function problem(r: Result, paint: Paint): string {
  const head = (what: string) => `${paint(RED, r.verdict.toUpperCase())} ${resultLabel(r)}: ${what}`;
  switch (r.verdict) {
    case "fail":
      return [
        head(`expected ${r.expected}, ${sawText(r.outcome, r.evidence)}`),
        ...(r.flaky ? [`  flaky: ${r.reached} of ${r.runs} runs reached (${r.flaky.join(", ")})`] : []),
        ...evidence(r.evidence),
      ].join("\n");
    case "xpass":
      return [
        head(`expected failure did not happen: ${sawText(r.outcome, r.evidence)}`),
        ...evidence(r.evidence),
      ].join("\n");
    case "error":
      return [head(printable(r.reason)), ...(r.evidence ? evidence(r.evidence) : [])].join("\n");
    case "crash":
      return [head(printable(r.reason)), ...tail(r.console)].join("\n");
    case "pass":
    case "xfail":
    case "skip":
      return head("ok");
    default:
      return assertNever(r);
  }
}

function evidence(e: Evidence): string[] {
  return [...evidenceLines(e).map((l) => `  ${printable(l)}`), ...tail(e.stderrTail)];
}

// The last three non-empty lines, quoted.
function tail(text: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.slice(-3).map((l) => `  > ${printable(l)}`);
}

// Control characters from a command's output could move the cursor or recolour the terminal.
const printable = visible;

// Distinct skip reasons in first-seen order, with how many results each covers.
function skipReasons(results: readonly Result[]): string[] {
  const counts = new Map<string, number>();
  for (const r of results) if (r.verdict === "skip") counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${printable(reason)} (${n} result${n === 1 ? "" : "s"})`);
}

function assertNever(value: never): never {
  throw new Error(`unexpected verdict ${JSON.stringify(value)}`);
}
