// Evidence in words: how far a check got, and each demand it made beside what was seen.
import type { Evidence, Stage } from "./types.js";

/** One line of evidence: what was demanded or seen, and whether it counted towards reaching. */
export interface Fact {
  label: "stage" | "bytes" | "offload" | "captured";
  text: string;
  met: boolean;
}

const REACHED: ReadonlySet<Stage> = new Set(["replied", "connected", "answered"]);

// The kernel's part is bounded by the timeout, a service's answer by the (scaled) answer timeout.
const within = (s: number | undefined) => (s !== undefined ? ` within ${s} s` : "");

/** The stage in words, e.g. "connected, but no bytes within 1 s". */
export function stageText(e: Evidence): string | undefined {
  const by = e.answeredBy ?? "?";
  switch (e.stage) {
    case undefined:
      return undefined;
    case "replied":
      return "echo reply received";
    case "no-reply":
      return `no reply${within(e.answerTimeoutS ?? e.timeoutS)}`;
    case "unreachable":
      return "unreachable: an ICMP error or no route";
    case "refused":
      return "the SYN was refused (RST or ICMP port unreachable)";
    case "syn-timeout":
      return `no answer to the SYN${within(e.timeoutS)}`;
    case "connected":
      return "handshake completed";
    case "no-bytes":
      return `connected, but no bytes${within(e.answerTimeoutS ?? e.timeoutS)}`;
    case "reset":
      return "connected, then reset by the peer";
    case "answered":
      return `answered by ${by}`;
    case "wrong-service":
      return `answered by ${by}, not by ${e.service ?? "the service named"}`;
    case "short":
      return `answered by ${by}, but bytes short of those expected`;
    case "failed":
      return `failed: ${e.stderrTail.split("\n").at(-1) || `exit ${e.exitCode}`}`;
  }
}

/** What the check demanded and what it saw, in a fixed order: stage, bytes, offload, capture. */
export function evidenceFacts(e: Evidence): Fact[] {
  const facts: Fact[] = [];
  const stage = stageText(e);
  if (stage !== undefined && e.stage) facts.push({ label: "stage", text: stage, met: REACHED.has(e.stage) });
  if (e.bytes !== undefined) {
    const met = e.bytesExpected === undefined || e.bytes >= e.bytesExpected;
    facts.push({ label: "bytes", text: `${e.bytes} of ${e.bytesExpected ?? "?"}`, met });
  }
  if (e.offload !== undefined)
    facts.push({ label: "offload", text: e.offload ? "seen" : "not seen", met: e.offload });
  if (e.captured !== undefined)
    facts.push({ label: "captured", text: e.captured, met: e.captured !== "nothing" });
  return facts;
}

/** Why a check did not reach, in a few words ("offload not seen"), or undefined when nothing was unmet. */
export function shortfall(e: Evidence): string | undefined {
  // A short transfer's bytes line says it with numbers; its stage line would say it again.
  const unmet = evidenceFacts(e).filter((f) => !f.met && !(f.label === "stage" && e.stage === "short"));
  if (!unmet.length) return undefined;
  return unmet.map((f) => (f.label === "stage" ? f.text : `${f.label} ${f.text}`)).join("; ");
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
