// The host backend: runs compiled scripts on this machine's own kernel, each in its own mount and
// PID namespace, so that a run killed at any point (even by SIGKILL) leaves nothing behind.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import type { CompiledScript } from "../compile/index.js";
import type { Exec } from "../system/index.js";
import { searchPath } from "../system/index.js";
import { parseToolVersions, TOOLS_PROBE } from "../userspace/index.js";
import { hostArtifactsDir, moveArtifacts } from "./artifacts.js";
import { cleanLeftovers } from "./clean.js";
import { eachScript, finished, newRunId } from "./scripts.js";
import type { Backend, BatchOptions } from "./types.js";

// setpriv's parent-death signal kills unshare when nsmatrix dies; unshare's --kill-child kills the
// script, PID 1 of its PID namespace, and with it every process of the run. The private /run/netns
// and /tmp go with the mount namespace, and the network namespaces (and their veths) with them.
// --mount-proc: `ip netns pids` and $! must speak of the same PID namespace.
/** unshare's part: also what a container runs each script under (no parent-death signal there). */
export const UNSHARE = [
  "unshare",
  "--mount",
  "--propagation",
  "private",
  "--pid",
  "--fork",
  "--kill-child",
  "--mount-proc",
];
const ISOLATE = ["--pdeathsig", "KILL", ...UNSHARE];
/** Mounts the script's private /run/netns and /tmp, inside its own mount namespace. */
export const PRELUDE =
  "mkdir -p /run/netns && mount -t tmpfs -o mode=755 nsm-netns /run/netns && mount -t tmpfs -o mode=1777 nsm-tmp /tmp";

/** How a node of a held run can be entered from a shell. */
export function enterCommand(pid: number | undefined, namespace: string): string {
  const into = `ip netns exec ${namespace} sh`;
  return pid === undefined ? into : `nsenter --target ${pid} --mount ${into}`;
}

async function probeIsolation(exec: Exec): Promise<string | undefined> {
  const r = await exec("setpriv", [...ISOLATE, "sh", "-c", PRELUDE], { timeoutMs: 10_000 });
  return r.exitCode === 0 ? undefined : (r.stderr.trim().split("\n").at(-1) ?? `exit ${r.exitCode}`);
}

async function runOne(
  exec: Exec,
  isolated: boolean,
  script: CompiledScript,
  budgetMs: number,
  i: number,
  opts: BatchOptions,
) {
  const runId = newRunId();
  const env: Record<string, string> = {
    NSM_RUN: runId,
    NSM_TIMEOUT_SCALE: String(opts.timeoutScale),
    PATH: searchPath(),
  };
  // A held run waits, after its checks, for this file (in /run: seen inside and out) to go.
  const keep = opts.onHold ? `/run/nsm-${runId}.keep` : undefined;
  if (keep) {
    writeFileSync(keep, "");
    env.NSM_KEEP = keep;
  }
  // The run's files go to its private /tmp, whatever TMPDIR says outside.
  if (isolated) env.TMPDIR = "/tmp";
  const pcaps = opts.artifacts ? hostArtifactsDir(runId) : undefined;
  if (pcaps) {
    mkdirSync(pcaps, { mode: 0o700 });
    env.NSM_ARTIFACTS = pcaps;
  }
  let pid: number | undefined;
  try {
    const [file, args] = isolated
      ? ["setpriv", [...ISOLATE, "sh", "-c", `${PRELUDE} && exec sh -s`]]
      : ["sh", ["-s"]];
    const r = await exec(file, args as string[], {
      timeoutMs: budgetMs + (opts.onHold ? 24 * 3600_000 : 0),
      input: script.text,
      cancel: opts.cancel,
      env,
      onSpawn: (p) => {
        pid = p;
      },
      onLine: (line) => {
        opts.onLine?.(i, line);
        if (keep && line.startsWith("# holding")) {
          const enter = script.nodes.map((n) =>
            enterCommand(isolated ? pid : undefined, `nsm-${runId}-${n}`),
          );
          void opts.onHold?.(i, enter).finally(() => rmSync(keep, { force: true }));
        }
      },
    });
    // Without isolation a killed script could not tear down: remove what it left.
    if (!isolated && (r.signal || r.timedOut)) await cleanLeftovers(exec, { runs: [runId], force: true });
    return finished(r, i, opts);
  } finally {
    if (keep) rmSync(keep, { force: true });
    if (pcaps && opts.artifacts) moveArtifacts(pcaps, opts.artifacts(i));
  }
}

/** The host kernel backend. `exec` is injected so tests can see what it runs. */
export function hostBackend(exec: Exec): Backend {
  let isolation: Promise<string | undefined> | undefined;
  return {
    kernel: release(),
    label: "host",
    userspace: "host",
    machine: "host",
    async runBatch(scripts, budgetsMs, opts) {
      isolation ??= probeIsolation(exec);
      const why = await isolation;
      if (why)
        opts.log?.(
          `scripts run without their own mount and PID namespace (${why}): a killed run leaves its namespaces to nsmatrix clean`,
        );
      const probe = await exec("sh", ["-c", TOOLS_PROBE], { timeoutMs: 10_000, env: { PATH: searchPath() } });
      const batch = await eachScript(scripts, budgetsMs, opts, (s, budget, i) =>
        runOne(exec, !why, s, budget, i, opts),
      );
      return { ...batch, tools: parseToolVersions(probe.stdout) };
    },
  };
}
