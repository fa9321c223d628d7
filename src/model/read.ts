// Reads the files a model is made of: YAML sources, and the rulesets a topology names.
import { relative, resolve } from "node:path";
import { NsmError, type SourceIssue } from "../errors.js";
import { nftInclude } from "../net/index.js";
import { outside, readUserFile } from "../system/index.js";
import { formatPath } from "./issues.js";
import type { Locate } from "./merge.js";
import type { TopologyT } from "./schema.js";
import { parseSource, type Source } from "./source.js";

/** Reads a YAML file as a Source; unreadable files are E_IO. */
export function readSource(file: string): Source {
  return parseSource(displayPath(file), readUserFile(file));
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Reads each `firewall.nft_file` (relative to `dir`, inside it) into `firewall.nft`, so the
 * compiler stays pure. Problems are located at the `nft_file` key.
 */
export function readNftFiles(t: TopologyT, dir: string, locate: Locate, issues: SourceIssue[]): TopologyT {
  const nodes = { ...t.nodes };
  for (const [name, node] of Object.entries(t.nodes)) {
    const fw = node?.firewall;
    if (fw?.nft_file === undefined) continue;
    const at = ["nodes", name, "firewall", "nft_file"];
    const problem = (m: string) => issues.push(locate(at, `${formatPath(at)}: ${m}`, true));
    if (fw.nft !== undefined) {
      problem("give either 'nft' or 'nft_file', not both");
      continue;
    }
    const { nft_file, ...rest } = fw;
    const why = outside(dir, nft_file);
    if (why) {
      problem(`${JSON.stringify(nft_file)} ${why}`);
      continue;
    }
    try {
      const nft = readUserFile(resolve(dir, nft_file));
      const line = nftInclude(nft);
      if (line !== undefined)
        problem(`${JSON.stringify(nft_file)} line ${line}: 'include' reads other files: put the rules here`);
      else nodes[name] = { ...node, firewall: { ...rest, nft } };
    } catch (e) {
      if (!(e instanceof NsmError)) throw e;
      problem(e.message.replace(/^cannot read [^:]*: /, `cannot read ${JSON.stringify(nft_file)}: `));
    }
  }
  return { ...t, nodes };
}
