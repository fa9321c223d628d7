// Builds (and caches per kernel) the initramfs: static busybox, the modules to mount the root, and /init.
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { NsmError } from "../../errors.js";
import type { GuestKernel } from "../../kernels/index.js";
import type { Exec } from "../../system/index.js";
import { makeFolder } from "../../system/index.js";
import { buildOnce, scratchFor, sweepScratch } from "./cache-file.js";
import { type CpioEntry, writeCpio } from "./cpio.js";
import { hotFiles } from "./hot-files.js";
import { initScript } from "./init.js";

/** What /init needs: the virtio PCI transport (q35), 9p over virtio, overlayfs. */
export const ROOT_MODULES = ["virtio_pci", "9p", "9pnet_virtio", "overlay"];

const BUSYBOX = "/bin/busybox";
const APPLETS = ["sh", "mount", "mkdir", "insmod", "cat", "echo", "sleep", "switch_root", "cp"];
// The most virtio-9p accepts (6.1 clamps larger values, with a console message).
const MSIZE = 512_000;
/** Where the hot files sit in the initramfs, for /init to copy into the overlay's upper layer. */
const HOT_DIR = "hot";

// ELF64: no PT_INTERP program header means nothing to load at run time.
function isStaticElf(b: Buffer): boolean {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  for (let i = 0; i < b.readUInt16LE(0x38); i++) {
    if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  }
  return true;
}

// modprobe -d wants the directory that holds lib/modules; make one when modulesRoot is elsewhere.
function modprobeBase(modulesRoot: string): { base: string; done: () => void } {
  const m = /^(.*)\/lib\/modules\/?$/.exec(modulesRoot);
  if (m) return { base: m[1] || "/", done: () => {} };
  const base = mkdtempSync(join(tmpdir(), "nsmatrix-modroot-"));
  mkdirSync(join(base, "lib"));
  symlinkSync(modulesRoot, join(base, "lib", "modules"));
  return { base, done: () => rmSync(base, { recursive: true, force: true }) };
}

/** Module files to insmod, in load order (`modprobe --show-depends`); built-in ones are left out. */
export async function moduleLoadOrder(
  kernel: GuestKernel,
  exec: Exec,
  names = ROOT_MODULES,
): Promise<string[]> {
  const { base, done } = modprobeBase(kernel.modulesRoot);
  try {
    const args = ["-a", "--show-depends", "-d", base, "-S", kernel.release, ...names];
    const r = await exec("modprobe", args, { timeoutMs: 20_000 });
    if (r.exitCode !== 0) {
      const why = r.stderr.trim() || r.stdout.trim();
      throw new NsmError(
        "E_BACKEND",
        `modules for ${kernel.spec} (${kernel.release}): ${why} (did depmod run?)`,
      );
    }
    const paths = r.stdout
      .split("\n")
      .map((l) => /^insmod (\S+)/.exec(l)?.[1])
      .filter((p): p is string => !!p);
    return [...new Set(paths)];
  } finally {
    done();
  }
}

