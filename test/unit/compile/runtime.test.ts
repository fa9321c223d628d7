// The script runtime's helpers, run by sh itself (no root: nothing here touches the network).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, KINDS } from "../../../src/checks/index.js";
import { checkFunctions, checkLines } from "../../../src/compile/checks.js";
import { RUNTIME } from "../../../src/compile/runtime.js";
import type { CheckModel } from "../../../src/model/index.js";

// The runtime, and the stage function of every kind of check.
const ALL = [RUNTIME, ...Object.values(KINDS).map((k) => k.stageShell)].join("\n");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nsmatrix-runtime-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` after the runtime, with nsm_skip_all stubbed as the compiler would define it. */
function sh(body: string, env: Record<string, string> = {}): { out: string; status: number } {
  const script = `${ALL}\nnsm_skip_all() { echo "SKIP $1"; exit 4; }\n${body}\n`;
  try {
    const out = execFileSync("sh", ["-c", script], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NSM_RUN: "0badcafe", D: dir, TMPDIR: dir, ...env },
      encoding: "utf8",
    });
    return { out, status: 0 };
  } catch (e) {
    const err = e as { stdout: string; status: number };
    return { out: err.stdout, status: err.status };
  }
}

describe("nsm_need (feature probes)", () => {
  it("with a probe cache, probes each feature once per boot and reuses the verdict", () => {
    const cache = join(dir, "probes");
    execFileSync("mkdir", [cache]);
    const env = { NSM_PROBE_CACHE: cache };
    expect(sh(`nsm_need veth 'no veth' 'echo x >>"$D/veth-probed"'; echo went-on`, env).out).toBe(
      "went-on\n",
    );
    expect(sh(`nsm_need veth 'no veth' 'echo x >>"$D/veth-probed"'; echo went-on`, env).out).toBe(
      "went-on\n",
    );
    expect(readFileSync(join(dir, "veth-probed"), "utf8")).toBe("x\n");

    const first = sh(`nsm_need vrf 'kernel lacks VRF' 'echo x >>"$D/vrf-probed"; false'; echo went-on`, env);
    expect(first).toEqual({ out: "SKIP kernel lacks VRF\n", status: 4 });
    const again = sh(`nsm_need vrf 'kernel lacks VRF' 'echo x >>"$D/vrf-probed"; false'; echo went-on`, env);
    expect(again).toEqual({ out: "SKIP kernel lacks VRF\n", status: 4 });
    expect(readFileSync(join(dir, "vrf-probed"), "utf8")).toBe("x\n");
    expect(readdirSync(cache).sort()).toEqual(["veth.ok", "vrf.no"]);
  });

  it("without a cache (the host, a pasted reproducer), probes every time and writes nothing", () => {
    sh(`nsm_need veth 'no veth' 'echo x >>"$D/probed"'`);
    sh(`nsm_need veth 'no veth' 'echo x >>"$D/probed"'`);
    expect(readFileSync(join(dir, "probed"), "utf8")).toBe("x\nx\n");
    expect(existsSync(join(dir, "veth.ok"))).toBe(false);
  });
});

describe("nsm_report (one TAP point)", () => {
  const report = (files: Record<string, string>, args: string) => {
    const writes = Object.entries(files)
      .map(([f, v]) => `printf '%s' '${v}' >"$T/${f}"`)
      .join("\n");
    return sh(`mkdir -p "$T"\n${writes}\nnsm_report ${args}\nnsm_report_end t`).out;
  };

  it("a transfer reaches only when every byte arrived", () => {
    const ok = report(
      { "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "bulk\nxxxx" },
      "1 t kind=tcp service=bulk timeout=1 answer=1 expect=reach command=cmd bytes=9",
    );
    expect(ok).toMatch(/^ok 1 - t\n/);
    expect(ok).toContain("  bytes: 9\n  bytes_expected: 9\n");
    const short = report(
      { "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "bulk\nxx" },
      "1 t kind=tcp service=bulk timeout=1 answer=1 expect=reach command=cmd bytes=9",
    );
    expect(short).toMatch(/^not ok 1 - t\n/);
    expect(short).toContain("  outcome: no-reach\n");
  });

  it("an offload check reaches only when the watcher saw [OFFLOAD]; a capture only with a packet", () => {
    const base = { "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "web\n" };
    expect(
      report(base, "1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd offload=gw"),
    ).toContain("  outcome: no-reach\n");
    expect(
      report(base, "1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd offload=gw"),
    ).toContain("  offload: not seen\n");
    const seen = report(
      { ...base, "c1.offload": "tcp 6 [OFFLOAD]" },
      "1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd offload=gw",
    );
    expect(seen).toMatch(/^ok 1 - t\n[\s\S]* {2}offload: seen\n/);
    const none = report(
      { ...base, "c1.cap": "" },
      "1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd capture=1",
    );
    expect(none).toMatch(/^not ok 1 - t\n[\s\S]* {2}captured: 'nothing'\n/);
    const got = report(
      { ...base, "c1.cap": "IP 1.1.1.7 > 10.0.0.7: ICMP echo request\n" },
      "1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd capture=1",
    );
    expect(got).toMatch(/^ok 1 - t\n[\s\S]* {2}captured: 'IP 1.1.1.7 > 10.0.0.7: ICMP echo request'\n/);
  });
});

describe("nsm_stage (how far a check got)", () => {
  // socat names the errno of a failed connect; exit 0 means the handshake completed.
  it.each([
    ["tcp", "web", "1", "", "E connecting to AF=2 1.1.1.1:8080: Connection timed out", "syn-timeout"],
    ["tcp", "web", "1", "", "E connect(5, AF=2 10.99.0.2:2222, 16): Connection refused", "refused"],
    ["tcp", "web", "1", "", "E connect(5, AF=2 10.0.0.4:80, 16): No route to host", "unreachable"],
    ["tcp", "web", "1", "", "E connect(6, AF=2 10.9.8.1:81, 16): Network is unreachable", "unreachable"],
    ["tcp", "web", "1", "", "E read(5, 0x55d, 8192): Connection reset by peer", "reset"],
    ["tcp", "web", "1", "", "E something else entirely", "failed"],
    ["tcp", "web", "0", "", "", "no-bytes"],
    ["tcp", "web", "0", "web", "", "answered"],
    ["tcp", "", "0", "", "", "connected"],
    ["tcp", "", "1", "", "E connecting to AF=2 1.1.1.1:8080: Connection timed out", "syn-timeout"],
    ["udp", "dns", "0", "dns", "", "answered"],
    ["udp", "dns", "1", "", "", "no-reply"],
    ["ping", "", "0", "", "", "replied"],
    ["ping", "", "1", "", "", "no-reply"],
  ])("%s (service %j) exit %s, answer %j, stderr %j: %s", (kind, svc, rc, ans, err, stage) => {
    const r = sh(
      `mkdir -p "$T"; printf '%s\\n' ${JSON.stringify(err)} >"$T/c1.err"; : >"$T/c1.out"
