// The Markdown reporter: a GitHub table per scenario, kernels as columns.
import type { RunReport } from "../types.js";
import { buildMatrix, byScenario, cellText } from "./matrix.js";

// Formats a run as one GitHub Markdown table per scenario.
export function formatMarkdown(report: RunReport): string {
  const { kernels, rows } = buildMatrix(report);
  const sections: string[] = [];
  for (const [scenario, group] of byScenario(rows)) {
    const lines = [`### ${cell(scenario)}`, ""];
    lines.push(tableRow(["variant", "check", ...kernels]));
    lines.push(tableRow(["variant", "check", ...kernels].map(() => "---")));
    for (const row of group) lines.push(tableRow([row.variant, row.check, ...row.cells.map(cellText)]));
    sections.push(lines.join("\n"));
  }
  return `${sections.join("\n\n")}\n`;
}

function tableRow(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

// A pipe would end the cell and a newline the row, so both are neutralised.
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
