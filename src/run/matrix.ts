// The pipeline for `nsmatrix run`: model → scripts → backends (one per kernel) → TAP → results.
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import semver from "semver";
import type { Backend, BatchRun } from "../backends/index.js";
import type { CompileOptions } from "../checks/index.js";
import { type CompiledScript, compileVariant, drawTopology } from "../compile/index.js";
import type { ScenarioModel } from "../model/index.js";
import { VERSION } from "../package.js";
import { pool } from "../pool.js";
import {
  assembleResults,
  type Column,
  exitCodeOf,
  kernelSemver,
  type Observation,
  observationsFromTap,
  type Result,
  type RunReport,
} from "../results/index.js";
import { makeFolder } from "../system/index.js";
import type { Progress } from "./progress.js";

export interface RunOptions {
  variants?: string[];
  repeat: number;
  /** Variant runs at once on the host. */
  jobs: number;
  /** Kernels (guests) at once. */
  kernelJobs: number;
  /** Overrides each backend's own timeout scale. */
  timeoutScale?: number;
  cancel?: AbortSignal;
  progress?: Progress;
  /**
   * `--keep`: after a variant whose checks did not all meet their expectations, the topology stays
   * up until this resolves (the user has looked inside).
   */
  keep?: (held: HeldRun) => Promise<void>;
  /** Trace where packets of a check that should have got through died (default true). */
  diagnose?: boolean;
  /** `--artifacts DIR`: pcaps go to DIR/<scenario>/<variant>/<column>/<check>.<node>.pcap. */
  artifacts?: string;
  /** Which checks keep their pcaps: those that missed (default), or all. */
  capture?: "failed" | "all";
}

/** A variant held after its checks, with what went wrong and how to enter its nodes. */
export interface HeldRun {
  label: string;
  scenario: string;
  variant: string;
  problems: string[];
  enter: string[];
}

// Set-up and teardown allowance on top of the checks' own timeouts.
const SETUP_BUDGET_S = 30;

/** One run of one variant: what the matrix schedules on every column. */
export interface Job {
  sc: ScenarioModel;
  variant: string;
  repeat: number;
}

/** A job with the script compiled for its column (that column's timeout scale and ping). */
interface ColumnJob extends Job {
  script: CompiledScript;
}

