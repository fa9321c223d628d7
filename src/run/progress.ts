// Progress events (a union on kind) and their one-line formatter; progress goes to stderr.
import type { Result } from "../results/index.js";
import { visible } from "../text.js";

export type ProgressEvent =
  | { kind: "kernel-start"; label: string; kernel: string; scripts: number }
  | { kind: "log"; label: string; message: string }
  | {
      kind: "script-line";
      label: string;
      /** The column's index in the report's columns (kernel-major, as the run was asked). */
      column: number;
      scenario: string;
      variant: string;
      repeat: number;
      text: string;
    }
  | {
      /** A check's TAP point is complete (its YAML and its selftest line printed). */
      kind: "check-done";
      label: string;
      /** The column's index in the report's columns (kernel-major, as the run was asked). */
      column: number;
      /** Where the kernel runs: this machine's own (containers too), QEMU or Vagrant. */
      machine: "host" | "qemu" | "vagrant";
      scenario: string;
      variant: string;
      repeat: number;
      /** The script's own TAP point: `ok 2 - closed # XFAIL no-reach (refused)`. */
      point: string;
      /**
       * The check's result from its run so far, by the report's own rules. With one repeat and no
       * kernel crash later in the variant, the report's verdict is this one.
       */
      result: Result;
    }
  | {
      kind: "variant-done";
      label: string;
      scenario: string;
      variant: string;
      repeat: number;
      durationMs: number;
      /** Outcomes counted: `4 reach, 1 no-reach`. */
      summary: string;
      /** The checks that did not meet their expectation, as `check: verdict`. */
      problems: string[];
    }
  | { kind: "kernel-done"; label: string; kernel: string; durationMs: number };

export type Progress = (e: ProgressEvent) => void;

/** One human line per event, or undefined for events not worth a line. */
export function formatProgress(e: ProgressEvent): string | undefined {
  switch (e.kind) {
    case "kernel-start":
      return `… ${e.label} (${e.kernel}): ${e.scripts} variant run${e.scripts === 1 ? "" : "s"}`;
    case "log":
      return `  ${e.label}: ${e.message}`;
    case "script-line":
      return e.text.startsWith("Bail out!")
        ? `! ${e.label} ${e.scenario} / ${e.variant}: ${visible(e.text)}`
        : undefined;
    case "check-done":
      // A guest's run is long and otherwise silent; the host's variants take a second or two,
      // and their summary line is enough.
      if (e.machine === "host") return undefined;
      return `  ${e.label} ${e.scenario} / ${e.variant}: ${visible(e.point)}`;
    case "variant-done": {
      const rep = e.repeat > 1 ? ` #${e.repeat}` : "";
      const mark = e.problems.length ? "✗" : "✓";
      const problems = e.problems.length ? `; not as expected: ${e.problems.join(", ")}` : "";
      return `${mark} ${e.label} ${e.scenario} / ${e.variant}${rep}: ${e.summary}${problems} (${(e.durationMs / 1000).toFixed(1)} s)`;
    }
    case "kernel-done":
      return `✓ ${e.label} (${e.kernel}) done in ${(e.durationMs / 1000).toFixed(1)} s`;
  }
}
