// The userspace axis for real: build Debian 11's tools with debootstrap, run the same scenario
// with them in a container on the host kernel and as the root of a 6.1 guest, and clean up a
// container that a killed run left.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, jsonOf, runNamespaces, TWO_HOSTS_PLAIN, traceInstances, whyNot } from "./helpers.js";

const engine = isRoot && (await execa("docker", ["version"], { reject: false })).exitCode === 0;
const why = !isRoot ? whyNot : !engine ? "no Docker engine (bash scripts/setup.sh starts one)" : "";
if (why) console.warn(`skipping userspace tests: ${why}`);

// CI has no cache: the build is part of the test (about a minute).
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-userspace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BULLSEYE = { ip: "5.9.0", nft: "0.9.8", iptables: "1.8.7 (nf_tables)", ebtables: "1.8.7 (nf_tables)" };
const SCENARIO = "test/fixtures/scenarios/two-hosts.yaml";

const cell = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict);
// Each column's verdicts, by check: `{ "<kernel> <userspace>": { ping: "reach pass", … } }`.
function byColumn(results: Result[]) {
  const out: Record<string, Record<string, string>> = {};
  for (const r of results) {
    const key = `${r.kernel} ${r.userspace}`;
    out[key] = { ...out[key], [r.check]: cell(r) };
  }
  return out;
}
const labelled = async () =>
  (await execa("docker", ["ps", "-aq", "--filter", "label=nsmatrix.run"], { reject: false })).stdout
    .split("\n")
    .filter(Boolean);

describe.skipIf(!!why)("debian:bullseye as a userspace", () => {
  it("builds with debootstrap, shows its phases, and lists it with bullseye's versions", async () => {
    const r = await cli(["userspace", "--userspace-dir", dir, "build", "debian:bullseye"], {
      timeout: 900_000,
    });
    expect(r.stderr).toMatch(/debootstrap from http:\/\/deb\.debian\.org\/debian/);
    expect(r.stderr).toMatch(/base system installed/);
    expect(r.stderr).toMatch(/importing as image nsmatrix\/userspace:debian-bullseye/);
    expect(r.exitCode).toBe(0);
    const list = await cli(["userspace", "--userspace-dir", dir, "list"]);
    expect(list.stdout).toContain(
      "debian:bullseye\tip 5.9.0, nft 0.9.8, iptables 1.8.7 (nf_tables), ebtables 1.8.7 (nf_tables)",
    );
  }, 900_000);

  it("runs on the host kernel in a container, with bullseye's tools and the host's verdicts", async () => {
    const r = await cli(
      ["run", SCENARIO, "-v", "plain", "-u", "host,debian:bullseye", "--userspace-dir", dir, "-f", "json"],
      { timeout: 300_000 },
    );
    const doc = jsonOf(r);
    const [host, bullseye] = doc.columns;
    expect(host.userspace).toBe("host");
    expect(bullseye).toMatchObject({ kernel: host.kernel, userspace: "debian:bullseye", tools: BULLSEYE });
    expect(host.tools.ip).not.toBe("5.9.0");
    expect(byColumn(doc.results)).toEqual({
      [`${host.kernel} host`]: TWO_HOSTS_PLAIN,
      [`${host.kernel} debian:bullseye`]: TWO_HOSTS_PLAIN,
    });
    expect(r.exitCode).toBe(0);
    expect(await labelled()).toEqual([]);
    expect(runNamespaces()).toEqual([]);
  }, 300_000);

  it("is the root of a 6.1 guest, with bullseye's tools and the same verdicts as the host's root", async () => {
    const r = await cli(
      [
        "run",
        SCENARIO,
        "-v",
        "plain",
        "-k",
        "debian:6.1",
        "-u",
        "host,debian:bullseye",
        "--userspace-dir",
        dir,
        "-f",
        "json",
      ],
      { timeout: 900_000 },
    );
    const doc = jsonOf(r);
    const [host, bullseye] = doc.columns;
    expect(host.kernel).toMatch(/^6\.1\./);
    expect(bullseye).toMatchObject({ kernel: host.kernel, userspace: "debian:bullseye", tools: BULLSEYE });
    expect(byColumn(doc.results)).toEqual({
      [`${host.kernel} host`]: TWO_HOSTS_PLAIN,
      [`${host.kernel} debian:bullseye`]: TWO_HOSTS_PLAIN,
    });
    expect(r.exitCode).toBe(0);
  }, 900_000);

  it("leaves a container when SIGKILLed, which clean removes, and clean leaves a live run's alone", async () => {
    const args = ["run", SCENARIO, "-u", "debian:bullseye", "--userspace-dir", dir, "--repeat", "20"];
    const killed = execa("node", ["bin/nsmatrix.js", ...args], { reject: false });
    let ids: string[] = [];
    const end = Date.now() + 60_000;
    while (!ids.length && Date.now() < end) {
      ids = await labelled();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toHaveLength(1);
    // While its run lives, clean leaves the container alone.
    const early = await cli(["clean"]);
    expect(early.stdout).toMatch(/, 0 containers/);
    expect(await labelled()).toEqual(ids);
    killed.kill("SIGKILL");
    await killed;
    expect(await labelled()).toEqual(ids);
    const c = await cli(["clean"]);
    expect(c.stdout).toMatch(/, 1 containers\n/);
    expect(c.stdout).toMatch(/container nsm-[0-9a-f]{8} \(run [0-9a-f]{8}\)/);
    expect(await labelled()).toEqual([]);
    // The killed container's scripts left their drop traces' instances: clean removed them too.
    expect(traceInstances()).toEqual([]);
  }, 300_000);
});
