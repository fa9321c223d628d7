// Results are plain data: one per scenario × variant × check × kernel.
import type { ExpectationT, OutcomeT } from "../model/index.js";

export type Verdict = "pass" | "fail" | "xfail" | "xpass" | "skip" | "error" | "crash";

/** What a check did: the command, how it ended, and what it printed. */
export interface Evidence {
  command: string;
  exitCode: number | null;
  durationMs: number;
  stderrTail: string;
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
}

export type Result = ResultKey &
  (
    | {
        status: "pass" | "fail" | "xfail" | "xpass";
        outcome: OutcomeT;
        expected: ExpectationT;
        evidence: Evidence;
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
  kernels: string[];
  durationMs: number;
}
