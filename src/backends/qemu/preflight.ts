// Refuse early, naming the Debian packages, when the host lacks what a QEMU guest needs.
import { existsSync } from "node:fs";
import { NsmError } from "../../errors.js";
import { hasTool } from "../../system/index.js";
import { QBOOT, QEMU } from "./machine.js";

const NEEDS: [what: string, pkg: string, present: () => boolean][] = [
  [QEMU, "qemu-system-x86", () => hasTool(QEMU)],
  [QBOOT, "qemu-system-data", () => existsSync(QBOOT)],
  ["/bin/busybox", "busybox-static", () => existsSync("/bin/busybox")],
  ["modprobe", "kmod", () => hasTool("modprobe")],
  ["xz", "xz-utils", () => hasTool("xz")],
];

/** Throws E_TOOL listing every missing piece with its Debian package. */
export function requireQemuHost(): void {
  const missing = NEEDS.filter(([, , present]) => !present());
  if (!missing.length) return;
  const list = missing.map(([what, pkg]) => `${what} (Debian package ${pkg})`).join(", ");
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(" ");
  throw new NsmError("E_TOOL", `QEMU guests need: ${list}. Install them with: apt-get install ${pkgs}`);
}
