// The HTML reporter: one self-contained page (no network, no external file) with the matrix:
// checks × columns (kernel × userspace), each cell coloured by its verdict and opening its
// evidence, and a filter by text and by verdict.
import { evidenceLines, sawText } from "../evidence.js";
import type { Result, RunReport } from "../types.js";
import { buildMatrix, cellText, resultLabel, toolLines } from "./matrix.js";
import { summarize, VERDICTS } from "./summary.js";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

// What a cell opens: the headline, then the evidence lines and the stderr tail.
function evidenceOf(r: Result): string[] {
  switch (r.status) {
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

const STYLE = `
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.cell{cursor:pointer;white-space:nowrap}
.pass{background:#d8f5d8}.xfail{background:#e8f5d0}.skip{background:#f3f3c8}
.fail,.xpass,.error,.crash{background:#f8d0d0}.disagree{outline:2px dashed #c00}
pre.evidence{display:none;white-space:pre-wrap;font-size:12px;margin:.4em 0 0;max-width:60em}
td.open pre.evidence{display:block}#filter{margin-right:1em}label{margin-right:.6em}
tr.hidden{display:none}`;

const SCRIPT = `
document.querySelectorAll("td.cell").forEach(function (td) {
  td.addEventListener("click", function () { td.classList.toggle("open"); });
});
function applyFilter() {
  var text = document.getElementById("filter").value.toLowerCase();
  var shown = {};
  document.querySelectorAll("input.verdict").forEach(function (c) { shown[c.value] = c.checked; });
  document.querySelectorAll("tbody tr").forEach(function (tr) {
    var verdicts = (tr.getAttribute("data-verdicts") || "").split(" ");
    var byVerdict = verdicts.some(function (v) { return shown[v]; });
    var byText = tr.textContent.toLowerCase().indexOf(text) >= 0;
    tr.classList.toggle("hidden", !(byVerdict && byText));
  });
}
document.getElementById("filter").addEventListener("input", applyFilter);
// A link can carry a filter: matrix.html#filter=cmd1 (and #verdicts=fail,xpass).
(function () {
  var h = new URLSearchParams(location.hash.slice(1));
  if (h.get("filter")) document.getElementById("filter").value = h.get("filter");
  if (h.get("verdicts")) {
    var keep = h.get("verdicts").split(",");
    document.querySelectorAll("input.verdict").forEach(function (c) { c.checked = keep.indexOf(c.value) >= 0; });
  }
  applyFilter();
})();
document.querySelectorAll("input.verdict").forEach(function (c) { c.addEventListener("change", applyFilter); });`;

export function formatHtml(report: RunReport): string {
  const { columns, labels, rows } = buildMatrix(report);
  const counts = summarize(report.results);
  const summary = VERDICTS.filter((v) => counts[v] > 0)
    .map((v) => `${counts[v]} ${v}`)
    .join(", ");
  const head = `<tr><th>scenario</th><th>variant</th><th>check</th>${labels.map((l) => `<th>${esc(l)}</th>`).join("")}</tr>`;
  const body = rows.map((row) => {
    const verdicts = [...new Set(row.cells.map((r) => r?.status ?? "none"))].join(" ");
    const cells = row.cells.map((r) => {
      if (!r) return `<td class="none">-</td>`;
      const cls = `cell ${r.status}${r.disagree ? " disagree" : ""}`;
      return `<td class="${cls}" title="${esc(resultLabel(r))}">${esc(cellText(r))}<pre class="evidence">${esc(evidenceOf(r).join("\n"))}</pre></td>`;
    });
    return `<tr data-verdicts="${verdicts}"><td>${esc(row.scenario)}</td><td>${esc(row.variant)}</td><td>${esc(row.check)}</td>${cells.join("")}</tr>`;
  });
  const boxes = VERDICTS.map(
    (v) => `<label><input type="checkbox" class="verdict" value="${v}" checked> ${v}</label>`,
  ).join("");
  const tools = toolLines(columns);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nsmatrix: ${esc(summary || "no results")}</title>
<style>${STYLE}</style></head><body>
<h1>nsmatrix: ${report.results.length} results on ${columns.length} column${columns.length === 1 ? "" : "s"}</h1>
<p id="summary">${esc(summary)}${report.startedAt ? ` · started ${esc(report.startedAt)}` : ""}</p>
<p><input id="filter" type="search" placeholder="filter rows (scenario, variant, check, cell text)">${boxes}</p>
<table id="matrix"><thead>${head}</thead><tbody>
${body.join("\n")}
</tbody></table>
${tools.length ? `<h2>Tools each column ran with</h2><ul>${tools.map((t) => `<li>${esc(t)}</li>`).join("")}</ul>` : ""}
<p>Click a cell for its evidence.</p>
${Object.entries(report.graphs ?? {})
  .map(
    ([sc, g]) =>
      `<details class="graph"><summary>topology of ${esc(sc)} (Mermaid)</summary><pre>${esc(g)}</pre></details>`,
  )
  .join("\n")}
<script>${SCRIPT}</script>
</body></html>
`;
}
