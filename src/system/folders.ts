// Making the folders nsmatrix writes to (caches, artifacts, schemas), which the user may name.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileSystemError } from "../errors.js";

/**
 * `mkdir -p`, one level at a time. A level that cannot be made is a located E_IO ("cannot create
 * the folder /root/.cache/nsmatrix: permission denied (EACCES)"). Node's own recursive mkdir
 * spins forever where the kernel answers ENOENT for a parent that exists (procfs).
 */
export function makeFolder(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (e) {
      // Another process made it meanwhile: fine.
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw fileSystemError(e) ?? e;
    }
  }
}
