// The host backend: runs a compiled script on this machine's own kernel.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import type { CompiledScript } from "../compile/index.js";
import type { ScriptRun } from "../results/tap.js";
import { cleanLeftovers } from "./clean.js";
import type { Exec } from "./exec.js";
import { searchPath } from "./preflight.js";

export interface RunScriptOptions {
  timeoutMs: number;
  timeoutScale: number;
  cancel?: AbortSignal;
  /** Each TAP line as the script prints it. */
  onLine?: (line: string) => void;
}

export interface Backend {
  /** A short label for the kernel, used as the matrix column: the kernel release. */
  kernel: string;
  runScript(script: CompiledScript, opts: RunScriptOptions): Promise<ScriptRun>;
}

/** A fresh run id: 8 hex digits, the suffix of every name a run makes. */
export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** The host kernel backend. `exec` is injected so tests can see what it runs. */
export function hostBackend(exec: Exec): Backend {
  return {
    kernel: release(),
    async runScript(script, opts) {
      const runId = newRunId();
      const file = join(tmpdir(), `nsm-${runId}.sh`);
      writeFileSync(file, script.text, { mode: 0o700 });
      try {
        const r = await exec("sh", [file], {
          timeoutMs: opts.timeoutMs,
          cancel: opts.cancel,
          onLine: opts.onLine,
          env: { NSM_RUN: runId, NSM_TIMEOUT_SCALE: String(opts.timeoutScale), PATH: searchPath() },
        });
        // A script that was killed could not tear down; remove what it left.
        if (r.signal || r.timedOut) await cleanLeftovers(exec, { runs: [runId], force: true });
        return {
          tap: r.stdout,
          exitCode: r.exitCode,
          signal: r.signal,
          timedOut: r.timedOut,
          stderr: r.stderr,
          durationMs: r.durationMs,
        };
      } finally {
        rmSync(file, { force: true });
      }
    },
  };
}
