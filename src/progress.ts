// Progress events (a union on kind) and their one-line formatter; progress goes to stderr.
import { visible } from "./text.js";

export type ProgressEvent =
  | { kind: "kernel-start"; label: string; kernel: string; scripts: number }
  | { kind: "log"; label: string; message: string }
  | { kind: "script-line"; label: string; scenario: string; variant: string; text: string }
  | {
      kind: "variant-done";
      label: string;
      scenario: string;
      variant: string;
      repeat: number;
      durationMs: number;
      summary: string;
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
    case "variant-done": {
      const rep = e.repeat > 1 ? ` #${e.repeat}` : "";
      return `✓ ${e.label} ${e.scenario} / ${e.variant}${rep}: ${e.summary} (${(e.durationMs / 1000).toFixed(1)} s)`;
    }
    case "kernel-done":
      return `✓ ${e.label} (${e.kernel}) done in ${(e.durationMs / 1000).toFixed(1)} s`;
  }
}
