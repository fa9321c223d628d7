// Reads a user's file: regular files only, and no more than a few MiB, so no input hangs or
// exhausts memory (a FIFO, /dev/zero, a 60 MB file); and says when a file a file names lies
// outside the folder it may come from.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import { errnoWords, NsmError } from "../errors.js";

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
    throw new NsmError("E_IO", `cannot read ${file}: ${errnoWords((e as NodeJS.ErrnoException).code)}`);
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
