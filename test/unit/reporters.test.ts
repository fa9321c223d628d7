import { Parser } from "tap-parser";
import { describe, expect, it } from "vitest";
import {
  cellText,
  formatJson,
  formatJunit,
  formatMarkdown,
  formatPretty,
  formatReport,
  formatTap,
  REPORT_FORMATS,
  summarize,
} from "../../src/results/reporters/index.js";
import type { Evidence, Result, RunReport } from "../../src/results/types.js";

const NEW = "6.18.44";
const OLD = "6.1.0-37-amd64";

const ev = (command: string, exitCode: number | null, durationMs: number, stderrTail = ""): Evidence => ({
  command,
  exitCode,
  durationMs,
  stderrTail,
});

const ping = ev("ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2", 0, 120);
const curl = ev("ip netns exec nsm-h1 nc -z -w2 1.1.1.1 8080", 1, 2000, "nc: timed out");

const results: Result[] = [
  {
    scenario: "hairpin",
    variant: "v4",
    check: "ping-r2",
    kernel: NEW,
    status: "pass",
    outcome: "reach",
    expected: "reach",
    evidence: ping,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "ping-r2",
    kernel: OLD,
    status: "pass",
    outcome: "reach",
    expected: "reach",
    evidence: ping,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "cmd1",
    kernel: NEW,
    status: "xfail",
    outcome: "no-reach",
    expected: "xfail",
    evidence: curl,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "cmd1",
    kernel: OLD,
    status: "xpass",
    outcome: "reach",
    expected: "xfail",
    evidence: ev("ip netns exec nsm-h1 nc -z -w2 1.1.1.1 8080", 0, 30),
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "ping-r2",
    kernel: NEW,
    status: "fail",
    outcome: "no-reach",
    expected: "reach",
    evidence: ev(
      "ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2",
      1,
      1000,
      "PING 10.0.0.2\n1 packets transmitted, 0 received",
    ),
    flaky: ["reach", "no-reach", "reach"],
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "ping-r2",
    kernel: OLD,
    status: "fail",
    outcome: "no-reach",
    expected: "reach",
    evidence: ev(
      "ip netns exec nsm-r1 ping -c1 10.0.0.2",
      2,
      1500,
      "one\ntwo\nping: sendmsg: <&> \"denied\" 'x'\u0007\nfour",
    ),
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "cmd1",
    kernel: NEW,
    status: "error",
    reason: "setup failed: ip link add br0",
    evidence: ev("ip link add br0 type bridge", 2, 10, "RTNETLINK answers: File exists"),
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "cmd1",
    kernel: OLD,
    status: "crash",
    reason: "kernel panic",
    console: "BUG: kernel NULL pointer dereference\nKernel panic - not syncing",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "ping-vrf",
    kernel: NEW,
    status: "skip",
    reason: "no CONFIG_NET_VRF",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "ping-vrf",
    kernel: OLD,
    status: "skip",
    reason: "no CONFIG_NET_VRF",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "leak # 2",
    kernel: NEW,
    status: "skip",
    reason: "needs ebtables broute",
  },
];

const report: RunReport = { results, kernels: [NEW, OLD], durationMs: 2100 };

async function parseTap(text: string) {
  const p = new Parser();
  const asserts: {
    ok: boolean;
    name: string;
    todo: string | boolean;
    skip: string | boolean;
    diag: unknown;
    time: number | null;
  }[] = [];
  p.on("assert", (a) =>
    asserts.push({ ok: a.ok, name: a.name, todo: a.todo, skip: a.skip, diag: a.diag, time: a.time }),
  );
  const complete = new Promise<{
    ok: boolean;
    count: number;
    pass: number;
    fail: number;
    todo: number;
    skip: number;
  }>((resolve) => p.on("complete", resolve));
  p.end(text);
  return { asserts, final: await complete };
}

describe("summarize", () => {
  it("counts every verdict, including those never seen", () => {
    expect(summarize(results)).toEqual({ pass: 2, fail: 2, xfail: 1, xpass: 1, skip: 3, error: 1, crash: 1 });
    expect(summarize([])).toEqual({ pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0, crash: 0 });
  });
});

