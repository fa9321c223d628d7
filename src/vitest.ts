// nsmatrix/vitest: a scenario's checks × kernels as vitest tests, so a TypeScript project keeps
// its network tests in its own suite. One run per suite (in beforeAll); each test is one result.
import { beforeAll, describe, expect, it } from "vitest";
import { type RunApiOptions, run } from "./api/index.js";
import { loadScenario, type ScenarioModel } from "./model/index.js";
import type { Result, RunReport } from "./results/index.js";
import { selectedVariants } from "./run/index.js";

export interface SuiteOptions extends RunApiOptions {
  /** How long the whole run may take, in ms (default 10 minutes: guests boot under TCG). */
  timeoutMs?: number;
}

// A result as a line of a failed test: the verdict and the evidence's shortfall.
function why(r: Result): string {
  if (r.status === "error" || r.status === "crash" || r.status === "skip") return `${r.status}: ${r.reason}`;
  return `${r.status}: expected ${r.expected}, saw ${r.outcome}`;
}

/**
 * Declares one vitest suite per scenario, and in it one test per variant × check × column
 * (kernel × userspace, in the order given). A test passes on pass and xfail, is skipped on skip,
 * and fails otherwise, with the verdict in its message.
 */
export function nsmatrixSuite(scenarios: (ScenarioModel | string)[], opts: SuiteOptions = {}): void {
  const models = scenarios.map((s) => (typeof s === "string" ? loadScenario(s) : s));
  const kernels = opts.kernels ?? ["host"];
  const userspaces = opts.userspaces ?? ["host"];
  const columns = kernels.flatMap((k) => userspaces.map((u) => ({ k, u })));
  let report: RunReport | undefined;
  beforeAll(async () => {
    report = await run(models, { ...opts, kernels, userspaces });
  }, opts.timeoutMs ?? 600_000);
  for (const sc of models) {
    describe(sc.name, () => {
      for (const variant of selectedVariants(sc, opts.variants)) {
        for (const check of sc.checks) {
          columns.forEach(({ k, u }, i) => {
            const label = u === "host" ? k : `${k} · ${u}`;
            it(`${variant} / ${check.name} [${label}]`, (ctx) => {
              const column = report?.columns[i];
              const r = report?.results.find(
                (x) =>
                  x.scenario === sc.name &&
                  x.variant === variant &&
                  x.check === check.name &&
                  x.kernel === column?.kernel &&
                  x.userspace === column?.userspace,
              );
              if (!r) throw new Error(`no result for ${sc.name}/${variant}/${check.name} on ${label}`);
              if (r.status === "skip") ctx.skip();
              expect(["pass", "xfail"], why(r)).toContain(r.status);
            });
          });
        }
      }
    });
  }
}
