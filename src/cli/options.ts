// What more than one command takes: option parsers, the scenario files, the variant asked for,
// and the writing of reports (stdout or -o, then each --report file).
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { NsmError } from "../errors.js";
import type { ScenarioModel } from "../model/index.js";
import { REPORT_FORMATS, type ReportFormat } from "../results/formats.js";
import type { RunReport } from "../results/index.js";
import { checkOutput, parseScale, useColor } from "./support.js";

export interface ReportTarget {
  format: ReportFormat;
  file: string;
}

/** A repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--report junit:results.xml`: a format and a file, repeatable. */
export function collectReport(value: string, previous: ReportTarget[]): ReportTarget[] {
  const colon = value.indexOf(":");
  const format = value.slice(0, colon) as ReportFormat;
  const file = value.slice(colon + 1);
  if (colon < 1 || !file || !REPORT_FORMATS.includes(format))
    throw new InvalidArgumentError(`expected FORMAT:FILE with FORMAT one of ${REPORT_FORMATS.join(", ")}`);
  return [...previous, { format, file }];
}

/** Refuses every output file that cannot be written, before any work. */
export function checkOutputs(output: string | undefined, reports: ReportTarget[]): void {
  if (output) checkOutput(output);
  for (const r of reports) checkOutput(r.file);
}

/**
 * The main output (stdout or -o), then each --report file. Unless the pretty report went to
 * stdout, the summary and every failure with its evidence go to stderr: a CI log says why a job
 * failed even when the reports went to files.
 */
export async function writeReports(
  report: RunReport,
  format: ReportFormat,
  output: string | undefined,
  extra: ReportTarget[],
  color: boolean,
): Promise<void> {
  const { drawTopologies, formatDigest, formatReport } = await import("../results/reporters/index.js");
  const svgs = [format, ...extra.map((r) => r.format)].includes("html") ? await drawTopologies(report) : {};
  const text = formatReport(format, report, { color: useColor(color, !!output), svgs });
  if (output) writeFileSync(output, text);
  else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  for (const r of extra) writeFileSync(r.file, formatReport(r.format, report, { color: false, svgs }));
  if (output || format !== "pretty")
    process.stderr.write(formatDigest(report, { color: useColor(color, process.stderr.isTTY !== true) }));
}

export const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of 1 or more");
  return n;
};

export const scale = (v: string) => {
  try {
    return parseScale(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--timeout-scale "[^"]*": /, ""));
  }
};

/** A comma-separated list, repeatable. */
export const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").filter(Boolean)];

/** The files given, or scenarios/*.yaml. */
export function scenarioFiles(args: string[]): string[] {
  if (args.length) return args;
  try {
    return readdirSync("scenarios")
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .map((f) => join("scenarios", f));
  } catch {
    throw new NsmError("E_USAGE", "no scenario files given and no scenarios/ directory here");
  }
}

/** The variant asked for (the first when none is), or E_USAGE naming those there are. */
export function variantOf(sc: ScenarioModel, wanted?: string): string {
  const name = wanted ?? sc.variants[0]?.name ?? "default";
  if (!sc.variants.some((v) => v.name === name))
    throw new NsmError(
      "E_USAGE",
      `unknown variant "${name}" (known: ${sc.variants.map((v) => v.name).join(", ")})`,
    );
  return name;
}
