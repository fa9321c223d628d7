// Several reports from one run, read by independent consumers: prove reads the TAP in full.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, isRoot, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping report runs: ${whyNot}`);
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-reports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasProve = spawnSync("prove", ["--version"]).status === 0;

describe.skipIf(!isRoot)("reports of a failing run", () => {
  it("are all written by one run, and prove reads its TAP to the end", async () => {
    const tap = join(dir, "r.tap");
    const json = join(dir, "r.json");
    const junit = join(dir, "r.xml");
    // Variant "wrong" fails its ping on purpose; the script checks carry multi-line evidence.
    const r = await cli([
      "run",
      "test/fixtures/scenarios/two-hosts.yaml",
      "test/fixtures/selftests/scenario.yaml",
      "-f",
      "markdown",
      "--report",
      `tap:${tap}`,
      "--report",
      `json:${json}`,
      "--report",
      `junit:${junit}`,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^## ❌ nsmatrix: 15 results on 1 column: /);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc).toMatchObject({ version: 3, ok: false, results: expect.any(Array) });
    expect(doc.results).toHaveLength(15);
    expect(readFileSync(junit, "utf8")).toContain("<testsuites");
    if (!hasProve) return;
    const prove = spawnSync("prove", ["--exec", "cat", tap], { encoding: "utf8" });
    // Every point read (no parse error stopped it), and the two failures named.
    expect(prove.stdout).toMatch(/Tests: 15 Failed: 2\)/);
    expect(prove.stdout).not.toMatch(/Parse errors/);
  }, 120_000);

  it("re-render and merge with nsmatrix report, the exit status that of the merged run", async () => {
    const a = join(dir, "a.json");
    await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "plain", "-f", "json", "-o", a]);
    const ok = await cli(["report", a, a, "-f", "pretty"]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/^two-hosts\n/);
    const b = join(dir, "b.json");
    await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "wrong", "-f", "json", "-o", b]);
    const merged = await cli(["report", a, b, "-f", "json"]);
    expect(merged.exitCode).toBe(1);
    expect(JSON.parse(merged.stdout).results.map((x: { variant: string }) => x.variant)).toEqual([
      ...Array(5).fill("plain"),
      ...Array(5).fill("wrong"),
    ]);
  }, 120_000);
});
