// What every backend offers: run a batch of compiled scripts on one kernel.
import type { CompiledScript } from "../compile/index.js";
import type { ScriptRun } from "../script-run.js";
import type { ToolVersions } from "../userspace/index.js";

export type { ScriptRun };

export interface BatchOptions {
  /** Multiplies every check timeout (slow guests). */
  timeoutScale: number;
  /** Scripts run at once (the host runs variants concurrently; a guest may run them in turn). */
  jobs: number;
  cancel?: AbortSignal;
  /** Each TAP line of a script, as it is printed (when the backend can stream). */
  onLine?: (index: number, line: string) => void;
  /** Called as each script finishes. */
  onDone?: (index: number, run: ScriptRun) => void;
  /** Human progress: booting, downloading, which accelerator. */
  log?: (message: string) => void;
  /**
   * Hold each script after its checks, topology up (`run --keep`): called with the commands that
   * enter each node; the script tears down once the promise settles. Only the host can hold.
   */
  onHold?: (index: number, enter: string[]) => Promise<void>;
  /**
   * Where each script's pcaps must end up (a folder on this machine, made by the caller): the
   * script writes them to $NSM_ARTIFACTS, which the backend points somewhere the script can
   * reach, and moves them here when it is done.
   */
  artifacts?: (index: number) => string;
}

/** The outcome of a batch: one run per script (undefined when it never ran), and a crash if the kernel died. */
export interface BatchRun {
  runs: (ScriptRun | undefined)[];
  crash?: { kind: string; excerpt: string };
  /** The versions of ip, nft, iptables and ebtables the scripts ran with. */
  tools?: ToolVersions;
  /** Why the whole column was not run (no container engine, say): its checks are skipped. */
  skip?: string;
  /** The accelerator a guest ran under. */
  accel?: "kvm" | "tcg";
}

export interface Backend {
  /** `uname -r` of the kernel the scripts run on: the matrix column and the key for expectations. */
  kernel: string;
  /** How the user named it: `host`, `debian:6.1`, `file:...`. */
  label: string;
  /** Whose tools the scripts run with: `host`, `debian:bullseye`, `docker:IMAGE`. */
  userspace: string;
  /** Where the kernel runs: the host's own, a QEMU guest, a Vagrant box (reports say which). */
  machine?: "host" | "qemu" | "vagrant";
  /** Check-timeout multiplier when the user gives none (slow emulated guests need more). */
  defaultTimeoutScale?: number;
  /** Its ping reads -W in whole seconds only (old iputils: CentOS 7, stretch). */
  pingWholeSeconds?: boolean;
  runBatch(scripts: CompiledScript[], budgetsMs: number[], opts: BatchOptions): Promise<BatchRun>;
}
