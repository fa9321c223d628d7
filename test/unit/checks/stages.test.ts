// Stages belong to their kind of check: one name may mean different things to two kinds (a tcp
// check's `failed` is not a script's), and a command check's evidence carries its output.
import { describe, expect, it } from "vitest";
import { KINDS, stageInfo } from "../../../src/checks/index.js";
import { evidenceLines } from "../../../src/results/evidence.js";
import { observationsFromTap } from "../../../src/results/tap.js";

const run = (tap: string) => ({ tap, exitCode: 0, timedOut: false, stderr: "", durationMs: 5 });

describe("stages of each kind", () => {
  it("are read in the words of the kind the TAP names", () => {
    const e = { exitCode: 1, stderrTail: "E connect(5): something odd" };
    expect(stageInfo("failed", "tcp")?.text(e)).toBe("failed: E connect(5): something odd");
    expect(stageInfo("failed", "script")?.text(e)).toBe("the script failed (exit 1)");
    expect(stageInfo("failed", "command")?.text(e)).toBe("the command failed (exit 1)");
    // TAP from before the kind was written keeps the meaning it always had.
    expect(stageInfo("failed")?.text(e)).toBe("the script failed (exit 1)");
  });

  it("that two kinds share by name mean the same, or are told apart by kind", () => {
    const e = { exitCode: 1, stderrTail: "x", timeoutS: 1, answeredBy: "web" };
    const names = new Map<string, string[]>();
    for (const [kind, k] of Object.entries(KINDS))
      for (const s of Object.keys(k.stages)) names.set(s, [...(names.get(s) ?? []), kind]);
    const shared = [...names].filter(([, kinds]) => kinds.length > 1);
    for (const [stage, kinds] of shared) {
      const reached = new Set(kinds.map((k) => stageInfo(stage, k)?.reached));
      expect([stage, reached.size]).toEqual([stage, 1]);
    }
    expect(shared.map(([s]) => s).sort()).toEqual([
      "answered",
      "failed",
      "no-reply",
      "refused",
      "timed-out",
      "unreachable",
    ]);
    expect(stageInfo("timed-out", "command")?.text(e)).toBe("it ran out of time (1 s)");
  });

  it("are parsed from a command check's TAP with its kind and output, and shown", () => {
    const [o] = observationsFromTap(
      run(`TAP version 13
1..1
ok 1 - ttl
  ---
  check: ttl
  kind: command
  outcome: reach
  stage: matched
  command: 'ip netns exec nsm-0badcafe-h1 timeout -k 1 10 ping -c 1 -t 1 10.2.0.2'
  exit: 1
  duration_ms: 12
  timeout: 10
  output: |
    PING 10.2.0.2 (10.2.0.2) 56(84) bytes of data.
    From 10.1.0.1 icmp_seq=1 Time to live exceeded
  verdict:  OK 
  ...
`),
      ["ttl"],
    );
    expect(o).toMatchObject({ status: "observed", outcome: "reach" });
    if (o?.status !== "observed") throw new Error("not observed");
    expect(o.evidence).toMatchObject({ kind: "command", stage: "matched", exitCode: 1 });
    expect(evidenceLines(o.evidence)).toEqual([
      "$ ip netns exec nsm-0badcafe-h1 timeout -k 1 10 ping -c 1 -t 1 10.2.0.2",
      "exit 1 after 12 ms (timeout 10 s)",
      "stage: its output matched",
      "output: PING 10.2.0.2 (10.2.0.2) 56(84) bytes of data. ⏎ From 10.1.0.1 icmp_seq=1 Time to live exceeded",
    ]);
  });

  it("describe an IPv6 target in brackets, as a person writes it", () => {
    const base = { name: "c", from: "a", timeout: 0.5, expect: "reach" as const };
    const tcp = { ...base, target: { kind: "tcp" as const, host: "2001:db8::2", port: 80, service: "web" } };
    const udp = { ...base, target: { kind: "udp" as const, host: "2001:db8::2", port: 53 } };
    expect(KINDS.tcp.describe(tcp)).toBe("tcp [2001:db8::2]:80, answered by web");
    expect(KINDS.udp.describe(udp)).toBe("udp [2001:db8::2]:53");
    expect(KINDS.tcp.command(tcp, { timeoutScale: 1, pingWholeSeconds: false, diagnose: true })).toContain(
      "TCP6:[2001:db8::2]:80,connect-timeout=0.5",
    );
  });
});
