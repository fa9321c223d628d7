// The HTML reporter: one self-contained page (no network, no external file). A banner with the
// run's standing and counts, a legend, the failures with their evidence open, then the matrix:
// one row per check under its scenario's heading, one column per kernel × userspace, each cell
// with its verdict's colour and icon, its duration and its evidence; then the topologies as SVG.
import { VERSION } from "../../package.js";
import { evidenceLines, sawText } from "../evidence.js";
import { completeRun, exitCodeOf, VERDICTS } from "../standing.js";
import type { Column, Result, RunReport } from "../types.js";
import { SCRIPT, STYLE, VERDICT_LOOK } from "./html-assets.js";
import { buildMatrix, byScenario, cellText, resultLabel, toolLines } from "./matrix.js";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

// What a result opens: the headline, then the evidence lines and the stderr tail.
function evidenceOf(r: Result): string[] {
  switch (r.verdict) {
    case "pass":
    case "fail":
    case "xfail":
    case "xpass":
      return [
        `expected ${r.expected}, ${sawText(r.outcome, r.evidence)}`,
        ...evidenceLines(r.evidence),
        ...(r.evidence.stderrTail ? ["stderr:", r.evidence.stderrTail] : []),
        ...(r.disagree ? [`runs disagree: ${r.disagree.join(" / ")}`] : []),
      ];
    case "skip":
      return [`skipped: ${r.reason}`];
    case "error":
      return [r.reason, ...(r.evidence ? evidenceLines(r.evidence) : [])];
    case "crash":
      return [`kernel crashed: ${r.reason}`, r.console];
  }
}

// Not as expected: what makes the run's exit status 1 (one rule, standing.ts's).
const isProblem = (r: Result) => exitCodeOf([r]) === 1;
const durationOf = (r: Result) => ("evidence" in r && r.evidence ? r.evidence.durationMs : undefined);

// The banner: the run's standing in words, what ran where, and a count per verdict.
function banner(report: RunReport, columns: Column[]): string {
  const run = completeRun(report);
  const n = report.results.length;
  const bad = report.results.filter(isProblem).length;
  const [cls, title] =
    run.exitCode === 1
      ? ["bad", `✗ Not as expected: ${bad} of ${plural(n, "result")}`]
      : run.exitCode === 4
        ? ["skipped", `– Nothing tested: all ${plural(n, "result")} skipped`]
        : ["ok", `✓ As expected: all ${plural(n, "result")}`];
  const meta = [
    `nsmatrix ${report.version ?? VERSION}`,
    ...(report.hostname ? [`on ${report.hostname}`] : []),
    ...(report.startedAt ? [`started ${report.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}`] : []),
    `took ${secs(report.durationMs)}`,
    plural(columns.length, "column"),
  ];
  const counts = VERDICTS.filter((v) => run.summary[v] > 0).map(
    (v) => `<li class="v-${v}">${VERDICT_LOOK[v].icon} ${run.summary[v]} ${v}</li>`,
  );
  return `<header class="banner ${cls}" id="banner"><h1>${esc(title)}</h1>
<p class="meta">${meta.map(esc).join(" · ")}</p><ul class="counts">${counts.join("")}</ul></header>`;
}

function legend(): string {
  const rows = VERDICTS.map(
    (v) => `<dt class="v-${v}">${VERDICT_LOOK[v].icon} ${v}</dt><dd>${esc(VERDICT_LOOK[v].means)}</dd>`,
  );
  return `<section id="legend"><h2>Legend</h2><dl>${rows.join("")}</dl></section>`;
}

// Every result that was not as expected, first, with its evidence open.
function failures(report: RunReport): string {
  const bad = report.results.filter(isProblem);
  if (!bad.length) return "";
  const items = bad.map((r) => {
    const look = VERDICT_LOOK[r.verdict];
    const head = `${look.icon} ${r.verdict.toUpperCase()} ${resultLabel(r)}`;
    return `<details class="failure" open style="border-left-color:${look.bg}"><summary>${esc(head)}</summary><pre>${esc(evidenceOf(r).join("\n"))}</pre></details>`;
  });
  return `<section id="failures"><h2>Not as expected (${bad.length})</h2>${items.join("\n")}</section>`;
}

