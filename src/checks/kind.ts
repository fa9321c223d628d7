// What a kind of check is, in one place: its YAML key, the command it compiles to, the tools it
// needs, what it can take, how the script classifies how far it got, and those stages in words.
import type { z } from "zod";
import type { CheckSpec, CheckTarget } from "./types.js";

/** Choices the compiler makes once per column: a reproducer holds literal numbers. */
export interface CompileOptions {
  /** Multiplies the waits for a service's answer (slow emulated guests); the kernel's part never. */
  timeoutScale: number;
  /** ping -W takes whole seconds only (iputils before s20190515, as on CentOS 7 and stretch). */
  pingWholeSeconds: boolean;
  /** Trace skb:kfree_skb during each check, and report where a packet that should have got through died. */
  diagnose: boolean;
  /** Keep a pcap of each check's path: of those that missed their expectation, or of all. */
  capture?: "failed" | "all";
}

export const DEFAULT_OPTIONS: CompileOptions = { timeoutScale: 1, pingWholeSeconds: false, diagnose: true };

/** How long a check can take, in seconds: `fixedS` plus `answerS` times the timeout scale. */
export interface CheckBudget {
  fixedS: number;
  answerS: number;
}

/** A stage the script can report, and whether it counts as reaching the target. */
export interface StageInfo {
  reached: boolean;
  /** In words, from the evidence (its timeouts, who answered). */
  text: (e: StageEvidence) => string;
}

/** The evidence a stage's words may use. */
export interface StageEvidence {
  timeoutS?: number;
  answerTimeoutS?: number;
  service?: string;
  answeredBy?: string;
  exitCode: number | null;
  stderrTail: string;
}

/** What a kind's target may need beside its own value. */
export interface TargetContext {
  /** The check's `service`. */
  service?: string;
  /** The scenario file's folder: files a check names are read from it. */
  dir: string;
  /** A command check's `match` and `exit`. */
  match?: string;
  exit?: number;
}

export interface CheckKind {
  /** The check's key in the scenario file, and its kind in the model. */
  key: CheckSpec["target"]["kind"];
  /** What the key holds in the scenario file (JSON Schema for editors comes from it). */
  schema: z.ZodType;
  /** The key's validated value → the model's target; throws NsmError with a message for the key. */
  target: (value: unknown, ctx: TargetContext) => CheckTarget;
  /** What it sends where, in a few words: "tcp 1.1.1.1:8080". */
  describe: (c: CheckSpec) => string;
  /**
   * The command under test, as literal shell words (only $P and $T expand): what the evidence
   * shows, a line a person can paste while the topology is up.
   */
  command: (c: CheckSpec, o: CompileOptions) => string;
  /** The check function's body, when it is more than `command` (UDP's three tries); id: the check's. */
  run?: (c: CheckSpec, o: CompileOptions, id: number) => string;
  /** Commands the check runs, beside the script's own. */
  tools: (c: CheckSpec) => string[];
  budget: (c: CheckSpec) => CheckBudget;
  /** The L3 protocol of its packets (ETH_P_*), for the drop trace; undefined: not traced. */
  ethertype: (c: CheckSpec) => number | undefined;
  /**
   * POSIX sh defining nsm_stage_<key>: from the check's id, service, exit code and first line of
   * output it sets _stage_s to one of `stages`.
   */
  stageShell: string;
  stages: Record<string, StageInfo>;
}

/** Seconds as a plain decimal (never exponent form), to the millisecond. */
export function seconds(t: number): string {
  return String(Math.round(t * 1000) / 1000);
}

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ethertypeOf = (host: string) => (host.includes(":") ? ETH_P_IPV6 : ETH_P_IP);

/** The namespace a check runs in: its node's, or the run's own (nsm-<run>-run) when it names none. */
export const netnsOf = (c: CheckSpec) => `$P-${c.from ?? "run"}`;

// "within 0.5 s", or nothing when the TAP predates timeouts.
export const within = (s: number | undefined) => (s !== undefined ? ` within ${s} s` : "");