describe("cellText", () => {
  it.each([
    [0, "reach pass"],
    [2, "no-reach xfail"],
    [3, "reach xpass"],
    [4, "no-reach fail FLAKY"],
    [5, "no-reach fail"],
    [6, "error"],
    [7, "crash"],
    [8, "skip"],
  ])("describes result %i as %j", (i, text) => {
    expect(cellText(results[i])).toBe(text);
  });
});

describe("formatJunit", () => {
  const xml = formatJunit(report);
  const suites = [
    ...xml.matchAll(
      /<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/g,
    ),
  ];

  it("has one testsuite per kernel with the right counts", () => {
    expect(suites.map((m) => m.slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s)))).toEqual([
      [NEW, 6, 1, 1, 2],
      [OLD, 5, 2, 1, 1],
    ]);
    expect(xml).toMatch(
      /<testsuites name="nsmatrix" tests="11" failures="3" errors="2" skipped="3" time="2.100">/,
    );
  });

  it("escapes markup and drops control characters XML 1.0 forbids", () => {
    expect(xml).toContain("ping: sendmsg: &lt;&amp;&gt; &quot;denied&quot; &apos;x&apos;\nfour");
    expect(xml).not.toContain("\u0007");
    expect(xml).not.toMatch(/<&>/);
  });

  it("reports each verdict with its element", () => {
    expect(xml).toContain(
      '<testcase classname="hairpin.v4" name="cmd1" time="2.000">\n      <system-out>expected failure seen</system-out>',
    );
    expect(xml).toContain('<failure message="expected failure did not happen: saw reach" type="xpass">');
    expect(xml).toContain(
      '<failure message="expected reach, saw no-reach (flaky: reach, no-reach, reach)" type="fail">',
    );
    expect(xml).toContain('<error message="kernel crashed: kernel panic" type="crash">');
    expect(xml).toContain('<skipped message="no CONFIG_NET_VRF"/>');
    expect(xml).toContain('<testcase classname="hairpin.v4" name="ping-r2" time="0.120"/>');
  });
});

describe("formatTap", () => {
  it("parses as TAP with strict ok and not ok counts", async () => {
    const { asserts, final } = await parseTap(formatTap(report));
    expect(asserts.map((a) => [a.ok, a.name])).toEqual([
      [true, `hairpin/v4/ping-r2 [${NEW}]`],
      [true, `hairpin/v4/ping-r2 [${OLD}]`],
      [false, `hairpin/v4/cmd1 [${NEW}]`],
      [false, `hairpin/v4/cmd1 [${OLD}]`],
      [false, `hairpin/promisc/ping-r2 [${NEW}]`],
      [false, `hairpin/promisc/ping-r2 [${OLD}]`],
      [false, `hairpin/promisc/cmd1 [${NEW}]`],
      [false, `hairpin/promisc/cmd1 [${OLD}]`],
      [true, `vrf/v4/ping-vrf [${NEW}]`],
      [true, `vrf/v4/ping-vrf [${OLD}]`],
      [true, `vrf/v4/leak # 2 [${NEW}]`],
    ]);
    expect(final).toMatchObject({ ok: false, count: 11, pass: 5, fail: 6, todo: 1, skip: 3 });
    expect(asserts[2]?.todo).toBe("expected failure");
    expect(asserts[10]?.skip).toBe("needs ebtables broute");
  });

  it("carries the evidence of failures in a YAML diagnostic", async () => {
    const { asserts } = await parseTap(formatTap(report));
    expect(asserts[5]?.diag).toEqual({
      message: "expected reach, saw no-reach",
      outcome: "no-reach",
      expected: "reach",
      command: "ip netns exec nsm-r1 ping -c1 10.0.0.2",
      exit: 2,
      stderr: "one\ntwo\nping: sendmsg: <&> \"denied\" 'x'\u0007\nfour",
    });
    // tap-parser moves duration_ms out of the diagnostic into the point's time.
    expect(asserts[5]?.time).toBe(1500);
    expect(asserts[3]?.diag).toMatchObject({
      message: "unexpectedly reached",
      outcome: "reach",
      expected: "xfail",
    });
    expect(asserts[7]?.diag).toEqual({
      message: "kernel crashed: kernel panic",
      console: "BUG: kernel NULL pointer dereference\nKernel panic - not syncing",
    });
  });
});

describe("formatJson", () => {
  it("round-trips the results and counts them by verdict", () => {
    expect(JSON.parse(formatJson(report))).toEqual({
      version: 1,
      kernels: [NEW, OLD],
      durationMs: 2100,
      summary: { pass: 2, fail: 2, xfail: 1, xpass: 1, skip: 3, error: 1, crash: 1 },
      results,
    });
  });
});

