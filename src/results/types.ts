// Results are plain data: one per scenario × variant × check × kernel × userspace.
import type { DemandEvidence } from "../checks/index.js";
import type { ExpectationT, OutcomeT } from "../model/index.js";

export type Verdict = "pass" | "fail" | "xfail" | "xpass" | "skip" | "error" | "crash";

/** How far a check's traffic got, as the script classified it: a stage of its kind (checks/). */
export type Stage = string;

/** What a check did: the command, how it ended, and what it printed; then what each demand saw. */
export interface Evidence extends DemandEvidence {
  command: string;
  exitCode: number | null;
  durationMs: number;
  stderrTail: string;
  /** How far the traffic got (absent in TAP from scripts that predate stages). */
  stage?: Stage;
  /** The kind of check (ping, tcp, udp, script, command): whose words the stage is in. */
  kind?: string;
  /** The check's timeout in seconds: for the kernel's part (handshake, echo reply), never scaled. */
  timeoutS?: number;
  /** How long the check waited for a service's answer, in seconds, scaled for slow guests. */
  answerTimeoutS?: number;
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
  /** Merged runs (`nsmatrix report`) that gave this cell different verdicts: each run's, in order. */
  disagree?: string[];
}

/** One matrix column: a kernel with a userspace, and the tool versions it actually used. */
export interface Column {
  kernel: string;
  userspace: string;
  /** The kernel as the user gave it: `host`, `debian:6.1`. */
  spec?: string;
  tools?: Record<string, string>;
  /** The column's wall time. */
  durationMs?: number;
  /** Where the kernel ran: the host's own, a QEMU guest, a Vagrant box. */
  machine?: "host" | "qemu" | "vagrant";
  /** The accelerator a QEMU guest ran under. */
  accel?: "kvm" | "tcg";
  /** The machine that ran the column (merged runs may come from several). */
  host?: string;
}

export type Result = ResultKey &
  (
    | {
        verdict: "pass" | "fail" | "xfail" | "xpass";
        outcome: OutcomeT;
        expected: ExpectationT;
        evidence: Evidence;
        /** Runs observed (`--repeat`), and how many of them reached. */
        runs: number;
        reached: number;
        /** Outcomes of every repeat when they disagreed (the verdict is then fail). */
        flaky?: OutcomeT[];
      }
    | { verdict: "skip"; reason: string }
    | { verdict: "error"; reason: string; evidence?: Evidence }
    | { verdict: "crash"; reason: string; console: string }
  );

/** Everything a reporter needs. */
export interface RunReport {
  results: Result[];
  columns: Column[];
  durationMs: number;
  /** ISO 8601; absent in reports made by hand. */
  startedAt?: string;
  finishedAt?: string;
  /** The machine the run was on (JUnit's hostname). */
  hostname?: string;
  /** The nsmatrix version that ran. */
  version?: string;
  /** Each scenario's topology (of its first variant) as a Mermaid flowchart. */
  graphs?: Record<string, string>;
  /** The same topologies as Graphviz dot, which the HTML report draws as SVG. */
  dot?: Record<string, string>;
}

/** How many results have each verdict. */
export type Counts = Record<Verdict, number>;

/** A run with its standing: what `run()` returns and `readResults` gives back. */
export interface CompletedRun extends RunReport {
  /** Every result met its expectation (exit status 0 or 4). */
  ok: boolean;
  /** kselftest's exit status: 0 as expected, 1 a result was not, 4 every result skipped. */
  exitCode: 0 | 1 | 4;
  summary: Counts;
}