nsm_stage_${kind} 1 '${svc}' ${rc} '${ans}'; echo "$_stage_s"`,
    );
    expect(r.out).toBe(`${stage}\n`);
  });

  it("calls a short transfer short, and never reached", () => {
    const r = sh(`mkdir -p "$T"; printf '0\\n' >"$T/c1.rc"; printf 'bulk\\nxx' >"$T/c1.out"
nsm_report 1 t kind=tcp service=bulk timeout=1 answer=1 expect=reach command=cmd bytes=9`);
    expect(r.out).toMatch(
      /^not ok 1 - t\n {2}---\n {2}check: t\n {2}kind: tcp\n {2}outcome: no-reach\n {2}stage: short\n/,
    );
    expect(r.out).toContain("  bytes: 7\n  bytes_expected: 9\n");
  });

  it("says which ping got an ICMP error back", () => {
    const r = sh(`mkdir -p "$T"; echo 'From 10.0.0.1 icmp_seq=1 Destination Host Unreachable' >"$T/c1.out"
nsm_stage_ping 1 '' 1 ''; echo "$_stage_s"`);
    expect(r.out).toBe("unreachable\n");
  });

  it("calls an answer by another service than the one named wrong-service, and not reached", () => {
    const r = sh(`mkdir -p "$T"; printf '0\\n' >"$T/c1.rc"; printf 'other\\n' >"$T/c1.out"
