import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Parser } from "tap-parser";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../../src/package.js";
import { VERDICT_LOOK } from "../../../src/results/reporters/html-assets.js";
import {
  cellText,
  formatHtml,
  formatJson,
  formatJunit,
  formatMarkdown,
  formatPretty,
  formatReport,
  formatTap,
  REPORT_FORMATS,
  summarize,
  VERDICTS,
} from "../../../src/results/reporters/index.js";
import type { Evidence, Result, RunReport } from "../../../src/results/types.js";

const NEW = "6.18.44";
// The JUnit XSD check needs xmllint (libxml2-utils; bash scripts/setup.sh --test installs it).
const hasXmllint = spawnSync("xmllint", ["--version"]).status === 0;
if (!hasXmllint) console.warn("skipping the JUnit XSD check: no xmllint (apt-get install libxml2-utils)");
const OLD = "6.1.0-37-amd64";

const ev = (command: string, exitCode: number | null, durationMs: number, stderrTail = ""): Evidence => ({
  command,
  exitCode,
  durationMs,
  stderrTail,
});

const ping = { ...ev("ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2", 0, 120), stage: "replied" as const };
const curl = {
  ...ev(
    "ip netns exec nsm-h1 socat -u /dev/null TCP4:1.1.1.1:8080",
    1,
    2000,
    "E connecting: Connection timed out",
  ),
  stage: "syn-timeout" as const,
  timeoutS: 2,
};
const once = { runs: 1, reached: 0 };
const onceReached = { runs: 1, reached: 1 };

const results: Result[] = [
  {
    scenario: "hairpin",
    variant: "v4",
    check: "ping-r2",
    kernel: NEW,
    userspace: "host",
    verdict: "pass",
    outcome: "reach",
    expected: "reach",
    evidence: ping,
    ...onceReached,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "ping-r2",
    kernel: OLD,
    userspace: "debian:bullseye",
    verdict: "pass",
    outcome: "reach",
    expected: "reach",
    evidence: ping,
    ...onceReached,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "cmd1",
    kernel: NEW,
    userspace: "host",
    verdict: "xfail",
    outcome: "no-reach",
    expected: "xfail",
    evidence: curl,
    ...once,
  },
  {
    scenario: "hairpin",
    variant: "v4",
    check: "cmd1",
    kernel: OLD,
    userspace: "debian:bullseye",
    verdict: "xpass",
    outcome: "reach",
    expected: "xfail",
    evidence: {
      ...ev("ip netns exec nsm-h1 socat -u /dev/null TCP4:1.1.1.1:8080", 0, 30),
      stage: "connected",
    },
    ...onceReached,
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "ping-r2",
    kernel: NEW,
    userspace: "host",
    verdict: "fail",
    outcome: "no-reach",
    expected: "reach",
    evidence: ev(
      "ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2",
      1,
      1000,
      "PING 10.0.0.2\n1 packets transmitted, 0 received",
    ),
    runs: 3,
    reached: 2,
    flaky: ["no-reach", "reach", "reach"],
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "ping-r2",
    kernel: OLD,
    userspace: "debian:bullseye",
    verdict: "fail",
    outcome: "no-reach",
    expected: "reach",
    evidence: ev(
      "ip netns exec nsm-r1 ping -c1 10.0.0.2",
      2,
      1500,
      "one\ntwo\nping: sendmsg: <&> \"denied\" 'x'\u0007\nfour",
    ),
    ...once,
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "cmd1",
    kernel: NEW,
    userspace: "host",
    verdict: "error",
    reason: "setup failed: ip link add br0",
    evidence: ev("ip link add br0 type bridge", 2, 10, "RTNETLINK answers: File exists"),
  },
  {
    scenario: "hairpin",
    variant: "promisc",
    check: "cmd1",
    kernel: OLD,
    userspace: "debian:bullseye",
    verdict: "crash",
    reason: "kernel panic",
    console: "BUG: kernel NULL pointer dereference\nKernel panic - not syncing",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "ping-vrf",
    kernel: NEW,
    userspace: "host",
    verdict: "skip",
    reason: "no CONFIG_NET_VRF",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "ping-vrf",
    kernel: OLD,
    userspace: "debian:bullseye",
    verdict: "skip",
    reason: "no CONFIG_NET_VRF",
  },
  {
    scenario: "vrf",
    variant: "v4",
    check: "leak # 2",
    kernel: NEW,
    userspace: "host",
    verdict: "skip",
    reason: "needs ebtables broute",
  },
];

