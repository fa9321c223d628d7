// Checks share one topology: in declared order, what one check's frames teach the next one meets.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, jsonOf, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping declared-order runs: ${whyNot}`);

const outcomes = (results: Result[]) =>
  results.map((r) => `${r.check} ${"outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict}`);

describe.skipIf(!isRoot)("checks in declared order on the host kernel", () => {
  it("gives a check the outcome that the check before it made possible, as a hand-written script does", async () => {
    const r = await cli(["run", "test/fixtures/scenarios/learning.yaml", "--format", "json"]);
    const results: Result[] = jsonOf(r).results;
    // The same ping, a -> b, fails before b has sent a frame and reaches after.
    expect(outcomes(results)).toEqual([
      "a-to-b no-reach pass",
      "b-to-a reach pass",
      "a-to-b-again reach pass",
    ]);
    expect(r.exitCode).toBe(0);
    const byHand = await execa("sh", ["test/fixtures/hand/learning.sh"]);
    expect(byHand.stdout.split("\n")).toEqual(
      results.map((x) => `${x.check} ${"outcome" in x ? x.outcome : "?"}`),
    );
    expect(runNamespaces()).toEqual([]);
  }, 60_000);

  it("says how far each TCP and UDP check got", async () => {
    const r = await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "plain", "--format", "json"]);
    const results: Result[] = jsonOf(r).results;
    const stages = Object.fromEntries(
      results.map((x) => [x.check, "evidence" in x && x.evidence ? x.evidence.stage : x.verdict]),
    );
    expect(stages).toEqual({
      ping: "replied",
      tcp: "answered",
      "tcp-reset": "refused",
      udp: "answered",
      "udp-dropped": "no-reply",
    });
  }, 60_000);
});
