// The report protocol (compile/runtime/report.sh): each check's report is nsm_report, then the
// drops and the pcaps when they apply, then nsm_report_end, in that order and nothing between.
import { describe, expect, it } from "vitest";
import { compileVariant } from "../../../src/compile/index.js";
import { RUNTIME } from "../../../src/compile/runtime.js";
import { loadScenario } from "../../../src/model/index.js";

const STEPS = ["nsm_report", "nsm_drops", "nsm_pcap_keep", "nsm_report_end"];

// The steps of each check's report, in the order the compiled script calls them.
function reportSteps(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (const line of text.split("\n")) {
    const word = line.split(" ")[0] ?? "";
    if (word === "nsm_report") current = [];
    if (current && STEPS.includes(word)) current.push(word);
    else if (current && line.trim()) throw new Error(`a line inside a report: ${line}`);
    if (word === "nsm_report_end" && current) {
      out.push(current);
      current = undefined;
    }
  }
  return out;
}

describe("the report protocol", () => {
  const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");

  it.each([
    ["declared order, diagnosis and pcaps", false, { capture: "all" as const }],
    ["all at once, diagnosis and pcaps", true, { capture: "all" as const }],
    ["without diagnosis", false, { diagnose: false }],
  ])("holds in %s", (_what, parallel, options) => {
    const text = compileVariant({ ...box0, parallel }, "baseline", options).text;
    const steps = reportSteps(text.slice(text.indexOf("# main")));
    expect(steps).toHaveLength(box0.checks.length);
    for (const s of steps) {
      expect(s[0]).toBe("nsm_report");
      expect(s.at(-1)).toBe("nsm_report_end");
      expect(s).toEqual(STEPS.filter((x) => s.includes(x)));
    }
    if ("capture" in options) expect(steps[1]).toEqual(STEPS);
  });

  it("is the one the runtime writes down", () => {
    const block = RUNTIME.slice(
      RUNTIME.indexOf("## The report protocol."),
      RUNTIME.indexOf("## From the first step"),
    );
    expect([...block.matchAll(/^##\s+(nsm_\w+) /gm)].map((m) => m[1])).toEqual(STEPS);
  });
});
