// The QEMU backend: boot a guest kernel once, run a batch of compiled scripts, scan the console.
export {
  type Accel,
  type AccelChoice,
  type AccelMode,
  accelChooser,
  chooseAccel,
  type KvmProbe,
} from "./accel.js";
export { type ConsoleFinding, type ConsoleScan, scanConsole } from "./console.js";
export { type GuestJob, type GuestJobResult, type GuestOptions, type GuestRun, runInGuest } from "./guest.js";
export { buildInitramfs } from "./initramfs.js";
export { requireQemuHost } from "./preflight.js";
export { kvmProbe } from "./probe.js";
export { bootImage } from "./vmlinux.js";
