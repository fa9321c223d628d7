// Public surface of the reporters: pure functions from a run report to text.
import type { RunReport } from "../types.js";
import { formatHtml } from "./html.js";
import { formatJson } from "./json.js";
import { formatJunit } from "./junit.js";
import { formatMarkdown } from "./markdown.js";
import { formatPretty } from "./pretty.js";
import { formatTap } from "./tap.js";

// Every output format, in the order help text lists them.
export { REPORT_FORMATS, type ReportFormat } from "../formats.js";
export { summarize, VERDICTS } from "../standing.js";
export { drawTopologies } from "./draw.js";
export { formatHtml } from "./html.js";
export { formatJson } from "./json.js";
export { formatJunit } from "./junit.js";
export { formatMarkdown } from "./markdown.js";
export type { Matrix, MatrixRow } from "./matrix.js";
export { buildMatrix, cellText } from "./matrix.js";
export type { PrettyOptions } from "./pretty.js";
export { formatDigest, formatPretty, problemText } from "./pretty.js";
export { formatTap } from "./tap.js";

import type { ReportFormat } from "../formats.js";

/** Options that some formats use; the others ignore them. */
export interface ReportOptions {
  /** Colour the pretty format with ANSI escapes (default false). */
  color?: boolean;
  /** Each scenario's topology as SVG, for the HTML format (`drawTopologies`). */
  svgs?: Record<string, string>;
}

// Formats a run in the named format.
export function formatReport(format: ReportFormat, report: RunReport, opts: ReportOptions = {}): string {
  switch (format) {
    case "pretty":
      return formatPretty(report, { color: opts.color ?? false });
    case "tap":
      return formatTap(report);
    case "junit":
      return formatJunit(report);
    case "json":
      return formatJson(report);
    case "markdown":
      return formatMarkdown(report);
    case "html":
      return formatHtml(report, opts.svgs ?? {});
    default:
      return assertNever(format);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown report format ${JSON.stringify(value)}`);
}
