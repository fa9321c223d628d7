import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/model/index.js";
import {
  assembleResults,
  exitCodeOf,
  expectationFor,
  kernelSemver,
  type Observation,
  observationsFromTap,
  type ScriptRun,
  verdictOf,
} from "../../src/results/index.js";

const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");
const checks = box0.checks.map((c) => c.name);
const fixture = (name: string) => readFileSync(`test/fixtures/tap/${name}`, "utf8");
const run = (tap: string, over: Partial<ScriptRun> = {}): ScriptRun => ({
  tap,
  exitCode: 0,
  timedOut: false,
  stderr: "",
  durationMs: 1200,
  ...over,
});

describe("observationsFromTap", () => {
  it("reads outcomes and evidence from a real Box0 baseline run on 6.18", () => {
    const obs = observationsFromTap(run(fixture("box0-baseline-6.18.tap")), checks);
    expect(obs.map((o) => [o.check, o.status === "observed" ? o.outcome : o.status])).toEqual([
      ["gateway", "reach"],
      ["cmd1", "no-reach"],
      ["cmd2", "reach"],
      ["bridged", "reach"],
    ]);
    const cmd1 = obs[1];
    if (cmd1?.status !== "observed") throw new Error("cmd1 not observed");
    expect(cmd1.evidence.command).toMatch(/^ip netns exec nsm-0badc0de-host1 socat .*TCP4:1\.1\.1\.1:8080/);
    expect(cmd1.evidence.exitCode).toBe(1);
    expect(cmd1.evidence.durationMs).toBeGreaterThanOrEqual(900);
    expect(cmd1.evidence.stderrTail).toMatch(/Connection timed out/);
    const cmd2 = obs[2];
    expect(cmd2?.status === "observed" && cmd2.evidence.answeredBy).toBe("http-host3");
  });

  it("turns SKIP directives into skips that carry the reason", () => {
    const obs = observationsFromTap(run(fixture("box0-route-broute-arp-6.18.tap"), { exitCode: 4 }), checks);
    expect(obs).toEqual(
      checks.map((check) => ({
        check,
        status: "skip",
        reason: "kernel lacks the ebtables broute table (CONFIG_BRIDGE_EBT_BROUTE, legacy ebtables)",
      })),
    );
  });

  it("reports every check as an error naming the failed set-up step after a Bail out!", () => {
    const obs = observationsFromTap(run(fixture("box0-bailout-6.18.tap"), { exitCode: 1 }), checks);
    expect(obs).toHaveLength(4);
    for (const o of obs) {
      expect(o.status).toBe("error");
      expect(o.status === "error" && o.reason).toMatch(
        /^set-up failed: box0: iptables-restore failed: .*NOSUCHTARGET/,
      );
    }
  });

  it.each([
    [{ timedOut: true, exitCode: null }, /^script timed out after 1\.2 s/],
    [{ signal: "SIGKILL", exitCode: null }, /^script killed by SIGKILL/],
    [{ exitCode: 2, stderr: "sh: 1: oops\n" }, /^script exited 2 before reporting: sh: 1: oops/],
  ])("explains a script that stopped early (%j)", (over, reason) => {
    const [first] = observationsFromTap(run("TAP version 13\n1..4\n", over), checks);
    expect(first?.status === "error" && first.reason).toMatch(reason);
  });
});