nsm_report 1 t kind=tcp service=web timeout=1 answer=1 expect=reach command=cmd`);
    expect(r.out).toMatch(
      /^not ok 1 - t\n {2}---\n {2}check: t\n {2}kind: tcp\n {2}outcome: no-reach\n {2}stage: wrong-service\n/,
    );
  });
});

// One script check's report, its exit code standing in for what it saw (0 passed, 1 failed,
// 2 xfail, 3 xpass, 4 skipped), through the whole report protocol.
const report = (id: number, rc: number, expected: string, name = `c${id}`) =>
  `printf '${rc}\\n' >"$T/c${id}.rc"; echo 'no CONFIG_X' >"$T/c${id}.out"; ` +
  `nsm_report ${id} ${name} kind=script timeout=1 expect=${expected} command=cmd; nsm_report_end ${name}`;

describe("a check's TAP point and selftest line, kselftest's way (ok: as expected)", () => {
  // The same table as verdictOf (results/expect.ts), with a script's own exit 2 and 3.
  it.each([
    [0, "reach", "ok 1 - c1", "[ OK ]  c1: reach (passed), expected reach"],
    [1, "reach", "not ok 1 - c1", "[FAIL]  c1: no-reach (failed), expected reach"],
    [1, "no-reach", "ok 1 - c1", "[ OK ]  c1: no-reach (failed), expected no-reach"],
    [0, "no-reach", "not ok 1 - c1", "[FAIL]  c1: reach (passed), expected no-reach"],
    [1, "xfail", "ok 1 - c1 # XFAIL no-reach (failed)", "[XFAIL] c1: no-reach (failed), expected xfail"],
    [0, "xfail", "not ok 1 - c1", "[XPASS] c1: reach (passed), expected xfail"],
    [1, "flaky", "ok 1 - c1", "[ OK ]  c1: no-reach (failed), expected flaky"],
    [0, "flaky", "ok 1 - c1", "[ OK ]  c1: reach (passed), expected flaky"],
    [2, "reach", "ok 1 - c1 # XFAIL no-reach (xfail)", "[XFAIL] c1: no-reach (xfail), expected reach"],
    [3, "reach", "not ok 1 - c1", "[XPASS] c1: reach (xpass), expected reach"],
    [2, "no-reach", "ok 1 - c1", "[ OK ]  c1: no-reach (xfail), expected no-reach"],
  ])("exit %i expected %s: %s", (rc, expected, point, line) => {
    const out = sh(`mkdir -p "$T"; ${report(1, rc, expected)}`).out.split("\n");
    expect(out[0]).toBe(point);
    expect(out).toContain(`# ${line}`);
    const [outcome, stage] = /: (\S+) \((\S+)\)/.exec(line)?.slice(1) ?? [];
    expect(out).toEqual(expect.arrayContaining([`  outcome: ${outcome}`, `  stage: ${stage}`]));
  });

  it("skips with the script's last line as the reason", () => {
    expect(sh(`mkdir -p "$T"; ${report(1, 4, "reach")}`).out).toBe(
      "ok 1 - c1 # SKIP no CONFIG_X\n# [SKIP] c1: no CONFIG_X\n",
    );
  });
});

