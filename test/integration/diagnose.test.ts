// Where a packet died (skb:kfree_skb), the pcaps of a check's path, and selftest-style scripts:
// on the host kernel and in a Debian 6.1 guest.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, jsonOf, runNamespaces, traceInstances, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping diagnosis runs: ${whyNot}`);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Observed = Extract<Result, { verdict: "pass" | "fail" | "xfail" | "xpass" }>;
const byCheck = (results: Result[], check: string) => results.find((r) => r.check === check) as Observed;

describe.skipIf(!isRoot)("Box0 baseline CMD1: where its SYN died, and its pcap", () => {
  it.each(["host", "debian:6.1"])(
    "on %s: dropped in br_handle_frame_finish, and the pcap holds the SYN to 1.1.1.1:8080",
    async (kernel) => {
      const art = mkdtempSync(join(tmpdir(), "nsmatrix-artifacts-"));
      dirs.push(art);
      const r = await cli(
        [
          "run",
          "scenarios/box0-bridge-dnat.yaml",
          "-v",
          "baseline",
          "-k",
          kernel,
          "--artifacts",
          art,
          "-f",
          "json",
        ],
        { timeout: 600_000 },
      );
      const results: Result[] = jsonOf(r).results;
      const cmd1 = byCheck(results, "cmd1");
      expect(cmd1.verdict).toBe("xfail");
      expect(cmd1.evidence.drops?.filter((d) => !d.softirq).map((d) => d.location)).toContain(
        "br_handle_frame_finish",
      );
      // Each pcap is named scenario/variant/kernel/check.node.pcap; those of a check that got
      // through, as it should, are not kept.
      const column = join(art, "box0-bridge-dnat", "baseline", cmd1.kernel);
      const pcap = join(column, "cmd1.host1.pcap");
      expect(cmd1.evidence.pcaps).toContain(pcap);
      expect(readdirSync(column).every((f) => /^cmd1(-handshake)?\.[a-z0-9]+\.pcap$/.test(f))).toBe(true);
      expect(byCheck(results, "cmd2").evidence.pcaps).toBeUndefined();
      const syn = execFileSync(
        "tcpdump",
        ["-n", "-r", pcap, "dst host 1.1.1.1 and dst port 8080 and tcp[tcpflags] & tcp-syn != 0"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
      );
      expect(syn).toMatch(/ > 1\.1\.1\.1\.8080: Flags \[S\]/);
      // JUnit names them as attachments.
      const junit = await cli(
        [
          "run",
          "scenarios/box0-bridge-dnat.yaml",
          "-v",
          "baseline",
          "-k",
          "host",
          "--artifacts",
          art,
          "-f",
          "junit",
        ],
        { timeout: 120_000 },
      );
      if (kernel === "host") expect(junit.stdout).toContain(`[[ATTACHMENT|${pcap}]]`);
      expect(runNamespaces()).toEqual([]);
      expect(traceInstances()).toEqual([]);
    },
    600_000,
  );

  it("traces nothing with --no-diagnose", async () => {
    const r = await cli([
      "run",
      "scenarios/box0-bridge-dnat.yaml",
      "-v",
      "baseline",
      "--no-diagnose",
      "-f",
      "json",
    ]);
    const results: Result[] = jsonOf(r).results;
    expect(byCheck(results, "cmd1").evidence.drops).toBeUndefined();
    expect(byCheck(results, "cmd1").verdict).toBe("xfail");
  });
});

describe.skipIf(!isRoot)("script checks with kselftest exit codes", () => {
  const VERDICTS = { "veth-ping": "pass", passes: "pass", fails: "fail", xfails: "xfail", skips: "skip" };

  it("give each exit code its verdict, on the host and in a 6.1 guest, and nest the script's TAP", async () => {
    const r = await cli(
      ["run", "test/fixtures/selftests/scenario.yaml", "-k", "host,debian:6.1", "-f", "json"],
      {
        timeout: 600_000,
      },
    );
    const results: Result[] = jsonOf(r).results;
    const kernels = [...new Set(results.map((x) => x.kernel))];
    expect(kernels).toHaveLength(2);
    for (const k of kernels) {
      const mine = results.filter((x) => x.kernel === k);
      expect(Object.fromEntries(mine.map((x) => [x.check, x.verdict]))).toEqual(VERDICTS);
      const veth = byCheck(mine, "veth-ping");
      expect(veth.evidence.subtests).toEqual([
        { id: 1, name: "veth up", ok: true },
        { id: 2, name: "ping across", ok: true },
      ]);
      expect(mine.find((x) => x.check === "skips")).toMatchObject({
        reason: "needs a feature this kernel lacks",
      });
    }
    // "fails" fails: the run says so.
    expect(r.exitCode).toBe(1);
    expect(runNamespaces()).toEqual([]);
  }, 600_000);

  it("runs a selftest-style script unchanged with run --script", async () => {
    const r = await cli(["run", "--script", "test/fixtures/selftests/veth-ping.sh", "-f", "json"]);
    const results: Result[] = jsonOf(r).results;
    expect(results.map((x) => [x.scenario, x.check, x.verdict])).toEqual([
      ["script-veth-ping", "veth-ping", "pass"],
    ]);
    expect(r.exitCode).toBe(0);
  });
});
