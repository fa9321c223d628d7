// The contract between a backend and the results: what one compiled script's run left behind.
// A leaf, so that results read it without importing a backend.

/** A script's TAP, and how its process ended. */
export interface ScriptRun {
  tap: string;
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  stderr: string;
  durationMs: number;
}