describe("the script's exit status (kselftest's, or git bisect run's with NSM_BISECT)", () => {
  const run = (reports: string, env: Record<string, string> = {}) =>
    sh(`nsm_mkdir >/dev/null; ${reports}; nsm_exit`, env).status;

  it("is 0 when every check met its expectation, skips included; 1 on a failure; 4 when all skipped", () => {
    expect(run(`${report(1, 0, "reach")}; ${report(2, 1, "xfail")}; ${report(3, 4, "reach")}`)).toBe(0);
    expect(run(`${report(1, 0, "reach")}; ${report(2, 0, "xfail")}`)).toBe(1);
    expect(run(`${report(1, 1, "reach")}; ${report(2, 4, "reach")}`)).toBe(1);
    expect(run(`${report(1, 4, "reach")}; ${report(2, 4, "reach")}`)).toBe(4);
  });

  it("is 0 when the check NSM_BISECT names reaches, 1 when not, whatever the others did", () => {
    const two = (rc: number) => `${report(1, 1, "reach")}; ${report(2, rc, "no-reach")}`;
    expect(run(two(0), { NSM_BISECT: "c2" })).toBe(0);
    expect(run(two(1), { NSM_BISECT: "c2" })).toBe(1);
    expect(run(two(0), { NSM_BISECT: "c2", NSM_BISECT_BAD: "reach" })).toBe(1);
    expect(run(two(1), { NSM_BISECT: "c2", NSM_BISECT_BAD: "reach" })).toBe(0);
  });

  it("is 125 when it cannot tell: the check skipped, or set-up failed before it", () => {
    expect(run(report(1, 4, "reach"), { NSM_BISECT: "c1" })).toBe(125);
    expect(sh(`nsm_mkdir >/dev/null; nsm_bail 'a step'`, { NSM_BISECT: "c1" }).status).toBe(125);
  });

  it("stops git bisect run (above 127) on a signal, or an NSM_BISECT that names no check", () => {
    expect(sh("exit 130", { NSM_BISECT: "c1" }).status).toBe(130);
    const typo = sh("nsm_bisect_check c1 c2; echo went-on", { NSM_BISECT: "c3" });
    expect(typo).toEqual({
      out: "Bail out! NSM_BISECT names no check of this variant: c3 (its checks: c1 c2)\n",
      status: 128,
    });
    expect(sh("nsm_bisect_check c1", { NSM_BISECT: "c1", NSM_BISECT_BAD: "yes" }).status).toBe(128);
    expect(sh("nsm_bisect_check c1; echo went-on").out).toBe("went-on\n");
  });
});

describe("nsm_kv and nsm_kv_in (the running kernel against a range)", () => {
  it.each([
    ["6.1.0-50-amd64", 6001000],
    ["6.18.44-fc-v669", 6018044],
    ["3.10.0-1160.el7.x86_64", 3010000],
    ["5.10.0-32-amd64", 5010000],
    ["6.12.117+deb13-amd64", 6012117],
    ["6.19-rc1", 6019000],
  ])("%s is %i", (release, n) => {
    const body = `nsm_kv() { _kv_r=${release}; ${RUNTIME.split("nsm_kv() {\n")[1]
      ?.split("\n}\n")[0]
      ?.replace(/^.*osrelease\n/, "")}; }; nsm_kv; echo "$_kv_n"`;
    expect(sh(body).out).toBe(`${n}\n`);
  });
});

