import { release } from "node:os";
import { describe, expect, it } from "vitest";
import { defaultCacheDir, resolveKernel } from "../../src/kernels/index.js";
import type { Result } from "../../src/results/index.js";
import { exec } from "../../src/system/exec.js";
import { cli, isRoot, jsonOf, runNamespaces, TWO_HOSTS_PLAIN, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping guest runs: ${whyNot}`);

const cell = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict);

describe.skipIf(!isRoot)("a scenario in a Debian 6.1 guest under QEMU", () => {
  it("runs in the requested kernel and gives the same verdicts as on the host", async () => {
    // Downloads the kernel on first use (CI), then it comes from the cache.
    const kernel = await resolveKernel("debian:6.1", { exec, cacheDir: defaultCacheDir() });
    const r = await cli(
      ["run", "test/fixtures/scenarios/two-hosts.yaml", "-k", "debian:6.1", "-v", "plain", "-f", "json"],
      {
        timeout: 600_000,
      },
    );
    expect(r.stderr).toMatch(/under (TCG|KVM)/);
    // Each check as it ends, read from the guest while it runs: before its job's end.
    const lines = r.stderr.split("\n");
    const checks = lines.flatMap(
      (l) => /^ {2}debian:6\.1 two-hosts \/ plain: ok \d+ - ([\w-]+)/.exec(l)?.[1] ?? [],
    );
    expect(checks).toEqual(["ping", "tcp", "tcp-reset", "udp", "udp-dropped"]);
    const firstCheck = lines.findIndex((l) => l.includes("two-hosts / plain: ok 1 - ping"));
    expect(firstCheck).toBeLessThan(lines.findIndex((l) => / exited \d+$/.test(l)));
    const results: Result[] = jsonOf(r).results;
    expect(new Set(results.map((x) => x.kernel))).toEqual(new Set([kernel?.release]));
    expect(Object.fromEntries(results.map((x) => [x.check, cell(x)]))).toEqual(TWO_HOSTS_PLAIN);
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 600_000);

  it("builds a VRF, a keyed gretap fed by an lwtunnel route, and a flowtable, and pings across", async () => {
    const r = await cli(
      ["run", "test/fixtures/good/vrf-gretap.yaml", "-k", "host,debian:6.1", "-f", "json"],
      {
        timeout: 600_000,
      },
    );
    const results: Result[] = jsonOf(r).results;
    const [host, guest] = results;
    // The host kernel has no VRF, GRE or flowtable: a skip with the reason, never a failure.
    expect(host).toMatchObject({ verdict: "skip", reason: expect.stringMatching(/^kernel lacks /) });
    expect(guest && cell(guest)).toBe("reach pass");
    expect(r.exitCode).toBe(0);
  }, 600_000);

  it("runs the multi-tenant gateway prototype: firewalls, no leak between tenants, an offloaded transfer", async () => {
    const r = await cli(
      [
        "run",
        "scenarios/multitenant-gateway.yaml",
        "test/fixtures/scenarios/mtgw-controls.yaml",
        "-k",
        "host,debian:6.1",
        "-f",
        "json",
      ],
      { timeout: 600_000 },
    );
    const results: Result[] = jsonOf(r).results;
    const guest = results.filter((x) => x.kernel !== release());
    const on = (sc: string) =>
      Object.fromEntries(guest.filter((x) => x.scenario === sc).map((x) => [x.check, cell(x)]));
    expect(on("multitenant-gateway")).toEqual({
      "in-t1-ssh": "reach pass",
      "in-t2-telnet": "reach pass",
      "in-t1-telnet": "no-reach pass",
      "in-t2-ssh": "no-reach pass",
      "out-t1-ssh": "no-reach pass",
      "out-t1-telnet": "reach pass",
      "out-t2-telnet": "no-reach pass",
      "out-t2-ssh": "reach pass",
      "ping-in-t1": "reach pass",
      "ping-in-t2": "reach pass",
      "ping-out-t1": "reach pass",
      "ping-out-t2": "reach pass",
    });
    // Which tenant answered is the proof that the two 10.0.0.7 never mix.
    const answered = (check: string) => {
      const x = guest.find((g) => g.check === check);
      return x && "evidence" in x ? x.evidence : undefined;
    };
    expect(answered("in-t1-ssh")).toMatchObject({ answeredBy: "t1-ssh", offload: true, bytes: 4194311 });
    expect(answered("in-t2-telnet")?.answeredBy).toBe("t2-telnet");
    // The controls: a check that demands an offload or a captured packet fails without it.
    expect(on("mtgw-controls")).toEqual({
      "transfer-not-offloaded": "no-reach pass",
      "transfer-whole": "reach pass",
      "ping-wrong-capture": "no-reach pass",
      "ping-captured": "reach pass",
    });
    expect(answered("transfer-not-offloaded")).toMatchObject({ offload: false, bytes: 1048581 });
    expect(answered("ping-wrong-capture")?.captured).toBe("nothing");
    expect(answered("ping-captured")?.captured).toMatch(/IP 1\.1\.1\.7 > 10\.0\.0\.7: ICMP echo request/);
    // The host kernel here has no gretap: every gateway check skips, saying why.
    const host = results.filter(
      (x) => x.kernel === results[0]?.kernel && x.scenario === "multitenant-gateway",
    );
    expect(host.map((x) => x.verdict)).toEqual(Array(12).fill("skip"));
    expect(host[0]).toMatchObject({ reason: expect.stringMatching(/^kernel lacks /) });
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 600_000);
});
