// Turns zod issues into one readable sentence each, naming the key that is wrong.
import type { z } from "zod";
import type { SourceIssue } from "../errors.js";
import type { Locate } from "./merge.js";
import type { Path } from "./source.js";

/** `nodes.box0.routes[2].via` */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || "(top level)";
}

function leafMessages(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "invalid_union") {
    const all = issue.errors.flat().flatMap((i) => leafMessages(i));
    const custom = all.filter((m) => !m.startsWith("Invalid input"));
    return [...new Set(custom.length ? custom : all)];
  }
  if (issue.code === "invalid_key" || issue.code === "invalid_element") {
    return issue.issues.flatMap((i) => leafMessages(i));
  }
  return [issue.message];
}

/** Converts one zod issue into located issues (an unknown-keys issue gives one per key). */
export function zodIssueToSource(issue: z.core.$ZodIssue, locate: Locate): SourceIssue[] {
  const path = issue.path as Path;
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => locate([...path, k], `${formatPath([...path, k])}: unknown key "${k}"`, true));
  }
  if (issue.code === "invalid_key") {
    const key = path[path.length - 1];
    const msg = `${formatPath(path)}: name ${JSON.stringify(key)} is ${leafMessages(issue).join("; or ")}`;
    return [locate(path, msg.replace("is not", "not"), true)];
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [locate(path, `${formatPath(path)}: required key is missing (expected ${issue.expected})`, true)];
  }
  return [locate(path, `${formatPath(path)}: ${leafMessages(issue).join("; or ")}`)];
}
