// Net selftests run as they are (run --script FOLDER) on the host and in a Debian 6.1 guest, with
// each case a subtest; a config file beside them against the kernel's; and nsmatrix bisect
// across two Debian kernels.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, jsonOf, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping selftest folders and bisect: ${whyNot}`);
const FOLDER = "test/fixtures/netselftests";
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-selftests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Sub = { name: string; ok: boolean; directive?: string };
const cases = (r: Result | undefined) =>
  (r && "evidence" in r ? (r.evidence?.subtests ?? []) : []).map(
    (t: Sub) => `${t.ok ? "ok" : "not ok"} ${t.name}${t.directive ? ` # ${t.directive}` : ""}`,
  );

const FIB = [
  "ok IPv4 ping across the veth",
  "ok IPv6 ping across the veth",
  "ok a blackhole route drops what it matches",
  "ok ip route get fails on an unreachable route",
  "ok a route through a nexthop object carries traffic",
  "ok the kernel has net.ipv4.conf.all.arp_evict_nocarrier (v5.16)",
];
const BRIDGE = [
  "ok ping across the bridge",
  "ok the bridge learned h2's MAC on p2",
  "ok two isolated ports do not forward to each other",
  "ok a locked port drops a sender the bridge has no entry for",
];

describe.skipIf(!isRoot)("a folder of net selftests, run as they are", () => {
  it("gives each script a row and each TEST: line a subtest, on the host and in a 6.1 guest", async () => {
    const r = await cli(["run", "--script", FOLDER, "-k", "host,debian:6.1", "-f", "json"], {
      timeout: 600_000,
    });
    const results: Result[] = jsonOf(r).results;
    const kernels = [...new Set(results.map((x) => x.kernel))];
    expect(kernels).toHaveLength(2);
    for (const k of kernels) {
      const mine = (check: string) => results.find((x) => x.kernel === k && x.check === check);
      expect(mine("fib_basics")).toMatchObject({ scenario: "selftests-netselftests", verdict: "pass" });
      expect(cases(mine("fib_basics"))).toEqual(FIB);
      expect(mine("bridge_basics")?.verdict).toBe("pass");
      expect(cases(mine("bridge_basics"))).toEqual(BRIDGE);
    }
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 600_000);

  it("shows the count per kernel in the matrix, and each failed case by name", async () => {
    // A case that fails on every kernel, in a copy of the folder.
    const copy = join(dir, "failing");
    cpSync(FOLDER, copy, { recursive: true });
    writeFileSync(
      join(copy, "fails_once.sh"),
      '#!/bin/bash\nsource lib.sh\nlog_test 0 0 "this one passes"\nlog_test 1 0 "this one fails"\nexit $ret\n',
      { mode: 0o755 },
    );
    const r = await cli(["run", "--script", copy, "-f", "pretty", "--no-color"]);
    expect(r.stdout).toMatch(/default {2}fails_once {5}no-reach fail \(1\/2 subtests\)/);
    expect(r.stdout).toMatch(/default {2}fib_basics {5}reach pass \(6\/6 subtests\)/);
    expect(r.stdout).toContain("subtests: 1/2 ok; failed: this one fails");
    expect(r.exitCode).toBe(1);
  }, 120_000);

  it("skips every script, naming the option, when the kernel lacks one its config asks for", async () => {
    const copy = join(dir, "needs-more");
    cpSync(FOLDER, copy, { recursive: true });
    writeFileSync(join(copy, "config"), "CONFIG_VETH=y\nCONFIG_NSMATRIX_NEVER=m\n");
    // The guest reads its own kernel's config (/boot/config-<release>, from the Debian package).
    const r = await cli(["run", "--script", copy, "-k", "host,debian:6.1", "-f", "json"], {
      timeout: 600_000,
    });
    const results: Result[] = jsonOf(r).results;
    expect(results).toHaveLength(4);
    for (const x of results)
      expect(x).toMatchObject({
        verdict: "skip",
        reason: "kernel lacks CONFIG_NSMATRIX_NEVER (wants m), which the config beside the script asks for",
      });
    // kselftest's: every check skipped is 4.
    expect(r.exitCode).toBe(4);
  }, 600_000);

  it("takes --script more than once", async () => {
    const r = await cli([
      "run",
      "--script",
      join(FOLDER, "fib_basics.sh"),
      "--script",
      "test/fixtures/selftests/veth-ping.sh",
      "-f",
      "json",
    ]);
    const results: Result[] = jsonOf(r).results;
    expect(results.map((x) => [x.scenario, x.check, x.verdict])).toEqual([
      ["script-fib_basics", "fib_basics", "pass"],
      ["script-veth-ping", "veth-ping", "pass"],
    ]);
  }, 120_000);
});

describe.skipIf(!isRoot)("nsmatrix bisect", () => {
  it("finds where the Box0 hairpin-static handshake changes between Debian 6.1 and 6.12", async () => {
    const r = await cli(
      [
        "bisect",
        "scenarios/box0-bridge-dnat.yaml",
        "--check",
        "hairpin-static/cmd1-handshake",
        "-k",
        "debian:6.1,debian:6.12",
      ],
      { timeout: 900_000 },
    );
    expect(r.stdout).toMatch(/^ {2}1\. debian:6\.1 +6\.1\.\S+ +no-reach +syn-timeout$/m);
    expect(r.stdout).toMatch(/^ {2}2\. debian:6\.12 +6\.12\.\S+ +reach +connected$/m);
    expect(r.stdout).toMatch(/reach from debian:6\.12 \(6\.12\.\S+\): the first kernel where it changes/);
    expect(r.stderr).toMatch(/running hairpin-static\/cmd1-handshake on debian:6\.1/);
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 900_000);

  it("refuses a check that several variants have, naming them", async () => {
    const r = await cli([
      "bisect",
      "scenarios/box0-bridge-dnat.yaml",
      "--check",
      "cmd1",
      "-k",
      "host,debian:6.1",
    ]);
    expect(r.stderr).toContain(
      "--check cmd1 is in 8 variants: name one, as -v VARIANT or --check VARIANT/cmd1",
    );
    expect(r.exitCode).toBe(2);
  });
});