const report: RunReport = {
  results,
  columns: [
    { kernel: NEW, userspace: "host", tools: { ip: "6.1.0", nft: "1.0.6" } },
    { kernel: OLD, userspace: "debian:bullseye", tools: { ip: "5.9.0", nft: "0.9.8" } },
  ],
  durationMs: 2100,
};

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
    [4, "no-reach fail (2/3 reached) FLAKY"],
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

  it("has one testsuite per kernel × userspace with the right counts, and the tools as properties", () => {
    expect(suites.map((m) => m.slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s)))).toEqual([
      [`${NEW} · host`, 6, 1, 1, 2],
      [`${OLD} · debian:bullseye`, 5, 2, 1, 1],
    ]);
    expect(xml).toContain(
      `<properties>\n      <property name="kernel" value="${OLD}"/>\n      <property name="userspace" value="debian:bullseye"/>\n      <property name="tools.ip" value="5.9.0"/>\n      <property name="tools.nft" value="0.9.8"/>\n    </properties>`,
    );
    expect(xml).toMatch(
      /<testsuites name="nsmatrix" tests="11" failures="3" errors="2" skipped="3" time="2.100">/,
    );
  });

  it("escapes markup and drops control characters XML 1.0 forbids", () => {
    expect(xml).toContain("ping: sendmsg: &lt;&amp;&gt; &quot;denied&quot; &apos;x&apos;\nfour");
    expect(xml).not.toContain("\u0007");
    expect(xml).not.toMatch(/<&>/);
  });

  it("keeps kernels apart in the test's identity: the same check on two kernels has two classnames", () => {
    const names = [...xml.matchAll(/<testcase classname="([^"]+)" name="cmd1"/g)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    expect(xml).toMatch(/classname="6_1_0-37-amd64\+debian_bullseye\./);
  });

  it("gives each suite its column's wall time, a timestamp and a hostname", () => {
    const timed = formatJunit({
      ...report,
      startedAt: "2026-12-02T08:00:00.000Z",
      hostname: "ci-runner",
      columns: report.columns.map((c, i) => ({ ...c, durationMs: 1000 * (i + 1) })),
    });
    expect(timed).toMatch(
      /<testsuite name="6\.18\.44 · host" [^>]*time="1\.000" [^>]*timestamp="2026-12-02T08:00:00" hostname="ci-runner">/,
    );
  });

  it.skipIf(!hasXmllint)(
    "is valid against the Jenkins/Ant JUnit schema (test/fixtures/junit/junit.xsd)",
    () => {
      const file = join(mkdtempSync(join(tmpdir(), "nsmatrix-junit-")), "r.xml");
      writeFileSync(file, formatJunit({ ...report, startedAt: "2026-12-02T08:00:00.000Z", hostname: "h" }));
      const r = spawnSync("xmllint", ["--noout", "--schema", "test/fixtures/junit/junit.xsd", file], {
        encoding: "utf8",
      });
      expect(r.stderr.trim()).toBe(`${file} validates`);
      rmSync(dirname(file), { recursive: true });
    },
  );

  it("reports each verdict with its element", () => {
    expect(xml).toContain(
      '<testcase classname="6_18_44.hairpin.v4" name="cmd1" time="2.000">\n      <system-out>expected failure seen\n$ ip netns exec nsm-h1 socat -u /dev/null TCP4:1.1.1.1:8080\nexit 1 after 2.0 s (timeout 2 s)\nstage: no answer to the SYN within 2 s\nstderr:\nE connecting: Connection timed out</system-out>',
    );
    expect(xml).toContain('<failure message="expected failure did not happen: saw reach" type="xpass">');
    expect(xml).toContain(
      '<failure message="expected reach, saw no-reach (flaky: no-reach, reach, reach)" type="fail">',
    );
    expect(xml).toContain('<error message="kernel crashed: kernel panic" type="crash">');
    expect(xml).toContain('<skipped message="no CONFIG_NET_VRF"/>');
    expect(xml).toContain(
      '<testcase classname="6_18_44.hairpin.v4" name="ping-r2" time="0.120">\n      <system-out>$ ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2\nexit 0 after 120 ms\nstage: echo reply received</system-out>',
    );
  });
});

