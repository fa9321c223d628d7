// The QEMU backend: every script of a run in one boot of a guest kernel.
import { NsmError } from "../errors.js";
import type { GuestKernel } from "../kernels/index.js";
import type { Exec } from "../system/index.js";
import type { AccelMode } from "./qemu/index.js";
import { runInGuest } from "./qemu/index.js";
import type { Backend } from "./types.js";

export interface GuestBackendOptions {
  exec: Exec;
  accel: AccelMode;
  cacheDir: string;
  /** A userspace's root filesystem as the guest's root, in place of the host's `/`. */
  userspace?: { spec: string; root: string };
}

// Boot, module loading and power-off, on top of the scripts' own budgets (TCG is slow).
const BOOT_BUDGET_MS = 120_000;

/** A backend that boots `kernel` under QEMU and runs the batch inside it. */
export function guestBackend(kernel: GuestKernel, o: GuestBackendOptions): Backend {
  return {
    kernel: kernel.release,
    label: kernel.spec,
    userspace: o.userspace?.spec ?? "host",
    machine: "qemu",
    // Under TCG a guest runs several times slower than the host.
    defaultTimeoutScale: 3,
    async runBatch(scripts, budgetsMs, opts) {
      const g = await runInGuest(
        kernel,
        scripts.map((s, i) => ({
          id: `${s.scenario}/${s.variant}#${i + 1}`,
          script: s.text,
          ...(opts.artifacts ? { pcaps: opts.artifacts(i) } : {}),
        })),
        {
          accel: o.accel,
          exec: o.exec,
          cacheDir: o.cacheDir,
          root: o.userspace?.root,
          timeoutScale: opts.timeoutScale,
          concurrency: opts.jobs,
          timeoutMs: BOOT_BUDGET_MS + budgetsMs.reduce((a, b) => a + b, 0),
          log: opts.log,
          ...(opts.onLine ? { onLine: opts.onLine } : {}),
        },
      );
      if (g.release && g.release !== kernel.release) {
        throw new NsmError(
          "E_BACKEND",
          `guest runs ${g.release}, not the requested ${kernel.spec} (${kernel.release})`,
        );
      }
      opts.log?.(
        `${g.accel.toUpperCase()}: guest up in ${(g.bootMs / 1000).toFixed(1)} s, done in ${(g.totalMs / 1000).toFixed(1)} s`,
      );
      const runs = g.jobs.map((j, i) => {
        if (j.exitCode === null && !j.tap && g.crash) return undefined;
        const run = {
          tap: j.tap,
          exitCode: j.exitCode,
          timedOut: j.exitCode === null && g.timedOut,
          // A job that never finished is charged the whole boot, which is what timed out.
          durationMs: j.exitCode === null ? g.totalMs : j.durationMs,
          stderr:
            j.exitCode === null && g.timedOut
              ? `${j.stderr}guest timed out; console tail:\n${g.console.split("\n").slice(-5).join("\n")}`
              : j.stderr,
        };
        opts.onDone?.(i, run);
        return run;
      });
      return { runs, tools: g.tools, accel: g.accel, ...(g.crash ? { crash: g.crash } : {}) };
    },
  };
}
