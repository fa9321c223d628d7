// Progress events (a union on kind) and their one-line formatter; progress goes to stderr.
import type { Verdict } from "./results/index.js";

export type ProgressEvent =
  | { kind: "variant-start"; scenario: string; variant: string; kernel: string; repeat: number }
  | { kind: "script-line"; scenario: string; variant: string; text: string }
  | {
      kind: "variant-done";
      scenario: string;
      variant: string;
      kernel: string;
      durationMs: number;
      verdicts: Verdict[];
    };

export type Progress = (e: ProgressEvent) => void;

/** One human line per event, or undefined for events not worth a line. */
export function formatProgress(e: ProgressEvent): string | undefined {
  switch (e.kind) {
    case "variant-start":
      return `… ${e.scenario} / ${e.variant} on ${e.kernel}${e.repeat > 1 ? ` (repeat ${e.repeat})` : ""}`;
    case "script-line":
      return e.text.startsWith("Bail out!") ? `! ${e.scenario} / ${e.variant}: ${e.text}` : undefined;
    case "variant-done": {
      const counts = new Map<Verdict, number>();
      for (const v of e.verdicts) counts.set(v, (counts.get(v) ?? 0) + 1);
      const summary = [...counts].map(([v, n]) => `${n} ${v}`).join(", ");
      return `✓ ${e.scenario} / ${e.variant} on ${e.kernel}: ${summary} (${(e.durationMs / 1000).toFixed(1)} s)`;
    }
  }
}
