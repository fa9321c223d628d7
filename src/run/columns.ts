// One backend per matrix column, kernel × userspace: the host's own tools, a container on the host
// kernel, a guest booted with the host's root or with a Debian release's.
import { release } from "node:os";
import {
  type Backend,
  containerBackend,
  dockerEngine,
  type Exec,
  guestBackend,
  hostBackend,
  vagrantBackend,
} from "../backends/index.js";
import type { AccelMode } from "../backends/qemu/index.js";
import type { KernelProgress, KernelSpec } from "../kernels/index.js";
import { resolveKernel } from "../kernels/index.js";
import {
  buildUserspace,
  type CachedUserspace,
  formatUserspaceEvent,
  formatUserspaceSpec,
  hasImage,
  imageOf,
  importImage,
  type UserspaceSpec,
} from "../userspace/index.js";

export interface ColumnOptions {
  exec: Exec;
  accel: AccelMode;
  cacheDir: string;
  userspaceDir: string;
  vagrantDir: string;
  kernelProgress: KernelProgress;
  log: (label: string, message: string) => void;
  /** Where a userspace build's progress lines go. */
  print: (line: string) => void;
}

/** A column that cannot run, with why: every check of it is `skip`. */
export function skippedColumn(kernel: string, label: string, userspace: string, reason: string): Backend {
  return { kernel, label, userspace, runBatch: async () => ({ runs: [], skip: reason }) };
}

/** The backends of a run, in kernel-major order; debian userspaces are built first, once each. */
export async function columnBackends(
  kernels: KernelSpec[],
  userspaces: UserspaceSpec[],
  o: ColumnOptions,
): Promise<Backend[]> {
  const roots = new Map<string, CachedUserspace>();
  const progress = (e: Parameters<typeof formatUserspaceEvent>[0]) => o.print(formatUserspaceEvent(e));
  for (const u of userspaces)
    if (u.kind === "debian")
      roots.set(u.suite, await buildUserspace(u, { exec: o.exec, cacheDir: o.userspaceDir, progress }));
  const engine = dockerEngine(o.exec);
  // The image of a debian userspace is imported on first use, and again if the engine lost it.
  const imageFor = (u: Exclude<UserspaceSpec, { kind: "host" }>) => async () => {
    const image = imageOf(u);
    const root = u.kind === "debian" ? roots.get(u.suite) : undefined;
    if (root && !(await hasImage(o.exec, image)))
      await importImage(root, { exec: o.exec, cacheDir: o.userspaceDir, progress });
    return image;
  };
  const out: Backend[] = [];
  for (const k of kernels) {
    if (k.kind === "vagrant") {
      const label = `vagrant:${k.machine}`;
      const log = (message: string) => o.log(label, message);
      for (const u of userspaces) {
        const us = formatUserspaceSpec(u);
        out.push(
          u.kind === "host"
            ? await vagrantBackend(k.machine, { exec: o.exec, dir: o.vagrantDir, log })
            : skippedColumn(label, label, us, "a Vagrant box runs its own userspace: only -u host applies"),
        );
      }
      continue;
    }
    const guest = await resolveKernel(k, { exec: o.exec, cacheDir: o.cacheDir, progress: o.kernelProgress });
    for (const u of userspaces) {
      const us = formatUserspaceSpec(u);
      if (!guest) {
        out.push(
          u.kind === "host" ? hostBackend(o.exec) : containerBackend(release(), us, imageFor(u), engine),
        );
        continue;
      }
      const common = { exec: o.exec, accel: o.accel, cacheDir: o.cacheDir };
      if (u.kind === "host") out.push(guestBackend(guest, common));
      else if (u.kind === "debian") {
        const root = roots.get(u.suite)?.root ?? "/";
        out.push(guestBackend(guest, { ...common, userspace: { spec: us, root } }));
      } else
        out.push(
          skippedColumn(
            guest.release,
            guest.spec,
            us,
            "docker: userspaces run on the host kernel; as a guest's root, use debian:<suite>",
          ),
        );
    }
  }
  return out;
}
