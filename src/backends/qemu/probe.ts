// The real KVM probe: boot the guest kernel under KVM with `nsm.probe`; /init prints a marker and powers off.
import { accessSync, constants } from "node:fs";
import type { Exec } from "../../system/index.js";
import type { KvmProbe } from "./accel.js";
import { PROBE_MARKER } from "./init.js";
import { QEMU, qemuArgs } from "./machine.js";

/** A probe for chooseAccel that boots `image` + `initrd` under KVM; false at once without /dev/kvm. */
export function kvmProbe(o: { image: string; initrd: string; exec: Exec }): KvmProbe {
  return async (signal) => {
    try {
      accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    } catch {
      return false;
    }
    const args = qemuArgs({
      accel: "kvm",
      image: o.image,
      initrd: o.initrd,
      console: "stdio",
      append: "nsm.probe",
    });
    // The caller's timeout aborts us; this one only bounds a probe nobody waits for.
    const r = await o.exec(QEMU, args, { timeoutMs: 30_000, cancel: signal });
    return r.stdout.includes(PROBE_MARKER);
  };
}
