// Evidence in words: how far a check got, each demand it made beside what was seen, and the
// diagnosis (where its packets died, its pcaps). The words of each belong to its module in checks/.
import { demandFacts, type Fact, stageInfo, stageWords } from "../checks/index.js";
import type { Evidence } from "./types.js";

export type { Fact } from "../checks/index.js";

/** The stage in words, e.g. "connected, but no bytes within 1 s". */
export function stageText(e: Evidence): string | undefined {
  return stageWords(e.stage, e);
}

/** What the check demanded and what it saw, in a fixed order: stage, then each demand and diagnosis. */
export function evidenceFacts(e: Evidence): Fact[] {
  const facts: Fact[] = [];
  const stage = stageText(e);
  if (stage !== undefined && e.stage)
    facts.push({ label: "stage", text: stage, met: stageInfo(e.stage, e.kind)?.reached ?? false });
  return [...facts, ...demandFacts(e)];
}

/**
 * Why a check did not reach, in a few words ("offload not seen"), with where its packets died;
 * undefined when nothing was unmet.
 */
export function shortfall(e: Evidence): string | undefined {
  const facts = evidenceFacts(e);
  // A short transfer's bytes line says it with numbers; its stage line would say it again.
  const unmet = facts.filter((f) => !f.met && !f.diagnosis && !(f.label === "stage" && e.stage === "short"));
  if (!unmet.length) return undefined;
  const why = facts.filter((f) => f.diagnosis && f.label === "drops" && e.drops?.length);
  return [...unmet, ...why]
    .map((f) => (f.label === "stage" || f.diagnosis ? f.text : `${f.label} ${f.text}`))
    .join("; ");
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The evidence as text lines: the command, how it ended, then each fact. No stderr. */
export function evidenceLines(e: Evidence): string[] {
  const exit = e.exitCode === null ? "no exit code" : `exit ${e.exitCode}`;
  const answer = e.answerTimeoutS !== undefined ? `, answer ${e.answerTimeoutS} s` : "";
  const limit = e.timeoutS !== undefined ? ` (timeout ${e.timeoutS} s${answer})` : "";
  const lines = [`$ ${e.command}`, `${exit} after ${duration(e.durationMs)}${limit}`];
  const facts = evidenceFacts(e);
  // Old TAP has no stage: still say which service answered.
  if (!facts.some((f) => f.label === "stage") && e.answeredBy !== undefined)
    lines.push(`answered by: ${e.answeredBy}`);
  return [...lines, ...facts.map((f) => `${f.label}: ${f.text}`)];
}

/** "saw no-reach (offload not seen)": the outcome, with the unmet demand when it did not reach. */
export function sawText(outcome: "reach" | "no-reach", e: Evidence): string {
  const why = outcome === "no-reach" ? shortfall(e) : undefined;
  return `saw ${outcome}${why ? ` (${why})` : ""}`;
}
