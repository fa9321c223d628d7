// The Vagrant backend's transport, through a stand-in `vagrant` (no provider can run here): the
// stand-in runs `vagrant ssh -c` commands on this host, so the verdicts are the host kernel's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { isRoot, jsonOf, runNamespaces, TWO_HOSTS_PLAIN, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping Vagrant transport tests: ${whyNot}`);

const FAKE_BIN = resolve("test/fixtures/vagrant/bin");
let state = "";
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), "nsmatrix-fake-vagrant-"));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

const run = (args: string[]) =>
  execa("node", ["bin/nsmatrix.js", ...args], {
    reject: false,
    timeout: 120_000,
    env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_VAGRANT_STATE: state },
  });
const calls = () => readFileSync(join(state, "calls.log"), "utf8").trim().split("\n");
const cell = (r: Result) => ("outcome" in r ? `${r.outcome} ${r.verdict}` : r.verdict);

describe.skipIf(!isRoot)("kernels in Vagrant boxes (vagrant:MACHINE)", () => {
  it("brings a stopped machine up, reads its kernel, and runs each script over vagrant ssh", async () => {
    const r = await run([
      "run",
      "test/fixtures/scenarios/two-hosts.yaml",
      "-k",
      "vagrant:el7",
      "-v",
      "plain",
      "-f",
      "json",
    ]);
    expect(r.stderr).toContain("vagrant:el7 is poweroff; vagrant up el7");
    expect(r.stderr).toContain(`vagrant:el7 runs ${release()}`);
    const results: Result[] = jsonOf(r).results;
    expect(new Set(results.map((x) => x.kernel))).toEqual(new Set([release()]));
    expect(Object.fromEntries(results.map((x) => [x.check, cell(x)]))).toEqual(TWO_HOSTS_PLAIN);
    expect(r.exitCode).toBe(0);
    expect(calls()).toEqual([
      "status el7 --machine-readable",
      "up el7",
      "ssh el7 --no-tty -c uname -r -- -q",
      expect.stringMatching(
        /^ssh el7 --no-tty -c sudo env NSM_RUN=[0-9a-f]{8} NSM_TIMEOUT_SCALE=1 sh -s -- -q$/,
      ),
    ]);
    expect(runNamespaces()).toEqual([]);
  }, 120_000);

  it("does not run vagrant up for a running machine", async () => {
    writeFileSync(join(state, "stretch.up"), "");
    const r = await run([
      "run",
      "test/fixtures/scenarios/two-hosts.yaml",
      "-k",
      "vagrant:stretch",
      "-v",
      "plain",
      "-f",
      "json",
    ]);
    expect(r.exitCode).toBe(0);
    expect(calls().filter((c) => c.startsWith("up"))).toEqual([]);
  }, 120_000);

  it("names the Vagrantfile when the machine is not in it, and runs nothing", async () => {
    const r = await run(["run", "test/fixtures/scenarios/two-hosts.yaml", "-k", "vagrant:jessie"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`no machine "jessie" in ${resolve("Vagrantfile")}`);
    expect(r.stderr).toContain("was not found configured for this Vagrant environment");
    expect(calls()).toEqual(["status jessie --machine-readable"]);
  }, 60_000);
});
