// Builds a Debian userspace: debootstrap into a partial directory, probe its tools, rename it into
// place (never a half-built root), then import it as a local image for the container backend.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NsmError } from "../errors.js";
import { DEFAULT_MIRROR } from "../kernels/index.js";
import type { Exec } from "../system/index.js";
import { describeFailure, makeFolder, searchPath } from "../system/index.js";
import {
  type CachedUserspace,
  cachedUserspace,
  entryName,
  MANIFEST,
  type Manifest,
  PARTIAL_PREFIX,
  readEntry,
} from "./cache.js";
import { formatUserspaceSpec, imageOf, type UserspaceSpec } from "./spec.js";
import { formatToolVersions, parseToolVersions, TOOLS_PROBE, type ToolVersions } from "./tools.js";

/** What the compiled scripts call, beyond minbase (which has sh, coreutils, util-linux, mawk). */
export const PACKAGES = [
  "iproute2",
  "nftables",
  "iptables",
  "ebtables",
  "socat",
  "kmod",
  "procps",
  "iputils-ping",
  "tcpdump",
  "conntrack",
];

/** Progress of a build, one line each. */
export type UserspaceEvent =
  | { kind: "cached"; spec: string; dir: string }
  | { kind: "start"; spec: string; mirror: string; dir: string }
  | { kind: "phase"; spec: string; text: string }
  | { kind: "import"; spec: string; image: string }
  | { kind: "ready"; spec: string; dir: string; tools: ToolVersions; durationMs: number };

export type UserspaceProgress = (e: UserspaceEvent) => void;

export interface BuildOptions {
  exec: Exec;
  cacheDir: string;
  mirror?: string;
  progress?: UserspaceProgress;
  cancel?: AbortSignal;
}

type DebianSpec = Extract<UserspaceSpec, { kind: "debian" }>;

/** debootstrap's arguments: a minimal base with the scripts' tools, from `mirror`. */
export function debootstrapArgs(suite: string, dir: string, mirror = DEFAULT_MIRROR): string[] {
  return ["--variant=minbase", `--include=${PACKAGES.join(",")}`, suite, dir, mirror];
}

/** The import as one pipeline, its paths passed as arguments, never pasted into the text. */
export function importCommand(root: string, image: string, spec: string): [string, string[]] {
  return [
    "sh",
    [
      "-c",
      'tar -C "$1" -c . | docker import --change "LABEL nsmatrix.userspace=$3" - "$2"',
      "nsm-import",
      root,
      image,
      spec,
    ],
  ];
}

// debootstrap's "I: Retrieving x 1.2" lines, a few hundred, shown once per phase.
export function phaseOf(line: string): string | undefined {
  const m =
    /^I: (Retrieving|Validating|Extracting|Unpacking|Configuring|Installing|Base system|Checking|Resolving|Found)\b/.exec(
      line,
    );
  if (!m) return undefined;
  return m[1] === "Base system" ? "base system installed" : `${m[1]?.toLowerCase()} packages`;
}

const hex = () => randomBytes(4).toString("hex");

/** Versions of the tools in a root filesystem, asked inside it with chroot. */
export async function toolsInRoot(exec: Exec, root: string): Promise<ToolVersions> {
  const r = await exec("chroot", [root, "/bin/sh", "-c", TOOLS_PROBE], {
    timeoutMs: 30_000,
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
  return parseToolVersions(r.stdout);
}

/** Whether the engine holds `image`. */
export async function hasImage(exec: Exec, image: string): Promise<boolean> {
  const r = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", image], {
    timeoutMs: 30_000,
    env: { PATH: searchPath() },
  });
  return r.exitCode === 0;
}

