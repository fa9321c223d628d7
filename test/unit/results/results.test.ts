import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/model/index.js";
import {
  assembleResults,
  exitCodeOf,
  expectationFor,
  kernelSemver,
  type Observation,
  observationsFromTap,
  type Result,
  verdictOf,
} from "../../../src/results/index.js";
import type { ScriptRun } from "../../../src/script-run.js";

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
      ["cmd1-handshake", "no-reach"],
      ["cmd2", "reach"],
      ["bridged", "reach"],
    ]);
    const cmd1 = obs[1];
    if (cmd1?.status !== "observed") throw new Error("cmd1 not observed");
    expect(cmd1.evidence.command).toMatch(/^ip netns exec nsm-0badc0de-host1 socat .*TCP4:1\.1\.1\.1:8080/);
    expect(cmd1.evidence.exitCode).toBe(1);
    expect(cmd1.evidence.durationMs).toBeGreaterThanOrEqual(450);
    expect(cmd1.evidence.stderrTail).toMatch(/Connection timed out/);
    expect(cmd1.evidence).toMatchObject({ stage: "syn-timeout", timeoutS: 0.5, service: "http-host2" });
    const cmd2 = obs[3];
    expect(cmd2?.status === "observed" && cmd2.evidence.answeredBy).toBe("http-host3");
  });

  it("reads how far each check got from a real hairpin-static run on 6.18", () => {
    const obs = observationsFromTap(run(fixture("box0-hairpin-static-6.18.tap")), checks);
    const stages = obs.map((o) =>
      o.status === "observed" ? `${o.check} ${o.outcome} ${o.evidence.stage}` : o.status,
    );
    expect(stages).toEqual([
      "gateway reach replied",
      "cmd1 no-reach no-bytes",
      "cmd1-handshake reach connected",
      "cmd2 reach answered",
      "bridged reach answered",
    ]);
    const cmd1 = obs[1];
    expect(cmd1?.status === "observed" && cmd1.evidence).toMatchObject({
      timeoutS: 1.5,
      answerTimeoutS: 1.5,
      exitCode: 0,
    });
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
    expect(obs).toHaveLength(5);
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
    ["cmd1-handshake", "hairpin-static", "5.10.0-32-amd64", "xfail"],
    ["cmd1-handshake", "hairpin-static", "6.1.0-50-amd64", "xfail"],
    ["cmd1-handshake", "hairpin-static", "6.12.117+deb13-amd64", "flaky"],
    ["cmd1-handshake", "hairpin-static", "6.18.44-fc-v669", "reach"],
    ["cmd2", "hairpin-static", "6.12.117+deb13-amd64", "flaky"],
    ["cmd2", "hairpin-static", "6.1.0-50-amd64", "reach"],
    ["cmd2", "hairpin-static", "5.10.0-32-amd64", "flaky"],
  ])(
    "expects %s in %s on %s to be %s (the article's table and our measurements)",
    (name, variant, kernel, want) => {
      const check = box0.checks.find((c) => c.name === name);
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
    ["reach", "flaky", "pass"],
    ["no-reach", "flaky", "pass"],
  ] as const)("gives outcome %s against expectation %s the verdict %s", (outcome, expected, verdict) => {
    expect(verdictOf(outcome, expected)).toBe(verdict);
  });
});

describe("assembleResults", () => {
  const ctx = {
    scenario: "box0-bridge-dnat",
    variant: "baseline",
    kernel: "6.18.44",
    userspace: "host",
    checks: box0.checks,
  };
  const seen = (outcomes: ("reach" | "no-reach")[]): Observation[] =>
    outcomes.map((outcome, i) => ({
      check: checks[i] ?? "",
      status: "observed",
      outcome,
      evidence: { command: "c", exitCode: 0, durationMs: 1, stderrTail: "" },
    }));

  it("matches every check against its expectation", () => {
    const results = assembleResults(ctx, [seen(["reach", "no-reach", "no-reach", "reach", "reach"])]);
    expect(results.map((r) => r.verdict)).toEqual(["pass", "xfail", "xfail", "pass", "pass"]);
    expect(exitCodeOf(results)).toBe(0);
  });

  it("flags a check whose repeats disagree as flaky, and fails it", () => {
    const results = assembleResults(ctx, [
      seen(["reach", "no-reach", "no-reach", "reach", "reach"]),
      seen(["reach", "reach", "no-reach", "reach", "reach"]),
    ]);
    const cmd1 = results[1];
    expect(cmd1?.verdict).toBe("fail");
    expect(cmd1?.verdict === "fail" && cmd1.flaky).toEqual(["no-reach", "reach"]);
    expect(cmd1).toMatchObject({ runs: 2, reached: 1 });
    expect(results[0]).toMatchObject({ verdict: "pass", runs: 2, reached: 2 });
    expect(exitCodeOf(results)).toBe(1);
  });

  it("passes a known race whatever its repeats saw, and still counts how many reached", () => {
    const race = { ...ctx, variant: "hairpin-static", kernel: "6.12.117+deb13-amd64" };
    const results = assembleResults(race, [
      seen(["reach", "no-reach", "reach", "reach", "reach"]),
      seen(["reach", "no-reach", "no-reach", "no-reach", "reach"]),
      seen(["reach", "no-reach", "reach", "reach", "reach"]),
    ]);
    const [handshake, cmd2] = [results[2], results[3]];
    expect(handshake).toMatchObject({ verdict: "pass", expected: "flaky", runs: 3, reached: 2 });
    expect(handshake && "flaky" in handshake && handshake.flaky).toBeFalsy();
    expect(cmd2).toMatchObject({ verdict: "pass", expected: "flaky", reached: 2 });
    expect(exitCodeOf(results)).toBe(0);
  });

  it("keeps skips and errors with their reasons", () => {
    const obs: Observation[] = checks.map((check, i) =>
      i === 0
        ? { check, status: "error", reason: "set-up failed: x" }
        : { check, status: "skip", reason: "no vrf" },
    );
    const results = assembleResults(ctx, [obs]);
    expect(results[0]).toMatchObject({ verdict: "error", reason: "set-up failed: x" });
    expect(results[1]).toMatchObject({ verdict: "skip", reason: "no vrf" });
    expect(exitCodeOf(results)).toBe(1);
    // kselftest's: every result skipped is 4; a pass beside skips is 0.
    expect(exitCodeOf(results.slice(1))).toBe(4);
    expect(exitCodeOf([...results.slice(1), { ...(results[1] as Result), verdict: "pass" } as Result])).toBe(
      0,
    );
    expect(exitCodeOf([])).toBe(0);
  });
});
