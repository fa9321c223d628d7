// The script runtime's helpers, run by sh itself (no root: nothing here touches the network).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const RUNTIME = readFileSync("src/compile/runtime.sh", "utf8");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nsmatrix-runtime-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` after the runtime, with nsm_skip_all stubbed as the compiler would define it. */
function sh(body: string, env: Record<string, string> = {}): { out: string; status: number } {
  const script = `${RUNTIME}\nnsm_skip_all() { echo "SKIP $1"; exit 4; }\n${body}\n`;
  try {
    const out = execFileSync("sh", ["-c", script], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NSM_RUN: "0badcafe", D: dir, ...env },
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
    return sh(`mkdir -p "$T"\n${writes}\nnsm_report ${args}`).out;
  };

  it("a transfer reaches only when every byte arrived", () => {
    const ok = report({ "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "bulk\nxxxx" }, "1 t tcp bulk cmd 9");
    expect(ok).toMatch(/^ok 1 - t\n/);
    expect(ok).toContain("  bytes: 9\n  bytes_expected: 9\n");
    const short = report({ "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "bulk\nxx" }, "1 t tcp bulk cmd 9");
    expect(short).toMatch(/^not ok 1 - t\n/);
    expect(short).toContain("  outcome: no-reach\n");
  });

  it("an offload check reaches only when the watcher saw [OFFLOAD]; a capture only with a packet", () => {
    const base = { "c1.rc": "0\n", "c1.ms": "5\n", "c1.out": "web\n" };
    expect(report(base, "1 t tcp web cmd '' gw")).toContain("  outcome: no-reach\n");
    expect(report(base, "1 t tcp web cmd '' gw")).toContain("  offload: not seen\n");
    const seen = report({ ...base, "c1.offload": "tcp 6 [OFFLOAD]" }, "1 t tcp web cmd '' gw");
    expect(seen).toMatch(/^ok 1 - t\n[\s\S]* {2}offload: seen\n/);
    const none = report({ ...base, "c1.cap": "" }, "1 t tcp web cmd '' '' 1");
    expect(none).toMatch(/^not ok 1 - t\n[\s\S]* {2}captured: 'nothing'\n/);
    const got = report(
      { ...base, "c1.cap": "IP 1.1.1.7 > 10.0.0.7: ICMP echo request\n" },
      "1 t tcp web cmd '' '' 1",
    );
    expect(got).toMatch(/^ok 1 - t\n[\s\S]* {2}captured: 'IP 1.1.1.7 > 10.0.0.7: ICMP echo request'\n/);
  });
});

describe("timeouts scaled with shell arithmetic", () => {
  it.each([
    ["1", "1", "1", "1"],
    ["1", "3", "3", "3"],
    ["0.5", "3", "1.5", "2"],
    ["2.25", "2", "4.5", "5"],
    ["0.05", "1", "0.05", "1"],
    ["10", "2.5", "25", "25"],
  ])("%s s × %s = %s (whole seconds, rounded up: %s)", (t, scale, exact, whole) => {
    expect(sh(`nsm_t ${t}; nsm_tint ${t}`, { NSM_TIMEOUT_SCALE: scale }).out).toBe(`${exact}\n${whole}\n`);
  });

  it("splits a UDP check's timeout into three tries", () => {
    expect(sh("nsm_milli 3; nsm_decimal $((nsm_m / 3)); nsm_milli 1; nsm_decimal $((nsm_m / 3))").out).toBe(
      "1\n0.333\n",
    );
  });
});

describe("the stderr tail in a TAP point", () => {
  it("keeps the last five lines, printable ASCII only, indented as a YAML block", () => {
    const lines = Array.from({ length: 7 }, (_, i) => `line ${i + 1}`).join("\\n");
    const r = sh(
      `mkdir -p "$T"; printf '1\\n' >"$T/c1.rc"; printf '${lines}\\nbell\\007 end\\n' >"$T/c1.err"; nsm_report 1 t ping '' cmd`,
    ).out;
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
