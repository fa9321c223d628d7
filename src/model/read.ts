// Reads a user's file: regular files only, and no more than a few MiB, so no input hangs or
// exhausts memory (a FIFO, /dev/zero, a 60 MB file).
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { NsmError, type SourceIssue } from "../errors.js";
import { formatPath } from "./issues.js";
import type { Locate } from "./merge.js";
import { nftInclude } from "./rules.js";
import type { TopologyT } from "./schema.js";
import { parseSource, type Source } from "./source.js";

/** Files nsmatrix reads (scenarios, topologies, rulesets) are at most this big. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** The text of `file`; E_IO naming what is wrong (missing, not a regular file, too big). */
export function readUserFile(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new NsmError("E_IO", `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new NsmError("E_IO", `cannot read ${file}: it is ${kindOf(st)}, not a regular file`);
    const limit = `files are limited to ${MAX_FILE_BYTES / 1024 / 1024} MiB`;
    if (st.size > MAX_FILE_BYTES) {
      throw new NsmError(
        "E_IO",
        `cannot read ${file}: ${(st.size / 1024 / 1024).toFixed(1)} MiB, and ${limit}`,
      );
    }
    // Read no more than the limit even if the file grows meanwhile.
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n <= MAX_FILE_BYTES; n += got)
      got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_FILE_BYTES)
      throw new NsmError("E_IO", `cannot read ${file}: it grew past the limit (${limit})`);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads a YAML file as a Source; unreadable files are E_IO. */
export function readSource(file: string): Source {
  return parseSource(displayPath(file), readUserFile(file));
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

// Whether `path` is `dir` or lies below it.
const within = (dir: string, path: string) =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** Why `nftFile` may not be read from a `whose` file in `dir` (absolute, or leading out of it), or undefined. */
export function outside(dir: string, nftFile: string, whose = "topology"): string | undefined {
  if (isAbsolute(nftFile)) return `is absolute: give a path relative to the ${whose} file, inside its folder`;
  if (!within(resolve(dir), resolve(dir, nftFile))) return `leads out of the ${whose}'s folder`;
  try {
    // A symbolic link may point out of the folder too.
    if (!within(realpathSync(dir), realpathSync(resolve(dir, nftFile))))
      return `links to a file outside the ${whose}'s folder`;
  } catch {
    // A missing file is reported when it is read.
  }
  return undefined;
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
