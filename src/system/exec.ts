// The one place that spawns processes: every spawn has a timeout, and a failure is a value.

export interface ProcessResult {
  command: string;
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  input?: string;
  cancel?: AbortSignal;
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Called with the child's PID once it is spawned. */
  onSpawn?: (pid: number) => void;
}

export type Exec = (file: string, args: string[], opts: ExecOptions) => Promise<ProcessResult>;

/** Headline for a failed process: timed out, then signal, then exit code (as execa orders them). */
export function describeFailure(r: ProcessResult): string {
  const why = r.timedOut
    ? "timed out"
    : r.signal
      ? `was killed by ${r.signal}`
      : `exited with code ${r.exitCode}`;
  const err = r.stderr.trim().split("\n").slice(-3).join("\n");
  return `${r.command} ${why}${err ? `:\n${err}` : ""}`;
}

/** Runs a command; SIGTERM on timeout or cancel, SIGKILL 5 s later. Never throws for a failed command. */
export const exec: Exec = async (file, args, opts) => {
  // Loaded on the first spawn: commands that spawn nothing (validate, plan) start faster.
  const { execa } = await import("execa");
  const child = execa(file, args, {
    reject: false,
    timeout: opts.timeoutMs,
    killSignal: "SIGTERM",
    forceKillAfterDelay: 5000,
    cancelSignal: opts.cancel,
    env: opts.env,
    input: opts.input,
    stdin: opts.input === undefined ? "ignore" : "pipe",
    stripFinalNewline: false,
  });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  if (opts.onLine && child.stdout) {
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) opts.onLine?.(l);
    });
  }
  const r = await child;
  return {
    command: [file, ...args].join(" "),
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? undefined,
    timedOut: r.timedOut,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    durationMs: r.durationMs,
  };
};
