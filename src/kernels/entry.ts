// One cache entry: a directory holding an extracted kernel and its kernel.json, written last.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { processAlive } from "../system/index.js";
import type { KernelProgress } from "./progress.js";
import type { GuestKernel } from "./types.js";

/** Written last: a directory without it is unfinished, never used, and removed by the next fetch. */
export const KERNEL_JSON = "kernel.json";
/** Prefix of the directories a fetch works in before renaming them into place. */
export const STAGING_PREFIX = ".staging-";

// Paths are relative to the entry, so the cache can move.
const KernelJson = z.object({
  spec: z.string(),
  release: z.string(),
  vmlinuz: z.string(),
  modulesRoot: z.string(),
  package: z.string(),
  version: z.string(),
  sha256: z.string(),
});

/** The contents of kernel.json. */
export type KernelJson = z.infer<typeof KernelJson>;

/** A cached Debian kernel: a GuestKernel with absolute paths, where it came from, and its directory. */
export interface CachedKernel extends GuestKernel {
  package: string;
  version: string;
  sha256: string;
  dir: string;
}

/** `debian-<series>-<release>`: the final name of an entry. */
export function entryName(series: string, release: string): string {
  return `debian-${series}-${release}`;
}

/** The entry in dir if it is complete (valid kernel.json, vmlinuz, modules.dep), else undefined. */
export function readEntry(dir: string): CachedKernel | undefined {
  let json: KernelJson;
  try {
    json = KernelJson.parse(JSON.parse(readFileSync(join(dir, KERNEL_JSON), "utf8")));
  } catch {
    return undefined;
  }
  const abs = resolve(dir);
  const vmlinuz = join(abs, json.vmlinuz);
  const modulesRoot = join(abs, json.modulesRoot);
  if (!existsSync(vmlinuz) || !existsSync(join(modulesRoot, json.release, "modules.dep"))) return undefined;
  return { ...json, vmlinuz, modulesRoot, dir: abs };
}

/** Writes kernel.json into dir, which makes the entry complete. */
export async function writeEntry(dir: string, json: KernelJson): Promise<void> {
  await writeFile(join(dir, KERNEL_JSON), `${JSON.stringify(KernelJson.parse(json), null, 2)}\n`);
}

/** Removes unfinished entries and the staging dirs of fetches whose process is gone; returns them. */
export function sweepPartial(cacheDir: string, progress?: KernelProgress): string[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(cacheDir, name);
    let reason: string | undefined;
    if (name.startsWith(STAGING_PREFIX)) {
      const pid = Number(name.slice(STAGING_PREFIX.length).split("-")[0]);
      if (!(pid > 0 && processAlive(pid))) reason = "an interrupted fetch";
    } else if (name.startsWith("debian-") && !readEntry(dir)) {
      reason = `no complete ${KERNEL_JSON}`;
    }
    if (!reason) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
    progress?.({ kind: "removed", dir, reason });
  }
  return removed;
}