describe("nsm_batch (a tool's set-up batch) and nsm_pwait (a big topology's node batches, a few at a time)", () => {
  // A stand-in for ip -batch: skips comments, and stops at the first line that says "fail",
  // naming its line number as iproute2 does.
  const fake = `fake() {
  [ "$1" = -batch ] || return 9
  i=0
  while IFS= read -r l; do
    i=$((i + 1))
    case $l in *fail*) echo "RTNETLINK answers: Operation not supported" >&2; echo "Command failed -:$i" >&2; return 1 ;; esac
  done
}`;

  it("go on when every batch succeeds", () => {
    const r = sh(`mkdir -p "$T"; ${fake}
nsm_batch a 'n1: interfaces' - fake <<NSM_EOF & a=$!
link set dev lo up
NSM_EOF
nsm_batch b 'n2: interfaces' - fake <<NSM_EOF & b=$!
link set dev lo up # nodes.n2 (t.yaml:3)
NSM_EOF
nsm_pwait "$a" "$b"; echo went-on`);
    expect(r).toEqual({ out: "went-on\n", status: 0 });
  });

  it("stop the run with a Bail out! naming the key the failed line came from and the plain command, never its line number", () => {
    const r = sh(`mkdir -p "$T"; ${fake}
nsm_batch a 'n1: interfaces' - fake <<NSM_EOF & a=$!
link set dev lo up
NSM_EOF
nsm_batch b 'sw: interfaces, addresses, routes' - fake <<NSM_EOF & b=$!
link set dev lo up
#link set dev p1 addrgenmode none
link add name br0 type bridge vlan_filtering 1 fail # nodes.sw.bridges.br0 (topo.yaml:12)
link set dev br0 up
NSM_EOF
nsm_pwait "$a" "$b"; echo went-on`);
    expect(r.status).toBe(1);
    expect(r.out).toBe(
      "Bail out! nodes.sw.bridges.br0 (topo.yaml:12): fake link add name br0 type bridge vlan_filtering 1 fail failed: RTNETLINK answers: Operation not supported\n",
    );
  });

  it("names the node's namespace in the command when the batch ran in one", () => {
    const r = sh(`mkdir -p "$T"; ${fake}; nsm_in() { shift; "$@"; }
nsm_batch sw-ip 'sw: interfaces' sw fake <<NSM_EOF
route add 10.0.0.0/24 via 10.1.0.1 fail # nodes.sw.routes[0] (topo.yaml:20)
NSM_EOF
echo went-on`);
    expect(r.out).toBe(
      "Bail out! nodes.sw.routes[0] (topo.yaml:20): fake -n nsm-0badcafe-sw route add 10.0.0.0/24 via 10.1.0.1 fail failed: RTNETLINK answers: Operation not supported\n",
    );
  });

  it("falls back to the batch's description and the tool's words when it names no line", () => {
    const r = sh(`mkdir -p "$T"; broken() { echo 'Object "lnk" is unknown' >&2; return 1; }
nsm_batch x 'h1: interfaces' - broken <<NSM_EOF
link set dev lo up
NSM_EOF
echo went-on`);
    expect(r).toEqual({ out: 'Bail out! h1: interfaces failed: Object "lnk" is unknown\n', status: 1 });
  });
});

describe("nsm_match (a command check's stage)", () => {
  // id regex exit-wanted, against the command's output and exit code.
  it.each([
    ["", "", "0", "", "succeeded"],
    ["", "", "1", "", "failed"],
    ["", "", "124", "", "timed-out"],
    ["From 10.1.0.1 icmp_seq=1 Time to live exceeded", "", "1", "Time to live exceeded", "matched"],
    ["", "From 10.1.0.1 icmp_seq=1 Time to live exceeded", "1", "Time to live", "matched"],
    ["64 bytes from 10.2.0.2: icmp_seq=1 ttl=63", "", "0", "Time to live exceeded", "no-match"],
    ["10.2.0.2 via 10.1.0.1 dev eth0 src 10.1.0.2", "", "0", "via 10\\.1\\.0\\.1 dev eth[0-9]", "matched"],
    ["Time to live exceeded", "", "1", "Time to live exceeded", "wrong-exit", "0"],
    ["Time to live exceeded", "", "0", "Time to live exceeded", "matched", "0"],
    ["", "", "2", "", "exit-matched", "2"],
    ["", "", "0", "", "wrong-exit", "2"],
    ["", "", "137", "x", "timed-out"],
  ])("stdout %j, stderr %j, exit %s, match %j: %s", (out, err, rc, re, stage, exit = "") => {
    const r = sh(
      `mkdir -p "$T"; printf '%s\\n' ${JSON.stringify(out)} >"$T/c1.out"; printf '%s\\n' ${JSON.stringify(err)} >"$T/c1.err"; echo ${rc} >"$T/c1.rc"
nsm_match 1 '${re}' '${exit}'; nsm_stage_command 1 '' ${rc} ''; echo "$_stage_s"`,
    );
    expect(r.out).toBe(`${stage}\n`);
  });

  it("never runs the pattern: shell characters in it are grep's", () => {
    const r = sh(
      `mkdir -p "$T"; cd "$D"; echo 'a $(touch x) b' >"$T/c1.out"; : >"$T/c1.err"; echo 0 >"$T/c1.rc"
nsm_match 1 '\\$\\(touch x\\)' ''; cat "$T/c1.stage"; [ -e x ] && echo ran`,
    );
    expect(r.out).toBe("matched\n");
  });

  it("counts as reached exactly the stages the command kind calls reached", () => {
    const reached = Object.entries(KINDS.command.stages)
      .filter(([, s]) => s.reached)
      .map(([name]) => name);
    for (const stage of Object.keys(KINDS.command.stages)) {
      const r = sh(`mkdir -p "$T"; echo ${stage} >"$T/c1.stage"; : >"$T/c1.out"; echo 0 >"$T/c1.rc"
nsm_report 1 c kind=command timeout=1 expect=reach command=cmd >/dev/null; echo "$_report_o"`);
      expect(r.out).toBe(reached.includes(stage) ? "reach\n" : "no-reach\n");
    }
  });
});

