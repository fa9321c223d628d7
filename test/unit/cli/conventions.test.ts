// Command-line conventions, no root needed: usage errors exit 2 before any work, colour follows the environment.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { useColor } from "../../../src/cli/support.js";

const cli = (...args: string[]) => execa("node", ["bin/nsmatrix.js", ...args], { reject: false });

describe("usage errors", () => {
  it.each([
    [["bogus"], /unknown command 'bogus'/],
    [["run", "--bogus"], /unknown option '--bogus'/],
    [["run", "-f", "xml"], /argument 'xml' is invalid/],
    [["run", "--jobs", "0"], /expected a whole number of 1 or more/],
    [["run", "--timeout-scale", "1e-7"], /expected a number from 0\.1 to 100/],
    [["validate"], /missing required argument 'files'/],
    [["kernels", "list", "--bogus"], /unknown option '--bogus'/],
    [
      ["run", "-o", "/nonexistent/dir/out.json", "test/fixtures/scenarios/two-hosts.yaml"],
      /the folder \/nonexistent\/dir does not exist/,
    ],
    [
      ["run", "-k", "debian:6.1", "--keep", "test/fixtures/scenarios/two-hosts.yaml"],
      /--keep holds runs on the host kernel only/,
    ],
  ])("nsmatrix %j exits 2: %s", async (args, message) => {
    const r = await cli(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [["run", "--bogus"], "error: unknown option '--bogus'\n(nsmatrix run --help shows the usage)\n"],
    [
      ["kernels", "fetch", "--nope"],
      "error: unknown option '--nope'\n(nsmatrix kernels fetch --help shows the usage)\n",
    ],
    [
      ["run", "-k", "6.1", "test/fixtures/scenarios/two-hosts.yaml"],
      'nsmatrix: kernel "6.1" is not a kernel spec (did you mean debian:6.1?): expected host, debian:<series>, file:<vmlinuz>[:<modules dir>] or vagrant:<machine>\n',
    ],
    [
      ["run", "-k", "debian:bookworm", "test/fixtures/scenarios/two-hosts.yaml"],
      /^nsmatrix: kernel "debian:bookworm": unknown Debian series "bookworm" \(did you mean debian:6\.1\?\); known: /,
    ],
    [
      ["validate", "no/such.yaml"],
      "nsmatrix: cannot read no/such.yaml: no such file or folder (ENOENT)\nnsmatrix: 1 of 1 files are invalid\n",
    ],
  ])("nsmatrix %j exits 2 with its one message and no help page", async (args, message) => {
    const r = await cli(...args);
    expect(r.exitCode).toBe(2);
    if (typeof message === "string") expect(r.stderr + "\n").toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  it("names a topology given where a scenario is expected, and the reverse, with the file and line", async () => {
    const topo = await cli("plan", "topologies/box0-bridge.yaml");
    expect(topo.exitCode).toBe(2);
    expect(topo.stderr).toContain(
      "topologies/box0-bridge.yaml:13:1: this is a topology (it has nodes:), where a scenario is expected",
    );
    const dir = mkdtempSync(join(tmpdir(), "nsmatrix-kind-"));
    try {
      writeFileSync(join(dir, "s.yaml"), "scenario: s\ntopology: other.yaml\nchecks: {}\n");
      writeFileSync(join(dir, "other.yaml"), "scenario: other\ntopology: x.yaml\nchecks: {}\n");
      const scen = await cli("validate", join(dir, "s.yaml"));
      expect(scen.exitCode).toBe(2);
      expect(scen.stderr).toMatch(
        /other\.yaml:1:1: this is a scenario \(it has scenario: or checks:\), where a topology is expected/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    "a cache folder that cannot be made is a located error (exit 2), never an internal one",
    async () => {
      // As nobody, /root is not writable: the folder a guest run would cache kernels in.
      const r = await execa(
        "runuser",
        [
          "-u",
          "nobody",
          "--",
          "node",
          "bin/nsmatrix.js",
          "kernels",
          "fetch",
          "debian:6.1",
          "--cache-dir",
          "/root/nsm-denied/kernels",
        ],
        { reject: false },
      );
      expect(r.stderr).toBe(
        "nsmatrix: cannot create the folder /root/nsm-denied: permission denied (EACCES)",
      );
      expect(r.exitCode).toBe(2);
      // procfs answers ENOENT for a parent that exists: Node's recursive mkdir would spin forever.
      const proc = await cli("kernels", "fetch", "debian:6.1", "--cache-dir", "/proc/nsm/kernels");
      expect(proc.stderr).toBe(
        "nsmatrix: cannot create the folder /proc/nsm: no such file or folder (ENOENT)",
      );
      expect(proc.exitCode).toBe(2);
    },
    30_000,
  );

  it("help and version exit 0", async () => {
    expect((await cli("--help")).exitCode).toBe(0);
    expect((await cli("--version")).exitCode).toBe(0);
    expect((await cli("run", "--help")).stdout).toMatch(
      /one after the other, in the order the scenario declares/,
    );
  });
});

describe("colour", () => {
  it.each([
    [{ NO_COLOR: "1" }, true, false, false],
    [{ NO_COLOR: "" }, true, false, process.stdout.isTTY === true],
    [{ FORCE_COLOR: "1" }, true, true, true],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, true, false, true],
    [{ FORCE_COLOR: "0" }, true, false, process.stdout.isTTY === true],
    [{ FORCE_COLOR: "1" }, false, false, false],
    [{}, true, true, false],
  ])("with %j, --color %s, to a file %s: %s", (env, flag, toFile, want) => {
    expect(useColor(flag, toFile, env as NodeJS.ProcessEnv)).toBe(want);
  });
});

describe("starting", () => {
  // testcontainers' ssh2 sets up WebAssembly when it loads, which a 1 GB address-space limit
  // refuses: only container columns may load it, so validate's exit status stays its own.
  it("validates a bad file under a virtual-memory limit, and exits 2 with its error", async () => {
    const r = await execa(
      "sh",
      [
        "-c",
        "ulimit -v 1000000; exec node bin/nsmatrix.js validate test/fixtures/bad/check-ping-and-tcp.yaml",
      ],
      { reject: false },
    );
    expect(r.stderr).toMatch(/check-ping-and-tcp\.yaml:4:3: checks\.c1: a check has exactly one of/);
    expect(r.exitCode).toBe(2);
  });
});
