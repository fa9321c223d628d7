// What a run leaves behind: nothing, whenever it is killed; and clean removes exactly what runs make.
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { cli, isRoot, runNamespaces, traceInstances, until, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping cleanup tests: ${whyNot}`);

const pids = () => readdirSync("/proc").filter((d) => /^\d+$/.test(d));
const read = (path: string) => {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
};

/** Processes tagged with a run id in their environment. */
// Outside containers: those are the userspace tests' (test/integration/userspace.test.ts).
function taggedProcesses(): number[] {
  return pids()
    .filter((pid) => /(^|\0)NSM_RUN=[0-9a-f]{8}(\0|$)/.test(read(`/proc/${pid}/environ`)))
    .filter((pid) => !/\/docker[-/]/.test(read(`/proc/${pid}/cgroup`)))
    .map(Number);
}

/** Every network namespace a process is in, or a mount (in any mount namespace) holds. */
function netnsInUse(): Set<string> {
  const out = new Set<string>();
  for (const pid of pids()) {
    try {
      out.add(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      // gone
    }
    for (const m of read(`/proc/${pid}/mountinfo`).matchAll(/ (net:\[\d+\]) /g)) out.add(m[1] as string);
  }
  return out;
}

const runFiles = () => [
  ...readdirSync(tmpdir()).filter((f) => /^nsm-[0-9a-f]{8}/.test(f)),
  ...readdirSync("/run").filter((f) => /^nsm-[0-9a-f]{8}/.test(f)),
];

// Reproducible "random" delays: a small LCG, so a failing point can be run again.
function delays(n: number, maxMs: number, seed = 7): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((x / 2 ** 31) * maxMs);
  });
}

describe.skipIf(!isRoot)("a run killed at any point", () => {
  it("leaves nothing, even before clean, after SIGKILL of nsmatrix at 20 points", async () => {
    const before = netnsInUse();
    const left: string[] = [];
    for (const ms of delays(20, 2500)) {
      const child = spawn(
        "node",
        ["bin/nsmatrix.js", "run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "plain"],
        {
          stdio: "ignore",
        },
      );
      const exited = new Promise((r) => child.once("exit", r));
      await new Promise((r) => setTimeout(r, ms));
      child.kill("SIGKILL");
      await exited;
      // The kernel ends the run's processes and frees its namespaces by itself; give it a moment.
      const clean = await until(
        () => taggedProcesses().length === 0 && netnsInUse().size <= before.size,
        3000,
      );
      const extra = [...netnsInUse()].filter((n) => !before.has(n));
      if (!clean || extra.length || runNamespaces().length || runFiles().length)
        left.push(
          `${ms} ms: ${taggedProcesses().length} processes, namespaces ${extra.join(" ")}, files ${runFiles().join(" ")}`,
        );
    }
    expect(left).toEqual([]);
    // A tracing instance is the kernel's, and outlives a SIGKILLed script: clean removes it,
    // as does the next run's drop trace.
    await cli(["clean"]);
    expect(traceInstances()).toEqual([]);
  }, 120_000);

  it("tears down by itself on SIGINT, and exits 130", async () => {
    const child = spawn(
      "node",
      ["bin/nsmatrix.js", "run", "scenarios/box0-bridge-dnat.yaml", "-v", "baseline"],
      {
        stdio: "ignore",
      },
    );
    // Services listening inside the namespaces: the run is in the middle of its work.
    const listening = () => taggedProcesses().some((pid) => read(`/proc/${pid}/cmdline`).includes("LISTEN"));
    expect(await until(listening, 20_000)).toBe(true);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(130);
    expect(await until(() => taggedProcesses().length === 0, 5000)).toBe(true);
    expect(runFiles()).toEqual([]);
  }, 60_000);
});

describe.skipIf(!isRoot)("a pasted reproducer (plan | sh), outside nsmatrix's isolation", () => {
  const plan = async (variant: string) =>
    (await cli(["plan", "test/fixtures/scenarios/two-hosts.yaml", "--variant", variant])).stdout;

  it("is a live run that clean leaves alone unless forced", async () => {
    const keep = "/run/nsm-test-hold.keep";
    writeFileSync(keep, "");
    const run = execa("sh", ["-s"], {
      input: await plan("plain"),
      env: { NSM_RUN: "0decade1", NSM_KEEP: keep },
      reject: false,
    });
    // Released however the assertions end, so that a failure here does not hold later tests' runs.
    try {
      expect(await until(() => runNamespaces().some((n) => n.startsWith("nsm-0decade1-")), 20_000)).toBe(
        true,
      );
      const dry = await cli(["clean", "--dry-run"]);
      expect(dry.stdout).toMatch(/left alone \(still running; --force to remove\): 0decade1/);
      const spared = await cli(["clean"]);
      expect(spared.stdout).toMatch(/^removed: 0 runs, 0 namespaces, 0 processes, 0 files, \d+ containers$/m);
      expect(runNamespaces().some((n) => n.startsWith("nsm-0decade1-"))).toBe(true);
    } finally {
      rmSync(keep, { force: true });
    }
    const r = await run;
    expect(r.exitCode).toBe(0);
    expect(runNamespaces()).toEqual([]);
  }, 60_000);

  it("whose leftovers after SIGKILL clean removes, all of them", async () => {
    const keep = "/run/nsm-test-hold2.keep";
    writeFileSync(keep, "");
    const run = execa("sh", ["-s"], {
      input: await plan("plain"),
      env: { NSM_RUN: "0decade2", NSM_KEEP: keep },
      reject: false,
    });
    let out = "";
    run.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    // Held after its checks: the services still listen inside its namespaces.
    try {
      expect(await until(() => out.includes("# holding"), 20_000)).toBe(true);
    } finally {
      run.kill("SIGKILL");
      await run;
      rmSync(keep, { force: true });
    }
    expect(runNamespaces().length).toBe(3);
    const r = await cli(["clean"]);
    // Its folder, and the tracing instance of its drop trace (a kernel object: only clean, or
    // the next run's trace, can remove it once the script is gone).
    expect(r.stdout).toMatch(/^removed: 1 runs, 3 namespaces, [1-9]\d* processes, 2 files, \d+ containers$/m);
    expect(traceInstances()).toEqual([]);
    expect(runNamespaces()).toEqual([]);
    expect(await until(() => taggedProcesses().length === 0, 2000)).toBe(true);
  }, 60_000);

  it("with a run id in use touches nothing of the other run", async () => {
    const dir = join(tmpdir(), "nsm-c0111de5");
    mkdirSync(dir);
    writeFileSync(join(dir, "theirs"), "x");
    const first = await execa("sh", ["-s"], {
      input: await plan("plain"),
      env: { NSM_RUN: "c0111de5" },
      reject: false,
    });
    expect(first.stdout).toContain("Bail out! run id c0111de5 is in use");
    expect(readFileSync(join(dir, "theirs"), "utf8")).toBe("x");
    rmSync(dir, { recursive: true });

    execFileSync("ip", ["netns", "add", "nsm-c0111de6-a"]);
    const sleeper = spawn("ip", ["netns", "exec", "nsm-c0111de6-a", "sleep", "30"], { stdio: "ignore" });
    try {
      await until(() => read(`/proc/${sleeper.pid}/cmdline`).includes("sleep"), 2000);
      const second = await execa("sh", ["-s"], {
        input: await plan("plain"),
        env: { NSM_RUN: "c0111de6" },
        reject: false,
      });
      expect(second.stdout).toContain(
        "Bail out! run id c0111de6 is in use (namespace nsm-c0111de6-a exists)",
      );
      expect(existsSync("/run/netns/nsm-c0111de6-a")).toBe(true);
      expect(read(`/proc/${sleeper.pid}/cmdline`)).toContain("sleep");
    } finally {
      sleeper.kill("SIGKILL");
      execFileSync("ip", ["netns", "del", "nsm-c0111de6-a"]);
    }
  }, 30_000);
});

describe.skipIf(!isRoot)("clean", () => {
  it("leaves alone namespaces, files and processes that only look like a run's", async () => {
    const lookalikes = ["nsm-deadbeef.x", "nsm-deadbee-x", "nsm-DEADBEEF-x"];
    for (const n of lookalikes) execFileSync("ip", ["netns", "add", n]);
    const files = ["nsm-deadbeef-mydata", "nsm-deadbeef.x"].map((f) => join(tmpdir(), f));
    for (const f of files) writeFileSync(f, "mine");
    // A process that carries NSM_RUN but was not started by a run, and a parent shell that does too.
    const tagged = spawn("sleep", ["30"], { env: { ...process.env, NSM_RUN: "deadbeef" }, stdio: "ignore" });
    try {
      const r = await execa("sh", ["-c", "node bin/nsmatrix.js clean; echo shell-alive"], {
        env: { NSM_RUN: "deadbeef" },
        reject: false,
      });
      expect(r.stdout).toMatch(/^removed: 0 runs, 0 namespaces, 0 processes, 0 files, \d+ containers$/m);
      expect(r.stdout).toContain("shell-alive");
      for (const n of lookalikes) expect(existsSync(`/run/netns/${n}`)).toBe(true);
      for (const f of files) expect(readFileSync(f, "utf8")).toBe("mine");
      expect(read(`/proc/${tagged.pid}/cmdline`)).toContain("sleep");
    } finally {
      tagged.kill("SIGKILL");
      for (const n of lookalikes) execFileSync("ip", ["netns", "del", n]);
      for (const f of files) rmSync(f, { force: true });
    }
  }, 30_000);
});

describe.skipIf(!isRoot)("run --keep", () => {
  it("holds a failing variant's topology up, says how to enter each node, and tears down on Enter", async () => {
    const run = execa(
      "node",
      ["bin/nsmatrix.js", "run", "test/fixtures/scenarios/two-hosts.yaml", "-v", "wrong", "--keep"],
      {
        reject: false,
        stdin: "pipe",
      },
    );
    let err = "";
    run.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    expect(await until(() => err.includes("press Enter"), 20_000)).toBe(true);
    expect(err).toMatch(/! kept host two-hosts \/ wrong: ping: fail/);
    const enter = /^ {4}(nsenter .* nsm-[0-9a-f]{8}-a sh)$/m.exec(err)?.[1];
    expect(enter).toBeDefined();
    // The node is really there: enter it and look at its address.
    const inside = await execa("sh", ["-c", `${enter?.replace(/ sh$/, " ip -br addr show eth0")}`], {
      reject: false,
    });
    expect(inside.stdout).toContain("10.99.0.1/24");
    run.stdin?.end("\n");
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(await until(() => taggedProcesses().length === 0, 3000)).toBe(true);
    expect(runFiles()).toEqual([]);
  }, 60_000);
});

describe.skipIf(!isRoot)("refusals", () => {
  it.each([
    ["a sysctl outside net.", "test/fixtures/hostile/sysctl-hostname.topo.yaml"],
    ["an nft_file outside the topology's folder", "test/fixtures/hostile/nft-file-dotdot.topo.yaml"],
    ["a capture filter that is an option", "test/fixtures/hostile/capture-filter-option.yaml"],
  ])("refuse %s, creating nothing", async (_what, file) => {
    const scenario = file.endsWith(".topo.yaml") ? join(tmpdir(), `nsm-test-${Date.now()}.yaml`) : file;
    if (scenario !== file)
      writeFileSync(
        scenario,
        `scenario: s\ntopology: ${join(process.cwd(), file)}\nchecks:\n  c: { from: r2, ping: 10.0.0.1 }\n`,
      );
    try {
      const before = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      const r = await cli(["run", scenario]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/\.yaml:\d+:\d+: /);
      expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).toBe(before);
      expect(existsSync("/tmp/nsmatrix-hostile-capture")).toBe(false);
    } finally {
      if (scenario !== file) rmSync(scenario, { force: true });
    }
  });

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
      { reject: false },
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
