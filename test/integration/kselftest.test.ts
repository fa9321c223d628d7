// The kselftest conventions, end to end on the host: both TAP forms (nsmatrix's and the
// reproducer's) of a run with every verdict, read by prove, the npm tap-parser and Python's
// tappy; the exit statuses, and git bisect run's under NSM_BISECT and --bisect.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Parser } from "tap-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, isRoot, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping kselftest conventions: ${whyNot}`);
const SCENARIO = "test/fixtures/statuses/statuses.yaml";
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-kselftest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The every-verdict variant's points, as [ok, check, outcome]: ok is "as expected".
const EVERY_VERDICT = [
  [true, "pass", "reach"],
  [false, "fail", "no-reach"],
  [true, "xfail", "no-reach"],
  [false, "xpass", "reach"],
  [true, "refused", "no-reach"],
  [true, "skip", undefined],
];

interface Point {
  ok: boolean;
  name: string;
  skip: boolean;
  outcome?: string;
}

function tapParser(tap: string): Point[] {
  const points: Point[] = [];
  const p = new Parser();
  p.on("assert", (a) => points.push({ ok: a.ok, name: a.name, skip: !!a.skip, outcome: a.diag?.outcome }));
  p.end(tap);
  return points;
}

// Python's tappy (Debian's python3-tap), the third independent reader of the YAML blocks.
function tappy(tap: string): Point[] {
  const code = `import sys, json
from tap.parser import Parser
print(json.dumps([{"ok": l.ok, "name": l.description, "skip": l.skip, "outcome": (l.yaml_block or {}).get("outcome")}
  for l in Parser().parse_text(sys.stdin.read()) if l.category == "test"]))`;
  const out = execFileSync("/usr/bin/python3", ["-c", code], { input: tap, encoding: "utf8" });
  // Without its optional imports tappy warns on stdout and drops every YAML block.
  if (!out.startsWith("["))
    throw new Error(
      `tappy cannot read YAML blocks (setup.sh installs python3-yaml and python3-more-itertools): ${out}`,
    );
  return JSON.parse(out);
}

function prove(file: string): { stdout: string; status: number | null } {
  const r = spawnSync("prove", ["-v", "--exec", "cat", file], { encoding: "utf8" });
  return { stdout: r.stdout, status: r.status };
}