describe("nsm_mkdir and nsm_fresh (a run id already in use)", () => {
  it("touches nothing of the folder that is there, and says so", () => {
    execFileSync("mkdir", [join(dir, "nsm-0badcafe")]);
    execFileSync("touch", [join(dir, "nsm-0badcafe", "theirs")]);
    const r = sh("nsm_mkdir; echo went-on");
    expect(r).toEqual({
      out: `Bail out! run id 0badcafe is in use (${dir}/nsm-0badcafe exists): nothing was touched\n`,
      status: 1,
    });
    expect(readdirSync(join(dir, "nsm-0badcafe"))).toEqual(["theirs"]);
  });

  it("removes the folder it made, at exit", () => {
    expect(sh('nsm_mkdir; echo "$T" >"$D/t"').status).toBe(0);
    expect(existsSync(readFileSync(join(dir, "t"), "utf8").trim())).toBe(false);
  });
});

describe("the stderr tail in a TAP point", () => {
  it("keeps the last five lines, printable ASCII only, indented as a YAML block", () => {
    const lines = Array.from({ length: 7 }, (_, i) => `line ${i + 1}`).join("\\n");
    const r = sh(
      `mkdir -p "$T"; printf '1\\n' >"$T/c1.rc"; printf '${lines}\\nbell\\007 end\\n' >"$T/c1.err"; nsm_report 1 t kind=ping timeout=1 expect=reach command=cmd; nsm_report_end t`,
    ).out;
    expect(r).toContain("not ok 1 - t\n");
    expect(r).toContain("  verdict: FAIL\n");
    expect(r).toContain("  stderr: |\n    line 4\n    line 5\n    line 6\n    line 7\n    bell end\n  ...\n");
  });
});

describe("nsm_settled (links ready)", () => {
  // A stand-in `ip` prints what `ip -o -d link show` would for one node.
  const settled = (links: string) => {
    const fake = `ip() { printf '%s\\n' '${links}'; }`;
    return sh(`mkdir -p "$T"; ${fake}; nsm_settled n1 && echo settled || echo waiting`).out;
  };

  it("waits while a port lacks carrier or a bridge port is not forwarding yet", () => {
    expect(settled("2: eth0@if3: <NO-CARRIER,BROADCAST,UP> mtu 1500 state LOWERLAYERDOWN")).toBe("waiting\n");
    expect(
      settled("4: swp1@if5: <UP,LOWER_UP> mtu 1500 master sw0 bridge_slave state learning priority 32"),
    ).toBe("waiting\n");
    expect(
      settled("4: swp1@if5: <UP,LOWER_UP> mtu 1500 master sw0 bridge_slave state forwarding priority 32"),
    ).toBe("settled\n");
  });
});

