// The Markdown reporter: a GitHub table per scenario, kernel × userspace as columns, the tools each
// column used, then the evidence.
import { evidenceLines, sawText, shortfall } from "../evidence.js";
import { summarize, VERDICTS } from "../standing.js";
import type { Evidence, Result, RunReport, Verdict } from "../types.js";
import { buildMatrix, byScenario, cellText, columnsOf, resultLabel, toolLines } from "./matrix.js";

// Each verdict's mark in a cell, as GitHub renders emoji: as-expected ones calm, the rest loud.
const MARK: Record<Verdict, string> = {
  pass: "✅",
  xfail: "☑️",
  skip: "⏭️",
  fail: "❌",
  xpass: "❗",
  error: "⚠️",
  crash: "💥",
};

const markedCell = (r: Result | undefined) => (r ? `${MARK[r.verdict]} ${cellText(r)}` : cellText(r));

// Formats a run as one GitHub Markdown table per scenario, each followed by what went wrong
// (evidence in <details>), the expected failures with how far they got, and the skip reasons.
export function formatMarkdown(report: RunReport): string {
  const { columns, labels, rows } = buildMatrix(report);
  const sections: string[] = [runHeadline(report)];
  for (const [scenario, group] of byScenario(rows)) {
    const lines = [`### ${cell(scenario)}`, ""];
    lines.push(tableRow(["variant", "check", ...labels]));
    lines.push(tableRow(["variant", "check", ...labels].map(() => "---")));
    for (const row of group) lines.push(tableRow([row.variant, row.check, ...row.cells.map(markedCell)]));
    const graph = report.graphs?.[scenario];
    if (graph)
      lines.push(
        "",
        "<details><summary>topology</summary>",
        "",
        "```mermaid",
        graph.trimEnd(),
        "```",
        "",
        "</details>",
      );
    const results = report.results.filter((r) => r.scenario === scenario);
    sections.push([...lines, ...evidenceSection(results)].join("\n"));
  }
  const tools = toolLines(columns);
  if (tools.length)
    sections.push(["Tools each column ran with:", "", ...tools.map((t) => `- ${inline(t)}`)].join("\n"));
  return `${sections.join("\n\n")}\n`;
}

// The counts first, so a CI summary says at a glance whether anything went wrong.
function runHeadline(report: RunReport): string {
  const c = summarize(report.results);
  const bad = c.fail + c.xpass + c.error + c.crash;
  const split = report.results.filter((r) => r.disagree).length;
  const mark = bad || split ? "❌" : "✅";
  const counts = VERDICTS.filter((v) => c[v] > 0).map((v) => `${MARK[v]} ${c[v]} ${v}`);
  const kernels = columnsOf(report).length;
  return [
    `## ${mark} nsmatrix: ${report.results.length} results on ${kernels} column${kernels === 1 ? "" : "s"}: ${counts.join(", ") || "none"}`,
    ...(split
      ? ["", `**${split} cell${split === 1 ? "" : "s"} where merged runs disagree** (marked DISAGREE).`]
      : []),
  ].join("\n");
}

function evidenceSection(results: Result[]): string[] {
  const out: string[] = [];
  const problems = results.flatMap((r) => {
    const head = headline(r);
    return head === undefined
      ? []
      : [details(`${r.verdict.toUpperCase()} ${resultLabel(r)}: ${head}`, body(r))];
  });
  if (problems.length) out.push("", ...problems);
  const xfails = results.flatMap((r) => (r.verdict === "xfail" ? [r] : []));
  // Folded: they are as expected, and a long list would push the table off a CI summary.
  if (xfails.length) {
    const n = xfails.length;
    out.push(
      "",
      `<details><summary>${n} expected failure${n === 1 ? "" : "s"}, and how far each got</summary>`,
      "",
    );
    for (const r of xfails)
      out.push(`- ${inline(resultLabel(r))}: ${inline(shortfall(r.evidence) ?? r.outcome)}`);
    out.push("", "</details>");
  }
  const skips = [...new Set(results.flatMap((r) => (r.verdict === "skip" ? [r.reason] : [])))];
  if (skips.length) out.push("", "Skipped:", "", ...skips.map((s) => `- ${inline(s)}`));
  return out;
}

function headline(r: Result): string | undefined {
  switch (r.verdict) {
    case "fail":
      return `expected ${r.expected}, ${sawText(r.outcome, r.evidence)}${r.flaky ? " (flaky)" : ""}`;
    case "xpass":
      return `expected failure did not happen: ${sawText(r.outcome, r.evidence)}`;
    case "error":
      return r.reason;
    case "crash":
      return `kernel crashed: ${r.reason}`;
    case "pass":
    case "xfail":
    case "skip":
      return undefined;
    default:
      return assertNever(r);
  }
}

function body(r: Result): string {
  const ev = (e: Evidence) => [...evidenceLines(e), ...(e.stderrTail ? ["stderr:", e.stderrTail] : [])];
  switch (r.verdict) {
    case "fail":
    case "xpass":
      return ev(r.evidence).join("\n");
    case "error":
      return r.evidence ? ev(r.evidence).join("\n") : "";
    case "crash":
      return r.console;
    default:
      return "";
  }
}

// A collapsed block; the fence is longer than any run of backticks in the text.
function details(summary: string, text: string): string {
  const fence = "`".repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`<details><summary>${html(summary)}</summary>`, "", fence, text, fence, "", "</details>"].join(
    "\n",
  );
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

// Text in a list item: no line breaks, and nothing that Markdown or HTML would interpret.
function inline(text: string): string {
  return html(text).replace(/([\\`*_|])/g, "\\$1");
}

function tableRow(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

// A pipe would end the cell and a newline the row, so both are neutralised.
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}
