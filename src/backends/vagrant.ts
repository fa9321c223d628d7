// The Vagrant backend: kernels this machine cannot boot in QEMU (3.10 in CentOS 7, 4.9 in Debian 9)
// run in the boxes of the Vagrantfile. It only transports: each compiled script goes in on the stdin
// of `vagrant ssh`, its TAP comes back on stdout. The script's own traps tear down (ssh dying gives
// it SIGHUP).
import { join } from "node:path";
import type { CompiledScript } from "../compile/index.js";
import { NsmError } from "../errors.js";
import { describeFailure, type Exec, hasTool, PROJECT_DIR, type ProcessResult } from "../system/index.js";
import { eachScript, finished, newRunId } from "./scripts.js";
import type { Backend, BatchOptions, ScriptRun } from "./types.js";

export interface VagrantOptions {
  exec: Exec;
  /** The directory holding the Vagrantfile (VAGRANT_CWD). */
  dir: string;
  log?: (message: string) => void;
}

/** The project's own Vagrantfile directory. */
export const PROJECT_VAGRANT_DIR = PROJECT_DIR;

const VAGRANT = "vagrant";
// `vagrant up` of a box downloads and boots it: minutes, not seconds.
const UP_TIMEOUT_MS = 30 * 60_000;
const SSH_TIMEOUT_MS = 120_000;

function vagrant(
  o: VagrantOptions,
  args: string[],
  extra: { timeoutMs: number; input?: string; cancel?: AbortSignal; onLine?: (l: string) => void },
) {
  return o.exec(VAGRANT, args, { ...extra, env: { VAGRANT_CWD: o.dir } });
}

/** `vagrant ssh` running one command, no tty, ssh quiet (no "Connection closed" on stderr). */
function sshArgs(machine: string, command: string): string[] {
  return ["ssh", machine, "--no-tty", "-c", command, "--", "-q"];
}

/** The `state` of a machine from `vagrant status --machine-readable` (e.g. running, poweroff, not_created). */
export function machineState(machineReadable: string, machine: string): string | undefined {
  for (const line of machineReadable.split("\n")) {
    const [, target, type, value] = line.trim().split(",");
    if (target === machine && type === "state") return value;
  }
  return undefined;
}

function fail(what: string, r: ProcessResult, code: "E_BACKEND" | "E_USAGE" = "E_BACKEND"): never {
  throw new NsmError(code, `vagrant: ${what}: ${describeFailure(r)}`);
}

async function ensureRunning(machine: string, o: VagrantOptions): Promise<void> {
  const st = await vagrant(o, ["status", machine, "--machine-readable"], { timeoutMs: SSH_TIMEOUT_MS });
  // A machine the Vagrantfile lacks is the user's to fix, like a bad file: exit status 2.
  if (st.exitCode !== 0) fail(`no machine "${machine}" in ${join(o.dir, "Vagrantfile")}`, st, "E_USAGE");
  const state = machineState(st.stdout, machine);
  if (state === "running") return;
  o.log?.(
    `vagrant:${machine} is ${state ?? "in an unknown state"}; vagrant up ${machine} (can take minutes)`,
  );
  const up = await vagrant(o, ["up", machine], {
    timeoutMs: UP_TIMEOUT_MS,
    onLine: (l) => l.trim() && o.log?.(`vagrant:${machine}: ${l.trim()}`),
  });
  if (up.exitCode !== 0) fail(`vagrant up ${machine}`, up);
}

async function runOne(
  machine: string,
  o: VagrantOptions,
  script: CompiledScript,
  budgetMs: number,
  i: number,
  opts: BatchOptions,
): Promise<ScriptRun> {
  // NSM_RUN is 8 hex digits and the scale a number: nothing from a user's file reaches this line.
  const command = `sudo env NSM_RUN=${newRunId()} NSM_TIMEOUT_SCALE=${Number(opts.timeoutScale)} sh -s`;
  const r = await vagrant(o, sshArgs(machine, command), {
    timeoutMs: budgetMs + SSH_TIMEOUT_MS,
    input: script.text,
    cancel: opts.cancel,
    onLine: (line) => opts.onLine?.(i, line),
  });
  return finished(r, i, opts);
}

/** Brings the machine up if needed, reads its `uname -r`, and returns a backend that runs scripts in it. */
export async function vagrantBackend(machine: string, o: VagrantOptions): Promise<Backend> {
  if (!hasTool(VAGRANT)) {
    throw new NsmError(
      "E_TOOL",
      `kernel vagrant:${machine} needs vagrant and a provider (libvirt or VirtualBox): apt-get install vagrant vagrant-libvirt`,
    );
  }
  await ensureRunning(machine, o);
  const u = await vagrant(o, sshArgs(machine, "uname -r"), { timeoutMs: SSH_TIMEOUT_MS });
  const release = u.stdout.trim().split("\n").at(-1)?.trim() ?? "";
  if (u.exitCode !== 0 || !/^\d+\.\d+/.test(release)) fail(`uname -r in ${machine}`, u);
  o.log?.(`vagrant:${machine} runs ${release}`);
  return {
    kernel: release,
    label: `vagrant:${machine}`,
    // A box has its own tools: "host" there means the box's.
    userspace: "host",
    machine: "vagrant",
    // Its ping is older than iputils s20190515 (CentOS 7, stretch): -W in whole seconds.
    pingWholeSeconds: true,
    runBatch: (scripts, budgetsMs, opts) =>
      eachScript(scripts, budgetsMs, opts, (s, budget, i) => runOne(machine, o, s, budget, i, opts)),
  };
}
