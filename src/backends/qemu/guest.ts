// Boots a guest kernel once and runs a batch of compiled scripts in it; results come back over 9p.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NsmError } from "../../errors.js";
import type { GuestKernel } from "../../kernels/index.js";
import { describeFailure, type Exec } from "../../system/index.js";
import { parseToolVersions, type ToolVersions } from "../../userspace/index.js";
import { moveArtifacts } from "../artifacts.js";
import { type AccelMode, type ChooseAccel, chooseAccel as processChooser } from "./accel.js";
import { AGENT_FILES, type AgentJob, agentScript } from "./agent.js";
import { type ConsoleScan, scanConsole } from "./console.js";
import { AGENT } from "./init.js";
import { buildInitramfs } from "./initramfs.js";
import { QEMU, qemuArgs } from "./machine.js";
import { requireQemuHost } from "./preflight.js";
import { kvmProbe } from "./probe.js";
import { bootImage } from "./vmlinux.js";

/** A compiled script to run in the guest; `run` (8 hex) becomes its NSM_RUN, random by default. */
export interface GuestJob {
  id: string;
  script: string;
  run?: string;
  /** Where its pcaps go on the host, when it keeps any. */
  pcaps?: string;
}

/** One job's outcome, read back from the job directory. */
export interface GuestJobResult {
  id: string;
  /** Empty when the job did not finish. */
  tap: string;
  stderr: string;
  /** null when the job did not finish (timeout, crash). */
  exitCode: number | null;
  durationMs: number;
}

/** One boot: what ran where, how long it took, the whole console, and whether the kernel died. */
export interface GuestRun {
  accel: "kvm" | "tcg";
  /** `uname -r` seen inside the guest ("" if it never got that far). */
  release: string;
  /** QEMU start to the first job starting (all of totalMs if no job started). */
  bootMs: number;
  /** QEMU start to QEMU exit. */
  totalMs: number;
  console: string;
  crash?: { kind: string; excerpt: string };
  /** The versions of ip, nft, iptables and ebtables in the guest's root. */
  tools?: ToolVersions;
  /** Kernel WARNING lines seen on the console (not a crash by themselves). */
  warnings?: string[];
  timedOut: boolean;
  jobs: GuestJobResult[];
}

/** How to boot: accelerator, time limits, effects (exec, log) and the image cache. */
export interface GuestOptions {
  accel: AccelMode;
  /** Bounds the QEMU run (boot, every job, power-off); QEMU gets SIGTERM, then SIGKILL. */
  timeoutMs: number;
  timeoutScale: number;
  exec: Exec;
  /** Where initramfs and vmlinux images are cached, per kernel release. */
  cacheDir: string;
  /** The guest's root filesystem (read-only, under a tmpfs overlay); the host's `/` by default. */
  root?: string;
  log?: (msg: string) => void;
  /** Each job's TAP lines as the guest writes them (read from the shared folder while it runs). */
  onLine?: (index: number, line: string) => void;
  /** Jobs run at once inside the guest (default 1). */
  concurrency?: number;
  /** Extra kernel command-line words. */
  extraAppend?: string;
  /** Defaults to the process-wide chooser (KVM probed once per process). */
  chooseAccel?: ChooseAccel;
  /** Stops the guest (QEMU gets SIGTERM) when aborted, e.g. on Ctrl-C. */
  cancel?: AbortSignal;
}

const hex8 = () => randomBytes(4).toString("hex");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function jobResult(share: string, job: GuestJob, a: AgentJob): GuestJobResult {
  const rc = readOr(join(share, AGENT_FILES.rc(a.file)), "").trim();
  const done = /^\d+$/.test(rc);
  return {
    id: job.id,
    tap: done ? readOr(join(share, AGENT_FILES.tap(a.file)), "") : "",
    stderr: readOr(join(share, AGENT_FILES.err(a.file)), ""),
    exitCode: done ? Number(rc) : null,
    durationMs: Number(readOr(join(share, AGENT_FILES.ms(a.file)), "0").trim()) || 0,
  };
}

// Each job's TAP as the guest writes it: the whole lines not yet passed on.
function tapFollower(share: string, agentJobs: AgentJob[], onLine: (index: number, line: string) => void) {
  const seen = agentJobs.map(() => 0);
  return () => {
    for (const [i, a] of agentJobs.entries()) {
      const text = readOr(join(share, AGENT_FILES.tap(a.file)), "");
      const end = text.lastIndexOf("\n") + 1;
      if (end <= (seen[i] ?? 0)) continue;
      for (const line of text.slice(seen[i], end).split("\n").slice(0, -1)) onLine(i, line);
      seen[i] = end;
    }
  };
}

// Watches the job directory while QEMU runs: when the first job starts, each check's TAP line as
// it is written (a guest is otherwise silent for its whole run), and each job's end.
function watch(
  share: string,
  jobs: GuestJob[],
  agentJobs: AgentJob[],
  t0: number,
  log: (m: string) => void,
  onLine?: (index: number, line: string) => void,
) {
  let bootMs: number | undefined;
  let reported = 0;
  const follow = onLine ? tapFollower(share, agentJobs, onLine) : () => {};
  let ticks = 0;
  const tick = () => {
    // The TAP files every 200 ms: a check takes longer than that.
    if (ticks++ % 10 === 0) follow();
    if (bootMs === undefined && existsSync(join(share, AGENT_FILES.release))) {
      bootMs = performance.now() - t0;
      log(`guest up after ${secs(bootMs)}`);
    }
    while (reported < agentJobs.length) {
      const a = agentJobs[reported] as AgentJob;
      const rc = readOr(join(share, AGENT_FILES.rc(a.file)), "").trim();
      if (!/^\d+$/.test(rc)) break;
      follow();
      log(`job ${jobs[reported]?.id} exited ${rc}`);
      reported++;
    }
  };
  const timer = setInterval(tick, 20);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      follow();
      return bootMs;
    },
  };
}

