// Fetches a Debian kernel into the cache: index, newest image, verified download, extraction, depmod.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { NsmError } from "../errors.js";
import {
  defaultCacheDir,
  describeFailure,
  type Exec,
  hasTool,
  makeFolder,
  searchPath,
} from "../system/index.js";
import { DEFAULT_MIRROR, type DebianSeries, debianSeries, knownSeries } from "./catalog.js";
import { imageRelease, newestImage, type PackageStanza, parsePackages } from "./debian-index.js";
import { download } from "./download.js";
import {
  type CachedKernel,
  entryName,
  readEntry,
  STAGING_PREFIX,
  sweepPartial,
  writeEntry,
} from "./entry.js";
import type { KernelProgress } from "./progress.js";

/** What fetching needs; only exec is required. */
export interface FetchOptions {
  exec: Exec;
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  progress?: KernelProgress;
  /** Default: http://deb.debian.org/debian. */
  mirror?: string;
  cancel?: AbortSignal;
}

// Debian package of each tool a fetch runs.
const TOOLS: Record<string, string> = { xz: "xz-utils", "dpkg-deb": "dpkg", depmod: "kmod" };

export { defaultCacheDir } from "../system/index.js";

const mirrorOf = (o: FetchOptions) => (o.mirror ?? DEFAULT_MIRROR).replace(/\/+$/, "");

async function run(o: FetchOptions, file: string, args: string[], timeoutMs: number): Promise<void> {
  const r = await o.exec(file, args, { timeoutMs, env: { PATH: searchPath() }, cancel: o.cancel });
  if (r.exitCode !== 0) throw new NsmError("E_BACKEND", describeFailure(r));
}

async function readIndex(d: DebianSeries, staging: string, o: FetchOptions): Promise<PackageStanza[]> {
  const url = `${mirrorOf(o)}/dists/${d.suite}/main/binary-amd64/Packages.xz`;
  o.progress?.({ kind: "index", spec: `debian:${d.series}`, url });
  const xz = join(staging, "Packages.xz");
  await download(url, xz, { fetch: o.fetch ?? globalThis.fetch, cancel: o.cancel });
  // `xz -d` to a file: the index is ~50 MB, too much to hold as a process's stdout.
  await run(o, "xz", ["-d", "-f", xz], 120_000);
  const text = await readFile(join(staging, "Packages"), "utf8");
  await rm(join(staging, "Packages"), { force: true });
  return parsePackages(text);
}

/**
 * The packages that hold the kernel: the image, and, from Debian's 7.x packaging on, where the
 * image is only a signed stub, the packages of its release that it depends on: linux-binary
 * (vmlinuz), linux-modules, and linux-base (modules.builtin, without which depmod cannot tell a
 * built-in module from a missing one).
 */