describe("formatTap", () => {
  it("reads the kselftest way: ok is as expected, an expected failure ok with XFAIL", async () => {
    const tap = formatTap(report);
    const { asserts, final } = await parseTap(tap);
    expect(asserts.map((a) => [a.ok, a.name])).toEqual([
      [true, `hairpin/v4/ping-r2 [${NEW}, host]`],
      [true, `hairpin/v4/ping-r2 [${OLD}, debian:bullseye]`],
      [true, `hairpin/v4/cmd1 [${NEW}, host] # XFAIL no-reach (syn-timeout)`],
      [false, `hairpin/v4/cmd1 [${OLD}, debian:bullseye]`],
      [false, `hairpin/promisc/ping-r2 [${NEW}, host]`],
      [false, `hairpin/promisc/ping-r2 [${OLD}, debian:bullseye]`],
      [false, `hairpin/promisc/cmd1 [${NEW}, host]`],
      [false, `hairpin/promisc/cmd1 [${OLD}, debian:bullseye]`],
      [true, `vrf/v4/ping-vrf [${NEW}, host]`],
      [true, `vrf/v4/ping-vrf [${OLD}, debian:bullseye]`],
      [true, `vrf/v4/leak # 2 [${NEW}, host]`],
    ]);
    expect(final).toMatchObject({ ok: false, count: 11, pass: 6, fail: 5, todo: 0, skip: 3 });
    expect(asserts[10]?.skip).toBe("needs ebtables broute");
    // The outcome and the verdict in every point's YAML, and a selftest line after it.
    expect(asserts[0]?.diag).toMatchObject({ outcome: "reach", expected: "reach", verdict: "pass" });
    expect(asserts[2]?.diag).toMatchObject({ outcome: "no-reach", expected: "xfail", verdict: "xfail" });
    expect(tap).toContain(
      `# [XFAIL] hairpin/v4/cmd1 [${NEW}, host]: no-reach (syn-timeout), expected xfail\n`,
    );
    expect(tap).toMatch(
      /^# \[XPASS\] hairpin\/v4\/cmd1 \[6\.1\.0-37-amd64, debian:bullseye\]: reach( \(\w+\))?, expected xfail$/m,
    );
  });

  it("carries the evidence of failures in a YAML diagnostic", async () => {
    const { asserts } = await parseTap(formatTap(report));
    expect(asserts[5]?.diag).toEqual({
      message: "expected reach, saw no-reach",
      outcome: "no-reach",
      expected: "reach",
      verdict: "fail",
      command: "ip netns exec nsm-r1 ping -c1 10.0.0.2",
      exit: 2,
      // A control character is shown, not sent: \u escapes are not in every consumer's YAML.
      stderr: "one\ntwo\nping: sendmsg: <&> \"denied\" 'x'\\x07\nfour",
    });
    // Every value on one line: Perl's TAP::Parser (prove) reads no multi-line quoted scalar.
    expect(formatTap(report)).not.toMatch(/^ +[\w-]+: "(?:[^"\\\n]|\\.)*$/m);
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
    const doc = JSON.parse(
      formatJson({
        ...report,
        startedAt: "2026-12-02T08:00:00.000Z",
        finishedAt: "2026-12-02T08:00:02.100Z",
        hostname: "ci-runner-7",
      }),
    );
    expect(doc).toEqual({
      version: 4,
      nsmatrix: VERSION,
      startedAt: "2026-12-02T08:00:00.000Z",
      finishedAt: "2026-12-02T08:00:02.100Z",
      hostname: "ci-runner-7",
      durationMs: 2100,
      ok: false,
      exitCode: 1,
      columns: report.columns,
      summary: { pass: 2, fail: 2, xfail: 1, xpass: 1, skip: 3, error: 1, crash: 1 },
      results,
    });
  });

  it("is valid against schemas/results.schema.json, and a run with nothing unexpected is ok", () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync("schemas/results.schema.json", "utf8")));
    expect(validate(JSON.parse(formatJson(report))), JSON.stringify(validate.errors)).toBe(true);
    const fine = { ...report, results: results.filter((r) => r.verdict === "pass") };
    expect(JSON.parse(formatJson(fine)).ok).toBe(true);
    // A document the schema refuses: a verdict that does not exist.
    const bad = JSON.parse(formatJson(report));
    bad.results[0].verdict = "maybe";
    expect(validate(bad)).toBe(false);
  });
});

