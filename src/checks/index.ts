// Every kind of check, and every demand a check can carry, in one registry. The compiler, the
// TAP reader and the reporters go through it; a new kind is one module here and its tests.

import { command } from "./command.js";
import type { CheckBudget, CheckKind, CompileOptions, StageEvidence, StageInfo } from "./kind.js";
import { ping } from "./ping.js";
import { script } from "./script.js";
import { tcp } from "./tcp.js";
import type { CheckSpec } from "./types.js";
import { udp } from "./udp.js";

export { COMMAND_DEFAULT_TIMEOUT_S, matchProblem } from "./command.js";
export { type Drop, dropText, parseDrops, reasonNames, symbolNames } from "./drops.js";
export * from "./kind.js";
export { SCRIPT_DEFAULT_TIMEOUT_S, ScriptSpec, scriptFiles } from "./script.js";
export {
  folderScripts,
  type KconfigOption,
  MAX_SCRIPT_BYTES,
  readKconfig,
  readScript,
  SCRIPT_NAME_RE,
} from "./script-files.js";
export type { CheckSpec, CheckTarget, ScriptFile } from "./types.js";

/** The kinds of check: a new one is a module, and its line here. */
export const KINDS: Record<CheckSpec["target"]["kind"], CheckKind> = { ping, tcp, udp, script, command };

/** Each kind's key in a check, for the scenario schema. */
export const KIND_KEYS = {
  ping: ping.schema.optional(),
  tcp: tcp.schema.optional(),
  udp: udp.schema.optional(),
  script: script.schema
    .optional()
    .describe(
      "a test script, kselftest style (exit 0 pass, 1 fail, 2 xfail, 3 xpass, 4 skip); the files beside it that it names go with it",
    ),
  command: command.schema.optional(),
};
export const kindOf = (c: CheckSpec): CheckKind => KINDS[c.target.kind];

// Stages a demand adds to any kind: a service that must be the one answering, a transfer's size.
const DEMAND_STAGES: Record<string, StageInfo> = {
  "wrong-service": {
    reached: false,
    text: (e) => `answered by ${e.answeredBy ?? "?"}, not by ${e.service ?? "the service named"}`,
  },
  short: {
    reached: false,
    text: (e) => `answered by ${e.answeredBy ?? "?"}, but bytes short of those expected`,
  },
};

/**
 * Every stage a script can report, with its meaning, for TAP that does not name the check's kind
 * (before 0.2): where two kinds share a name, the older kind's meaning stands.
 */
export const STAGE_INFO: Record<string, StageInfo> = Object.assign(
  {},
  command.stages,
  ...[ping, tcp, udp, script].map((k) => k.stages),
  DEMAND_STAGES,
);

export {
  type DemandEvidence,
  demandEvidence,
  demandFacts,
  type Fact,
  type SubTest,
  subtestTally,
} from "./demands.js";

/**
 * What a stage means. Kinds may use one name in their own sense (a tcp check's `failed` is not a
 * script's), so the check's kind, when the TAP names it, is asked first.
 */
export function stageInfo(stage: string, kind?: string): StageInfo | undefined {
  const own =
    kind !== undefined && Object.hasOwn(KINDS, kind) ? KINDS[kind as keyof typeof KINDS].stages : {};
  return Object.hasOwn(own, stage)
    ? own[stage]
    : Object.hasOwn(STAGE_INFO, stage)
      ? STAGE_INFO[stage]
      : undefined;
}

/** The stage in words, or undefined for one this version does not know. */
export function stageWords(
  stage: string | undefined,
  e: StageEvidence & { kind?: string },
): string | undefined {
  if (stage === undefined) return undefined;
  return stageInfo(stage, e.kind)?.text(e) ?? stage;
}

/** What a check's commands need, beside the script's own. */
export function checkTools(c: CheckSpec): string[] {
  return kindOf(c).tools(c);
}

/** The check's command, literal. */
export function checkCommand(c: CheckSpec, o: CompileOptions): string {
  return kindOf(c).command(c, o);
}

export function checkBudget(c: CheckSpec): CheckBudget {
  return kindOf(c).budget(c);
}
