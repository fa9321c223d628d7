// The plan a kernel developer attaches to a report: read top to bottom, like a net selftest.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../../../src/checks/index.js";
import { expectShell, versionNumber } from "../../../src/compile/expect.js";
import { helpersFor } from "../../../src/compile/helpers.js";
import { compileVariant } from "../../../src/compile/index.js";
import { pathNodes } from "../../../src/compile/path.js";
import { RUNTIME } from "../../../src/compile/runtime.js";
import { type CheckModel, loadScenario } from "../../../src/model/index.js";
import { expectationFor } from "../../../src/results/index.js";

const twoHosts = loadScenario("test/fixtures/scenarios/two-hosts.yaml");
const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");

describe("the plan's shape", () => {
  const text = compileVariant(twoHosts, "plain").text;
  const lines = text.split("\n");

  it("opens with what it reproduces and each check's expectation, in words", () => {
    expect(lines.slice(0, 12).join("\n")).toMatchInlineSnapshot(`
      "#!/bin/sh
      # nsmatrix reproducer: scenario two-hosts, variant plain
      # ping, TCP and UDP across one link, with nftables drops; variant "wrong" expects the impossible
      #
      # Expected, per check and kernel version:
      #   ping         reach
      #   tcp          reach
      #   tcp-reset    no-reach (must not get through)
      #   udp          reach
      #   udp-dropped  no-reach (must not get through)
      #
      # Run as root: sh this-file. It builds the topology in fresh network namespaces"
    `);
  });

  it("has the topology's first command within its first 60 lines", () => {
    expect(lines.findIndex((l) => /^\s+nsm_step 'create namespaces' ip -batch/.test(l))).toBeLessThan(30);
    expect(lines.findIndex((l) => /^link add name /.test(l))).toBeLessThan(60);
  });

  it("writes each check out, with its expectation beside it, as a command one can copy", () => {
    const at = lines.indexOf("# 2 tcp");
    expect(lines.slice(at, at + 5).join("\n")).toMatchInlineSnapshot(`
      "# 2 tcp
      #   expect: reach
      check_2() {
        ip netns exec $P-a socat -u -T 0.5 TCP4:10.99.0.2:22,connect-timeout=0.5 STDOUT
      }"
    `);
  });

  it("carries only the helpers the variant calls", () => {
    const defined = [...text.matchAll(/^(nsm_\w+)\(\)/gm)].map((m) => m[1]);
    // No bridge: no settle; no capture, offload or pcap; UDP only through nsm_udp.
    for (const absent of [
      "nsm_settle",
      "nsm_capture_start",
      "nsm_offload_watch",
      "nsm_pcap_start",
      "nsm_nest",
    ])
      expect(defined).not.toContain(absent);
    for (const present of ["nsm_udp", "nsm_report", "nsm_trace_on", "nsm_stage_tcp", "nsm_stage_udp"])
      expect(defined).toContain(present);
    expect(defined).not.toContain("nsm_stage_script");
    // And each one defined is called somewhere else in the script.
    // (A stage function is called by the kind's name: "nsm_stage_$3".)
    for (const f of defined.filter((d) => !d?.startsWith("nsm_stage_")))
      expect(text.split(f as string).length, f).toBeGreaterThan(2);
  });

  it("is shorter than the full runtime, and sh parses it", () => {
    const runtime = RUNTIME.split("\n").length;
    const helpers = lines.slice(
      lines.indexOf("# Helpers: only those this variant calls."),
      lines.indexOf("# main"),
    );
    expect(helpers.length).toBeLessThan(runtime);
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
  });

  it("bakes the timeout scale into the commands, never the kernel's part", () => {
    const slow = compileVariant(twoHosts, "plain", { timeoutScale: 3 }).text;
    expect(slow).toContain("socat -u -T 1.5 TCP4:10.99.0.2:22,connect-timeout=0.5 STDOUT");
    expect(slow).toContain("ping -n -c 1 -W 0.5 10.99.0.2");
    // UDP tries three times within the scaled wait; the evidence shows one try, a line to paste.
    expect(slow).toMatch(
      /nsm_udp \d+ ip netns exec \$P-a socat -T 0\.5 -t 0\.5 STDIO UDP4:10\.99\.0\.2:5353\n/,
    );
    expect(slow).toContain(
      'command="echo nsmatrix | ip netns exec $P-a socat -T 0.5 -t 0.5 STDIO UDP4:10.99.0.2:5353"',
    );
    const old = compileVariant(twoHosts, "plain", { pingWholeSeconds: true }).text;
    expect(old).toContain("ping -n -c 1 -W 1 10.99.0.2");
  });

  it("leaves the drop trace out with --no-diagnose", () => {
    const plain = compileVariant(twoHosts, "plain", { diagnose: false }).text;
    expect(plain).not.toMatch(/nsm_trace|nsm_drops/);
  });
});

