// `nsmatrix report`: several runs' JSON read back and merged into one matrix.
import { describe, expect, it } from "vitest";
import {
  exitCodeOf,
  mergeReports,
  type Result,
  type RunReport,
  readResults,
} from "../../../src/results/index.js";
import { formatJson, formatPretty } from "../../../src/results/reporters/index.js";

const evidence = { command: "ping", exitCode: 0, durationMs: 5, stderrTail: "" };
const result = (kernel: string, check: string, status: "pass" | "fail"): Result => ({
  scenario: "s",
  variant: "v",
  check,
  kernel,
  userspace: "host",
  verdict: status,
  outcome: status === "pass" ? "reach" : "no-reach",
  expected: "reach",
  evidence,
  runs: 1,
  reached: status === "pass" ? 1 : 0,
});
const run = (kernel: string, statuses: Record<string, "pass" | "fail">): RunReport => ({
  columns: [{ kernel, userspace: "host", spec: kernel === "6.1.0-50-amd64" ? "debian:6.1" : "host" }],
  results: Object.entries(statuses).map(([c, s]) => result(kernel, c, s)),
  durationMs: 1000,
  startedAt: "2026-12-02T08:00:00.000Z",
  finishedAt: "2026-12-02T08:00:01.000Z",
});
const roundTrip = (r: RunReport, name: string) => readResults(name, formatJson(r));

describe("mergeReports", () => {
  it("takes the union of the runs' columns and results", () => {
    const m = mergeReports([
      roundTrip(run("6.18.44", { a: "pass", b: "pass" }), "host.json"),
      roundTrip(run("6.1.0-50-amd64", { a: "pass" }), "g.json"),
    ]);
    expect(m.columns.map((c) => [c.kernel, c.spec])).toEqual([
      ["6.18.44", "host"],
      ["6.1.0-50-amd64", "debian:6.1"],
    ]);
    expect(m.results.map((r) => `${r.kernel} ${r.check} ${r.verdict}`)).toEqual([
      "6.18.44 a pass",
      "6.18.44 b pass",
      "6.1.0-50-amd64 a pass",
    ]);
    expect(exitCodeOf(m.results)).toBe(0);
  });

  it("flags a cell two runs disagree on, and fails the merged run", () => {
    const m = mergeReports([
      run("6.18.44", { a: "pass" }),
      run("6.18.44", { a: "fail" }),
      run("6.18.44", { a: "pass" }),
    ]);
    expect(m.results).toHaveLength(1);
    expect(m.results[0]?.disagree).toEqual(["reach pass", "no-reach fail", "reach pass"]);
    expect(exitCodeOf(m.results)).toBe(1);
    expect(formatPretty(m, { color: false })).toContain(
      "reach pass DISAGREE (reach pass / no-reach fail / reach pass)",
    );
  });

  it("refuses a file that is not nsmatrix results, naming it and what is wrong", () => {
    expect(() => readResults("x.json", "{")).toThrow(/^x\.json: not JSON/);
    expect(() => readResults("y.json", JSON.stringify({ version: 2, results: [] }))).toThrow(
      /^y\.json: not nsmatrix results \(version 4\): version: /,
    );
  });

  it("reads a version 3 document, whose results call the verdict status, as version 4", () => {
    const v3 = JSON.parse(formatJson(run("6.1.0-50-amd64", { a: "pass", b: "fail" })));
    v3.version = 3;
    delete v3.exitCode;
    v3.results = v3.results.map(({ verdict, ...r }: { verdict: string }) => ({ ...r, status: verdict }));
    const back = readResults("old.json", JSON.stringify(v3));
    expect(back.results.map((r) => `${r.check} ${r.verdict}`)).toEqual(["a pass", "b fail"]);
    expect(back).toMatchObject({ ok: false, exitCode: 1, summary: { pass: 1, fail: 1 } });
  });

  it("keeps the host and version a run was made on, through JSON and a merge", () => {
    const one = { ...run("6.1.0-50-amd64", { a: "pass" }), hostname: "ci-1", version: "0.1.0" };
    const two = { ...run("6.12.57+deb13-amd64", { a: "pass" }), hostname: "ci-2", version: "0.1.0" };
    const back = readResults("one.json", formatJson(one));
    expect(back).toMatchObject({ hostname: "ci-1", version: "0.1.0", ok: true, exitCode: 0 });
    expect(mergeReports([back, two])).toMatchObject({ hostname: "ci-1, ci-2", version: "0.1.0" });
  });
});
