// The kernel cache's shared files: guests booting at once get one whole file, never a torn one.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { buildOnce, scratchFor, sweepScratch } from "../../../../src/backends/qemu/cache-file.js";
import { bootImage, bzImagePayload, hasPvhEntry } from "../../../../src/backends/qemu/vmlinux.js";
import { exec } from "../../../../src/system/exec.js";

const dirs: string[] = [];
const scratchDir = () => {
  const d = mkdtempSync(join(tmpdir(), "nsmatrix-cache-file-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A minimal ELF64 whose one PT_NOTE holds Xen's PHYS32_ENTRY note: what QEMU needs to boot it.
function pvhElf(): Buffer {
  const elf = Buffer.alloc(64 + 56 + 16);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf.writeBigUInt64LE(64n, 0x20); // phoff
  elf.writeUInt16LE(56, 0x36); // phentsize
  elf.writeUInt16LE(1, 0x38); // phnum
  elf.writeUInt32LE(4, 64); // PT_NOTE
  elf.writeBigUInt64LE(120n, 64 + 8); // p_offset
  elf.writeBigUInt64LE(16n, 64 + 32); // p_filesz
  elf.writeUInt32LE(4, 120); // namesz
  elf.writeUInt32LE(0, 124); // descsz
  elf.writeUInt32LE(18, 128); // XEN_ELFNOTE_PHYS32_ENTRY
  elf.write("Xen\0", 132, "latin1");
  return elf;
}

// A bzImage (boot protocol 2.08) around a compressed payload.
function bzImage(payload: Buffer): Buffer {
  const setupSects = 1;
  const start = (setupSects + 1) * 512;
  const img = Buffer.alloc(start + payload.length + 4);
  img[0x1f1] = setupSects;
  img.write("HdrS", 0x202, "latin1");
  img.writeUInt16LE(0x20f, 0x206);
  img.writeUInt32LE(0, 0x248);
  img.writeUInt32LE(payload.length + 4, 0x24c);
  payload.copy(img, start);
  return img;
}

describe("the boot image in the kernel cache", () => {
  // xz, as Debian builds them: decompressed by a child process, so the callers interleave.
  it("is one whole vmlinux when the columns of one kernel ask for it at once", async () => {
    const cacheDir = scratchDir();
    const vmlinuz = join(cacheDir, "vmlinuz-9.9.9-test");
    writeFileSync(vmlinuz, bzImage(execFileSync("xz", ["-c", "--check=crc32"], { input: pvhElf() })));
    expect(bzImagePayload(readFileSync(vmlinuz))?.format).toBe("xz");
    const kernel = { spec: "test", release: "9.9.9-test", vmlinuz, modulesRoot: cacheDir };
    const paths = await Promise.all(Array.from({ length: 4 }, () => bootImage(kernel, { exec, cacheDir })));
    expect(new Set(paths)).toEqual(new Set([join(cacheDir, "vmlinux-9.9.9-test")]));
    expect(hasPvhEntry(readFileSync(paths[0] as string))).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("falls back to the vmlinuz itself when the payload has no PVH entry", async () => {
    const cacheDir = scratchDir();
    const vmlinuz = join(cacheDir, "vmlinuz-9.9.8-test");
    writeFileSync(vmlinuz, bzImage(gzipSync(Buffer.from("not an ELF"))));
    const kernel = { spec: "test", release: "9.9.8-test", vmlinuz, modulesRoot: cacheDir };
    expect(await bootImage(kernel, { exec, cacheDir })).toBe(vmlinuz);
    expect(existsSync(join(cacheDir, "vmlinux-9.9.8-test"))).toBe(false);
  });
});

describe("cache scratch files", () => {
  it("shares one build among callers that ask while it runs, and builds again after", async () => {
    let builds = 0;
    const build = async () => {
      const n = ++builds;
      await new Promise((r) => setTimeout(r, 20));
      return n;
    };
    expect(await Promise.all([buildOnce("/x/a", build), buildOnce("/x/a", build)])).toEqual([1, 1]);
    expect(await buildOnce("/x/a", build)).toBe(2);
    expect(await Promise.all([buildOnce("/x/b", build), buildOnce("/x/c", build)])).toEqual([3, 4]);
  });

  it("names each write apart, with this process's pid", () => {
    const a = scratchFor("/c/vmlinux-6.1");
    expect(a).toMatch(new RegExp(`^/c/vmlinux-6\\.1\\.${process.pid}-[0-9a-f]{8}\\.tmp$`));
    expect(scratchFor("/c/vmlinux-6.1")).not.toBe(a);
  });

  it("sweeps the scratch files of dead processes and keeps live ones' and everything else", () => {
    const dir = scratchDir();
    const dead = spawnSync("true").pid as number;
    const names = [
      `vmlinux-6.1.${dead}.tmp`, // the old naming
      `vmlinux-6.1.${dead}-0badc0de.tmp`,
      `vmlinux-6.1.${dead}-0badc0de.tmp.xz`,
      `initramfs-6.1.cpio.${process.pid}-12345678.tmp`,
      "initramfs-6.1.cpio",
      "vmlinux-6.1",
    ];
    for (const n of names) writeFileSync(join(dir, n), "x");
    expect(
      sweepScratch(dir)
        .map((p) => p.slice(dir.length + 1))
        .sort(),
    ).toEqual(names.slice(0, 3).sort());
    expect(readdirSync(dir).sort()).toEqual(names.slice(3).sort());
  });
});
