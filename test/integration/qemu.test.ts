import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accelChooser } from "../../src/backends/qemu/accel.js";
import { type GuestOptions, runInGuest } from "../../src/backends/qemu/guest.js";
import { buildInitramfs } from "../../src/backends/qemu/initramfs.js";
import { kvmProbe } from "../../src/backends/qemu/probe.js";
import { bootImage } from "../../src/backends/qemu/vmlinux.js";
import { defaultCacheDir, resolveKernel } from "../../src/kernels/index.js";
import type { GuestKernel } from "../../src/kernels/types.js";
import { exec } from "../../src/system/exec.js";
import { isRoot, whyNot } from "./helpers.js";

// The catalog's debian:6.1 (downloaded on first use, as CI does), unless NSM_TEST_KERNEL_DIR
// names an extracted linux-image package (after depmod -b).
async function testKernel(): Promise<GuestKernel | undefined> {
  const dir = process.env.NSM_TEST_KERNEL_DIR;
  if (!dir) return resolveKernel("debian:6.1", { exec, cacheDir: defaultCacheDir() });
  const root = existsSync(join(dir, "root", "boot")) ? join(dir, "root") : dir;
  const boot = join(root, "boot");
  const image = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith("vmlinuz-")) : undefined;
  if (!image) return undefined;
  const release = image.slice("vmlinuz-".length);
  const modulesRoot = [join(root, "lib", "modules"), join(root, "usr", "lib", "modules")].find((m) =>
    existsSync(join(m, release, "modules.dep")),
  );
  return modulesRoot ? { spec: "debian:dev", release, vmlinuz: join(boot, image), modulesRoot } : undefined;
}

const kernel = isRoot ? await testKernel() : undefined;
const hasQemu = existsSync("/usr/bin/qemu-system-x86_64");
const why = !isRoot
  ? whyNot
  : !hasQemu
    ? "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
    : !kernel
      ? "no guest kernel: set NSM_TEST_KERNEL_DIR to an extracted linux-image package (after depmod -b)"
      : "";
if (why) console.warn(`skipping QEMU tests: ${why}`);

const cacheDir = join(tmpdir(), "nsmatrix-test-cache");
const opts = (o: Partial<GuestOptions> = {}): GuestOptions => ({
  accel: "tcg",
  timeoutMs: 60_000,
  timeoutScale: 2,
  exec,
  cacheDir,
  ...o,
});
const leftovers = () => readdirSync(tmpdir()).filter((f) => /^nsm-[0-9a-f]{8}$/.test(f));

const UNAME_TAP = `echo 'TAP version 13'
echo 1..1
echo "ok 1 - kernel $(uname -r)"`;

// Two namespaces joined by a veth pair, one ping across, named after NSM_RUN like compiled scripts do.
const VETH_PING = `set -eu
P="nsm-$NSM_RUN"
trap 'ip netns del "$P-a" 2>/dev/null; ip netns del "$P-b" 2>/dev/null' EXIT
echo 'TAP version 13'
echo 1..1
ip netns add "$P-a"
ip netns add "$P-b"
ip link add va netns "$P-a" type veth peer name vb netns "$P-b"
ip -n "$P-a" addr add 10.99.0.1/24 dev va
ip -n "$P-b" addr add 10.99.0.2/24 dev vb
ip -n "$P-a" link set va up
ip -n "$P-b" link set vb up
if ip netns exec "$P-a" ping -c 1 -W 5 10.99.0.2 >&2; then echo "ok 1 - ping across the veth"; else echo "not ok 1 - ping across the veth"; exit 1; fi`;

// PID 1 lives in the real root, so the kernel's module autoload finds the host's modprobe.
const MODULES = `echo 1..2
ip link add "nsm-$NSM_RUN" type dummy && echo "ok 1 - dummy autoloaded" || echo "not ok 1 - dummy autoloaded"
modprobe br_netfilter && echo "ok 2 - br_netfilter loaded" || echo "not ok 2 - br_netfilter loaded"`;

describe.skipIf(!!why)("a Debian guest kernel under QEMU", () => {
  const k = kernel as GuestKernel;

  it("runs a batch of scripts in one boot and returns each one's TAP and exit status", async () => {
    const before = leftovers();
    const logs: string[] = [];
    const run = await runInGuest(
      k,
      [
        { id: "uname", script: UNAME_TAP },
        { id: "veth", script: VETH_PING },
        { id: "modules", script: MODULES },
      ],
      opts({ log: (m) => logs.push(m) }),
    );
    expect(run.release).toBe(k.release);
    expect(run.accel).toBe("tcg");
    expect(run.crash).toBeUndefined();
    expect(run.timedOut).toBe(false);
    expect(run.jobs.map((j) => [j.id, j.exitCode, j.tap])).toEqual([
      ["uname", 0, `TAP version 13\n1..1\nok 1 - kernel ${k.release}\n`],
      ["veth", 0, "TAP version 13\n1..1\nok 1 - ping across the veth\n"],
      ["modules", 0, "1..2\nok 1 - dummy autoloaded\nok 2 - br_netfilter loaded\n"],
    ]);
    expect(run.jobs[1]?.stderr).toContain("1 packets transmitted, 1 received");
    expect(run.bootMs).toBeGreaterThan(0);
    expect(run.bootMs).toBeLessThan(run.totalMs);
    expect(logs[0]).toBe(`booting ${k.spec} (${k.release}) under TCG (asked for TCG)`);
    expect(leftovers()).toEqual(before);
  }, 90_000);

  it("reports a kernel panic as a crash within the timeout, with the jobs that never ran", async () => {
    const t0 = Date.now();
    const run = await runInGuest(
      k,
      [
        { id: "crash", script: "echo c > /proc/sysrq-trigger; sleep 30" },
        { id: "after", script: UNAME_TAP },
      ],
      opts({ timeoutMs: 30_000 }),
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(run.timedOut).toBe(false);
    expect(run.crash?.kind).toBe("panic");
    expect(run.crash?.excerpt).toContain("Kernel panic - not syncing: sysrq triggered crash");
    expect(run.jobs.map((j) => [j.id, j.exitCode, j.tap])).toEqual([
      ["crash", null, ""],
      ["after", null, ""],
    ]);
  }, 60_000);

  it("kills a guest whose job hangs when the timeout expires", async () => {
    const t0 = Date.now();
    const run = await runInGuest(k, [{ id: "hang", script: "sleep 600" }], opts({ timeoutMs: 10_000 }));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(run.timedOut).toBe(true);
    expect(run.crash).toBeUndefined();
    expect(run.jobs).toEqual([{ id: "hang", tap: "", stderr: "", exitCode: null, durationMs: 0 }]);
  }, 60_000);

  it("falls back to TCG within about 5 s when a KVM guest does not run (auto)", async () => {
    const [image, initrd] = await Promise.all([
      bootImage(k, { exec, cacheDir }),
      buildInitramfs(k, { exec, cacheDir }),
    ]);
    const t0 = Date.now();
    const choice = await accelChooser()("auto", kvmProbe({ image, initrd, exec }));
    const ms = Date.now() - t0;
    // Where KVM works (most CI runners) the probe guest boots in well under the limit.
    if (choice.accel === "tcg") expect(ms).toBeLessThan(5_000);
    else expect(choice.why).toBe("KVM probe guest ran");
  }, 30_000);
});
