// Results are plain data: one per scenario × variant × check × kernel × userspace.
import type { ExpectationT, OutcomeT } from "../model/index.js";

export type Verdict = "pass" | "fail" | "xfail" | "xpass" | "skip" | "error" | "crash";

/**
 * How far a check's traffic got, as the script classified it. Reached: `replied` (ping),
 * `connected` (a TCP handshake, for a check without a service), `answered` (by the service named).
 */
export const STAGES = [
  "replied",
  "no-reply",
  "unreachable",
  "refused",
  "syn-timeout",
  "connected",
  "no-bytes",
  "reset",
  "answered",
  "wrong-service",
  "short",
  "failed",
] as const;

export type Stage = (typeof STAGES)[number];

/** What a check did: the command, how it ended, and what it printed. */
export interface Evidence {
  command: string;
  exitCode: number | null;
  durationMs: number;
  stderrTail: string;
  /** How far the traffic got (absent in TAP from scripts that predate stages). */
  stage?: Stage;
  /** The check's timeout in seconds: for the kernel's part (handshake, echo reply), never scaled. */
  timeoutS?: number;
  /** How long the check waited for a service's answer, in seconds, scaled for slow guests. */
  answerTimeoutS?: number;
  /** The service the check demanded (tcp/udp). */
  service?: string;
  /** First line the service answered with (tcp/udp), which names the service that answered. */
  answeredBy?: string;
  /** A transfer: bytes received, and the service's name line plus what it sends. */
  bytes?: number;
  bytesExpected?: number;
  /** Whether the connection showed [OFFLOAD] in the watched node's conntrack table. */
  offload?: boolean;
  /** The first packet tcpdump matched ("nothing" when none). */
  captured?: string;
}

/** A check's observation, straight from the script's TAP, before expectations apply. */
export type Observation =
  | { check: string; status: "observed"; outcome: OutcomeT; evidence: Evidence }
  | { check: string; status: "skip"; reason: string }
  | { check: string; status: "error"; reason: string; evidence?: Evidence };

export interface ResultKey {
  scenario: string;
  variant: string;
  check: string;
  kernel: string;
  /** Whose tools ran the check: `host`, `debian:bullseye`, `docker:IMAGE`. */
  userspace: string;
}

/** One matrix column: a kernel with a userspace, and the tool versions it actually used. */
export interface Column {
  kernel: string;
  userspace: string;
  tools?: Record<string, string>;
}

export type Result = ResultKey &
  (
    | {
        status: "pass" | "fail" | "xfail" | "xpass";
        outcome: OutcomeT;
        expected: ExpectationT;
        evidence: Evidence;
        /** Runs observed (`--repeat`), and how many of them reached. */
        runs: number;
        reached: number;
        /** Outcomes of every repeat when they disagreed (the verdict is then fail). */
        flaky?: OutcomeT[];
      }
    | { status: "skip"; reason: string }
    | { status: "error"; reason: string; evidence?: Evidence }
    | { status: "crash"; reason: string; console: string }
  );

/** Everything a reporter needs. */
export interface RunReport {
  results: Result[];
  columns: Column[];
  durationMs: number;
}
