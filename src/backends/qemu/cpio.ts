// A newc ("070701") cpio archive writer: the format the kernel unpacks as an initramfs.

/** One archive member; paths are relative (no leading slash), parents come before children. */
export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Buffer | string; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "chardev"; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => n.toString(16).padStart(8, "0");
const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

function member(ino: number, mode: number, name: string, data: Buffer, rdev = [0, 0]): Buffer[] {
  const nameBytes = Buffer.from(`${name}\0`);
  const nlink = (mode & 0o170000) === S_IFDIR ? 2 : 1;
  const fields = [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, ...rdev, nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join("")}`, "ascii");
  return [header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length)];
}

function modeOf(e: CpioEntry): number {
  switch (e.kind) {
    case "dir":
      return S_IFDIR | (e.mode ?? 0o755);
    case "file":
      return S_IFREG | (e.mode ?? 0o644);
    case "symlink":
      return S_IFLNK | 0o777;
    case "chardev":
      return S_IFCHR | (e.mode ?? 0o600);
  }
}

function dataOf(e: CpioEntry): Buffer {
  switch (e.kind) {
    case "dir":
    case "chardev":
      return Buffer.alloc(0);
    case "file":
      return typeof e.data === "string" ? Buffer.from(e.data) : e.data;
    case "symlink":
      return Buffer.from(e.target);
  }
}

/** Writes entries as an uncompressed newc archive ending in TRAILER!!! (owner root, mtime 0). */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const name = e.path.replace(/^\/+/, "");
    if (!name) throw new Error(`cpio entry ${i} has an empty path`);
    const rdev = e.kind === "chardev" ? [e.major, e.minor] : undefined;
    parts.push(...member(i + 1, modeOf(e), name, dataOf(e), rdev));
  });
  parts.push(...member(0, 0, "TRAILER!!!", Buffer.alloc(0)));
  return Buffer.concat(parts);
}