describe("checks in declared order (the real helpers and generated lines, a stand-in ip)", () => {
  // The stand-in answers by port: 80 answers "web", 81 never answers the SYN, 82 connects and
  // stays silent; ping replies to 10.0.0.2 only. Every command it runs is logged, in order.
  const fakeIp = `ping() { echo 'ping from iputils 20221126'; }
ip() {
  shift 3
  echo "$*" >>"$D/calls"
  case "$*" in
  *ping*10.0.0.2) return 0 ;;
  *ping*) echo '1 packets transmitted, 0 received'; return 1 ;;
  *:80,*) [ "$2" = /dev/null ] || echo web; return 0 ;;
  *:81,*) echo "socat[1] E connecting to AF=2 10.0.0.2:81: Connection timed out" >&2; return 1 ;;
  *:82 | *:82,*) return 0 ;;
  *:83,*) echo "socat[1] E connecting to AF=2 10.0.0.2:83: Connection timed out" >&2; return 1 ;;
  esac
}`;
  const check = (name: string, target: CheckModel["target"], timeout: number): CheckModel => ({
    name,
    from: "a",
    target,
    timeout,
    expect: "reach",
  });
  const tcp = (port: number, service?: string) => ({ kind: "tcp" as const, host: "10.0.0.2", port, service });

  const lines = (checks: CheckModel[], timeoutScale = 1) => {
    const o = { ...DEFAULT_OPTIONS, timeoutScale, diagnose: false };
    const run = { checks, variant: "v", topology: { nodes: {} }, services: [], o, parallel: false };
    return [...checkFunctions(checks, "v", o), ...checkLines(run)];
  };

  function runChecks(checks: CheckModel[], scale: number) {
    const body = [`mkdir -p "$T"`, fakeIp, ...lines(checks, scale)].join("\n");
    const r = sh(body);
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    const points = [
      ...r.out.matchAll(/^(ok|not ok) (\d+) - (\S+)\n {2}---\n(?:.*\n)*? {2}stage: (\S+)/gm),
    ].map((m) => [m[3], m[1], m[4]]);
    return { calls, points };
  }

  it("gives each of two checks its own scaled timeout, not one left by a helper", () => {
    const { calls, points } = runChecks(
      [check("web", tcp(80, "web"), 0.5), check("silent", tcp(81, "web"), 2)],
      3,
    );
    expect(calls).toEqual([
      // The handshake's limit is the kernel's and never scaled; the wait for the answer is.
      "socat -u -T 1.5 TCP4:10.0.0.2:80,connect-timeout=0.5 STDOUT",
      "socat -u -T 6 TCP4:10.0.0.2:81,connect-timeout=2 STDOUT",
    ]);
    expect(points).toEqual([
      ["web", "ok", "answered"],
      ["silent", "not ok", "syn-timeout"],
    ]);
  });

  it("runs three checks one after the other, each with its timeout and verdict", () => {
    // A ping that takes fractions of a second for -W (iputils since s20190515).
    const { calls, points } = runChecks(
      [
        check("ping", { kind: "ping", host: "10.0.0.2" }, 0.5),
        check("handshake", tcp(82), 1.25),
        check("no-bytes", tcp(82, "web"), 0.5),
        check("no-syn-ack", tcp(83), 0.5),
      ],
      1,
    );
    expect(calls).toEqual([
      "ping -n -c 1 -W 0.5 10.0.0.2",
      "socat -t 0.1 /dev/null TCP4:10.0.0.2:82,connect-timeout=1.25",
      "socat -u -T 0.5 TCP4:10.0.0.2:82,connect-timeout=0.5 STDOUT",
      "socat -t 0.1 /dev/null TCP4:10.0.0.2:83,connect-timeout=0.5",
    ]);
    expect(points).toEqual([
      ["ping", "ok", "replied"],
      ["handshake", "ok", "connected"],
      ["no-bytes", "not ok", "no-bytes"],
      ["no-syn-ack", "not ok", "syn-timeout"],
    ]);
  });

  it("reports each check as soon as it ends, before the next one starts", () => {
    const body = [
      `mkdir -p "$T"`,
      fakeIp,
      ...lines([check("one", tcp(80, "web"), 1), check("two", { kind: "ping", host: "10.9.9.9" }, 1)]),
    ].join("\n");
    const out = sh(body.replace("nsm_measure 2", 'echo "# before two"; nsm_measure 2')).out;
    expect(out.indexOf("ok 1 - one")).toBeGreaterThanOrEqual(0);
    expect(out.indexOf("ok 1 - one")).toBeLessThan(out.indexOf("# before two"));
    expect(out).toMatch(
      /not ok 2 - two\n {2}---\n {2}check: two\n {2}kind: ping\n {2}outcome: no-reach\n {2}stage: no-reply\n/,
    );
  });
});
