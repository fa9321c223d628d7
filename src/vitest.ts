// nsmatrix/vitest: a scenario's checks × kernels as vitest tests, so a TypeScript project keeps
// its network tests in its own suite. One run per suite (in beforeAll); each test is one result.
import { beforeAll, describe, it } from "vitest";
import { type RunApiOptions, run } from "./api/index.js";
import { loadScenario, type ScenarioModel } from "./model/index.js";
import type { RunReport } from "./results/index.js";
import { problemText } from "./results/reporters/index.js";
import { selectedVariants } from "./run/index.js";

export interface SuiteOptions extends RunApiOptions {
  /** How long the whole run may take, in ms (default 10 minutes: guests boot under TCG). */
  timeoutMs?: number;
}

// Namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN); without it every test skips, saying so.
const NOT_ROOT =
  process.geteuid?.() === 0
    ? undefined
    : "nsmatrix needs root to create network namespaces (run the suite as root, or in a container with CAP_NET_ADMIN and CAP_SYS_ADMIN)";

/**
 * Declares one vitest suite per scenario, and in it one test per variant × check × column
 * (kernel × userspace, in the order given). A test passes on pass and xfail, is skipped on skip
 * (and when not root), and fails otherwise, with the verdict and the evidence in its message.
 */
export function nsmatrixSuite(scenarios: (ScenarioModel | string)[], opts: SuiteOptions = {}): void {
  const models = scenarios.map((s) => (typeof s === "string" ? loadScenario(s) : s));
  const kernels = opts.kernels ?? ["host"];
  const userspaces = opts.userspaces ?? ["host"];
  const columns = kernels.flatMap((k) => userspaces.map((u) => ({ k, u })));
  let report: RunReport | undefined;
  beforeAll(async () => {
    if (NOT_ROOT === undefined) report = await run(models, { ...opts, kernels, userspaces });
  }, opts.timeoutMs ?? 600_000);
  for (const sc of models) {
    describe(sc.name, () => {
      for (const variant of selectedVariants(sc, opts.variants)) {
        for (const check of sc.checks) {
          columns.forEach(({ k, u }, i) => {
            const label = u === "host" ? k : `${k} · ${u}`;
            it(`${variant} / ${check.name} [${label}]`, async (ctx) => {
              if (NOT_ROOT !== undefined) ctx.skip(NOT_ROOT);
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
              if (r.verdict === "skip") ctx.skip(r.reason);
              // The check's own time: vitest's clock only measures reading the finished run.
              if ("evidence" in r && r.evidence)
                await ctx.annotate(`the check took ${(r.evidence.durationMs / 1000).toFixed(2)} s`);
              // The message is the one the pretty report prints: verdict, what was seen, evidence.
              if (r.verdict !== "pass" && r.verdict !== "xfail") throw new Error(problemText(r));
            });
          });
        }
      }
    });
  }
}
