// Set-up steps of the script: batches of one tool's commands (ip, bridge, tc), each line
// commented with the topology key it came from, and single commands. When a batch line fails,
// the script names that key and the plain command (never a line of the batch).

import type { Path } from "../model/index.js";
import { formatPath } from "../model/index.js";
import { heredoc, q } from "../shell.js";

/** A batch line, and the key path of the topology it comes from. */
export interface Line {
  text: string;
  at?: Path;
}

/** `file:line` of a key path of the variant's topology, when the model knows it. */
export type Where = (path: Path) => string | undefined;

// A comment's text stays inside an expanding here-document and a shell word: no $, `, \ or '.
const plain = (s: string) => s.replace(/[^A-Za-z0-9_.:/@+=,[\]" ()-]/g, "?");

/** "nodes.sw.bridges.br0 (topo.yaml:12)": a key path and where it is written. */
export function origin(at: Path, where: Where): string {
  const file = where(at);
  return plain(`${formatPath(at)}${file ? ` (${file})` : ""}`);
}

export interface BatchOptions {
  /** Names the batch's files under $T: a node's name and the tool. */
  id: string;
  desc: string;
  /** The node it runs in, or none (the script's own namespace). */
  node?: string;
  tool: "ip" | "bridge" | "tc";
  /** The tool's options before -batch: `-6` (a batch line cannot say it). */
  options?: string[];
  where: Where;
}

/**
 * A batch as an expanding here-document: only text built from validated names, where $P (and
 * ${nsm_ag}) must expand. Each line carries its origin as a trailing comment (iproute2 reads '#'
 * to the end of a line as a comment).
 */
export function batch(o: BatchOptions, lines: Line[]): string[] {
  if (!lines.length) return [];
  const body = lines.map((l) => (l.at ? `${l.text} # ${origin(l.at, o.where)}` : l.text)).join("\n");
  if (/[`\\]|\$(?!P\b|\{nsm_ag\})/.test(body)) throw new Error(`internal: unsafe text in ${o.desc}`);
  const tool = [o.tool, ...(o.options ?? [])].join(" ");
  return [`nsm_batch ${o.id} ${q(o.desc)} ${o.node ?? "-"} ${tool} <<NSM_EOF`, body, "NSM_EOF"];
}

/** A literal here-document fed to a command: user text (rulesets) that the shell must never expand. */
export function literal(desc: string, command: string, body: string): string[] {
  const h = heredoc(body);
  return [`nsm_step ${q(desc)} ${command} ${h.start}`, h.text.trimEnd(), h.end];
}
