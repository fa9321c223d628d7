import { describe, expect, it } from "vitest";
import { exec } from "../../src/backends/exec.js";
import { defaultCacheDir, resolveKernel } from "../../src/kernels/index.js";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping guest runs: ${whyNot}`);

const cell = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.status}` : r.status);

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
    const results: Result[] = JSON.parse(r.stdout).results;
    expect(new Set(results.map((x) => x.kernel))).toEqual(new Set([kernel?.release]));
    expect(Object.fromEntries(results.map((x) => [x.check, cell(x)]))).toEqual({
      ping: "reach pass",
      tcp: "reach pass",
      "tcp-reset": "no-reach pass",
      udp: "reach pass",
      "udp-dropped": "no-reach pass",
    });
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
    const results: Result[] = JSON.parse(r.stdout).results;
    const [host, guest] = results;
    // The host kernel has no VRF, GRE or flowtable: a skip with the reason, never a failure.
    expect(host).toMatchObject({ status: "skip", reason: expect.stringMatching(/^kernel lacks /) });
    expect(guest && cell(guest)).toBe("reach pass");
    expect(r.exitCode).toBe(0);
  }, 600_000);
});
