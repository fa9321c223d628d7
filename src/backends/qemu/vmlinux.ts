// An uncompressed, PVH-bootable vmlinux cut out of a bzImage: QEMU jumps straight into it, which
// saves the ~2.4 s a TCG guest spends decompressing an xz kernel.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { NsmError } from "../../errors.js";
import type { GuestKernel } from "../../kernels/index.js";
import type { Exec } from "../../system/index.js";
import { makeFolder } from "../../system/index.js";
import { buildOnce, scratchFor, sweepScratch } from "./cache-file.js";

const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/** Where the compressed kernel sits inside a bzImage (boot protocol 2.08+), or undefined. */
export function bzImagePayload(img: Buffer): { format: "xz" | "gzip" | "zstd"; data: Buffer } | undefined {
  if (img.length < 0x250 || img.toString("latin1", 0x202, 0x206) !== "HdrS") return undefined;
  if (img.readUInt16LE(0x206) < 0x208) return undefined;
  const setupSects = img[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + img.readUInt32LE(0x248);
  // The build appends the uncompressed size (4 bytes) to the compressed stream.
  const data = img.subarray(start, start + img.readUInt32LE(0x24c) - 4);
  if (data.subarray(0, 6).equals(Buffer.from("fd377a585a00", "hex"))) return { format: "xz", data };
  if (data.readUInt16BE(0) === 0x1f8b) return { format: "gzip", data };
  if (data.readUInt32LE(0) === 0xfd2fb528) return { format: "zstd", data };
  return undefined;
}

/** True for an ELF64 image carrying the PVH entry note QEMU needs to boot it with -kernel. */
export function hasPvhEntry(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  for (let i = 0; i < elf.readUInt16LE(0x38); i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    let at = Number(elf.readBigUInt64LE(ph + 8));
    const end = at + Number(elf.readBigUInt64LE(ph + 32));
    while (at + 12 <= end) {
      const [namesz, descsz, type] = [
        elf.readUInt32LE(at),
        elf.readUInt32LE(at + 4),
        elf.readUInt32LE(at + 8),
      ];
      const name = elf.toString("latin1", at + 12, at + 12 + namesz).replace(/\0+$/, "");
      if (name === "Xen" && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

async function decompress(p: { format: string; data: Buffer }, tmp: string, exec: Exec): Promise<void> {
  if (p.format === "gzip") return writeFileSync(tmp, gunzipSync(p.data));
  const packed = `${tmp}.${p.format === "xz" ? "xz" : "zst"}`;
  writeFileSync(packed, p.data);
  const tool = p.format === "xz" ? "xz" : "zstd";
  const r = await exec(tool, ["-d", "-q", "-f", packed], { timeoutMs: 120_000 });
  rmSync(packed, { force: true });
  if (r.exitCode !== 0)
    throw new NsmError("E_BACKEND", `${tool} -d of the kernel payload failed: ${r.stderr.trim()}`);
}

/**
 * The image to pass to `-kernel`: a cached `vmlinux-<release>` when the bzImage holds a PVH-capable
 * kernel, else the vmlinuz itself (slower: the guest decompresses it).
 */
export function bootImage(kernel: GuestKernel, opts: { exec: Exec; cacheDir: string }): Promise<string> {
  // Columns of one kernel boot at once (one per userspace): they share one extraction.
  return buildOnce(join(opts.cacheDir, `vmlinux-${kernel.release}`), () => extractBootImage(kernel, opts));
}

async function extractBootImage(
  kernel: GuestKernel,
  opts: { exec: Exec; cacheDir: string },
): Promise<string> {
  const st = statSync(kernel.vmlinuz);
  const out = join(opts.cacheDir, `vmlinux-${kernel.release}`);
  // The source's identity, then the verdict: "pvh" (use `out`) or "bzimage" (no PVH entry: use vmlinuz).
  const key = `${kernel.vmlinuz} ${st.size} ${st.mtimeMs}`;
  const keyFile = `${out}.source`;
  const [seen, verdict] = existsSync(keyFile) ? readFileSync(keyFile, "utf8").split("\n") : [];
  if (seen === key && verdict === "bzimage") return kernel.vmlinuz;
  if (seen === key && verdict === "pvh" && existsSync(out)) return out;
  makeFolder(opts.cacheDir);
  sweepScratch(opts.cacheDir);
  const payload = bzImagePayload(readFileSync(kernel.vmlinuz));
  const tmp = scratchFor(out);
  let usable = false;
  try {
    if (payload) {
      await decompress(payload, tmp, opts.exec);
      usable = hasPvhEntry(readFileSync(tmp));
    }
    if (usable) renameSync(tmp, out);
    else rmSync(out, { force: true });
  } finally {
    rmSync(tmp, { force: true });
  }
  writeFileSync(keyFile, `${key}\n${usable ? "pvh" : "bzimage"}\n`);
  return usable ? out : kernel.vmlinuz;
}
