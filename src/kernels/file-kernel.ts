// Checks a `file:<vmlinuz>[:<modules dir>]` kernel and works out its release.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { NsmError } from "../errors.js";
import { BZIMAGE_HEAD_BYTES, bzImageRelease } from "./bzimage.js";
import type { GuestKernel, KernelSpec } from "./types.js";

function head(file: string): Buffer {
  const buf = Buffer.alloc(BZIMAGE_HEAD_BYTES);
  const fd = openSync(file, "r");
  try {
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
// A release directory holds modules.dep (after depmod) or at least modules.order / kernel/.
const isReleaseDir = (p: string) =>
  ["modules.dep", "modules.order", "kernel"].some((f) => existsSync(join(p, f)));

/**
 * The guest kernel a file spec names. The modules dir may be `<root>/<release>` or `<root>` itself;
 * without one, `/lib/modules/<release>` is used when it exists. The release comes from the bzImage header.
 */
export function resolveFileKernel(k: Extract<KernelSpec, { kind: "file" }>, spec: string): GuestKernel {
  const vmlinuz = resolve(k.vmlinuz);
  if (!isFile(vmlinuz)) throw new NsmError("E_USAGE", `kernel ${spec}: ${vmlinuz} is not a file`);
  const fromImage = bzImageRelease(head(vmlinuz));
  const modules = k.modules === undefined ? undefined : resolve(k.modules);
  if (modules !== undefined && !isDir(modules)) {
    throw new NsmError("E_USAGE", `kernel ${spec}: ${modules} is not a directory`);
  }
  if (modules && isReleaseDir(modules)) {
    const release = basename(modules);
    if (fromImage && fromImage !== release) {
      throw new NsmError(
        "E_USAGE",
        `kernel ${spec}: ${vmlinuz} is release ${fromImage} but the modules in ${modules} are for ${release}`,
      );
    }
    return { spec, release, vmlinuz, modulesRoot: dirname(modules), ...configOf(vmlinuz, release) };
  }
  if (!fromImage) {
    throw new NsmError(
      "E_USAGE",
      `kernel ${spec}: cannot read the release of ${vmlinuz} (not an x86 bzImage); ` +
        `name its modules as file:${k.vmlinuz}:/path/to/lib/modules/<release>`,
    );
  }
  const root = modules ?? "/lib/modules";
  if (!isDir(join(root, fromImage))) {
    throw new NsmError(
      "E_USAGE",
      `kernel ${spec}: no modules for ${fromImage} in ${root}; ` +
        `give them as file:${k.vmlinuz}:/path/to/lib/modules/${fromImage}`,
    );
  }
  return { spec, release: fromImage, vmlinuz, modulesRoot: root, ...configOf(vmlinuz, fromImage) };
}

/**
 * A built tree's .config (arch/x86/boot/bzImage is three folders below it), or a config-<release>
 * beside the image, as /boot holds it.
 */
function configOf(vmlinuz: string, release: string): { config?: string } {
  const dir = dirname(vmlinuz);
  const candidates = [
    join(dir, `config-${release}`),
    join(dir, ".config"),
    join(dir, "..", "..", "..", ".config"),
  ];
  const config = candidates.find(isFile);
  return config ? { config: resolve(config) } : {};
}
