import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { cli, isRoot, runNamespaces, until, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping cleanup tests: ${whyNot}`);

/** Processes tagged with a run id in their environment. */
function taggedProcesses(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return /(^|\0)NSM_RUN=[0-9a-f]{8}(\0|$)/.test(readFileSync(`/proc/${pid}/environ`, "latin1"));
      } catch {
        return false;
      }
    })
    .map(Number);
}
const runFiles = () => readdirSync(tmpdir()).filter((f) => /^nsm-[0-9a-f]{8}/.test(f));

describe.skipIf(!isRoot)("cleanup", () => {
  it.each(["SIGKILL", "SIGTERM"] as const)(
    "leaves nothing once clean has run after the whole run is killed with %s mid-way",
    async (signal) => {
      const child = spawn(
        "node",
        ["bin/nsmatrix.js", "run", "scenarios/box0-bridge-dnat.yaml", "-v", "baseline"],
        {
          detached: true,
          stdio: "ignore",
        },
      );
      // Kill once services listen inside the namespaces: the worst moment to die.
      const started = await until(
        () =>
          taggedProcesses().some((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("LISTEN");
            } catch {
              return false;
            }
          }),
        20_000,
      );
      expect(started).toBe(true);
      process.kill(-(child.pid as number), signal);
      await new Promise((r) => child.once("exit", r));
      if (signal === "SIGKILL") {
        // Nothing could tear down: the leftovers must be there for clean to find.
        expect(runNamespaces().length).toBeGreaterThan(0);
        expect(runFiles().length).toBeGreaterThan(0);
      }
      const clean = await cli(["clean"]);
      expect(clean.exitCode).toBe(0);
      expect(clean.stdout).toMatch(/^removed: \d+ runs, \d+ namespaces, \d+ processes, \d+ files$/m);
      expect(await until(() => taggedProcesses().length === 0, 2000)).toBe(true);
      expect(runNamespaces()).toEqual([]);
      expect(runFiles()).toEqual([]);
    },
    60_000,
  );

  it("leaves a run that is still going alone unless forced", async () => {
    const run = cli(["run", "scenarios/box0-bridge-dnat.yaml", "-v", "baseline"]);
    expect(await until(() => runNamespaces().length > 0, 20_000)).toBe(true);
    const dry = await cli(["clean", "--dry-run"]);
    expect(dry.stdout).toMatch(/left alone \(still running; --force to remove\): [0-9a-f]{8}/);
    const r = await run;
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 60_000);

  it("tears down by itself on SIGINT, without clean", async () => {
    const child = spawn("node", ["bin/nsmatrix.js", "run", "scenarios/box0-bridge-dnat.yaml"], {
      stdio: "ignore",
    });
    expect(await until(() => runNamespaces().length > 0, 20_000)).toBe(true);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(130);
    expect(runFiles()).toEqual([]);
    expect(await until(() => runNamespaces().length === 0, 5000)).toBe(true);
    expect(taggedProcesses()).toEqual([]);
  }, 60_000);
});

describe.skipIf(!isRoot)("refusals", () => {
  it("creates nothing for an invalid scenario, and names file, line and key", async () => {
    const before = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    const r = await cli(["run", "test/fixtures/bad/route-unknown-dev.yaml"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /route-unknown-dev\.topo\.yaml:4:33: nodes\.r1\.routes\[0\]\.dev: .*unknown interface "eth1"/,
    );
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).toBe(before);
  });

  it("creates nothing for any of the malformed scenarios", async () => {
    const files = readdirSync("test/fixtures/bad")
      .filter((f) => f.endsWith(".yaml") && !f.endsWith(".topo.yaml") && !f.startsWith("_"))
      .map((f) => `test/fixtures/bad/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(20);
    const before = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    for (let i = 0; i < files.length; i += 8) {
      const runs = await Promise.all(files.slice(i, i + 8).map((f) => cli(["run", f])));
      for (const r of runs) {
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toMatch(/^nsmatrix: .*\n\S+\.yaml:\d+:\d+: /);
      }
    }
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).toBe(before);
    expect(runFiles()).toEqual([]);
  }, 60_000);

  it("refuses to run without root, saying why", async () => {
    const { execa } = await import("execa");
    const r = await execa(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "node",
        "bin/nsmatrix.js",
        "run",
        "scenarios/box0-bridge-dnat.yaml",
      ],
      {
        reject: false,
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/nsmatrix run on the host kernel needs root: it creates network namespaces/);
  });

  it("refuses an unknown variant before touching anything", async () => {
    const r = await cli(["run", "scenarios/box0-bridge-dnat.yaml", "-v", "nosuch"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown variant "nosuch" \(known: baseline, hairpin/);
  });
});
