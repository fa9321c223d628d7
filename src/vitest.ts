// nsmatrix/vitest: a scenario's checks × kernels as vitest tests, so a TypeScript project keeps
// its network tests in its own suite. One run per suite; each test is one result. The run's
// progress paces the tests: a variant's suite starts when its checks begin (its set-up is the
// suite's hook), and each test ends when its check's point ends, so vitest's clock measures it.
import { afterAll, beforeAll, describe, it } from "vitest";
import { type RunApiOptions, run } from "./api/index.js";
import { CHECKS_BEGIN } from "./compile/index.js";
import { loadScenario, type ScenarioModel } from "./model/index.js";
import type { Result, RunReport } from "./results/index.js";
import { problemText } from "./results/reporters/index.js";
import { type ProgressEvent, selectedVariants } from "./run/index.js";

export interface SuiteOptions extends RunApiOptions {
  /** How long the whole run may take, in ms (default 10 minutes: guests boot under TCG). */
  timeoutMs?: number;
}

// Namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN); without it every test skips, saying so.
const NOT_ROOT =
  process.geteuid?.() === 0
    ? undefined
    : "nsmatrix needs root to create network namespaces (run the suite as root, or in a container with CAP_NET_ADMIN and CAP_SYS_ADMIN)";

interface Where {
  column: number;
  scenario: string;
  variant: string;
}
type Cell = Where & { check: string };

const keyOf = (w: Where, check = "") => JSON.stringify([w.column, w.scenario, w.variant, check]);

function resultIn(report: RunReport, c: Cell): Result | undefined {
  const column = report.columns[c.column];
  return report.results.find(
    (x) =>
      x.scenario === c.scenario &&
      x.variant === c.variant &&
      x.check === c.check &&
      x.kernel === column?.kernel &&
      x.userspace === column?.userspace,
  );
}

// The moments the tests wait for, as the run reaches them: a variant's checks begin, a check's
// point ends with its result. Only with one repeat: later repeats change the verdict.
class Pacing {
  private readonly seen = new Map<string, Result | true>();
  private readonly waiting = new Map<string, (v: Result | true) => void>();
  report?: Promise<RunReport>;

  constructor(private readonly repeats: number) {}

  onProgress = (e: ProgressEvent): void => {
    if (this.repeats > 1) return;
    if (e.kind === "script-line" && e.text === CHECKS_BEGIN) this.reached(keyOf(e), true);
    if (e.kind === "check-done") {
      this.reached(keyOf(e), true); // a variant whose checks all skip prints no CHECKS_BEGIN
      this.reached(keyOf(e, e.result.check), e.result);
    }
  };

  private reached(key: string, v: Result | true): void {
    if (this.seen.has(key)) return;
    this.seen.set(key, v);
    this.waiting.get(key)?.(v);
  }

  private when(key: string): Promise<Result | true> {
    return new Promise((resolve) => {
      const v = this.seen.get(key);
      if (v) resolve(v);
      else this.waiting.set(key, resolve);
    });
  }

  /** Resolves when the variant's checks begin on that column, or when the run ends (a failed run
   * fails each test, with its error). */
  async checksBegin(w: Where): Promise<void> {
    await Promise.race([this.when(keyOf(w)), this.report?.catch(() => {})]);
  }

  /** The check's result as soon as it is known: when its point ends, or else from the report. */
  async result(c: Cell): Promise<Result | undefined> {
    const report = this.report as Promise<RunReport>;
    const v = await Promise.race([this.when(keyOf(c, c.check)), report.then((r) => resultIn(r, c))]);
    return v === true ? undefined : v;
  }

  /** The verdicts tests saw as their checks ended that the finished report contradicts. */
  async contradicted(): Promise<string[]> {
    const report = await (this.report as Promise<RunReport>);
    return [...this.seen].flatMap(([key, seen]) => {
      if (seen === true) return [];
      const [column] = JSON.parse(key) as [number];
      const final = resultIn(report, { column, ...seen });
      return final && final.verdict !== seen.verdict
        ? [
            `${seen.scenario}/${seen.variant}/${seen.check} [${report.columns[column]?.spec}]: ${seen.verdict}, then ${final.verdict}`,
          ]
        : [];
    });
  }
}

/**
 * Declares one vitest suite per scenario; in it, a suite per variant × column (kernel ×
 * userspace, in the order given) with a test per check. A test passes on pass and xfail, is
 * skipped on skip (and when not root), and fails otherwise, with the verdict and the evidence in
 * its message. The variant suites run concurrently, as the run's variants and columns do.
 */
export function nsmatrixSuite(scenarios: (ScenarioModel | string)[], opts: SuiteOptions = {}): void {
  const models = scenarios.map((s) => (typeof s === "string" ? loadScenario(s) : s));
  const kernels = opts.kernels ?? ["host"];
  const userspaces = opts.userspaces ?? ["host"];
  const columns = kernels.flatMap((k) => userspaces.map((u) => ({ k, u })));
  const timeout = opts.timeoutMs ?? 600_000;
  const pacing = new Pacing(opts.repeat ?? 1);
  beforeAll(() => {
    if (NOT_ROOT !== undefined) return;
    const onProgress = (e: ProgressEvent) => {
      pacing.onProgress(e);
      opts.onProgress?.(e);
    };
    pacing.report = run(models, { ...opts, kernels, userspaces, onProgress });
    // Every test awaits it; this keeps a failed run from being an unhandled rejection meanwhile.
    pacing.report.catch(() => {});
  });
  // A verdict seen as a check ended stands, unless the kernel crashed later in its variant.
  afterAll(async () => {
    if (!pacing.report) return;
    const changed = await pacing.contradicted();
    if (changed.length)
      throw new Error(`the finished run changed verdicts its tests had seen:\n  ${changed.join("\n  ")}`);
  }, timeout);
  for (const sc of models) {
    describe(sc.name, () => {
      for (const variant of selectedVariants(sc, opts.variants)) {
        columns.forEach(({ k, u }, column) => {
          const label = u === "host" ? k : `${k} · ${u}`;
          const where = { column, scenario: sc.name, variant };
          describe(`${variant} [${label}]`, { concurrent: true }, () => {
            // The variant's set-up (and a guest's boot) is this hook's time, not its first check's.
            beforeAll(() => (NOT_ROOT === undefined ? pacing.checksBegin(where) : undefined), timeout);
            for (const check of sc.checks) {
              it.sequential(
                check.name,
                async (ctx) => {
                  if (NOT_ROOT !== undefined) ctx.skip(NOT_ROOT);
                  const r = await pacing.result({ ...where, check: check.name });
                  if (!r) throw new Error(`no result for ${sc.name}/${variant}/${check.name} on ${label}`);
                  if (r.verdict === "skip") ctx.skip(r.reason);
                  // The message is the one the pretty report prints: verdict, what was seen, evidence.
                  if (r.verdict !== "pass" && r.verdict !== "xfail") throw new Error(problemText(r));
                },
                timeout,
              );
            }
          });
        });
      }
    });
  }
}
