// Turns zod issues into one readable sentence each, naming the key that is wrong.
import type { z } from "zod";
import type { SourceIssue } from "../errors.js";
import type { Locate } from "./merge.js";
import { keysAt, nearest } from "./schema-keys.js";
import type { Path } from "./source.js";

/** `nodes.box0.routes[2].via`; keys that are not plain words are quoted: `sysctls["net.ipv4.ip_forward"]` */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || "(top level)";
}

// zod's type names, as a YAML writer says them.
const EXPECTED: Record<string, string> = {
  object: "a map",
  record: "a map",
  array: "a list",
  tuple: "a list",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** What a YAML value is, in a few words: `a list`, `a map`, `the number 5`, `text "x"`. */
function found(v: unknown): string {
  if (v === null) return "nothing (null)";
  if (Array.isArray(v)) return "a list";
  switch (typeof v) {
    case "object":
      return "a map";
    case "string":
      return `text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case "number":
      return Number.isInteger(v) ? `the whole number ${v}` : `the number ${v}`;
    case "boolean":
      return String(v);
    default:
      return typeof v;
  }
}

/** The issues of the one union member whose type fits the input (e.g. the record, for a map), if only one does. */
function fittingBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const misfit = (i: z.core.$ZodIssue) =>
    i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value");
  const fits = issue.errors.filter((branch) => !branch.some(misfit));
  return fits.length === 1 ? fits[0] : undefined;
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

// "unknown key", with the nearest allowed key and the list of those allowed there.
function unknownKey(key: string, path: Path, root?: z.ZodType): string {
  const allowed = root ? keysAt(root, path) : undefined;
  if (!allowed?.length) return `unknown key "${key}"`;
  const near = nearest(key, allowed);
  return `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}; allowed here: ${allowed.join(", ")}`;
}

/**
 * Converts one zod issue into located issues (an unknown-keys issue gives one per key). `root`:
 * the schema the whole file was checked against, which names the keys allowed where one is unknown.
 */
export function zodIssueToSource(issue: z.core.$ZodIssue, locate: Locate, root?: z.ZodType): SourceIssue[] {
  const path = issue.path as Path;
  if (issue.code === "invalid_union") {
    // Report inside the member that fits, so the deepest wrong key is named and located.
    const branch = fittingBranch(issue);
    if (branch)
      return branch.flatMap((i) => zodIssueToSource({ ...i, path: [...path, ...i.path] }, locate, root));
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) =>
      locate([...path, k], `${formatPath([...path, k])}: ${unknownKey(k, path, root)}`, true),
    );
  }
  if (issue.code === "invalid_key") {
    const key = JSON.stringify(String(path[path.length - 1]));
    // Leaf messages read either `not a ...` or `"<key>" is not a ...`.
    const why = leafMessages(issue).map((m) => (m.startsWith(`${key} is `) ? m.slice(key.length + 4) : m));
    return [locate(path, `${formatPath(path)}: name ${key} is ${why.join("; or ")}`, true)];
  }
  if (issue.code === "invalid_type") {
    const want = EXPECTED[issue.expected] ?? issue.expected;
    if (issue.input === undefined)
      return [locate(path, `${formatPath(path)}: required key is missing (expected ${want})`, true)];
    return [locate(path, `${formatPath(path)}: expected ${want}, found ${found(issue.input)}`)];
  }
  return [locate(path, `${formatPath(path)}: ${leafMessages(issue).join("; or ")}`)];
}
