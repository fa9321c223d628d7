import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CpioEntry } from "../../../../src/backends/qemu/cpio.js";
import {
  buildInitramfs,
  initramfsEntries,
  moduleLoadOrder,
} from "../../../../src/backends/qemu/initramfs.js";
import { bootImage, bzImagePayload, hasPvhEntry } from "../../../../src/backends/qemu/vmlinux.js";
import { listCached } from "../../../../src/kernels/index.js";
import type { GuestKernel } from "../../../../src/kernels/types.js";
import { exec } from "../../../../src/system/exec.js";

// An extracted Debian kernel package: NSM_TEST_KERNEL_DIR, else /tmp/k61 (see
// test/integration/qemu.test.ts), else a debian:6.1 that runs left in the kernel cache.
function devKernel(): GuestKernel | undefined {
  const cached = listCached().find((k) => k.spec === "debian:6.1");
  if (!process.env.NSM_TEST_KERNEL_DIR && !existsSync("/tmp/k61") && cached) return cached;
  const dir = process.env.NSM_TEST_KERNEL_DIR ?? "/tmp/k61";
  const root = existsSync(join(dir, "root", "boot")) ? join(dir, "root") : dir;
  const image = existsSync(join(root, "boot"))
    ? readdirSync(join(root, "boot")).find((f) => f.startsWith("vmlinuz-"))
    : undefined;
  if (!image) return undefined;
  const release = image.slice("vmlinuz-".length);
  const modulesRoot = [join(root, "lib", "modules"), join(root, "usr", "lib", "modules")].find((m) =>
    existsSync(join(m, release, "modules.dep")),
  );
  return modulesRoot ? { spec: "dev", release, vmlinuz: join(root, "boot", image), modulesRoot } : undefined;
}

const kernel = devKernel();
const noKernel =
  "no dev kernel: set NSM_TEST_KERNEL_DIR to an extracted linux-image package (after depmod -b)";
if (!kernel) console.warn(`skipping initramfs tests: ${noKernel}`);

const moduleName = (path: string) =>
  basename(path)
    .replace(/\.ko(\.\w+)?$/, "")
    .replaceAll("-", "_");

describe.skipIf(!kernel)("the initramfs for the dev kernel", () => {
  const k = kernel as GuestKernel;

  it("loads each module after the modules it depends on (modules.dep)", async () => {
    const order = (await moduleLoadOrder(k, exec)).map(moduleName);
    const deps = new Map(
      readFileSync(join(k.modulesRoot, k.release, "modules.dep"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [mod, rest = ""] = l.split(":");
          return [moduleName(mod ?? ""), rest.trim().split(/\s+/).filter(Boolean).map(moduleName)];
        }),
    );
    for (const [i, m] of order.entries()) {
      for (const d of deps.get(m) ?? []) expect(order.indexOf(d), `${d} before ${m}`).toBeLessThan(i);
    }
    expect(order).toEqual(expect.arrayContaining(["9p", "9pnet_virtio", "overlay"]));
  });

  it("holds busybox, its applets, the modules in load order (decompressed) and /init, in that order", async () => {
    const entries = await initramfsEntries(k, exec);
    const modules = (await moduleLoadOrder(k, exec)).map(
      (p, i) => `lib/${String(i).padStart(2, "0")}-${basename(p).replace(/\.ko.*$/, ".ko")}`,
    );
    const applets = ["sh", "mount", "mkdir", "insmod", "cat", "echo", "sleep", "switch_root", "cp"].map(
      (a) => `bin/${a}`,
    );
    const dirs = ["bin", "dev", "lib", "proc", "sys"];
    const data = (e: CpioEntry | undefined) => (e?.kind === "file" ? Buffer.from(e.data) : Buffer.alloc(0));
    const hot = entries.filter((e) => e.path === "hot" || e.path.startsWith("hot/")).map((e) => e.path);
    expect(entries.map((e) => e.path)).toEqual([
      ...dirs,
      "dev/console",
      "bin/busybox",
      ...applets,
      ...modules,
      ...hot,
      "init",
    ]);
    // The host's ip and the C library it maps, each after its parent directories.
    const ip = realpathSync(execFileSync("sh", ["-c", "command -v ip"]).toString().trim());
    const libc = realpathSync("/lib/x86_64-linux-gnu/libc.so.6");
    for (const f of [ip, libc]) {
      const at = hot.indexOf(`hot${f}`);
      expect(at, f).toBeGreaterThan(0);
      expect(hot.indexOf(`hot${dirname(f)}`)).toBeLessThan(at);
      expect(data(entries.find((e) => e.path === `hot${f}`)).equals(readFileSync(f))).toBe(true);
    }
    for (const m of modules) {
      expect(
        data(entries.find((e) => e.path === m))
          .subarray(0, 4)
          .toString("latin1"),
      ).toBe("\x7fELF");
    }
    const insmods = data(entries.at(-1))
      .toString()
      .split("\n")
      .filter((l) => l.startsWith("insmod "));
    expect(insmods).toEqual(modules.map((m) => `insmod /${m} || fail "insmod ${m}"`));
  });

  it("writes initramfs-<release>.cpio once, and reuses it while nothing that goes in changes", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "nsmatrix-test-"));
    try {
      const path = await buildInitramfs(k, { exec, cacheDir });
      expect(path).toBe(join(cacheDir, `initramfs-${k.release}.cpio`));
      const listing = execFileSync("/bin/busybox", ["cpio", "-t"], {
        input: readFileSync(path),
        stdio: "pipe",
      });
      const entries = await initramfsEntries(k, exec);
      expect(listing.toString().trim().split("\n")).toEqual(entries.map((e) => e.path));
      const mtime = statSync(path).mtimeMs;
      expect(await buildInitramfs(k, { exec, cacheDir })).toBe(path);
      expect(statSync(path).mtimeMs).toBe(mtime);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it.runIf(kernel?.release.startsWith("6.1."))(
    "for Debian 6.1: virtio-pci and 9p come from these modules",
    async () => {
      // Their order is the dependency test's above: modules that need neither (virtio and
      // virtio_ring) come in whatever order depmod listed them.
      expect((await moduleLoadOrder(k, exec)).map(moduleName).sort()).toEqual(
        [
          "virtio_ring",
          "virtio",
          "virtio_pci_modern_dev",
          "virtio_pci_legacy_dev",
          "virtio_pci",
          "netfs",
          "fscache",
          "9pnet",
          "9p",
          "9pnet_virtio",
          "overlay",
        ].sort(),
      );
    },
  );

  it("cuts a PVH-bootable vmlinux out of the bzImage, and caches it", async () => {
    expect(bzImagePayload(readFileSync(k.vmlinuz))?.format).toMatch(/^(xz|gzip|zstd)$/);
    const cacheDir = mkdtempSync(join(tmpdir(), "nsmatrix-test-"));
    try {
      const image = await bootImage(k, { exec, cacheDir });
      expect(image).toBe(join(cacheDir, `vmlinux-${k.release}`));
      expect(hasPvhEntry(readFileSync(image))).toBe(true);
      expect(await bootImage(k, { exec: () => Promise.reject(new Error("cached")), cacheDir })).toBe(image);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 60_000);
});