/** Imports a built root as its local image (again, when the engine lost it). */
export async function importImage(u: CachedUserspace, o: BuildOptions): Promise<void> {
  o.progress?.({ kind: "import", spec: u.spec, image: u.image });
  const [file, args] = importCommand(u.root, u.image, u.spec);
  const r = await o.exec(file, args, { timeoutMs: 600_000, env: { PATH: searchPath() }, cancel: o.cancel });
  if (r.exitCode !== 0) throw new NsmError("E_BACKEND", `importing ${u.spec}: ${describeFailure(r)}`);
}

// Removes builds that a killed run left (they are never used).
function removePartials(cacheDir: string, name: string): void {
  try {
    for (const n of readdirSync(cacheDir))
      if (n.startsWith(`${PARTIAL_PREFIX}${name}-`))
        rmSync(join(cacheDir, n), { recursive: true, force: true });
  } catch {}
}

/** The root filesystem of a debian spec: cached, or built now (about a minute and 230 MB). */
export async function buildUserspace(
  u: DebianSpec,
  o: BuildOptions,
  force = false,
): Promise<CachedUserspace> {
  const spec = formatUserspaceSpec(u);
  const name = entryName(u);
  const final = join(o.cacheDir, name);
  const have = cachedUserspace(o.cacheDir, u);
  if (have && !force) {
    o.progress?.({ kind: "cached", spec, dir: have.dir });
    return have;
  }
  const started = Date.now();
  const mirror = (o.mirror ?? DEFAULT_MIRROR).replace(/\/+$/, "");
  makeFolder(o.cacheDir);
  removePartials(o.cacheDir, name);
  const partial = join(o.cacheDir, `${PARTIAL_PREFIX}${name}-${hex()}`);
  const root = join(partial, "root");
  mkdirSync(partial);
  try {
    o.progress?.({ kind: "start", spec, mirror, dir: final });
    const seen = new Set<string>();
    const r = await o.exec("debootstrap", debootstrapArgs(u.suite, root, mirror), {
      timeoutMs: 1_800_000,
      env: { PATH: searchPath(), LC_ALL: "C" },
      cancel: o.cancel,
      onLine: (line) => {
        const phase = phaseOf(line);
        if (phase && !seen.has(phase)) o.progress?.({ kind: "phase", spec, text: phase });
        if (phase) seen.add(phase);
      },
    });
    if (r.exitCode !== 0) {
      const log = r.stdout.trim().split("\n").slice(-5).join("\n");
      throw new NsmError(
        "E_BACKEND",
        `debootstrap ${u.suite} from ${mirror} failed:\n${log}\n${describeFailure(r)}`,
      );
    }
    // The downloaded packages are half the size, and nothing reads them again.
    rmSync(join(root, "var/cache/apt/archives"), { recursive: true, force: true });
    mkdirSync(join(root, "var/cache/apt/archives/partial"), { recursive: true });
    const tools = await toolsInRoot(o.exec, root);
    const manifest: Manifest = {
      spec,
      suite: u.suite,
      mirror,
      packages: PACKAGES,
      image: imageOf(u),
      builtAt: new Date().toISOString(),
      tools,
    };
    writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(final, { recursive: true, force: true });
    renameSync(partial, final);
    const built = readEntry(final);
    if (!built) throw new NsmError("E_INTERNAL", `${final} is not a complete userspace after its build`);
    o.progress?.({ kind: "ready", spec, dir: final, tools, durationMs: Date.now() - started });
    return built;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Text for one event. */
export function formatUserspaceEvent(e: UserspaceEvent): string {
  switch (e.kind) {
    case "cached":
      return `✓ ${e.spec}: already built in ${e.dir}`;
    case "start":
      return `… ${e.spec}: debootstrap from ${e.mirror} into ${e.dir} (about a minute, 230 MB)`;
    case "phase":
      return `  ${e.spec}: ${e.text}`;
    case "import":
      return `  ${e.spec}: importing as image ${e.image}`;
    case "ready":
      return `✓ ${e.spec}: built in ${(e.durationMs / 1000).toFixed(1)} s: ${formatToolVersions(e.tools)}`;
  }
}
