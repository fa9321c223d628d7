import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CpioEntry, writeCpio } from "../../../../src/backends/qemu/cpio.js";

interface Parsed {
  name: string;
  mode: number;
  nlink: number;
  rdev: [number, number];
  data: string;
}

// A reader for newc archives, independent of the writer: fields are 8 hex digits, name and data 4-aligned.
function parse(buf: Buffer): Parsed[] {
  const out: Parsed[] = [];
  let at = 0;
  const align = (n: number) => Math.ceil(n / 4) * 4;
  for (;;) {
    expect(buf.toString("ascii", at, at + 6)).toBe("070701");
    const f = (i: number) => Number.parseInt(buf.toString("ascii", at + 6 + i * 8, at + 14 + i * 8), 16);
    const [mode, nlink, size, rmaj, rmin, namesize] = [f(1), f(4), f(6), f(9), f(10), f(11)];
    const name = buf.toString("utf8", at + 110, at + 110 + namesize - 1);
    expect(buf[at + 110 + namesize - 1]).toBe(0);
    const dataAt = align(at + 110 + namesize);
    const data = buf.toString("utf8", dataAt, dataAt + size);
    at = align(dataAt + size);
    if (name === "TRAILER!!!") break;
    out.push({ name, mode, nlink, rdev: [rmaj, rmin], data });
  }
  expect(at).toBe(buf.length);
  return out;
}

const entries: CpioEntry[] = [
  { kind: "dir", path: "bin" },
  { kind: "dir", path: "/dev", mode: 0o700 },
  { kind: "chardev", path: "dev/console", major: 5, minor: 1 },
  { kind: "file", path: "bin/busybox", data: Buffer.from("\x7fELF..."), mode: 0o755 },
  { kind: "symlink", path: "bin/sh", target: "busybox" },
  { kind: "file", path: "init", data: "#!/bin/sh\necho hi\n", mode: 0o755 },
  { kind: "file", path: "empty", data: "" },
];

describe("writeCpio", () => {
  it("writes each entry as a newc member with its type, permissions and contents, then the trailer", () => {
    expect(parse(writeCpio(entries))).toEqual([
      { name: "bin", mode: 0o040755, nlink: 2, rdev: [0, 0], data: "" },
      { name: "dev", mode: 0o040700, nlink: 2, rdev: [0, 0], data: "" },
      { name: "dev/console", mode: 0o020600, nlink: 1, rdev: [5, 1], data: "" },
      { name: "bin/busybox", mode: 0o100755, nlink: 1, rdev: [0, 0], data: "\x7fELF..." },
      { name: "bin/sh", mode: 0o120777, nlink: 1, rdev: [0, 0], data: "busybox" },
      { name: "init", mode: 0o100755, nlink: 1, rdev: [0, 0], data: "#!/bin/sh\necho hi\n" },
      { name: "empty", mode: 0o100644, nlink: 1, rdev: [0, 0], data: "" },
    ]);
  });

  it("keeps every member 4-byte aligned whatever the name and data lengths", () => {
    const odd: CpioEntry[] = ["a", "bb", "ccc", "dddd", "eeeee"].map((n) => ({
      kind: "file",
      path: n,
      data: n,
    }));
    const buf = writeCpio(odd);
    expect(buf.length % 4).toBe(0);
    expect(parse(buf).map((p) => p.data)).toEqual(["a", "bb", "ccc", "dddd", "eeeee"]);
  });

  it("refuses an entry without a name", () => {
    expect(() => writeCpio([{ kind: "dir", path: "/" }])).toThrow("empty path");
  });

  it.skipIf(!existsSync("/bin/busybox"))("is listed by busybox cpio exactly as written", () => {
    const listing = execFileSync("/bin/busybox", ["cpio", "-t"], {
      input: writeCpio(entries),
      stdio: "pipe",
    });
    expect(listing.toString().trim().split("\n")).toEqual(entries.map((e) => e.path.replace(/^\//, "")));
  });
});