// busybox insmod cannot read compressed modules: decompress .ko.xz / .ko.zst / .ko.gz here.
async function moduleData(path: string, exec: Exec): Promise<Buffer> {
  if (path.endsWith(".ko")) return readFileSync(path);
  if (path.endsWith(".gz")) return gunzipSync(readFileSync(path));
  const tool = path.endsWith(".xz") ? "xz" : path.endsWith(".zst") ? "zstd" : undefined;
  if (!tool) throw new Error(`unknown module compression: ${path}`);
  const dir = mkdtempSync(join(tmpdir(), "nsmatrix-ko-"));
  try {
    const copy = join(dir, basename(path));
    copyFileSync(path, copy);
    const r = await exec(tool, ["-d", "-q", copy], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new NsmError("E_BACKEND", `${tool} -d ${path} failed: ${r.stderr.trim()}`);
    return readFileSync(copy.replace(/\.(xz|zst)$/, ""));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Where /lib points in a root filesystem (merged /usr: to usr/lib).
function libIn(root: string): string {
  if (root === "/") return realpathSync("/lib");
  try {
    const target = readlinkSync(join(root, "lib"));
    return target.startsWith("/") ? target : join("/", target);
  } catch {
    return "/lib";
  }
}

// What goes in, named but not yet read: module sources with their names in the archive, and /init.
async function plan(kernel: GuestKernel, exec: Exec, root: string) {
  const modules = (await moduleLoadOrder(kernel, exec)).map((src, i) => ({
    src,
    path: `lib/${String(i).padStart(2, "0")}-${basename(src).replace(/\.ko.*$/, ".ko")}`,
  }));
  // The root is the guest's lower layer; /lib may be a symlink there (to usr/lib).
  const modulesAt = join(libIn(root), "modules");
  const init = initScript({
    modules: modules.map((m) => m.path),
    modulesAt,
    msize: MSIZE,
    hot: HOT_DIR,
  });
  return { modules, init, hot: await hotFiles(exec, undefined, root) };
}

function staticBusybox(): Buffer {
  const busybox = existsSync(BUSYBOX) ? readFileSync(BUSYBOX) : Buffer.alloc(0);
  if (!isStaticElf(busybox)) {
    throw new NsmError(
      "E_TOOL",
      `${BUSYBOX} is missing or not statically linked: apt-get install busybox-static`,
    );
  }
  return busybox;
}

// hot/<absolute path> for each hot file (a path inside root), parents first; modes as in root.
function hotEntries(files: string[], root: string): CpioEntry[] {
  const entries: CpioEntry[] = [{ kind: "dir", path: HOT_DIR }];
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = join(HOT_DIR, ...parts.slice(0, i));
      if (!dirs.has(dir)) entries.push({ kind: "dir", path: dir });
      dirs.add(dir);
    }
    const src = join(root, f);
    if (!statSync(src).isFile()) continue;
    entries.push({
      kind: "file",
      path: join(HOT_DIR, f),
      data: readFileSync(src),
      mode: statSync(src).mode & 0o7777,
    });
  }
  return entries;
}

/** The archive's members in order: directories, busybox and its applets, modules, hot files, /init. */
export async function initramfsEntries(kernel: GuestKernel, exec: Exec, root = "/"): Promise<CpioEntry[]> {
  const p = await plan(kernel, exec, root);
  const modules: CpioEntry[] = [];
  for (const m of p.modules)
    modules.push({ kind: "file", path: m.path, data: await moduleData(m.src, exec) });
  return [
    ...["bin", "dev", "lib", "proc", "sys"].map((path): CpioEntry => ({ kind: "dir", path })),
    { kind: "chardev", path: "dev/console", major: 5, minor: 1 },
    { kind: "file", path: "bin/busybox", data: staticBusybox(), mode: 0o755 },
    ...APPLETS.map((a): CpioEntry => ({ kind: "symlink", path: `bin/${a}`, target: "busybox" })),
    ...modules,
    ...hotEntries(p.hot, root),
    ...configEntries(kernel),
    { kind: "file", path: "init", data: p.init, mode: 0o755 },
  ];
}

// The kernel's config, where a Debian system keeps it: /boot/config-<release> in the guest, for
// scripts that check what the kernel was built with (a selftest's config file).
function configEntries(kernel: GuestKernel): CpioEntry[] {
  if (!kernel.config) return [];
  return [
    { kind: "dir", path: join(HOT_DIR, "boot") },
    {
      kind: "file",
      path: join(HOT_DIR, "boot", `config-${kernel.release}`),
      data: readFileSync(kernel.config),
      mode: 0o644,
    },
  ];
}

/**
 * Path of `initramfs-<release>.cpio` in cacheDir, rebuilt when missing or any input changed.
 * Uncompressed: with ~20 MB of hot files, gunzip under TCG cost ~0.4 s of boot; reading it does not.
 */
export async function buildInitramfs(
  kernel: GuestKernel,
  opts: { exec: Exec; cacheDir: string; root?: string },
): Promise<string> {
  const root = opts.root ?? "/";
  // Cheap to check: /init's text and the size and mtime of every file that goes in.
  const p = await plan(kernel, opts.exec, root);
  const stamp = (f: string) => `${f} ${statSync(f).size} ${statSync(f).mtimeMs}`;
  const inRoot = (f: string) => stamp(join(root, f));
  const inputs = [
    p.init,
    ...APPLETS,
    stamp(BUSYBOX),
    ...p.modules.map((m) => `${m.path} ${stamp(m.src)}`),
    ...p.hot.map(inRoot),
    ...(kernel.config ? [`config ${stamp(kernel.config)}`] : []),
  ];
  const key = createHash("sha256").update(inputs.join("\n")).digest("hex");
  // One archive per kernel and root: the hot files come from the root.
  const rootTag = root === "/" ? "" : `-${createHash("sha256").update(root).digest("hex").slice(0, 8)}`;
  const out = join(opts.cacheDir, `initramfs-${kernel.release}${rootTag}.cpio`);
  const keyFile = `${out}.sha256`;
  const fresh = () => existsSync(out) && existsSync(keyFile) && readFileSync(keyFile, "utf8").trim() === key;
  if (fresh()) return out;
  // Guests booting at once share one build of the same archive.
  return buildOnce(out, async () => {
    if (fresh()) return out;
    const cpio = writeCpio(await initramfsEntries(kernel, opts.exec, root));
    makeFolder(opts.cacheDir);
    sweepScratch(opts.cacheDir);
    const tmp = scratchFor(out);
    try {
      await writeFile(tmp, cpio);
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
    await writeFile(keyFile, `${key}\n`);
    return out;
  });
}