// A dead kernel is a crash; a guest that stopped without finishing, with no timeout and no finding, too.
function crashOf(scan: ConsoleScan, text: string, timedOut: boolean, finished: boolean): GuestRun["crash"] {
  const initFailure = /nsm-init: .*/.exec(text)?.[0];
  if (initFailure && !scan.crashed) {
    throw new NsmError("E_BACKEND", `the guest's /init stopped: ${initFailure}\n${text.trim().slice(-2000)}`);
  }
  if (scan.crashed) return { kind: scan.kind ?? "panic", excerpt: scan.excerpt };
  if (finished || timedOut) return undefined;
  return { kind: "died", excerpt: text.trimEnd().split("\n").slice(-20).join("\n") };
}

/** Boots `kernel` once under QEMU and runs `jobs` in order as PID 1's children; never hangs past timeoutMs. */
export async function runInGuest(
  kernel: GuestKernel,
  jobs: GuestJob[],
  opts: GuestOptions,
): Promise<GuestRun> {
  requireQemuHost();
  const log = opts.log ?? (() => {});
  const run = hex8();
  // nsm-<run>: `nsmatrix clean` finds it; QEMU's pidfile is its `owner`, and QEMU carries NSM_RUN.
  const dir = join(tmpdir(), `nsm-${run}`);
  const share = join(dir, "share");
  mkdirSync(share, { recursive: true, mode: 0o700 });
  try {
    const agentJobs = jobs.map(
      (j, i): AgentJob => ({
        file: `job-${i + 1}`,
        run: j.run ?? hex8(),
        ...(j.pcaps ? { pcaps: true } : {}),
      }),
    );
    for (const [i, a] of agentJobs.entries()) {
      writeFileSync(join(share, `${a.file}.sh`), jobs[i]?.script ?? "");
    }
    writeFileSync(join(share, AGENT), agentScript(agentJobs, opts.timeoutScale, opts.concurrency));
    const [image, initrd] = await Promise.all([
      bootImage(kernel, opts),
      buildInitramfs(kernel, { ...opts, root: opts.root ?? "/" }),
    ]);
    const choose = opts.chooseAccel ?? processChooser;
    const { accel, why } = await choose(opts.accel, kvmProbe({ image, initrd, exec: opts.exec }));
    log(`booting ${kernel.spec} (${kernel.release}) under ${accel.toUpperCase()} (${why})`);
    const consoleFile = join(dir, "console.log");
    const args = qemuArgs({
      accel,
      image,
      initrd,
      console: consoleFile,
      shares: { root: opts.root ?? "/", modules: kernel.modulesRoot, job: share },
      append: opts.extraAppend,
      pidfile: join(dir, "owner"),
    });
    const t0 = performance.now();
    const watcher = watch(share, jobs, agentJobs, t0, log, opts.onLine);
    const r = await opts.exec(QEMU, args, {
      timeoutMs: opts.timeoutMs,
      env: { NSM_RUN: run },
      cancel: opts.cancel,
    });
    const totalMs = performance.now() - t0;
    const bootMs = watcher.stop() ?? totalMs;
    const text = readOr(consoleFile, "");
    if (opts.cancel?.aborted)
      throw new NsmError("E_INTERRUPTED", `guest ${kernel.spec} stopped: interrupted`);
    if (!r.timedOut && !r.signal && r.exitCode !== 0) {
      throw new NsmError("E_BACKEND", `QEMU failed to run the guest: ${describeFailure(r)}`);
    }
    const scan = scanConsole(text);
    const crash = crashOf(scan, text, r.timedOut, existsSync(join(share, AGENT_FILES.done)));
    const end = crash ? `crashed (${crash.kind}) after` : r.timedOut ? "timed out after" : "done in";
    log(`guest ${end} ${secs(totalMs)} (boot ${secs(bootMs)})`);
    const warnings = scan.findings.filter((f) => f.kind === "warning").map((f) => f.text);
    return {
      accel,
      release: readOr(join(share, AGENT_FILES.release), "").trim(),
      tools: parseToolVersions(readOr(join(share, AGENT_FILES.tools), "")),
      bootMs: Math.round(bootMs),
      totalMs: Math.round(totalMs),
      console: text,
      ...(crash ? { crash } : {}),
      ...(warnings.length ? { warnings } : {}),
      timedOut: r.timedOut,
      jobs: jobs.map((j, i) => jobResult(share, j, agentJobs[i] as AgentJob)),
    };
  } finally {
    // The pcaps the guest wrote through the shared folder, before the folder goes.
    jobs.forEach((j, i) => {
      if (j.pcaps) moveArtifacts(join(share, AGENT_FILES.pcaps(`job-${i + 1}`)), j.pcaps);
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
