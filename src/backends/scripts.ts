// What the backends that run one process per script share: the batch loop and its results.
import { randomBytes } from "node:crypto";
import type { CompiledScript } from "../compile/index.js";
import { pool } from "../pool.js";
import type { ProcessResult } from "../system/index.js";
import type { BatchOptions, BatchRun, ScriptRun } from "./types.js";

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

/** Runs each script with `runOne`, `opts.jobs` at a time; none starts once cancelled. */
export async function eachScript(
  scripts: CompiledScript[],
  budgetsMs: number[],
  opts: BatchOptions,
  runOne: (script: CompiledScript, budgetMs: number, i: number) => Promise<ScriptRun>,
): Promise<BatchRun> {
  const tasks = scripts.map(
    (s, i) => async () => (opts.cancel?.aborted ? undefined : runOne(s, budgetsMs[i] ?? 60_000, i)),
  );
  return { runs: await pool(opts.jobs, tasks) };
}