describe("helpersFor", () => {
  const runtime = `set -u
# a helper nobody calls
nsm_unused() {
  echo no
}
# called by the generated code
nsm_used() {
  nsm_callee x
}
nsm_callee() { echo "$1"; }
trap nsm_teardown EXIT
nsm_teardown() {
  :
}`;
  it("keeps the top-level code, what it calls, and what the generated code calls, transitively", () => {
    expect(helpersFor(runtime, "nsm_used")).toEqual([
      "set -u",
      "# called by the generated code",
      "nsm_used() {",
      "  nsm_callee x",
      "}",
      'nsm_callee() { echo "$1"; }',
      "trap nsm_teardown EXIT",
      "nsm_teardown() {",
      "  :",
      "}",
    ]);
  });
});

describe("the script's expectation on the running kernel", () => {
  const check = (expect: CheckModel["expect"]): CheckModel => ({
    name: "c",
    from: "a",
    target: { kind: "ping", host: "10.0.0.1" },
    timeout: 1,
    expect,
  });
  const cases: CheckModel["expect"][] = [
    "xfail",
    { v: { "<3.10": "reach", "*": "xfail" } },
    { v: { ">=4.9 <4.10": "xfail" } },
    { v: { "^5.10 || >=6.12": "no-reach" }, "*": "flaky" },
    { other: "xfail", "*": { ">5.10.0 <=6.1.50": "xfail", "*": "no-reach" } },
    { v: { "~6.1": "flaky" } },
  ];
  const kernels = [
    "3.10.0-1160.el7.x86_64",
    "4.9.0-19-amd64",
    "5.10.0-32-amd64",
    "5.10.1",
    "6.1.0-50-amd64",
    "6.1.50",
    "6.1.51",
    "6.12.117+deb13-amd64",
    "6.18.44-fc-v669",
  ];

  // The script decides with shell arithmetic what results/expect.ts decides with semver.
  it.each(cases.map((e) => [JSON.stringify(e), e] as const))("%s: the same on every kernel", (_name, e) => {
    const c = check(e);
    const body = kernels.map((k) => {
      const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(k);
      const n = versionNumber({ major: Number(m?.[1]), minor: Number(m?.[2]), patch: Number(m?.[3] ?? 0) });
      return [`_kv_n=${n}`, ...expectShell(c, "v", 1), 'echo "$nsm_e1"'].join("\n");
    });
    const fns = `nsm_kv_in() { [ "$_kv_n" -ge "$1" ] && [ "$_kv_n" -lt "$2" ]; }\n`;
    const out = execFileSync("sh", ["-c", fns + body.join("\n")], { encoding: "utf8" })
      .trim()
      .split("\n");
    expect(out).toEqual(kernels.map((k) => expectationFor(e, "v", k)));
  });
});

describe("pathNodes (the nodes a pcap covers)", () => {
  const v = box0.variants.find((x) => x.name === "baseline");
  const c = (name: string) => v?.checks.find((x) => x.name === name) as CheckModel;
  it("goes from the sender to the DNAT address's owner, then on to the service", () => {
    expect(pathNodes(v?.topology ?? { nodes: {} }, c("cmd1"), box0.services)).toEqual([
      "host1",
      "switch",
      "box0",
      "host2",
    ]);
    expect(pathNodes(v?.topology ?? { nodes: {} }, c("gateway"), box0.services)).toEqual([
      "host1",
      "switch",
      "box0",
    ]);
    expect(pathNodes(v?.topology ?? { nodes: {} }, c("bridged"), box0.services)).toEqual([
      "host3",
      "box0",
      "switch",
      "host2",
    ]);
  });

  it("crosses a macvlan to the node whose interface it sits on, and finds an IPv6 owner however it is written", () => {
    const mv = loadScenario("test/fixtures/cases/macvlan.yaml");
    const bridge = mv.variants.find((x) => x.name === "bridge");
    const c1 = bridge?.checks.find((x) => x.name === "c1-to-ext") as CheckModel;
    expect(pathNodes(bridge?.topology ?? { nodes: {} }, c1, mv.services)).toEqual(["c1", "host", "ext"]);
    const ds = loadScenario("test/fixtures/cases/dual-stack.yaml");
    const web6 = ds.checks.find((x) => x.name === "web6") as CheckModel;
    const long = { ...web6, target: { ...web6.target, host: "2001:0db8:0002:0000:0000:0000:0000:0002" } };
    expect(pathNodes(ds.variants[0]?.topology ?? { nodes: {} }, long as CheckModel, ds.services)).toEqual([
      "h1",
      "r",
      "h2",
    ]);
  });

  it("captures nothing of a script check in the run's own namespace", () => {
    const script: CheckModel = { ...c("cmd1"), from: undefined };
    expect(pathNodes(v?.topology ?? { nodes: {} }, script, box0.services)).toEqual([]);
  });

  it("is part of the script only with capture on", () => {
    expect(compileVariant(box0, "baseline").text).not.toContain("nsm_pcap_start");
    const on = compileVariant(box0, "baseline", { ...DEFAULT_OPTIONS, capture: "failed" }).text;
    expect(on).toContain("nsm_pcap_start 2 cmd1 host1 switch box0 host2");
    expect(on).toContain("nsm_pcap_keep 2 failed");
  });
});