describe("formatMarkdown", () => {
  it("renders one table per scenario with kernels as columns", () => {
    const withPipe: RunReport = {
      ...report,
      results: [
        ...results,
        {
          scenario: "vrf",
          variant: "a|b",
          check: "x",
          kernel: OLD,
          userspace: "debian:bullseye",
          verdict: "skip",
          reason: "r",
        },
      ],
    };
    expect(formatMarkdown(withPipe)).toMatchInlineSnapshot(`
      "## ❌ nsmatrix: 12 results on 2 columns: ✅ 2 pass, ❌ 2 fail, ☑️ 1 xfail, ❗ 1 xpass, ⏭️ 4 skip, ⚠️ 1 error, 💥 1 crash

      ### hairpin

      | variant | check | 6.18.44 · host | 6.1.0-37-amd64 · debian:bullseye |
      | --- | --- | --- | --- |
      | v4 | ping-r2 | ✅ reach pass | ✅ reach pass |
      | v4 | cmd1 | ☑️ no-reach xfail | ❗ reach xpass |
      | promisc | ping-r2 | ❌ no-reach fail (2/3 reached) FLAKY | ❌ no-reach fail |
      | promisc | cmd1 | ⚠️ error | 💥 crash |

      <details><summary>XPASS hairpin/v4/cmd1 [6.1.0-37-amd64 · debian:bullseye]: expected failure did not happen: saw reach</summary>

      \`\`\`
      $ ip netns exec nsm-h1 socat -u /dev/null TCP4:1.1.1.1:8080
      exit 0 after 30 ms
      stage: handshake completed
      \`\`\`

      </details>
      <details><summary>FAIL hairpin/promisc/ping-r2 [6.18.44 · host]: expected reach, saw no-reach (flaky)</summary>

      \`\`\`
      $ ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2
      exit 1 after 1.0 s
      stderr:
      PING 10.0.0.2
      1 packets transmitted, 0 received
      \`\`\`

      </details>
      <details><summary>FAIL hairpin/promisc/ping-r2 [6.1.0-37-amd64 · debian:bullseye]: expected reach, saw no-reach</summary>

      \`\`\`
      $ ip netns exec nsm-r1 ping -c1 10.0.0.2
      exit 2 after 1.5 s
      stderr:
      one
      two
      ping: sendmsg: <&> "denied" 'x'
      four
      \`\`\`

      </details>
      <details><summary>ERROR hairpin/promisc/cmd1 [6.18.44 · host]: setup failed: ip link add br0</summary>

      \`\`\`
      $ ip link add br0 type bridge
      exit 2 after 10 ms
      stderr:
      RTNETLINK answers: File exists
      \`\`\`

      </details>
      <details><summary>CRASH hairpin/promisc/cmd1 [6.1.0-37-amd64 · debian:bullseye]: kernel crashed: kernel panic</summary>

      \`\`\`
      BUG: kernel NULL pointer dereference
      Kernel panic - not syncing
      \`\`\`

      </details>

      <details><summary>1 expected failure, and how far each got</summary>

      - hairpin/v4/cmd1 [6.18.44 · host]: no answer to the SYN within 2 s

      </details>

      ### vrf

      | variant | check | 6.18.44 · host | 6.1.0-37-amd64 · debian:bullseye |
      | --- | --- | --- | --- |
      | v4 | ping-vrf | ⏭️ skip | ⏭️ skip |
      | v4 | leak # 2 | ⏭️ skip | - |
      | a\\|b | x | - | ⏭️ skip |

      Skipped:

      - no CONFIG\\_NET\\_VRF
      - needs ebtables broute
      - r

      Tools each column ran with:

      - 6.18.44 · host: ip 6.1.0, nft 1.0.6
      - 6.1.0-37-amd64 · debian:bullseye: ip 5.9.0, nft 0.9.8
      "
    `);
  });
});

