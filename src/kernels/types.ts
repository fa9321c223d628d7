// Kernel specs as users write them, and a guest kernel ready to boot.

/** `host`, `debian:<series>`, `file:<vmlinuz>[:<modules dir>]` or `vagrant:<machine>`. */
export type KernelSpec =
  | { kind: "host" }
  | { kind: "vagrant"; machine: string }
  | { kind: "debian"; series: string }
  | { kind: "file"; vmlinuz: string; modules?: string };

/** A kernel image with its modules, ready for the QEMU backend. */
export interface GuestKernel {
  /** The spec as the user wrote it, e.g. `debian:6.1`. */
  spec: string;
  /** `uname -r` of the kernel, e.g. `6.1.0-50-amd64`. */
  release: string;
  vmlinuz: string;
  /** A directory holding `<release>/modules.dep` etc., i.e. what belongs at /lib/modules. */
  modulesRoot: string;
  /** The kernel's .config, when one is known: the guest sees it as /boot/config-<release>. */
  config?: string;
}