export function kernelPackages(
  stanzas: PackageStanza[],
  image: PackageStanza,
  release: string,
): PackageStanza[] {
  const wanted = (image.depends ?? "")
    .split(",")
    .map((d) => d.trim().split(/[\s(|]/)[0] ?? "")
    .filter((n) => ["binary", "modules", "base"].some((k) => n === `linux-${k}-${release}`));
  const parts = wanted.flatMap((n) =>
    stanzas.filter((x) => x.package === n && x.version === image.version).slice(0, 1),
  );
  return [image, ...parts];
}

// Extracts the packages into staging and runs depmod; returns vmlinuz and modulesRoot relative to staging.
async function unpack(debs: string[], staging: string, release: string, o: FetchOptions) {
  for (const deb of debs) {
    await run(o, "dpkg-deb", ["-x", deb, staging], 600_000);
    await rm(deb, { force: true });
  }
  const deb = debs[0] ?? "";
  // /boot until 6.x; from Debian's 7.x packaging (linux-binary-*) beside the modules.
  const vmlinuz =
    [`boot/vmlinuz-${release}`, `usr/lib/modules/${release}/vmlinuz`, `lib/modules/${release}/vmlinuz`].find(
      (v) => existsSync(join(staging, v)),
    ) ?? `boot/vmlinuz-${release}`;
  // 5.10 and 6.1 install to /lib/modules, 6.12 (merged /usr) to /usr/lib/modules.
  const modulesRoot = ["lib/modules", "usr/lib/modules"].find((m) => existsSync(join(staging, m, release)));
  if (!existsSync(join(staging, vmlinuz)) || !modulesRoot) {
    throw new NsmError(
      "E_BACKEND",
      `${deb} has no ${vmlinuz} or no lib/modules/${release}: not a kernel image`,
    );
  }
  // depmod -b wants the directory holding lib/modules: staging, or staging/usr for /usr/lib/modules.
  await run(o, "depmod", ["-b", join(staging, dirname(dirname(modulesRoot))), release], 300_000);
  if (!existsSync(join(staging, modulesRoot, release, "modules.dep"))) {
    throw new NsmError("E_BACKEND", `depmod wrote no modules.dep for ${release} in ${staging}`);
  }
  return { vmlinuz, modulesRoot };
}

/** The newest image of a Debian series as the archive's index has it now, without downloading it. */
export async function resolveDebianKernel(
  series: string,
  o: FetchOptions,
): Promise<{ release: string; version: string; package: string }> {
  const d = debianSeries(series);
  if (!d) throw new NsmError("E_USAGE", `unknown Debian series "${series}" (known: ${knownSeries()})`);
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  makeFolder(cacheDir);
  const staging = await mkdtemp(join(cacheDir, `${STAGING_PREFIX}${process.pid}-`));
  try {
    const image = newestImage(await readIndex(d, staging, o), series);
    const release = image && imageRelease(series, image.package);
    if (!image || !release)
      throw new NsmError("E_BACKEND", `the ${d.suite} index has no package matching ${d.image.source}`);
    return { release, version: image.version, package: image.package };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Fetches the newest kernel of a Debian series unless the cache already holds it; returns the entry. */
export async function fetchDebianKernel(series: string, o: FetchOptions): Promise<CachedKernel> {
  const d = debianSeries(series);
  if (!d) throw new NsmError("E_USAGE", `unknown Debian series "${series}" (known: ${knownSeries()})`);
  const missing = Object.keys(TOOLS).filter((t) => !hasTool(t));
  if (missing.length) {
    const pkgs = missing.map((t) => TOOLS[t]).join(" ");
    throw new NsmError("E_TOOL", `fetching kernels needs ${missing.join(", ")}: apt-get install ${pkgs}`);
  }
  const started = Date.now();
  const spec = `debian:${series}`;
  const cacheDir = o.cacheDir ?? defaultCacheDir();
  makeFolder(cacheDir);
  sweepPartial(cacheDir, o.progress);
  const staging = await mkdtemp(join(cacheDir, `${STAGING_PREFIX}${process.pid}-`));
  try {
    const stanzas = await readIndex(d, staging, o);
    const image = newestImage(stanzas, series);
    const release = image && imageRelease(series, image.package);
    if (!image || !release) {
      throw new NsmError("E_BACKEND", `the ${d.suite} index has no package matching ${d.image.source}`);
    }
    const final = join(cacheDir, entryName(series, release));
    const cached = readEntry(final);
    if (cached) {
      o.progress?.({ kind: "cached", spec, release, dir: final });
      return cached;
    }
    const fetchFn = o.fetch ?? globalThis.fetch;
    const debs: string[] = [];
    for (const [i, p] of kernelPackages(stanzas, image, release).entries()) {
      const deb = join(staging, `package-${i}.deb`);
      await download(`${mirrorOf(o)}/${p.filename}`, deb, {
        fetch: fetchFn,
        label: p.package,
        progress: o.progress,
        total: p.size,
        sha256: p.sha256,
        cancel: o.cancel,
      });
      debs.push(deb);
    }
    o.progress?.({ kind: "extract", spec, file: image.package });
    const paths = await unpack(debs, staging, release, o);
    const { package: pkg, version, sha256 } = image;
    await writeEntry(staging, { spec, release, ...paths, package: pkg, version, sha256 });
    await rm(final, { recursive: true, force: true });
    try {
      await rename(staging, final);
    } catch (e) {
      // Another fetch of the same kernel finished first: use its entry.
      const other = readEntry(final);
      if (!other) throw e;
      return other;
    }
    const entry = readEntry(final);
    if (!entry) throw new NsmError("E_INTERNAL", `${final} is incomplete right after it was written`);
    o.progress?.({ kind: "ready", spec, release, dir: final, durationMs: Date.now() - started });
    return entry;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
