// script: a test script in kselftest style, run in a node or in the run's own namespace.
// Exit codes as kselftest: 0 pass, 1 fail, 2 xfail, 3 xpass, 4 skip. What it prints as TAP or
// KTAP is nested under the check's own TAP point.
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { type CheckKind, netnsOf } from "./kind.js";
import { readKconfig, readScript } from "./script-files.js";
import type { CheckSpec, ScriptFile } from "./types.js";

type Script = CheckSpec & { target: Extract<CheckSpec["target"], { kind: "script" }> };

/** A script may take an hour; a selftest often runs for minutes. */
export const SCRIPT_DEFAULT_TIMEOUT_S = 300;

export const ScriptSpec = z.union([
  z.string().min(1),
  z.strictObject({
    file: z.string().min(1).describe("the script, relative to the scenario file"),
    args: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9_@%+=:,./-]+$/, "an argument is one plain word (letters, digits, _@%+=:,./-)"),
      )
      .max(32)
      .optional(),
    timeout: z
      .number()
      .min(1, "a script's timeout is 1 s at least")
      .max(3600, "a script's timeout is 3600 s at most")
      .optional()
      .describe(`seconds the script may run (default ${SCRIPT_DEFAULT_TIMEOUT_S})`),
  }),
]);

/** The folder the script and the files it names are written to, inside the run's folder. */
export const scriptDir = (id: number) => `$T/s${id}`;

export const script: CheckKind = {
  key: "script",
  schema: ScriptSpec,
  // Its files are read here, so that the compiled reproducer carries them (and the compiler stays pure).
  target: (value, ctx) => {
    const spec = typeof value === "string" ? { file: value } : (value as z.infer<typeof ScriptSpec> & object);
    const file = typeof spec === "string" ? spec : spec.file;
    const args = typeof spec === "string" ? [] : (spec.args ?? []);
    const timeoutS =
      typeof spec === "string" ? SCRIPT_DEFAULT_TIMEOUT_S : (spec.timeout ?? SCRIPT_DEFAULT_TIMEOUT_S);
    const config = readKconfig(dirname(resolve(ctx.dir, file)));
    return {
      kind: "script",
      file,
      files: readScript(ctx.dir, file),
      args,
      timeoutS,
      ...(config.length ? { config } : {}),
    };
  },
  describe: (c) => {
    const t = (c as Script).target;
    const extra =
      t.files.length > 1
        ? ` (with ${t.files
            .slice(1)
            .map((f) => f.name)
            .join(", ")})`
        : "";
    const config = t.config?.length ? `, needs ${t.config.length} CONFIG_ options (its config file)` : "";
    return `script ${t.file}${extra}${config}, up to ${t.timeoutS} s`;
  },
  // A subshell: the script runs in its own folder, so `source lib.sh` finds its library.
  command: (c) => {
    const t = (c as Script).target;
    const main = t.files[0]?.name ?? "";
    return `ip netns exec ${netnsOf(c)} timeout --kill-after=5 ${t.timeoutS} ./${main}${t.args.map((a) => ` ${a}`).join("")}`;
  },
  tools: () => ["timeout"],
  budget: (c) => ({ fixedS: (c as Script).target.timeoutS + 5, answerS: 0 }),
  ethertype: () => undefined,
  stageShell: `nsm_stage_script() { # id service rc answer
  case $3 in
  0) _stage_s=passed ;;
  1) _stage_s=failed ;;
  2) _stage_s=xfail ;;
  3) _stage_s=xpass ;;
  4) _stage_s=skipped ;;
  124 | 137) _stage_s=timed-out ;;
  *) _stage_s=error ;;
  esac
}`,
  stages: {
    passed: { reached: true, text: () => "the script passed (exit 0)" },
    failed: { reached: false, text: () => "the script failed (exit 1)" },
    xfail: { reached: false, text: () => "the script reports an expected failure (exit 2)" },
    xpass: { reached: true, text: () => "the script reports an unexpected pass (exit 3)" },
    skipped: { reached: false, text: () => "the script skipped (exit 4)" },
    "timed-out": { reached: false, text: (e) => `the script ran out of time (exit ${e.exitCode})` },
    error: { reached: false, text: (e) => `the script ended with exit ${e.exitCode}` },
  },
};

/** The lines that write the script's files into its folder, each from a literal here-document. */
export function scriptFiles(
  files: ScriptFile[],
  id: number,
  heredoc: (s: string) => { start: string; end: string; text: string },
): string[] {
  const dir = scriptDir(id);
  const out = [`mkdir "${dir}"`];
  for (const f of files) {
    const h = heredoc(f.text);
    out.push(`cat >"${dir}/${f.name}" ${h.start}`, h.text.trimEnd(), h.end);
  }
  out.push(`chmod +x "${dir}/${files[0]?.name ?? ""}"`);
  return out;
}
