// Device kinds, bridge VLANs and qdiscs on real kernels: carried traffic where the kernel has them
// (the host for macvlan and tbf, a Debian 6.1 guest for every kind), a skip naming the CONFIG_
// option where it does not (the host; a 6.1 kernel whose modules lack bonding and dummy), never
// an error. And IPv6 duplicate address detection, waited for where an interface asks for it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { defaultCacheDir, resolveKernel } from "../../src/kernels/index.js";
import type { Result } from "../../src/results/index.js";
import { exec } from "../../src/system/exec.js";
import { cli, isRoot, jsonOf, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping device kinds on real kernels: ${whyNot}`);

const KINDS = "test/fixtures/scenarios/kinds.yaml";
const cells = (results: Result[], scenario = "kinds") =>
  Object.fromEntries(
    results
      .filter((r) => r.scenario === scenario)
      .map((r) => [`${r.variant}/${r.check}`, "outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict]),
  );
const reasons = (results: Result[]) =>
  Object.fromEntries(
    results.filter((r) => r.verdict === "skip").map((r) => [r.variant, "reason" in r ? r.reason : ""]),
  );

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!isRoot)("device kinds on real kernels", () => {
  it("on the host: macvlan and tbf carry the ping; every kind it lacks skips, naming its CONFIG_ option", async () => {
    const r = await cli(["run", KINDS, "-f", "json"]);
    const results: Result[] = jsonOf(r).results;
    expect(reasons(results)).toEqual({
      vlan: "kernel lacks 802.1Q VLAN devices (CONFIG_VLAN_8021Q)",
      qinq: "kernel lacks 802.1Q VLAN devices (CONFIG_VLAN_8021Q)",
      bond: "kernel lacks bonding (CONFIG_BONDING)",
      dummy: "kernel lacks dummy devices (CONFIG_DUMMY)",
      ipvlan: "kernel lacks ipvlan (CONFIG_IPVLAN)",
      "vlan-filtering": "kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)",
      netem: "kernel lacks the netem qdisc (CONFIG_NET_SCH_NETEM)",
    });
    expect(cells(results)).toMatchObject({
      "macvlan/across": "reach pass",
      "macvlan/dummy": "no-reach pass",
      "tbf/across": "reach pass",
      "tbf/bridged": "no-reach pass",
    });
    expect(results.filter((x) => x.verdict === "error")).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 120_000);

  it("in a Debian 6.1 guest: every kind, bridge VLANs and netem carry traffic", async () => {
    const r = await cli(
      ["run", KINDS, "test/fixtures/scenarios/devices.yaml", "-k", "debian:6.1", "-f", "json"],
      {
        timeout: 600_000,
      },
    );
    const results: Result[] = jsonOf(r).results;
    expect(results.filter((x) => x.verdict !== "pass")).toEqual([]);
    expect(cells(results)).toMatchObject({
      "vlan/across": "reach pass",
      "qinq/across": "reach pass",
      "bond/across": "reach pass",
      "dummy/dummy": "reach pass",
      "ipvlan/across": "reach pass",
      "vlan-filtering/bridged": "reach pass",
      "netem/across": "reach pass",
    });
    expect(cells(results, "devices")).toEqual({
      "default/bond": "reach pass",
      "default/vlan": "reach pass",
      "default/qinq": "reach pass",
      "default/dummy": "reach pass",
      "default/ipvlan": "reach pass",
      "default/netem": "reach pass",
      "default/mtu": "reach pass",
    });
    expect(r.exitCode).toBe(0);
  }, 600_000);

  it("in a 6.1 guest whose modules lack bonding and dummy: those skip, naming the option, and vlan runs", async () => {
    const kernel = await resolveKernel("debian:6.1", { exec, cacheDir: defaultCacheDir() });
    if (!kernel || !("modulesRoot" in kernel)) throw new Error("no debian:6.1 in the cache");
    // The same kernel, its modules hard-linked without bonding.ko and dummy.ko.
    const base = mkdtempSync(join(tmpdir(), "nsmatrix-pruned-"));
    scratch.push(base);
    const dir = join(base, "lib", "modules", kernel.release);
    execFileSync("mkdir", ["-p", join(base, "lib", "modules")]);
    execFileSync("cp", ["-al", join(kernel.modulesRoot, kernel.release), dir]);
    execFileSync("find", [dir, "(", "-name", "bonding.ko*", "-o", "-name", "dummy.ko*", ")", "-delete"]);
    execFileSync("depmod", ["-b", base, kernel.release], { stdio: "ignore" });
    const r = await cli(
      ["run", KINDS, "-v", "bond,dummy,vlan", "-k", `file:${kernel.vmlinuz}:${dir}`, "-f", "json"],
      {
        timeout: 600_000,
      },
    );
    const results: Result[] = jsonOf(r).results;
    expect(reasons(results)).toEqual({
      bond: "kernel lacks bonding (CONFIG_BONDING)",
      dummy: "kernel lacks dummy devices (CONFIG_DUMMY)",
    });
    expect(cells(results)).toMatchObject({ "vlan/across": "reach pass" });
    expect(results.filter((x) => x.verdict === "error")).toEqual([]);
  }, 600_000);
});

describe.skipIf(!isRoot)("IPv6 duplicate address detection", () => {
  const script = (variant: string) =>
    execa("node", ["bin/nsmatrix.js", "plan", "test/fixtures/scenarios/dad.yaml", "-v", variant]).then(
      (p) => p.stdout,
    );

  it("is waited for where an interface asks for it: without the wait, the same script fails", async () => {
    const text = await script("unique");
    expect(text).toMatch(/^ {2}nsm_dad a b$/m);
    const waited = await execa("sh", { input: text, reject: false });
    expect(waited.stdout.match(/^(not )?ok \d+ - [\w-]+$/gm)).toEqual(["ok 1 - from-a", "ok 2 - to-b"]);
    // The hand-written mistake the wait prevents: checks while addresses are tentative.
    const hurried = await execa("sh", { input: text.replace(/^ {2}nsm_dad a b$/m, "  :"), reject: false });
    expect(hurried.stdout.match(/^(not )?ok \d+ - [\w-]+$/gm)).toEqual([
      "not ok 1 - from-a",
      "not ok 2 - to-b",
    ]);
    expect(runNamespaces()).toEqual([]);
  }, 60_000);

  it("names an address that failed it, and the owner keeps the address", async () => {
    const run = await execa("sh", { input: await script("duplicate"), reject: false });
    expect(run.stdout).toContain("# b: duplicate address detection failed for 2001:db8::3/64 on eth0\n");
    expect(run.stdout).toContain("ok 1 - from-a\n");
    expect(run.exitCode).toBe(0);
  }, 60_000);
});
