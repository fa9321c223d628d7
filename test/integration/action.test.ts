// action.yml's steps, run as a runner would run them, as far as this machine allows: each `run:`
// step in bash, in a scratch workspace, with the inputs in its env and GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_ACTION_PATH set; `uses:` steps (cache, upload) need GitHub and
// are only listed. sudo is a shim when the machine has none (the tests run as root).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isRoot, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping the action's steps: ${whyNot}`);

interface Step {
  name: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

const scratch = mkdtempSync(join(tmpdir(), "nsmatrix-action-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// `${{ inputs.x }}` and `${{ steps.id.outputs.y }}` from what the run so far has.
function expand(
  text: string,
  inputs: Record<string, string>,
  outputs: Record<string, Record<string, string>>,
) {
  return text.replace(/\$\{\{\s*(inputs|steps)\.([\w-]+)(?:\.outputs\.([\w-]+))?\s*\}\}/g, (_, kind, a, b) =>
    kind === "inputs" ? (inputs[a] ?? "") : (outputs[a]?.[b] ?? ""),
  );
}

describe.skipIf(!isRoot)("action.yml's steps in a scratch workspace", () => {
  it("install what a host column needs, run it, print the matrix with the failure to the log, summarise it and leave every report", () => {
    const action = parse(readFileSync("action.yml", "utf8"));
    const defaults = Object.fromEntries(
      Object.entries(action.inputs as Record<string, { default?: string }>).map(([k, v]) => [
        k,
        v.default ?? "",
      ]),
    );
    const inputs: Record<string, string> = {
      ...defaults,
      scenarios: "tests/net/*-hosts.yaml",
      kernels: "host",
    };
    const work = join(scratch, "workspace");
    mkdirSync(join(work, "tests", "net"), { recursive: true });
    // The glob matches the scenario, not its topology beside it (run refuses a topology by name).
    for (const f of ["two-hosts.yaml", "two-hosts.topo.yaml"])
      copyFileSync(join("test/fixtures/scenarios", f), join(work, "tests", "net", f));
    const bin = join(scratch, "bin");
    mkdirSync(bin);
    if (spawnSync("sh", ["-c", "command -v sudo"]).status !== 0) {
      writeFileSync(
        join(bin, "sudo"),
        '#!/bin/sh\ncase "$1" in --preserve-env=*) shift ;; esac\nexec "$@"\n',
      );
      chmodSync(join(bin, "sudo"), 0o755);
    }
    const summary = join(scratch, "summary.md");
    const outputs: Record<string, Record<string, string>> = {};
    const ran: { name: string; status: number | null; log: string }[] = [];
    const skipped: string[] = [];
    for (const step of action.runs.steps as Step[]) {
      if (step.uses) {
        skipped.push(`${step.name}: ${step.uses}`);
        continue;
      }
      const out = join(scratch, `output-${ran.length}`);
      writeFileSync(out, "");
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs, outputs)]),
      );
      const r = spawnSync("bash", ["-e", "-c", step.run ?? ""], {
        cwd: work,
        encoding: "utf8",
        timeout: 300_000,
        env: {
          ...process.env,
          ...env,
          PATH: `${bin}:${process.env.PATH}`,
          GITHUB_ACTION_PATH: resolve("."),
          GITHUB_OUTPUT: out,
          GITHUB_STEP_SUMMARY: summary,
        },
      });
      ran.push({ name: step.name, status: r.status, log: r.stdout + r.stderr });
      if (step.id)
        outputs[step.id] = Object.fromEntries(
          readFileSync(out, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
    }
    // A host column: no KVM rule, no guest kernel to resolve, so no cache; setup installs the run's packages only.
    expect(ran.map((s) => [s.name, s.status])).toEqual([
      ["Let the runner use KVM", 0],
      ["Set up nsmatrix (what these columns need)", 0],
      ["Resolve each guest kernel's package", 0],
      // The fixture's "wrong" variant expects the impossible: the step fails, as the job should.
      ["Run", 1],
    ]);
    expect(ran[1]?.log).toContain("setup: for kernels host and userspaces host: run");
    expect(outputs.kernels).toEqual({ key: "none" });
    expect(skipped).toEqual([
      "Cache the guest kernels: actions/cache@v4",
      "Upload the results: actions/upload-artifact@v4",
    ]);
    // The job log: the matrix, then the failure with its evidence.
    const log = ran[3]?.log ?? "";
    expect(log).toMatch(/two-hosts\n +variant +check/);
    expect(log).toMatch(
      /FAIL two-hosts\/wrong\/ping \[[^\]]+\]: expected no-reach, saw reach\n +\$ ip netns exec/,
    );
    expect(outputs.run).toEqual({ ok: "false" });
    // The step summary is the Markdown matrix; every report is in the results folder.
    expect(readFileSync(summary, "utf8")).toMatch(/^## ❌ nsmatrix: 10 results on 1 column/);
    const results = join(work, inputs.results ?? "");
    for (const f of ["results.json", "results.xml", "matrix.html", "matrix.md"])
      expect(existsSync(join(results, f)), f).toBe(true);
    expect(existsSync(join(results, "pcaps"))).toBe(true);
  }, 600_000);
});
