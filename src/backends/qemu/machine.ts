// The QEMU command line: q35 + qboot booting an uncompressed PVH vmlinux, 9p shares over virtio-pci.
//
// Not microvm, although it boots ~0.2 s faster: it has no HPET or ACPI PM timer, so when the TSC
// calibration against the PIT fails (TCG on a busy host: 7 boots in 8 with two CPU hogs, 3 in 40 idle)
// the kernel hangs before printing anything. q35 falls back to those timers.
//
// One vCPU: two (MTTCG) made Box0 on three guests take 354 s instead of 63 s on 2 host cores, as
// vCPU threads of several guests preempt each other inside spinlocks.
import type { Accel } from "./accel.js";
import { TAGS } from "./init.js";

/** The emulator binary. */
export const QEMU = "qemu-system-x86_64";
/** A minimal firmware that starts a -kernel image much sooner than SeaBIOS. */
export const QBOOT = "/usr/share/qemu/qboot.rom";

/** One guest's machine: accelerator, images, console file and 9p shares. */
export interface MachineOptions {
  accel: Accel;
  /** `-kernel`: an uncompressed PVH vmlinux (fast) or a bzImage. */
  image: string;
  initrd: string;
  /** Serial console destination: a file path, or "stdio". */
  console: string;
  /** 9p exports: host root (read-only), the kernel's modules (read-only), the job directory. */
  shares?: { root: string; modules: string; job: string };
  /** Extra kernel command-line words. */
  append?: string;
  memory?: string;
  cpus?: number;
  pidfile?: string;
}

// quiet: ~270 console lines cost ~0.3 s under TCG; cryptomgr.notests: skips ~100 ms of self-tests;
// panic=-1 with -no-reboot: a panicking kernel makes QEMU exit at once.
const BASE_APPEND = "console=ttyS0 quiet panic=-1 rdinit=/init cryptomgr.notests";

function share(id: string, path: string, tag: string, readonly: boolean): string[] {
  const ro = readonly ? ",readonly=on" : "";
  return [
    "-fsdev",
    `local,id=${id},path=${path}${ro},security_model=none,multidevs=remap`,
    "-device",
    `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`,
  ];
}

/** Arguments for qemu-system-x86_64. */
export function qemuArgs(o: MachineOptions): string[] {
  const kvm = o.accel === "kvm";
  const args = ["-M", "q35", "-accel", kvm ? "kvm" : "tcg"];
  // TCG: `max`, not the ~10% faster qemu64, since guest userspace is the host's and may need x86-64-v2+.
  args.push("-cpu", kvm ? "host" : "max", "-m", o.memory ?? "512M", "-smp", String(o.cpus ?? 1));
  args.push("-bios", QBOOT, "-nodefaults", "-no-user-config", "-display", "none");
  args.push("-no-reboot", "-serial", o.console === "stdio" ? "stdio" : `file:${o.console}`);
  args.push("-kernel", o.image, "-initrd", o.initrd);
  args.push("-append", o.append ? `${BASE_APPEND} ${o.append}` : BASE_APPEND);
  if (o.shares) {
    args.push(...share("root", o.shares.root, TAGS.root, true));
    args.push(...share("mods", o.shares.modules, TAGS.modules, true));
    args.push(...share("job", o.shares.job, TAGS.job, false));
  }
  if (o.pidfile) args.push("-pidfile", o.pidfile);
  return args;
}
