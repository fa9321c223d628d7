// The HTML report's style and script, inline so the page is one self-contained file. Every
// verdict has its own colour and icon; the legend, the cells and the failures use the same ones.
import type { Verdict } from "../types.js";

/** Each verdict's icon, colour pair (text, background) and meaning, for the cells and the legend. */
export const VERDICT_LOOK: Record<Verdict, { icon: string; fg: string; bg: string; means: string }> = {
  pass: { icon: "✓", fg: "#116329", bg: "#d2f4d9", means: "as expected: the outcome the file asks for" },
  xfail: {
    icon: "◐",
    fg: "#0a3069",
    bg: "#d6e8ff",
    means: "as expected: a known failure (expect: xfail) that still fails",
  },
  skip: { icon: "–", fg: "#424a53", bg: "#e6e8eb", means: "not run: the kernel or machine lacks a feature" },
  fail: { icon: "✗", fg: "#ffffff", bg: "#c62828", means: "not as expected: the outcome differs" },
  xpass: { icon: "!", fg: "#3d1d00", bg: "#ffb35c", means: "not as expected: a known failure now passes" },
  error: { icon: "⚠", fg: "#ffffff", bg: "#7b3fbf", means: "no verdict: the set-up or the check broke" },
  crash: { icon: "☠", fg: "#ffffff", bg: "#1f2328", means: "no verdict: the kernel died" },
};

const verdictRules = Object.entries(VERDICT_LOOK)
  .map(([v, l]) => `.v-${v}{background:${l.bg};color:${l.fg}}`)
  .join("\n");

export const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
main{padding:0 1.5em 2em}
h1{font-size:1.4em;margin:0}h2{font-size:1.15em;margin:1.4em 0 .5em}
header.banner{padding:1em 1.5em;color:#fff}
header.banner.ok{background:#1a7f37}header.banner.bad{background:#c62828}header.banner.skipped{background:#57606a}
header .meta{margin:.3em 0 .6em;opacity:.95}
ul.counts{list-style:none;display:flex;flex-wrap:wrap;gap:.4em;margin:0;padding:0}
ul.counts li{padding:.15em .6em;border-radius:1em;font-weight:600;border:1px solid rgba(255,255,255,.6)}
#legend dl{display:grid;grid-template-columns:max-content 1fr;gap:.25em .8em;margin:0}
#legend dt{padding:.1em .6em;border-radius:.3em;font-weight:600}
#legend dd{margin:0;align-self:center}
details.failure{border-left:.4em solid;margin:.6em 0;padding:.3em .8em;background:#fafafa}
details.failure summary{cursor:pointer;font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;font:12px/1.35 ui-monospace,monospace;margin:.4em 0 0}
.controls{display:flex;flex-wrap:wrap;gap:.3em .8em;align-items:center}
#filter{width:22em;max-width:100%;padding:.3em .5em;font:inherit}
.controls label{white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
thead th{background:#f6f8fa;font-weight:600}
thead th.column small{display:block;font-weight:400;color:#57606a}
tr.group th{background:#eaeef2;font-size:1.05em}
td.cell{min-width:9em}
td.cell .dur{float:right;margin-left:.6em;opacity:.8;font-size:.85em}
td.cell details summary{cursor:pointer;font-size:.85em;opacity:.85}
td.cell pre{max-width:40em}
.disagree{outline:3px dashed #c62828;outline-offset:-3px}
tr.hidden,tbody.hidden{display:none}
#no-results{padding:.6em;background:#fff8c5;border:1px solid #d4a72c;max-width:40em}
figure.topology{margin:.5em 0;overflow-x:auto}figure.topology svg{max-width:100%;height:auto}
${verdictRules}`;

export const SCRIPT = `
function applyFilter() {
  var text = document.getElementById("filter").value.toLowerCase();
  var shown = {};
  document.querySelectorAll("input.verdict").forEach(function (c) { shown[c.value] = c.checked; });
  var any = false;
  document.querySelectorAll("tbody.scenario").forEach(function (group) {
    var visible = 0;
    group.querySelectorAll("tr.row").forEach(function (tr) {
      var verdicts = (tr.getAttribute("data-verdicts") || "").split(" ");
      var byVerdict = verdicts.some(function (v) { return shown[v]; });
      // Only what a row shows: its scenario, variant, check and cell headlines, not the evidence.
      var byText = (tr.getAttribute("data-text") || "").indexOf(text) >= 0;
      var keep = byVerdict && byText;
      tr.classList.toggle("hidden", !keep);
      if (keep) visible++;
    });
    group.classList.toggle("hidden", visible === 0);
    if (visible) any = true;
  });
  document.getElementById("no-results").hidden = any;
}
document.getElementById("filter").addEventListener("input", applyFilter);
document.querySelectorAll("input.verdict").forEach(function (c) { c.addEventListener("change", applyFilter); });
// A link can carry a filter: matrix.html#filter=cmd1 (and #verdicts=fail,xpass).
(function () {
  var h = new URLSearchParams(location.hash.slice(1));
  if (h.get("filter")) document.getElementById("filter").value = h.get("filter");
  if (h.get("verdicts")) {
    var keep = h.get("verdicts").split(",");
    document.querySelectorAll("input.verdict").forEach(function (c) { c.checked = keep.indexOf(c.value) >= 0; });
  }
  applyFilter();
})();`;
