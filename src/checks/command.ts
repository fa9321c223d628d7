// command: an argument vector run in a node, as net selftests' run_cmd and run_cmd_grep do. It
// reaches when it exits 0; with `match`, when its output (stdout and stderr) matches a POSIX
// extended regular expression, whatever the exit code; `exit` also demands a code.
import { argvSchema, CHECK_TOOLS, words } from "../net/index.js";
import { q } from "../shell.js";
import { type CheckKind, netnsOf, seconds } from "./kind.js";
import type { CheckSpec } from "./types.js";

type Command = CheckSpec & { target: Extract<CheckSpec["target"], { kind: "command" }> };

/** A command check's limit when the check gives no timeout of its own: ping, tracepath. */
export const COMMAND_DEFAULT_TIMEOUT_S = 10;

/** Why a `match` is not one grep -E reads the same everywhere (GNU, busybox), or undefined. */
export function matchProblem(re: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\x00-\x1f\x7f]/.test(re)) return "a match is one line of printable text";
  const ext = /\\[dDwWsSbB<>]|\(\?|[*+?}]\?|\\[1-9]/.exec(re);
  if (ext)
    return `${JSON.stringify(ext[0])} is not POSIX extended regular expression syntax (grep -E): use [0-9], [[:alnum:]_], [[:space:]], and no lookaround, lazy quantifier or back-reference`;
  try {
    new RegExp(re);
  } catch (e) {
    return `not a regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`;
  }
  return undefined;
}

export const command: CheckKind = {
  key: "command",
  schema: argvSchema(CHECK_TOOLS).describe(
    `an argument vector run in the node (no shell): ${CHECK_TOOLS.join(", ")}; it reaches on exit 0, or with 'match' when its output matches`,
  ),
  target: (value, ctx) => ({
    kind: "command",
    argv: words(value as (string | number)[]),
    ...(ctx.match !== undefined ? { match: ctx.match } : {}),
    ...(ctx.exit !== undefined ? { exit: ctx.exit } : {}),
  }),
  describe: (c) => {
    const t = (c as Command).target;
    const m = t.match !== undefined ? `, output matching /${t.match}/` : "";
    return `${t.argv.join(" ")}${m}${t.exit !== undefined ? `, exit ${t.exit}` : ""}`;
  },
  // timeout(1) bounds it: a command that waits for a reply that never comes still ends.
  command: (c, o) => {
    const t = (c as Command).target;
    return `ip netns exec ${netnsOf(c)} timeout -k 1 ${seconds(c.timeout * o.timeoutScale)} ${t.argv.map(q).join(" ")}`;
  },
  tools: (c) => [
    "timeout",
    (c as Command).target.argv[0] ?? "",
    ...((c as Command).target.match !== undefined ? ["grep"] : []),
  ],
  budget: (c) => ({ fixedS: 1, answerS: c.timeout }),
  ethertype: () => undefined,
  // nsm_match has written the stage beside the output: it knows the match and the exit wanted.
  stageShell: `nsm_stage_command() { # id service rc answer
  _stage_s=failed
  read -r _stage_s 2>/dev/null <"$T/c$1.stage"
}`,
  stages: {
    succeeded: { reached: true, text: () => "the command exited 0" },
    matched: { reached: true, text: () => "its output matched" },
    "exit-matched": { reached: true, text: (e) => `it exited ${e.exitCode}, as demanded` },
    failed: { reached: false, text: (e) => `the command failed (exit ${e.exitCode})` },
    "no-match": { reached: false, text: () => "its output did not match" },
    "wrong-exit": { reached: false, text: (e) => `it exited ${e.exitCode}, not the code demanded` },
    "timed-out": {
      reached: false,
      text: (e) => `it ran out of time${e.timeoutS !== undefined ? ` (${e.timeoutS} s)` : ""}`,
    },
  },
};