describe("expectations", () => {
  it.each([
    ["6.18.44-fc-v769", "6.18.44"],
    ["3.10.0-1160.el7.x86_64", "3.10.0"],
    ["2.6.32-754.el6.x86_64", "2.6.32"],
    ["6.12.48+deb13-amd64", "6.12.48"],
  ])("reads kernel release %s as %s", (release, version) => {
    expect(kernelSemver(release)).toBe(version);
  });

  const cmd1 = box0.checks.find((c) => c.name === "cmd1");
  const cmd2 = box0.checks.find((c) => c.name === "cmd2");
  it.each([
    ["cmd1", "baseline", "2.6.32-754.el6", "reach"],
    ["cmd1", "baseline", "3.10.0-1160.el7", "xfail"],
    ["cmd1", "baseline", "4.9.0-19-amd64", "xfail"],
    ["cmd1", "baseline", "6.18.44", "xfail"],
    ["cmd1", "hairpin-vepa", "6.18.44", "reach"],
    ["cmd1", "promisc", "6.18.44", "xfail"],
    ["cmd1", "promisc", "3.10.0", "reach"],
    ["cmd2", "baseline", "3.10.0", "reach"],
    ["cmd2", "baseline", "4.9.0-19-amd64", "xfail"],
    ["cmd2", "baseline", "6.1.0-37-amd64", "reach"],
  ])(
    "expects %s in %s on %s to be %s (the article's table and our measurements)",
    (name, variant, kernel, want) => {
      const check = name === "cmd1" ? cmd1 : cmd2;
      expect(expectationFor(check?.expect ?? "reach", variant, kernel)).toBe(want);
    },
  );

  it("falls back from the variant to the check's '*' entry, then to reach", () => {
    const expect_ = { baseline: { ">=5.0": "no-reach" as const }, "*": "xfail" as const };
    expect(expectationFor(expect_, "baseline", "6.1.0")).toBe("no-reach");
    expect(expectationFor(expect_, "baseline", "4.19.0")).toBe("xfail");
    expect(expectationFor({ other: "no-reach" }, "baseline", "6.1.0")).toBe("reach");
  });

  it.each([
    ["reach", "reach", "pass"],
    ["no-reach", "reach", "fail"],
    ["no-reach", "no-reach", "pass"],
    ["reach", "no-reach", "fail"],
    ["no-reach", "xfail", "xfail"],
    ["reach", "xfail", "xpass"],
  ] as const)("gives outcome %s against expectation %s the verdict %s", (outcome, expected, verdict) => {
    expect(verdictOf(outcome, expected)).toBe(verdict);
  });
});

describe("assembleResults", () => {
  const ctx = { scenario: "box0-bridge-dnat", variant: "baseline", kernel: "6.18.44", checks: box0.checks };
  const seen = (outcomes: ("reach" | "no-reach")[]): Observation[] =>
    outcomes.map((outcome, i) => ({
      check: checks[i] ?? "",
      status: "observed",
      outcome,
      evidence: { command: "c", exitCode: 0, durationMs: 1, stderrTail: "" },
    }));

  it("matches every check against its expectation", () => {
    const results = assembleResults(ctx, [seen(["reach", "no-reach", "reach", "reach"])]);
    expect(results.map((r) => r.status)).toEqual(["pass", "xfail", "pass", "pass"]);
    expect(exitCodeOf(results)).toBe(0);
  });

  it("flags a check whose repeats disagree as flaky, and fails it", () => {
    const results = assembleResults(ctx, [
      seen(["reach", "no-reach", "reach", "reach"]),
      seen(["reach", "reach", "reach", "reach"]),
    ]);
    const cmd1 = results[1];
    expect(cmd1?.status).toBe("fail");
    expect(cmd1?.status === "fail" && cmd1.flaky).toEqual(["no-reach", "reach"]);
    expect(exitCodeOf(results)).toBe(1);
  });

  it("keeps skips and errors with their reasons", () => {
    const obs: Observation[] = checks.map((check, i) =>
      i === 0
        ? { check, status: "error", reason: "set-up failed: x" }
        : { check, status: "skip", reason: "no vrf" },
    );
    const results = assembleResults(ctx, [obs]);
    expect(results[0]).toMatchObject({ status: "error", reason: "set-up failed: x" });
    expect(results[1]).toMatchObject({ status: "skip", reason: "no vrf" });
    expect(exitCodeOf(results)).toBe(1);
    expect(exitCodeOf(results.slice(1))).toBe(0);
  });
});