describe("formatMarkdown", () => {
  it("renders one table per scenario with kernels as columns", () => {
    const withPipe: RunReport = {
      ...report,
      results: [
        ...results,
        { scenario: "vrf", variant: "a|b", check: "x", kernel: OLD, status: "skip", reason: "r" },
      ],
    };
    expect(formatMarkdown(withPipe)).toMatchInlineSnapshot(`
      "### hairpin

      | variant | check | 6.18.44 | 6.1.0-37-amd64 |
      | --- | --- | --- | --- |
      | v4 | ping-r2 | reach pass | reach pass |
      | v4 | cmd1 | no-reach xfail | reach xpass |
      | promisc | ping-r2 | no-reach fail FLAKY | no-reach fail |
      | promisc | cmd1 | error | crash |

      ### vrf

      | variant | check | 6.18.44 | 6.1.0-37-amd64 |
      | --- | --- | --- | --- |
      | v4 | ping-vrf | skip | skip |
      | v4 | leak # 2 | skip | - |
      | a\\|b | x | - | skip |
      "
    `);
  });
});

describe("formatPretty", () => {
  it("aligns a table per scenario and ends with the summary and the evidence", () => {
    expect(formatPretty(report, { color: false })).toMatchInlineSnapshot(`
      "hairpin
        variant  check    6.18.44              6.1.0-37-amd64
        -------  -------  -------------------  --------------
        v4       ping-r2  reach pass           reach pass
        v4       cmd1     no-reach xfail       reach xpass
        promisc  ping-r2  no-reach fail FLAKY  no-reach fail
        promisc  cmd1     error                crash

      vrf
        variant  check     6.18.44  6.1.0-37-amd64
        -------  --------  -------  --------------
        v4       ping-vrf  skip     skip
        v4       leak # 2  skip     -

      11 results: 2 pass, 1 xfail, 3 skip (2 fail, 1 xpass, 1 error, 1 crash) in 2.1 s

      XPASS hairpin/v4/cmd1 [6.1.0-37-amd64]: expected failure did not happen: saw reach
        $ ip netns exec nsm-h1 nc -z -w2 1.1.1.1 8080
        exit 0 after 30 ms

      FAIL hairpin/promisc/ping-r2 [6.18.44]: expected reach, saw no-reach
        flaky: reach, no-reach, reach
        $ ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2
        exit 1 after 1.0 s
        > PING 10.0.0.2
        > 1 packets transmitted, 0 received

      FAIL hairpin/promisc/ping-r2 [6.1.0-37-amd64]: expected reach, saw no-reach
        $ ip netns exec nsm-r1 ping -c1 10.0.0.2
        exit 2 after 1.5 s
        > two
        > ping: sendmsg: <&> "denied" 'x'\\x07
        > four

      ERROR hairpin/promisc/cmd1 [6.18.44]: setup failed: ip link add br0
        $ ip link add br0 type bridge
        exit 2 after 10 ms
        > RTNETLINK answers: File exists

      CRASH hairpin/promisc/cmd1 [6.1.0-37-amd64]: kernel panic
        > BUG: kernel NULL pointer dereference
        > Kernel panic - not syncing

      skipped:
        - no CONFIG_NET_VRF (2 results)
        - needs ebtables broute (1 result)
      "
    `);
  });

  it("colours verdicts without breaking the alignment", () => {
    const plain = formatPretty(report, { color: false });
    const colored = formatPretty(report, { color: true });
    expect(colored).toContain("\x1b[32mreach pass\x1b[0m");
    expect(colored).toContain("\x1b[31mno-reach fail FLAKY\x1b[0m");
    expect(colored).toContain("\x1b[33mskip\x1b[0m");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(colored.replace(/\x1b\[[0-9;]*m/g, "")).toBe(plain);
  });
});

describe("formatReport", () => {
  it.each(REPORT_FORMATS)("dispatches %s to its formatter", (format) => {
    const direct = {
      pretty: formatPretty(report, { color: false }),
      tap: formatTap(report),
      junit: formatJunit(report),
      json: formatJson(report),
      markdown: formatMarkdown(report),
    };
    expect(formatReport(format, report)).toBe(direct[format]);
  });
});
