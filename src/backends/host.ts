// The host backend: runs compiled scripts on this machine's own kernel.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import type { CompiledScript } from "../compile/index.js";
import { pool } from "../pool.js";
import type { ScriptRun } from "../results/tap.js";
import { cleanLeftovers } from "./clean.js";
import type { Exec, ProcessResult } from "./exec.js";
import { searchPath } from "./preflight.js";
import type { Backend, BatchOptions } from "./types.js";

/** A fresh run id: 8 hex digits, the suffix of every name a run makes. */
export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** A script's process result as a ScriptRun, reported to `onDone`. */
export function finished(r: ProcessResult, i: number, opts: BatchOptions): ScriptRun {
  const run: ScriptRun = {
    tap: r.stdout,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    stderr: r.stderr,
    durationMs: r.durationMs,
  };
  opts.onDone?.(i, run);
  return run;
}

async function runOne(exec: Exec, script: CompiledScript, budgetMs: number, i: number, opts: BatchOptions) {
  const runId = newRunId();
  const file = join(tmpdir(), `nsm-${runId}.sh`);
  writeFileSync(file, script.text, { mode: 0o700 });
  try {
    const r = await exec("sh", [file], {
      timeoutMs: budgetMs,
      cancel: opts.cancel,
      onLine: (line) => opts.onLine?.(i, line),
      env: { NSM_RUN: runId, NSM_TIMEOUT_SCALE: String(opts.timeoutScale), PATH: searchPath() },
    });
    // A script that was killed could not tear down; remove what it left.
    if (r.signal || r.timedOut) await cleanLeftovers(exec, { runs: [runId], force: true });
    return finished(r, i, opts);
  } finally {
    rmSync(file, { force: true });
  }
}

/** The host kernel backend. `exec` is injected so tests can see what it runs. */
export function hostBackend(exec: Exec): Backend {
  return {
    kernel: release(),
    label: "host",
    async runBatch(scripts, budgetsMs, opts) {
      const tasks = scripts.map(
        (s, i) => async () =>
          opts.cancel?.aborted ? undefined : runOne(exec, s, budgetsMs[i] ?? 60_000, i, opts),
      );
      return { runs: await pool(opts.jobs, tasks) };
    },
  };
}