describe("formatPretty", () => {
  it("aligns a table per scenario and ends with the summary and the evidence", () => {
    expect(formatPretty(report, { color: false })).toMatchInlineSnapshot(`
      "hairpin
        variant  check    6.18.44 · host                     6.1.0-37-amd64 · debian:bullseye
        -------  -------  ---------------------------------  --------------------------------
        v4       ping-r2  reach pass                         reach pass
        v4       cmd1     no-reach xfail                     reach xpass
        promisc  ping-r2  no-reach fail (2/3 reached) FLAKY  no-reach fail
        promisc  cmd1     error                              crash

      vrf
        variant  check     6.18.44 · host  6.1.0-37-amd64 · debian:bullseye
        -------  --------  --------------  --------------------------------
        v4       ping-vrf  skip            skip
        v4       leak # 2  skip            -

      tools:
        6.18.44 · host: ip 6.1.0, nft 1.0.6
        6.1.0-37-amd64 · debian:bullseye: ip 5.9.0, nft 0.9.8

      11 results: 2 pass, 1 xfail, 3 skip (2 fail, 1 xpass, 1 error, 1 crash) in 2.1 s

      XPASS hairpin/v4/cmd1 [6.1.0-37-amd64 · debian:bullseye]: expected failure did not happen: saw reach
        $ ip netns exec nsm-h1 socat -u /dev/null TCP4:1.1.1.1:8080
        exit 0 after 30 ms
        stage: handshake completed

      FAIL hairpin/promisc/ping-r2 [6.18.44 · host]: expected reach, saw no-reach
        flaky: 2 of 3 runs reached (no-reach, reach, reach)
        $ ip netns exec nsm-r1 ping -c1 -W1 10.0.0.2
        exit 1 after 1.0 s
        > PING 10.0.0.2
        > 1 packets transmitted, 0 received

      FAIL hairpin/promisc/ping-r2 [6.1.0-37-amd64 · debian:bullseye]: expected reach, saw no-reach
        $ ip netns exec nsm-r1 ping -c1 10.0.0.2
        exit 2 after 1.5 s
        > two
        > ping: sendmsg: <&> "denied" 'x'\\x07
        > four

      ERROR hairpin/promisc/cmd1 [6.18.44 · host]: setup failed: ip link add br0
        $ ip link add br0 type bridge
        exit 2 after 10 ms
        > RTNETLINK answers: File exists

      CRASH hairpin/promisc/cmd1 [6.1.0-37-amd64 · debian:bullseye]: kernel panic
        > BUG: kernel NULL pointer dereference
        > Kernel panic - not syncing

      expected failures, and how far each got:
        - hairpin/v4/cmd1 [6.18.44 · host]: no answer to the SYN within 2 s

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
    expect(colored).toContain("\x1b[31mno-reach fail (2/3 reached) FLAKY\x1b[0m");
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
      html: formatHtml(report),
    };
    expect(formatReport(format, report)).toBe(direct[format]);
  });
});

// XML and HTML entities back to text, so one needle fits every format.
const decodeEntities = (s: string) =>
  s
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");

describe("the evidence a check demanded, beside what it saw", () => {
  const base = {
    command: "ip netns exec nsm-0badc0de-cl socat -u -T 5 TCP4:2.2.2.11:22,connect-timeout=5 STDOUT",
    exitCode: 0,
    durationMs: 1800,
    stderrTail: "",
    timeoutS: 5,
    service: "t1-ssh",
  };
  // Each case: the evidence, what every text format must show, and the TAP diagnostic fields.
  const cases: [string, Evidence, string[], Record<string, unknown>][] = [
    [
      "a transfer short of its bytes",
      { ...base, stage: "short", answeredBy: "t1-ssh", bytes: 1200, bytesExpected: 4194311 },
      ["bytes: 1200 of 4194311", "answered by t1-ssh, but bytes short of those expected"],
      { stage: "short", bytes: "1200 of 4194311", answered_by: "t1-ssh" },
    ],
    [
      "an offload never seen",
      {
        ...base,
        stage: "answered",
        answeredBy: "t1-ssh",
        bytes: 4194311,
        bytesExpected: 4194311,
        offload: false,
      },
      ["offload: not seen", "answered by t1-ssh", "bytes: 4194311 of 4194311"],
      { stage: "answered", offload: "not seen", answered_by: "t1-ssh" },
    ],
    [
      "a capture that saw nothing",
      {
        ...base,
        command: "ping -n -c 1 -W 5 10.0.0.7",
        stage: "replied",
        service: undefined,
        captured: "nothing",
      },
      ["captured: nothing", "echo reply received"],
      { stage: "replied", captured: "nothing" },
    ],
    [
      "a captured packet",
      { ...base, stage: "replied", service: undefined, captured: "IP 1.1.1.7 > 10.0.0.7: ICMP echo request" },
      ["captured: IP 1.1.1.7 > 10.0.0.7: ICMP echo request"],
      { captured: "IP 1.1.1.7 > 10.0.0.7: ICMP echo request" },
    ],
    [
      "the wrong service answering",
      { ...base, stage: "wrong-service", service: "http-host2", answeredBy: "http-host3" },
      ["answered by http-host3, not by http-host2"],
      { stage: "wrong-service", service: "http-host2", answered_by: "http-host3" },
    ],
    [
      "a handshake with no bytes after it",
      { ...base, stage: "no-bytes", timeoutS: 1 },
      ["connected, but no bytes within 1 s"],
      { stage: "no-bytes", reached: "connected, but no bytes within 1 s", timeout_s: 1 },
    ],
    [
      "a SYN never answered",
      { ...base, exitCode: 1, stage: "syn-timeout", timeoutS: 1 },
      ["no answer to the SYN within 1 s"],
      { stage: "syn-timeout", exit: 1 },
    ],
    [
      "where the packets died, and the pcaps kept",
      {
        ...base,
        exitCode: 1,
        stage: "syn-timeout",
        timeoutS: 0.5,
        drops: [
          { location: "br_handle_frame_finish", reason: "NOT_SPECIFIED", count: 2 },
          { location: "ip_rcv_finish_core", reason: "NOT_SPECIFIED", count: 4, softirq: true },
        ],
        pcaps: ["/a/s/v/k/cmd1.host1.pcap", "/a/s/v/k/cmd1.box0.pcap"],
      },
      [
        "dropped at br_handle_frame_finish (NOT_SPECIFIED) ×2, dropped at ip_rcv_finish_core (NOT_SPECIFIED) ×4 in softirq",
        "/a/s/v/k/cmd1.host1.pcap, /a/s/v/k/cmd1.box0.pcap",
      ],
      {
        drops:
          "dropped at br_handle_frame_finish (NOT_SPECIFIED) ×2, dropped at ip_rcv_finish_core (NOT_SPECIFIED) ×4 in softirq",
        pcap: "/a/s/v/k/cmd1.host1.pcap, /a/s/v/k/cmd1.box0.pcap",
      },
    ],
    [
      "a kernel without tracefs",
      { ...base, exitCode: 1, stage: "syn-timeout", timeoutS: 0.5, dropsUnavailable: "no tracefs" },
      ["drops: not traced: no tracefs"],
      { drops: "not traced: no tracefs" },
    ],
    [
      "a script's nested TAP",
      {
        ...base,
        command: "ip netns exec nsm-0badc0de-run timeout --kill-after=5 300 ./t.sh",
        stage: "failed",
        subtests: [
          { id: 1, name: "veth up", ok: true },
          { id: 2, name: "ping across", ok: false },
          { id: 3, name: "ipv6", ok: true, directive: "SKIP" },
        ],
      },
      ["the script failed (exit 1)", "subtests: 2/3 ok; failed: ping across; skipped: ipv6"],
      { stage: "failed", subtests: "2/3 ok; failed: ping across; skipped: ipv6" },
    ],
  ];
  const failed = (e: Evidence): RunReport => ({
    columns: [{ kernel: NEW, userspace: "host" }],
    durationMs: 2000,
    results: [
      {
        ...{ scenario: "s", variant: "v", check: "c", kernel: NEW, userspace: "host" },
        verdict: "fail",
        outcome: "no-reach",
        expected: "reach",
        evidence: e,
        ...once,
      },
    ],
  });
  // The text formats: the pretty one, JUnit (XML-escaped) and Markdown (HTML-escaped in <details>).
  const text = {
    pretty: (r: RunReport) => formatPretty(r, { color: false }),
    junit: (r: RunReport) => decodeEntities(formatJunit(r)),
    markdown: (r: RunReport) => decodeEntities(formatMarkdown(r)),
  };

  it.each(
    cases.flatMap(([what, e, shown]) =>
      Object.entries(text).map(([f, fmt]) => [f, what, e, shown, fmt] as const),
    ),
  )("%s shows %s", (_f, _what, e, shown, fmt) => {
    const out = fmt(failed(e));
    for (const s of shown) expect(out).toContain(s);
  });

  it.each(cases)("TAP carries %s as diagnostic fields", async (_what, e, _shown, fields) => {
    const { asserts } = await parseTap(formatTap(failed(e)));
    expect(asserts[0]?.diag).toMatchObject(fields);
  });

  it.each(cases)("JSON carries %s as the evidence itself", (_what, e) => {
    expect(JSON.parse(formatJson(failed(e))).results[0].evidence).toEqual(JSON.parse(JSON.stringify(e)));
  });

  it("names the unmet demand in the headline of a failure", () => {
    const e = cases[1]?.[1] as Evidence;
    expect(formatPretty(failed(e), { color: false })).toContain(
      "FAIL s/v/c [6.18.44 · host]: expected reach, saw no-reach (offload not seen)",
    );
    expect(formatJunit(failed(e))).toContain('message="expected reach, saw no-reach (offload not seen)"');
    expect(formatMarkdown(failed(e))).toContain("expected reach, saw no-reach (offload not seen)");
  });

  it("lists each expected failure with how far it got", () => {
    const r: RunReport = {
      columns: [
        { kernel: "6.12.117+deb13-amd64", userspace: "host" },
        { kernel: "6.1.0-50-amd64", userspace: "host" },
      ],
      durationMs: 2000,
      results: [
        {
          scenario: "box0",
          variant: "hairpin-static",
          check: "cmd1",
          kernel: "6.12.117+deb13-amd64",
          userspace: "host",
          verdict: "xfail",
          outcome: "no-reach",
          expected: "xfail",
          evidence: { ...base, stage: "no-bytes", timeoutS: 2 },
          ...once,
        },
        {
          scenario: "box0",
          variant: "hairpin-static",
          check: "cmd1",
          kernel: "6.1.0-50-amd64",
          userspace: "host",
          verdict: "xfail",
          outcome: "no-reach",
          expected: "xfail",
          evidence: { ...base, exitCode: 1, stage: "syn-timeout", timeoutS: 2 },
          ...once,
        },
      ],
    };
    const lines = [
      "box0/hairpin-static/cmd1 [6.12.117+deb13-amd64 · host]: connected, but no bytes within 2 s",
      "box0/hairpin-static/cmd1 [6.1.0-50-amd64 · host]: no answer to the SYN within 2 s",
    ];
    for (const l of lines) {
      expect(formatPretty(r, { color: false })).toContain(`  - ${l}`);
      expect(formatMarkdown(r)).toContain(`- ${l}`);
    }
    expect(formatJunit(r)).toContain("stage: connected, but no bytes within 2 s");
  });
});

describe("control characters in reasons", () => {
  it("are shown as escapes by the pretty format", () => {
    const r: RunReport = {
      columns: [{ kernel: NEW, userspace: "host" }],
      durationMs: 1,
      results: [
        {
          scenario: "s",
          variant: "v",
          check: "c",
          kernel: NEW,
          userspace: "host",
          verdict: "error",
          reason: "set-up failed: nft: \u001b[31mred\u0007",
        },
        {
          scenario: "s",
          variant: "v",
          check: "d",
          kernel: NEW,
          userspace: "host",
          verdict: "skip",
          reason: "lacks \u001b[2J",
        },
      ],
    };
    const out = formatPretty(r, { color: false });
    expect(out.includes("\u001b") || out.includes("\u0007")).toBe(false);
    expect(out).toContain("set-up failed: nft: \\x1b[31mred\\x07");
    expect(out).toContain("lacks \\x1b[2J (1 result)");
  });
});

describe("a script check's own TAP in the run's TAP", () => {
  it("nests as a subtest that a TAP consumer reads, before the check's point", async () => {
    const e: Evidence = {
      command: "ip netns exec nsm-0badc0de-run timeout --kill-after=5 300 ./t.sh",
      exitCode: 1,
      durationMs: 30,
      stderrTail: "",
      stage: "failed",
      subtests: [
        { id: 1, name: "veth up", ok: true },
        { id: 2, name: "ping across", ok: false },
      ],
    };
    const report: RunReport = {
      columns: [{ kernel: NEW, userspace: "host" }],
      durationMs: 100,
      results: [
        {
          ...{ scenario: "s", variant: "v", check: "t", kernel: NEW, userspace: "host" },
          verdict: "fail",
          outcome: "no-reach",
          expected: "reach",
          evidence: e,
          ...once,
        },
      ],
    };
    const p = new Parser();
    const nested: { ok: boolean; name: string }[] = [];
    p.on("child", (child: Parser) => child.on("assert", (a) => nested.push({ ok: a.ok, name: a.name })));
    const top: string[] = [];
    p.on("assert", (a) => top.push(a.name));
    const done = new Promise((r) => p.on("complete", r));
    p.end(formatTap(report));
    await done;
    expect(nested).toEqual([
      { ok: true, name: "veth up" },
      { ok: false, name: "ping across" },
    ]);
    expect(top).toEqual([`s/v/t [${NEW}, host]`]);
    // Every name is ASCII: prove shows a multi-byte character as stray bytes.
    expect(formatTap(report)).not.toMatch(/[^\t\n -~]/);
  });
});

describe("formatHtml", () => {
  it("is one self-contained page: every cell, its evidence, nothing fetched, nothing unescaped", () => {
    const hostile: RunReport = {
      ...report,
      results: [...results, { ...results[0], check: "<script>alert(1)</script>" } as Result],
    };
    const html = formatHtml(hostile, { hairpin: '<svg id="drawn"></svg>' });
    expect(html).not.toMatch(/<script>alert/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/\b(src|href)=/);
    expect((html.match(/<td class="cell /g) ?? []).length).toBe(hostile.results.length);
    // The banner: the standing in words and a count per verdict seen.
    const bad = hostile.results.filter((r) => ["fail", "xpass", "error", "crash"].includes(r.verdict));
    expect(html).toContain(`<h1>✗ Not as expected: ${bad.length} of ${hostile.results.length} results</h1>`);
    const fails = hostile.results.filter((r) => r.verdict === "fail").length;
    expect(html).toContain(`<li class="v-fail">✗ ${fails} fail</li>`);
    // Failures first, each open; the topology given as SVG is inside the page.
    expect(html.indexOf('id="failures"')).toBeLessThan(html.indexOf('id="matrix"'));
    expect((html.match(/<details class="failure" open/g) ?? []).length).toBe(bad.length);
    expect(html).toContain('<figure class="topology"><figcaption>hairpin</figcaption><svg id="drawn"></svg>');
  });

  it("gives every verdict its own colour and icon, and says where each column ran", () => {
    const looks = VERDICTS.map((v) => VERDICT_LOOK[v]);
    expect(new Set(looks.map((l) => l.bg)).size).toBe(VERDICTS.length);
    expect(new Set(looks.map((l) => l.icon)).size).toBe(VERDICTS.length);
    const html = formatHtml({
      ...report,
      columns: [
        {
          kernel: "6.12.57+deb13-amd64",
          userspace: "host",
          spec: "debian:6.12",
          machine: "qemu",
          accel: "tcg",
          host: "box7",
        },
      ],
      results: [],
    });
    expect(html).toContain(
      '<th class="column">6.12.57+deb13-amd64<small>debian:6.12 · QEMU guest (TCG)</small><small>userspace: host</small><small>on box7</small></th>',
    );
  });
});
