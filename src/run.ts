// The pipeline for `nsmatrix run`: model → script → backend → TAP → results.

import semver from "semver";
import type { Backend } from "./backends/index.js";
import { type CompiledScript, compileVariant } from "./compile/index.js";
import type { ScenarioModel } from "./model/index.js";
import type { Progress } from "./progress.js";
import {
  assembleResults,
  kernelSemver,
  observationsFromTap,
  type Result,
  type RunReport,
} from "./results/index.js";

export interface RunOptions {
  variants?: string[];
  repeat: number;
  jobs: number;
  timeoutScale: number;
  cancel?: AbortSignal;
  progress?: Progress;
}

// Set-up and teardown allowance on top of the checks' own timeouts.
const SETUP_BUDGET_S = 30;

/** Runs `tasks` with at most `limit` at once, keeping their order in the output. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

function budgetMs(sc: ScenarioModel, scale: number): number {
  const t = sc.checks.map((c) => c.timeout);
  const checks = sc.parallel ? Math.max(0, ...t) : t.reduce((a, b) => a + b, 0);
  return (SETUP_BUDGET_S + checks * scale) * 1000;
}

/** The variants of a scenario selected by --variant (all when none given). */
export function selectedVariants(sc: ScenarioModel, wanted?: string[]): string[] {
  const names = sc.variants.map((v) => v.name);
  return wanted?.length ? names.filter((n) => wanted.includes(n)) : names;
}

// Before 5.3 the bridge-nf sysctls were global, not per namespace: variants must not overlap.
function safeJobs(kernel: string, jobs: number): number {
  const v = kernelSemver(kernel);
  return v && semver.lt(v, "5.3.0") ? 1 : jobs;
}

async function runVariant(sc: ScenarioModel, script: CompiledScript, backend: Backend, opts: RunOptions) {
  const repeats = [];
  const started = Date.now();
  for (let r = 1; r <= opts.repeat; r++) {
    if (opts.cancel?.aborted) break;
    opts.progress?.({
      kind: "variant-start",
      scenario: sc.name,
      variant: script.variant,
      kernel: backend.kernel,
      repeat: r,
    });
    const run = await backend.runScript(script, {
      timeoutMs: budgetMs(sc, opts.timeoutScale),
      timeoutScale: opts.timeoutScale,
      cancel: opts.cancel,
      onLine: (text) =>
        opts.progress?.({ kind: "script-line", scenario: sc.name, variant: script.variant, text }),
    });
    repeats.push(observationsFromTap(run, script.checks));
  }
  const results = assembleResults(
    { scenario: sc.name, variant: script.variant, kernel: backend.kernel, checks: sc.checks },
    repeats,
  );
  opts.progress?.({
    kind: "variant-done",
    scenario: sc.name,
    variant: script.variant,
    kernel: backend.kernel,
    durationMs: Date.now() - started,
    verdicts: results.map((r) => r.status),
  });
  return results;
}

/** Runs every selected variant of every scenario on one backend. */
export async function runScenarios(
  scenarios: ScenarioModel[],
  backend: Backend,
  opts: RunOptions,
): Promise<RunReport> {
  const started = Date.now();
  const tasks = scenarios.flatMap((sc) =>
    selectedVariants(sc, opts.variants).map(
      (v) => () => runVariant(sc, compileVariant(sc, v), backend, opts),
    ),
  );
  const results: Result[] = (await pool(safeJobs(backend.kernel, opts.jobs), tasks)).flat();
  return { results, kernels: [backend.kernel], durationMs: Date.now() - started };
}
