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
    expect(doc).toMatchObject({ version: 4, ok: false, exitCode: 1, results: expect.any(Array) });
    expect(doc.results).toHaveLength(15);
    expect(readFileSync(junit, "utf8")).toContain("<testsuites");
    if (!hasProve) return;
    const prove = spawnSync("prove", ["--exec", "cat", tap], { encoding: "utf8" });
    // Every point read (no parse error stopped it), and the two failures named.
    expect(prove.stdout).toMatch(/Tests: 15 Failed: 2\)/);
    expect(prove.stdout).not.toMatch(/Parse errors/);
  }, 120_000);

  it("leave in a CI log, under -o, the failing variant marked ✗, the summary, and the failure with its evidence", async () => {
    const xml = join(dir, "ci.xml");
    const r = await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-f", "junit", "-o", xml]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(readFileSync(xml, "utf8")).toContain("<testsuites");
    // Progress: the good variant ✓, the one with a failure ✗, naming it.
    expect(r.stderr).toMatch(/^✓ host two-hosts \/ plain: 3 reach, 2 no-reach \(/m);
    expect(r.stderr).toMatch(
      /^✗ host two-hosts \/ wrong: 3 reach, 2 no-reach; not as expected: ping: fail \(/m,
    );
    // Then what the job log needs to say why: the counts, and the failure with its command.
    expect(r.stderr).toMatch(
      /^10 results: 9 pass, 0 xfail, 0 skip \(1 fail, 0 xpass, 0 error, 0 crash\) in [\d.]+ s\n\nFAIL two-hosts\/wrong\/ping \[[^\]]+\]: expected no-reach, saw reach\n {2}\$ ip netns exec nsm-[0-9a-f]{8}-a ping /m,
    );
    // The pretty report on stdout says it already: stderr does not repeat it.
    const pretty = await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "wrong"]);
    expect(pretty.stdout).toMatch(/^FAIL two-hosts\/wrong\/ping/m);
    expect(pretty.stderr).not.toMatch(/^FAIL /m);
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