function budgetMs(script: CompiledScript, scale: number): number {
  const { fixedS, answerS } = script.budget;
  return (SETUP_BUDGET_S + script.setupS * scale + fixedS + answerS * scale) * 1000;
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

/** The jobs of a run: every selected variant of every scenario, `repeat` times. */
export function planJobs(scenarios: ScenarioModel[], variants: string[] | undefined, repeat: number): Job[] {
  return scenarios.flatMap((sc) =>
    selectedVariants(sc, variants).flatMap((variant) =>
      Array.from({ length: repeat }, (_, r) => ({ sc, variant, repeat: r + 1 })),
    ),
  );
}

function summary(obs: Observation[]): string {
  const counts = new Map<string, number>();
  for (const o of obs) {
    const k = o.status === "observed" ? o.outcome : o.status;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}

/** The folder of a column's pcaps: its kernel, and its userspace when not the host's. */
export function columnFolder(b: { kernel: string; userspace: string }): string {
  const name = b.userspace === "host" ? b.kernel : `${b.kernel}+${b.userspace}`;
  return name.replace(/[^A-Za-z0-9_.+-]/g, "-");
}

// The script names its pcaps <check>.<node>.pcap, and the backend brings them to the column's
// folder: the evidence names each by its full path (none the backend could not bring back).
function placePcaps(obs: Observation[], dir: string | undefined): Observation[] {
  if (!dir) return obs;
  return obs.map((o) => {
    if (o.status !== "observed" || !o.evidence.pcaps) return o;
    const pcaps = o.evidence.pcaps.map((f) => join(dir, f)).filter((f) => existsSync(f));
    return { ...o, evidence: { ...o.evidence, pcaps } };
  });
}

function resultsOf(
  jobs: ColumnJob[],
  batch: BatchRun,
  backend: Backend,
  dirs: (i: number) => string | undefined,
): Result[] {
  const byVariant = new Map<string, { job: ColumnJob; repeats: Observation[][] }>();
  jobs.forEach((job, i) => {
    const key = `${job.sc.file}\0${job.script.variant}`;
    const entry = byVariant.get(key) ?? { job, repeats: [] };
    byVariant.set(key, entry);
    const run = batch.runs[i];
    if (run) entry.repeats.push(placePcaps(observationsFromTap(run, job.script.checks), dirs(i)));
  });
  return [...byVariant.values()].flatMap(({ job, repeats }) => {
    const key = {
      scenario: job.sc.name,
      variant: job.script.variant,
      kernel: backend.kernel,
      userspace: backend.userspace,
    };
    // The column could not run at all (no container engine): every check says why.
    if (batch.skip) {
      const reason = batch.skip;
      return job.sc.checks.map((c): Result => ({ ...key, check: c.name, verdict: "skip", reason }));
    }
    // The kernel died before this variant finished: its checks crashed with it.
    const incomplete = repeats.length === 0 || repeats.some((r) => r.some((o) => o.status === "error"));
    if (batch.crash && incomplete) {
      return job.sc.checks.map(
        (c): Result => ({
          ...key,
          check: c.name,
          verdict: "crash",
          reason: `kernel ${batch.crash?.kind}`,
          console: batch.crash?.excerpt ?? "",
        }),
      );
    }
    const filled = repeats.length
      ? repeats
      : [
          job.script.checks.map((check) => ({
            check,
            status: "error" as const,
            reason: "not run (interrupted)",
          })),
        ];
    return assembleResults({ ...key, checks: job.sc.checks }, filled);
  });
}

// The results of a script's TAP so far, by the report's rules (checks not yet run are errors).
function resultsSoFar(job: ColumnJob, tap: string, backend: Backend): Result[] {
  const run = { tap, exitCode: 0, timedOut: false, stderr: "", durationMs: 0 };
  return assembleResults(
    {
      scenario: job.sc.name,
      variant: job.script.variant,
      kernel: backend.kernel,
      userspace: backend.userspace,
      checks: job.sc.checks,
    },
    [observationsFromTap(run, job.script.checks)],
  );
}

// The problems among a script's results so far, as `check: verdict`.
function problemsOf(job: ColumnJob, tap: string, backend: Backend): string[] {
  return resultsSoFar(job, tap, backend)
    .filter((r) => exitCodeOf([r]) !== 0)
    .map((r) => `${r.check}: ${r.verdict}`);
}

// A point is complete when the selftest line that follows its YAML is printed (report.sh pads
// "[ OK ]" and "[FAIL]" to the width of "[XFAIL]", so one or two spaces follow).
const POINT_DONE = /^# \[(?: OK |FAIL|XFAIL|XPASS|SKIP)\] +([^:]+): /;
const POINT = /^(not )?ok \d+ /;

// Each column runs the scripts compiled for it: its timeout scale and its ping are literal in them.
// A variant is compiled once per column, whatever its repeats.
function compiledFor(jobs: Job[], backend: Backend, opts: RunOptions, scale: number): ColumnJob[] {
  const options: Partial<CompileOptions> = {
    timeoutScale: scale,
    pingWholeSeconds: backend.pingWholeSeconds ?? false,
    diagnose: opts.diagnose ?? true,
    ...(opts.artifacts ? { capture: opts.capture ?? "failed" } : {}),
  };
  const memo = new Map<string, CompiledScript>();
  return jobs.map((j) => {
    const key = `${j.sc.file}\0${j.variant}`;
    const script = memo.get(key) ?? compileVariant(j.sc, j.variant, options);
    memo.set(key, script);
    return { ...j, script };
  });
}

async function runOnBackend(
  planned: Job[],
  backend: Backend,
  index: number,
  opts: RunOptions,
): Promise<ColumnRun> {
  const started = Date.now();
  // Progress names the column: the kernel as the user named it, and whose tools when not the host's.
  const label = backend.userspace === "host" ? backend.label : `${backend.label} · ${backend.userspace}`;
  // Each script's lines so far, and its last top-level point.
  const taps = new Map<number, string[]>();
  const points = new Map<number, string>();
  const keep = opts.keep;
  const scale = opts.timeoutScale ?? backend.defaultTimeoutScale ?? 1;
  const jobs = compiledFor(planned, backend, opts, scale);
  const artifacts = opts.artifacts;
  const dirs = (i: number) => {
    const j = jobs[i];
    if (!artifacts || !j) return undefined;
    const repeat = j.repeat > 1 ? [`repeat-${j.repeat}`] : [];
    return join(artifacts, j.sc.name, j.script.variant, columnFolder(backend), ...repeat);
  };
  opts.progress?.({
    kind: "kernel-start",
    label,
    kernel: backend.kernel,
    scripts: jobs.length,
  });
  const batch = await backend.runBatch(
    jobs.map((j) => j.script),
    jobs.map((j) => budgetMs(j.script, scale)),
    {
      timeoutScale: scale,
      jobs: safeJobs(backend.kernel, opts.jobs),
      cancel: opts.cancel,
      ...(artifacts
        ? {
            artifacts: (i: number) => {
              const d = dirs(i) as string;
              makeFolder(d);
              return d;
            },
          }
        : {}),
      log: (message) => opts.progress?.({ kind: "log", label, message }),
      onLine: (i, text) => {
        const lines = taps.get(i) ?? [];
        lines.push(text);
        taps.set(i, lines);
        const j = jobs[i];
        if (!j) return;
        const where = {
          label,
          column: index,
          scenario: j.sc.name,
          variant: j.script.variant,
          repeat: j.repeat,
        };
        opts.progress?.({ kind: "script-line", ...where, text });
        if (POINT.test(text)) points.set(i, text);
        const done = POINT_DONE.exec(text)?.[1];
        const result = done && resultsSoFar(j, lines.join("\n"), backend).find((r) => r.check === done);
        if (result)
          opts.progress?.({
            kind: "check-done",
            ...where,
            machine: backend.machine ?? "host",
            point: points.get(i) ?? text,
            result,
          });
      },
      ...(keep
        ? {
            onHold: async (i: number, enter: string[]) => {
              const j = jobs[i];
              const problems = j ? problemsOf(j, (taps.get(i) ?? []).join("\n"), backend) : [];
              if (j && problems.length)
                await keep({
                  label,
                  scenario: j.sc.name,
                  variant: j.script.variant,
                  problems,
                  enter,
                });
            },
          }
        : {}),
      onDone: (i, run) => {
        const j = jobs[i];
        if (!j) return;
        const obs = observationsFromTap(run, j.script.checks);
        opts.progress?.({
          kind: "variant-done",
          label,
          scenario: j.sc.name,
          variant: j.script.variant,
          repeat: j.repeat,
          durationMs: run.durationMs,
          summary: summary(obs),
          problems: problemsOf(j, run.tap, backend),
        });
      },
    },
  );
  opts.progress?.({
    kind: "kernel-done",
    label,
    kernel: backend.kernel,
    durationMs: Date.now() - started,
  });
  const column = {
    kernel: backend.kernel,
    userspace: backend.userspace,
    spec: backend.label,
    ...(batch.tools ? { tools: batch.tools } : {}),
    ...(backend.machine ? { machine: backend.machine } : {}),
    ...(batch.accel ? { accel: batch.accel } : {}),
    host: hostname(),
    durationMs: Date.now() - started,
  };
  return { column, results: resultsOf(jobs, batch, backend, dirs) };
}

interface ColumnRun {
  column: Column;
  results: Result[];
}

// Each scenario's topology (its first variant's) in one drawing format.
function drawings(scenarios: ScenarioModel[], format: "mermaid" | "dot"): Record<string, string> {
  return Object.fromEntries(
    scenarios.flatMap((sc) =>
      sc.variants[0] ? [[sc.name, drawTopology(sc.variants[0].topology, format)]] : [],
    ),
  );
}

/** Runs every selected variant of every scenario on every backend; one matrix column per backend (kernel × userspace). */
export async function runMatrix(
  scenarios: ScenarioModel[],
  backends: Backend[],
  opts: RunOptions,
): Promise<RunReport> {
  const started = Date.now();
  const jobs = planJobs(scenarios, opts.variants, opts.repeat);
  const perColumn = await pool(
    opts.kernelJobs,
    backends.map((b, i) => () => runOnBackend(jobs, b, i, opts)),
  );
  const done = perColumn;
  return {
    results: done.flatMap((c) => c.results),
    columns: done.map((c) => c.column),
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    hostname: hostname(),
    version: VERSION,
    graphs: drawings(scenarios, "mermaid"),
    dot: drawings(scenarios, "dot"),
  };
}
