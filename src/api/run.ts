// run(): the one path from scenarios to results, for the command line and the TypeScript API
// alike. It owns what a run needs besides the pipeline: the defaults, the checks before any work
// (root, tools, variants, options that do not go together), the backends of each column, and the
// signals that stop it.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { PROJECT_VAGRANT_DIR } from "../backends/index.js";
import type { AccelMode } from "../backends/qemu/index.js";
import { variantTools } from "../compile/index.js";
import { NsmError } from "../errors.js";
import { defaultCacheDir, type KernelProgress, parseKernelList } from "../kernels/index.js";
import { loadScenario, type ScenarioModel } from "../model/index.js";
import { type CompletedRun, completeRun } from "../results/index.js";
import type { ProgressEvent } from "../run/index.js";
import { columnBackends, type HeldRun, runMatrix, selectedVariants } from "../run/index.js";
import { exec, requireRoot, requireTools } from "../system/index.js";
import {
  cachedUserspace,
  defaultUserspaceDir,
  formatUserspaceSpec,
  parseUserspaceList,
} from "../userspace/index.js";

export interface RunApiOptions {
  /** Kernel specs, as --kernel takes them (default ["host"]). */
  kernels?: string[];
  /** Userspace specs, as --userspace takes them (default ["host"]). */
  userspaces?: string[];
  /** Only these variants (default: all). */
  variants?: string[];
  /** Runs of each variant (default 1); disagreeing runs are FLAKY. */
  repeat?: number;
  /** Guest kernels booted at once (default: the cores). */
  jobs?: number;
  /** Variants at once on one kernel (default: twice the cores, 4 at least). */
  variantJobs?: number;
  /** Multiplies the waits for a service's answer (default: 1 on the host, 3 in guests). */
  timeoutScale?: number;
  /** Trace where the packets of a check that should have got through died (default true). */
  diagnose?: boolean;
  /** Keep pcaps of each check's path in this folder. */
  artifacts?: string;
  /** With artifacts: the pcaps of checks that missed what they should do (default), or of all. */
  capture?: "failed" | "all";
  /** Guest acceleration (default auto: KVM only when a short probe boots). */
  accel?: AccelMode;
  /** Where guest kernels are kept (default ~/.cache/nsmatrix/kernels). */
  cacheDir?: string;
  /** Where built userspaces are kept. */
  userspaceDir?: string;
  /** The folder of the Vagrantfile for vagrant:MACHINE kernels. */
  vagrantDir?: string;
  /** Host kernel only: after a variant with a failure, hold its topology up until this resolves. */
  keep?: (held: HeldRun) => Promise<void>;
  /** Stops the run (as SIGINT and SIGTERM do while it runs). */
  cancel?: AbortSignal;
  /** Each step as it happens: kernels, variants, script lines. */
  onProgress?: (e: ProgressEvent) => void;
  /** Download and build progress, one line at a time (default: none). */
  onLine?: (line: string) => void;
  /** Download progress of a guest kernel, as it goes (default: none). */
  kernelProgress?: KernelProgress;
}

/** The defaults of a run, as --help states them. */
export const RUN_DEFAULTS = {
  jobs: () => availableParallelism(),
  variantJobs: () => Math.max(4, availableParallelism() * 2),
  repeat: 1,
} as const;

const GUEST_TOOLS = ["qemu-system-x86_64", "busybox", "xz", "dpkg-deb", "depmod"];

function checkVariants(scenarios: ScenarioModel[], wanted?: string[]): void {
  for (const w of wanted ?? []) {
    if (!scenarios.some((sc) => sc.variants.some((v) => v.name === w))) {
      const known = [...new Set(scenarios.flatMap((sc) => sc.variants.map((v) => v.name)))].join(", ");
      throw new NsmError("E_USAGE", `unknown variant "${w}" (known: ${known})`);
    }
  }
}

/**
 * Runs scenarios (models, or files' paths) on kernels × userspaces and resolves to the typed
 * results. Everything that can be refused is refused before any namespace is made or kernel fetched.
 */
