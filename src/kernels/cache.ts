// The kernel cache as a whole: list, remove, and resolve any spec to a bootable guest kernel.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NsmError } from "../errors.js";
import { DEBIAN_SERIES } from "./catalog.js";
import { compareDebianVersions } from "./debian-version.js";
import { type CachedKernel, readEntry } from "./entry.js";
import { defaultCacheDir, type FetchOptions, fetchDebianKernel } from "./fetch.js";
import { resolveFileKernel } from "./file-kernel.js";
import { formatKernelSpec, parseKernelSpec } from "./spec.js";
import type { GuestKernel, KernelSpec } from "./types.js";

const seriesRank = (spec: string) => DEBIAN_SERIES.findIndex((d) => `debian:${d.series}` === spec);

/** Complete entries in the cache, by series (oldest first), newest version first within one. */
export function listCached(cacheDir = defaultCacheDir()): CachedKernel[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith("debian-"))
    .map((n) => readEntry(join(cacheDir, n)))
    .filter((k): k is CachedKernel => k !== undefined)
    .sort((a, b) => seriesRank(a.spec) - seriesRank(b.spec) || compareDebianVersions(b.version, a.version));
}

function debianOnly(spec: KernelSpec | string, what: string): string {
  const k = typeof spec === "string" ? parseKernelSpec(spec) : spec;
  if (k.kind !== "debian") {
    throw new NsmError("E_USAGE", `${what} ${formatKernelSpec(k)}: only debian:<series> kernels are cached`);
  }
  return formatKernelSpec(k);
}

/** Removes every cached release of a debian spec; returns the removed directories. */
export function removeCached(cacheDir: string, spec: KernelSpec | string): string[] {
  const text = debianOnly(spec, "cannot remove");
  const gone = listCached(cacheDir).filter((k) => k.spec === text);
  for (const k of gone) rmSync(k.dir, { recursive: true, force: true });
  return gone.map((k) => k.dir);
}

/** Removes cached releases of keep's series other than keep; returns the removed directories. */
export function pruneOlder(cacheDir: string, keep: CachedKernel): string[] {
  const old = listCached(cacheDir).filter((k) => k.spec === keep.spec && k.dir !== keep.dir);
  for (const k of old) rmSync(k.dir, { recursive: true, force: true });
  return old.map((k) => k.dir);
}

/** Options for resolveKernel; `refresh` asks the archive for a newer release even when one is cached. */
export interface ResolveOptions extends FetchOptions {
  refresh?: boolean;
}

/** host → undefined (the host backend needs nothing); debian → the newest cached, else fetched; file → checked. */
export async function resolveKernel(
  spec: KernelSpec | string,
  o: ResolveOptions,
): Promise<GuestKernel | undefined> {
  const k = typeof spec === "string" ? parseKernelSpec(spec) : spec;
  switch (k.kind) {
    case "host":
    case "vagrant":
      return undefined;
    case "file":
      return resolveFileKernel(k, formatKernelSpec(k));
    case "debian": {
      const cached = listCached(o.cacheDir ?? defaultCacheDir()).find((c) => c.spec === formatKernelSpec(k));
      const entry = cached && !o.refresh ? cached : await fetchDebianKernel(k.series, o);
      // Debian's kernel package carries its config beside the image.
      const config = join(entry.dir, "boot", `config-${entry.release}`);
      return {
        spec: entry.spec,
        release: entry.release,
        vmlinuz: entry.vmlinuz,
        modulesRoot: entry.modulesRoot,
        ...(existsSync(config) ? { config } : {}),
      };
    }
  }
}
