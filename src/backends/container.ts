// The container backend: the host kernel with another distribution's userspace. One container
// per column (testcontainers), each script in it under its own mount and PID namespace.
import { spawn } from "node:child_process";
import type { StartedTestContainer } from "testcontainers";
import type { CompiledScript } from "../compile/index.js";
import { NsmError } from "../errors.js";
import type { Exec } from "../system/index.js";
import { searchPath } from "../system/index.js";
import { parseToolVersions, TOOLS_PROBE } from "../userspace/index.js";
import { PRELUDE, UNSHARE } from "./host.js";
import { eachScript, newRunId } from "./scripts.js";
import type { Backend, BatchOptions, ScriptRun } from "./types.js";

/** The exec that runs one script file in the container: bounded by timeout(1), then unshare. */
export function scriptCommand(file: string, budgetMs: number): string[] {
  const secs = String(Math.ceil(budgetMs / 1000));
  return ["timeout", "--kill-after=5", secs, ...UNSHARE, "sh", "-c", `${PRELUDE} && exec sh ${file}`];
}

async function runOne(
  c: StartedTestContainer,
  script: CompiledScript,
  budgetMs: number,
  i: number,
  opts: BatchOptions,
): Promise<ScriptRun> {
  const run = newRunId();
  const file = `/nsm-${run}.sh`;
  await c.copyContentToContainer([{ content: script.text, target: file, mode: 0o644 }]);
  const started = Date.now();
  // On the container's own filesystem: the engine's archive API cannot read its tmpfs mounts.
  const pcaps = opts.artifacts ? `/nsm-${run}.pcap` : undefined;
  const env = {
    NSM_RUN: run,
    NSM_TIMEOUT_SCALE: String(opts.timeoutScale),
    TMPDIR: "/tmp",
    ...(pcaps ? { NSM_ARTIFACTS: pcaps } : {}),
  };
  try {
    if (pcaps) await c.exec(["mkdir", pcaps]);
    const r = await c.exec(scriptCommand(file, budgetMs), { env });
    if (pcaps && opts.artifacts) {
      const to = opts.artifacts(i);
      await copyOut(c, pcaps, to).catch((e) =>
        opts.log?.(`pcaps of ${script.variant} not copied to ${to}: ${e.message}`),
      );
    }
    for (const line of r.stdout.split("\n")) opts.onLine?.(i, line);
    const result: ScriptRun = {
      tap: r.stdout,
      exitCode: r.exitCode,
      // timeout(1) exits 124 when it had to stop the script, 137 when it then had to kill it.
      timedOut: r.exitCode === 124 || r.exitCode === 137,
      stderr: r.stderr,
      durationMs: Date.now() - started,
    };
    opts.onDone?.(i, result);
    return result;
  } catch (e) {
    // The container went away under the exec: interrupted, or removed from outside.
    const result: ScriptRun = {
      tap: "",
      exitCode: null,
      timedOut: false,
      stderr: `container exec failed: ${(e as Error).message}`,
      durationMs: Date.now() - started,
    };
    opts.onDone?.(i, result);
    return result;
  }
}

// A folder of the container into one of the host's: its tar stream, unpacked by tar(1).
async function copyOut(c: StartedTestContainer, from: string, to: string): Promise<void> {
  const tar = await c.copyArchiveFromContainer(from);
  await new Promise<void>((done, fail) => {
    const x = spawn("tar", ["-x", "-C", to, "--strip-components=1"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    x.stderr.on("data", (b) => {
      err += String(b);
    });
    x.on("error", fail);
    x.on("close", (code) =>
      code === 0 ? done() : fail(new Error(`tar -x: ${err.trim() || `exit ${code}`}`)),
    );
    tar.pipe(x.stdin);
  });
}

/** Why the engine cannot run containers, or undefined when it can. */
export type EngineCheck = () => Promise<string | undefined>;

// testcontainers (and ssh2 under it) load only when a container column runs. It is an optional
// peer dependency: npm does not install it for users who never run one.
async function containerLab(): Promise<typeof import("./container-lab.js")> {
  try {
    return await import("./container-lab.js");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" || !/testcontainers/.test((e as Error).message)) throw e;
    throw new NsmError(
      "E_TOOL",
      "container userspaces (-u docker:IMAGE) need the npm package testcontainers, an optional dependency of nsmatrix: npm install testcontainers",
    );
  }
}

/** A backend for the host kernel with `image`'s userspace. */
export function containerBackend(
  kernel: string,
  userspace: string,
  image: () => Promise<string>,
  engine: EngineCheck,
): Backend {
  return {
    kernel,
    label: "host",
    userspace,
    machine: "host",
    async runBatch(scripts, budgetsMs, opts) {
      const why = await engine();
      if (why) return { runs: [], skip: `no container engine: ${why}` };
      const run = newRunId();
      const lifetimeS = 120 + budgetsMs.reduce((a, b) => a + b, 0) / 1000;
      opts.log?.(`${userspace}: starting container nsm-${run}`);
      let c: StartedTestContainer;
      const { columnContainer } = await containerLab();
      try {
        c = await columnContainer(await image(), run, userspace, lifetimeS).start();
      } catch (e) {
        throw new NsmError("E_BACKEND", `cannot start a ${userspace} container: ${(e as Error).message}`);
      }
      const stop = () => void c.stop({ timeout: 0 }).catch(() => {});
      opts.cancel?.addEventListener("abort", stop, { once: true });
      try {
        const probe = await c.exec(["sh", "-c", TOOLS_PROBE]);
        const tools = parseToolVersions(probe.stdout);
        const batch = await eachScript(scripts, budgetsMs, opts, (s, budget, i) =>
          runOne(c, s, budget, i, opts),
        );
        return { ...batch, tools };
      } finally {
        opts.cancel?.removeEventListener("abort", stop);
        await c.stop({ timeout: 0 }).catch(() => {});
      }
    },
  };
}

/** Asks the engine once: undefined when it runs containers, else why not and what to do. */
export function dockerEngine(exec: Exec): EngineCheck {
  let answer: Promise<string | undefined> | undefined;
  return () => {
    answer ??= exec("docker", ["version", "--format", "{{.Server.Version}}"], {
      timeoutMs: 20_000,
      env: { PATH: searchPath() },
    }).then((r) => {
      if (r.exitCode === 0) return undefined;
      if (/ENOENT|not found/i.test(r.stderr) || r.exitCode === null)
        return "docker is not installed (apt-get install docker.io, or bash scripts/setup.sh)";
      return `the Docker daemon does not answer (start it: dockerd --bridge=none --iptables=false): ${r.stderr.trim().split("\n").at(-1)}`;
    });
    return answer;
  };
}