export async function run(
  scenarios: (ScenarioModel | string)[],
  opts: RunApiOptions = {},
): Promise<CompletedRun> {
  const models = scenarios.map((s) => (typeof s === "string" ? loadScenario(s) : s));
  checkVariants(models, opts.variants);
  const kernels = parseKernelList((opts.kernels ?? ["host"]).join(","));
  const userspaces = parseUserspaceList((opts.userspaces ?? ["host"]).join(","));
  const userspaceDir = opts.userspaceDir ?? defaultUserspaceDir();
  if (opts.keep && (kernels.some((k) => k.kind !== "host") || !userspaces.every((u) => u.kind === "host")))
    throw new NsmError("E_USAGE", "--keep holds runs on the host kernel only (-k host)");
  if (opts.capture && !opts.artifacts) throw new NsmError("E_USAGE", "--capture needs --artifacts DIR");
  if (kernels.some((k) => k.kind === "host")) requireRoot("nsmatrix run on the host kernel");
  const unbuilt = userspaces.filter((u) => u.kind === "debian" && !cachedUserspace(userspaceDir, u));
  if (unbuilt.length) requireRoot(`building ${unbuilt.map(formatUserspaceSpec).join(", ")} (debootstrap)`);
  const compile = {
    diagnose: opts.diagnose ?? true,
    ...(opts.artifacts ? { capture: opts.capture ?? "failed" } : {}),
  };
  const hostTools = userspaces.some((u) => u.kind === "host");
  requireTools([
    "sh",
    ...(hostTools
      ? models.flatMap((sc) =>
          selectedVariants(sc, opts.variants).flatMap((v) => variantTools(sc, v, compile)),
        )
      : []),
    ...(kernels.some((k) => k.kind === "debian" || k.kind === "file") ? GUEST_TOOLS : []),
    ...(unbuilt.length ? ["debootstrap"] : []),
  ]);

  const progress = opts.onProgress;
  const backends = await columnBackends(kernels, userspaces, {
    exec,
    accel: opts.accel ?? "auto",
    cacheDir: opts.cacheDir ?? defaultCacheDir(),
    userspaceDir,
    vagrantDir: opts.vagrantDir ?? process.env.VAGRANT_CWD ?? PROJECT_VAGRANT_DIR,
    kernelProgress: opts.kernelProgress ?? (() => {}),
    log: (label, message) => progress?.({ kind: "log", label, message }),
    print: opts.onLine ?? (() => {}),
  });

  // SIGINT and SIGTERM stop the run; its teardown still runs. `on`, not `once`: execa's exit hook
  // re-raises a signal that has no listener left.
  const abort = new AbortController();
  const stop = () => abort.abort();
  opts.cancel?.addEventListener("abort", stop);
  process.on("SIGINT", stop).on("SIGTERM", stop);
  try {
    const report = await runMatrix(models, backends, {
      variants: opts.variants,
      repeat: opts.repeat ?? RUN_DEFAULTS.repeat,
      // A kept run waits for the user: one variant at a time, so their pauses do not interleave.
      jobs: opts.keep ? 1 : (opts.variantJobs ?? RUN_DEFAULTS.variantJobs()),
      kernelJobs: opts.keep ? 1 : (opts.jobs ?? RUN_DEFAULTS.jobs()),
      ...(opts.keep ? { keep: opts.keep } : {}),
      ...(opts.timeoutScale !== undefined ? { timeoutScale: opts.timeoutScale } : {}),
      cancel: abort.signal,
      ...(progress ? { progress } : {}),
      diagnose: compile.diagnose,
      ...(opts.artifacts ? { artifacts: resolve(opts.artifacts), capture: opts.capture ?? "failed" } : {}),
    });
    if (abort.signal.aborted)
      throw new NsmError("E_INTERRUPTED", "interrupted; everything the run made was removed");
    return completeRun(report);
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop);
    opts.cancel?.removeEventListener("abort", stop);
  }
}
