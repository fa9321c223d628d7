// Command-line conventions, no root needed: usage errors exit 2 before any work, colour follows the environment.
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
