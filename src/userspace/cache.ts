// The userspace cache: one directory per built root filesystem, with its manifest written last.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { NsmError } from "../errors.js";
import { defaultUserspaceDir } from "../system/index.js";
import { formatUserspaceSpec, type UserspaceSpec } from "./spec.js";

/** Written last: a directory without it is unfinished and never used. */
export const MANIFEST = "userspace.json";
/** Prefix of the directories a build works in before it renames them into place. */
export const PARTIAL_PREFIX = ".partial-";

const Manifest = z.object({
  spec: z.string(),
  suite: z.string(),
  mirror: z.string(),
  packages: z.array(z.string()),
  image: z.string(),
  builtAt: z.string(),
  /** What `ip -V`, `nft --version`, … printed in the new root. */
  tools: z.record(z.string(), z.string()),
});
export type Manifest = z.infer<typeof Manifest>;

/** A complete cache entry: its manifest, the entry directory and the root filesystem in it. */
export interface CachedUserspace extends Manifest {
  dir: string;
  root: string;
}

export { defaultUserspaceDir } from "../system/index.js";

/** `debian-<suite>`: the entry's directory name. */
export function entryName(u: Extract<UserspaceSpec, { kind: "debian" }>): string {
  return `debian-${u.suite}`;
}

/** Reads one entry; undefined when it is unfinished or its manifest is not ours. */
export function readEntry(dir: string): CachedUserspace | undefined {
  try {
    const m = Manifest.parse(JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")));
    const root = join(dir, "root");
    return existsSync(join(root, "bin")) ? { ...m, dir, root } : undefined;
  } catch {
    return undefined;
  }
}

/** Complete entries, in suite order as the names sort. */
export function listUserspaces(cacheDir = defaultUserspaceDir()): CachedUserspace[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith("debian-"))
    .sort()
    .map((n) => readEntry(join(cacheDir, n)))
    .filter((u): u is CachedUserspace => u !== undefined);
}

/** The cached entry of a debian spec, if built. */
export function cachedUserspace(cacheDir: string, u: UserspaceSpec): CachedUserspace | undefined {
  return u.kind === "debian" ? readEntry(join(cacheDir, entryName(u))) : undefined;
}

/** Removes a debian spec's entry (and any build of it that a killed run left); returns what went. */
export function removeUserspace(cacheDir: string, u: UserspaceSpec): string[] {
  if (u.kind !== "debian") {
    throw new NsmError(
      "E_USAGE",
      `cannot remove ${formatUserspaceSpec(u)}: only debian:<suite> userspaces are built and cached`,
    );
  }
  const name = entryName(u);
  let names: string[] = [];
  try {
    names = readdirSync(cacheDir).filter((n) => n === name || n.startsWith(`${PARTIAL_PREFIX}${name}-`));
  } catch {}
  for (const n of names) rmSync(join(cacheDir, n), { recursive: true, force: true });
  return names.map((n) => join(cacheDir, n));
}