// A column's header: the kernel release, how it was named and where it ran, whose tools, which host.
function columnHead(c: Column): string {
  const machine =
    c.machine === "qemu"
      ? `QEMU guest${c.accel ? ` (${c.accel.toUpperCase()})` : ""}`
      : c.machine === "vagrant"
        ? "Vagrant box"
        : c.machine === "host" || c.spec === "host"
          ? "host kernel"
          : "guest";
  const lines = [
    `${c.spec && c.spec !== "host" ? `${c.spec} · ` : ""}${machine}`,
    `userspace: ${c.userspace}`,
    [c.host ? `on ${c.host}` : "", c.durationMs !== undefined ? secs(c.durationMs) : ""]
      .filter(Boolean)
      .join(" · "),
  ].filter(Boolean);
  return `<th class="column">${esc(c.kernel)}${lines.map((l) => `<small>${esc(l)}</small>`).join("")}</th>`;
}

function cell(r: Result | undefined): string {
  if (!r) return `<td class="none">-</td>`;
  const look = VERDICT_LOOK[r.verdict];
  const ms = durationOf(r);
  return `<td class="cell v-${r.verdict}${r.disagree ? " disagree" : ""}" title="${esc(resultLabel(r))}">${look.icon} ${esc(cellText(r))}${ms !== undefined ? `<span class="dur">${secs(ms)}</span>` : ""}<details><summary>evidence</summary><pre>${esc(evidenceOf(r).join("\n"))}</pre></details></td>`;
}

function matrix(report: RunReport): { table: string; columns: Column[] } {
  const { columns, rows } = buildMatrix(report);
  const head = `<tr><th>variant</th><th>check</th>${columns.map(columnHead).join("")}</tr>`;
  const groups = [...byScenario(rows)].map(([scenario, group]) => {
    const body = group.map((row) => {
      const verdicts = [...new Set(row.cells.map((r) => r?.verdict ?? "none"))].join(" ");
      const text = [scenario, row.variant, row.check, ...row.cells.map(cellText)].join(" ").toLowerCase();
      return `<tr class="row" data-verdicts="${verdicts}" data-text="${esc(text)}"><td>${esc(row.variant)}</td><td>${esc(row.check)}</td>${row.cells.map(cell).join("")}</tr>`;
    });
    const heading = `<tr class="group"><th colspan="${columns.length + 2}">${esc(scenario)} <small>(${plural(group.length, "check")})</small></th></tr>`;
    return `<tbody class="scenario">${heading}\n${body.join("\n")}</tbody>`;
  });
  return { table: `<table id="matrix"><thead>${head}</thead>\n${groups.join("\n")}\n</table>`, columns };
}

// Each scenario's topology: the SVG drawn at report time, or the Mermaid text when there is none.
function topologies(report: RunReport, svgs: Record<string, string>): string {
  const names = [...new Set([...Object.keys(svgs), ...Object.keys(report.graphs ?? {})])];
  if (!names.length) return "";
  const figures = names.map((sc) => {
    const svg = svgs[sc];
    if (svg) return `<figure class="topology"><figcaption>${esc(sc)}</figcaption>${svg}</figure>`;
    return `<details class="graph"><summary>${esc(sc)} (Mermaid text: this report has no drawing)</summary><pre>${esc(report.graphs?.[sc] ?? "")}</pre></details>`;
  });
  return `<section id="topologies"><h2>Topologies</h2>${figures.join("\n")}</section>`;
}

/** The page; `svgs` are the topologies drawn by `drawTopologies` (none: their Mermaid text). */
export function formatHtml(report: RunReport, svgs: Record<string, string> = {}): string {
  const { table, columns } = matrix(report);
  const boxes = VERDICTS.map(
    (v) =>
      `<label><input type="checkbox" class="verdict" value="${v}" checked> ${VERDICT_LOOK[v].icon} ${v}</label>`,
  ).join("");
  const tools = toolLines(columns);
  const run = completeRun(report);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>nsmatrix: ${run.ok ? "as expected" : "NOT as expected"}</title>
<style>${STYLE}</style></head><body>
${banner(report, columns)}
<main>
${legend()}
${failures(report)}
<section id="results"><h2>Matrix</h2>
<p class="controls"><input id="filter" type="search" placeholder="filter checks" aria-label="filter rows by scenario, variant, check or cell text">${boxes}</p>
<p id="no-results" hidden>No check matches the filter.</p>
<div class="scroll">${table}</div>
<p>Open a cell's evidence for its command, how far it got and what it printed.</p>
</section>
${topologies(report, svgs)}
${tools.length ? `<section id="tools"><h2>Tools each column ran with</h2><ul>${tools.map((t) => `<li>${esc(t)}</li>`).join("")}</ul></section>` : ""}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
