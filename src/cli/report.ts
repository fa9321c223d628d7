// `nsmatrix report`: re-render and merge the JSON results of runs.
import { Command, Option } from "commander";
import { REPORT_FORMATS, type ReportFormat } from "../results/formats.js";
import { checkOutputs, collectReport, type ReportTarget, writeReports } from "./options.js";

export function reportCommand(): Command {
  return new Command("report")
    .description("re-render the JSON results of one or more runs, merged into one matrix")
    .argument("<results...>", "results files written by run -f json (or --report json:FILE)")
    .addOption(new Option("-f, --format <format>", "result format").choices(REPORT_FORMATS).default("pretty"))
    .option("-o, --output <file>", "write to a file instead of stdout")
    .option("--report <format:file>", "also write in a format to a file (repeatable)", collectReport, [])
    .option("--no-color", "plain text output")
    .addHelpText(
      "after",
      `
The merged matrix has the union of the runs' columns (kernel × userspace). A cell that two runs
both have keeps the first run's result; where their verdicts differ it says DISAGREE with each
run's verdict, and the exit status is 1. Example, a CI job per kernel and a final job:
  nsmatrix report results-host.json results-6.1.json results-6.12.json -f markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(async (files: string[], o) => {
      checkOutputs(o.output, o.report as ReportTarget[]);
      const { exitCodeOf, mergeReports, readResults } = await import("../results/index.js");
      const { readUserFile } = await import("../system/index.js");
      const report = mergeReports(files.map((f) => readResults(f, readUserFile(f))));
      await writeReports(report, o.format as ReportFormat, o.output, o.report as ReportTarget[], o.color);
      process.exitCode = exitCodeOf(report.results);
    });
}
