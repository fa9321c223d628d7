// The host backend: runs compiled scripts on this machine's own kernel.
import { rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import type { CompiledScript } from "../compile/index.js";
import { cleanLeftovers } from "./clean.js";
import type { Exec } from "./exec.js";
import { searchPath } from "./preflight.js";
import { eachScript, finished, newRunId } from "./scripts.js";
import type { Backend, BatchOptions } from "./types.js";

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
    runBatch: (scripts, budgetsMs, opts) =>
      eachScript(scripts, budgetsMs, opts, (s, budget, i) => runOne(exec, s, budget, i, opts)),
  };
}