describe.skipIf(!isRoot)("kselftest's TAP, read by three consumers", () => {
  const files = { nsmatrix: join(dir, "run.tap"), reproducer: join(dir, "repro.tap") };
  let runStatus: number | undefined;
  let reproStatus: number | null = null;

  beforeAll(async () => {
    const r = await cli(["run", SCENARIO, "-f", "tap", "-o", files.nsmatrix]);
    runStatus = r.exitCode;
    const plan = await cli(["plan", SCENARIO, "-v", "every-verdict"]);
    writeFileSync(join(dir, "repro.sh"), plan.stdout);
    const repro = spawnSync("sh", [join(dir, "repro.sh")], { encoding: "utf8" });
    writeFileSync(files.reproducer, repro.stdout);
    reproStatus = repro.status;
  }, 120_000);

  it("ok means as expected in nsmatrix's TAP: every consumer sees the same points", () => {
    const tap = execFileSync("cat", [files.nsmatrix], { encoding: "utf8" });
    // The broken variant's set-up failed: each of its checks is an error, not ok.
    const expected = [...EVERY_VERDICT, ...EVERY_VERDICT.map(([, c]) => [false, c, undefined])];
    for (const read of [tapParser, tappy]) {
      const points = read(tap);
      expect(points.map((p) => [p.ok, /\/(\w+) \[/.exec(p.name)?.[1], p.outcome ?? undefined])).toEqual(
        expected,
      );
      expect(points.filter((p) => p.skip)).toHaveLength(1);
    }
    expect(tap).toMatch(/^ok 3 - statuses\/every-verdict\/xfail \[.*\] # XFAIL no-reach \(refused\)$/m);
    const p = prove(files.nsmatrix);
    expect(p.stdout).not.toMatch(/Parse errors/);
    expect(p.stdout).toMatch(/Failed tests: {2}2, 4, 7-12/);
    expect(runStatus).toBe(1);
  });

  it("and in the reproducer's: prove, tap-parser and tappy agree, and it exits 1", () => {
    const tap = execFileSync("cat", [files.reproducer], { encoding: "utf8" });
    const expected = EVERY_VERDICT;
    for (const read of [tapParser, tappy]) {
      const points = read(tap);
      expect(
        points.map((p) => [p.ok, p.name.replace(/^- /, "").split(" ")[0], p.outcome ?? undefined]),
      ).toEqual(expected);
    }
    expect(tap).toContain("# [XFAIL] xfail: no-reach (refused), expected xfail");
    // The UDP check to a closed port: refused by an ICMP port unreachable, the command a socat line.
    expect(tap).toMatch(/^ {2}stage: refused\n {2}expected: no-reach\n/m);
    expect(tap).toMatch(
      /command: 'echo nsmatrix \| ip netns exec nsm-[0-9a-f]{8}-a socat -T [\d.]+ -t [\d.]+ STDIO UDP4:10\.77\.0\.2:5999'/,
    );
    const p = prove(files.reproducer);
    expect(p.stdout).not.toMatch(/Parse errors/);
    expect(p.stdout).toMatch(/Failed tests: {2}2, 4\n/);
    expect(reproStatus).toBe(1);
  });
});

describe.skipIf(!isRoot)("exit statuses for git bisect run", () => {
  let repro = "";
  beforeAll(async () => {
    repro = join(dir, "every.sh");
    writeFileSync(repro, (await cli(["plan", SCENARIO, "-v", "every-verdict"])).stdout);
    writeFileSync(join(dir, "broken.sh"), (await cli(["plan", SCENARIO, "-v", "broken"])).stdout);
  }, 60_000);
  const sh = (file: string, env: Record<string, string>) =>
    spawnSync("sh", [file], { env: { ...process.env, ...env }, encoding: "utf8" }).status;

  it("the reproducer: 0 the check reaches, 1 not, 125 cannot tell, 128 names no check", () => {
    expect(sh(repro, { NSM_BISECT: "pass" })).toBe(0);
    expect(sh(repro, { NSM_BISECT: "refused" })).toBe(1);
    expect(sh(repro, { NSM_BISECT: "pass", NSM_BISECT_BAD: "reach" })).toBe(1);
    expect(sh(repro, { NSM_BISECT: "skip" })).toBe(125);
    expect(sh(join(dir, "broken.sh"), { NSM_BISECT: "pass" })).toBe(125);
    expect(sh(repro, { NSM_BISECT: "nosuch" })).toBe(128);
    expect(runNamespaces()).toEqual([]);
  }, 60_000);

  it("nsmatrix run --bisect: the same, and a usage error stops the bisection", async () => {
    const run = async (...args: string[]) => (await cli(["run", SCENARIO, ...args])).exitCode;
    expect(await run("-v", "every-verdict", "--bisect", "pass")).toBe(0);
    expect(await run("-v", "every-verdict", "--bisect", "every-verdict/refused")).toBe(1);
    expect(await run("-v", "every-verdict", "--bisect", "pass", "--bisect-bad", "reach")).toBe(1);
    expect(await run("-v", "every-verdict", "--bisect", "skip")).toBe(125);
    expect(await run("-v", "broken", "--bisect", "pass")).toBe(125);
    expect(await run("--bisect", "nosuch")).toBe(128);
    expect(await run("--bisect", "pass", "--no-such-option")).toBe(128);
  }, 120_000);

  it("git bisect run finds the commit that broke a check, from the reproducer alone", () => {
    const repo = join(dir, "repo");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, ...args], {
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@t",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@t",
        },
      });
    execFileSync("git", ["init", "-q", repo]);
    // Five commits of a firewall's rules; the fourth adds a drop of TCP 80 on b: web breaks there.
    const rules = [[], ["22"], ["22", "23"], ["22", "23", "80"], ["22", "23", "80", "24"]];
    const topo = (ports: string[]) => `topology: t
nodes:
  a: { interfaces: { eth0: { addresses: [10.78.0.1/24] } } }
  b:
    interfaces: { eth0: { addresses: [10.78.0.2/24] } }
    firewall:
      iptables:
        filter: [${ports.map((p) => `"-A INPUT -p tcp --dport ${p} -j DROP"`).join(", ")}]
links: [[a:eth0, b:eth0]]
`;
    const scenario = `scenario: web
topology: t.yaml
services: { web: { node: b, tcp: 80 } }
checks: { web: { from: a, tcp: "10.78.0.2:80", service: web } }
`;
    const commits: string[] = [];
    for (const [i, ports] of rules.entries()) {
      writeFileSync(join(repo, "t.yaml"), topo(ports));
      writeFileSync(join(repo, "s.yaml"), scenario);
      git("add", "-A");
      git("commit", "-qm", `commit ${i}`);
      commits.push(git("rev-parse", "HEAD").trim());
    }
    git("bisect", "start", commits[4] as string, commits[0] as string);
    const nsmatrix = join(process.cwd(), "bin/nsmatrix.js");
    const out = git(
      "bisect",
      "run",
      "sh",
      "-c",
      `node ${nsmatrix} plan s.yaml > ../repro.sh && NSM_BISECT=web sh ../repro.sh >/dev/null`,
    );
    expect(out).toContain(`${commits[3]} is the first bad commit`);
    git("bisect", "reset");
    expect(runNamespaces()).toEqual([]);
  }, 120_000);
});
