// `nsmatrix userspace`: list, build and remove the Debian userspaces in the cache.
import { Command } from "commander";
import { DEFAULT_MIRROR } from "../kernels/catalog.js";
import type { ProgressSink } from "../kernels/index.js";
import type { Exec } from "../system/exec.js";
import { defaultUserspaceDir } from "../system/paths.js";
import { formatToolVersions } from "../text.js";
import { DEBIAN_SUITES } from "../userspace/spec.js";

// Building and the cache load when a subcommand runs: `nsmatrix --help` needs only the words above.
const lib = () => import("../userspace/index.js");

export interface UserspaceDeps {
  exec: Exec;
  stdout?: ProgressSink;
  stderr?: ProgressSink;
}

const suites = DEBIAN_SUITES.map((d) => `${d.suite} (${d.release})`).join(", ");

// What every subcommand takes: the dependencies, the output streams, and its folder option.
interface Ctx {
  deps: UserspaceDeps;
  out: ProgressSink;
  err: ProgressSink;
  dirOf: (cmd: Command) => string;
}

function listSub(x: Ctx): Command {
  const { out, err, dirOf } = x;
  return new Command("list")
    .description("list built userspaces: spec, tool versions, image, directory")
    .action(async (_o, c: Command) => {
      const { listUserspaces } = await lib();
      const dir = dirOf(c);
      const all = listUserspaces(dir);
      if (!all.length)
        err.write(`no userspaces built in ${dir}; build one: nsmatrix userspace build debian:bullseye\n`);
      for (const u of all) out.write(`${u.spec}\t${formatToolVersions(u.tools)}\t${u.image}\t${u.dir}\n`);
    });
}

function buildSub(x: Ctx): Command {
  const { deps, out, err, dirOf } = x;
  return new Command("build")
    .description("debootstrap each debian:<suite> into the cache and import it as a local image")
    .argument("<spec...>", "debian:<suite> specs, space- or comma-separated")
    .option("--mirror <url>", "Debian archive to use", DEFAULT_MIRROR)
    .option("--force", "build again even when already built")
    .option("--no-import", "only build the root filesystem (guests need no image)")
    .action(async (specs: string[], o: { mirror: string; force?: boolean; import: boolean }, c: Command) => {
      const {
        buildUserspace,
        cachedUserspace,
        formatUserspaceEvent,
        formatUserspaceSpec,
        hasImage,
        importImage,
        parseUserspaceList,
      } = await lib();
      const progress = (e: Parameters<typeof formatUserspaceEvent>[0]) =>
        err.write(`${formatUserspaceEvent(e)}\n`);
      const opts = { exec: deps.exec, cacheDir: dirOf(c), mirror: o.mirror, progress };
      for (const u of parseUserspaceList(specs.join(","))) {
        if (u.kind !== "debian") {
          err.write(
            `${formatUserspaceSpec(u)}: nothing to build (host is this machine; docker: images are pulled)\n`,
          );
          continue;
        }
        const fresh = o.force || !cachedUserspace(opts.cacheDir, u);
        const built = await buildUserspace(u, opts, o.force);
        // A new root replaces whatever image an earlier build left.
        if (o.import && (fresh || !(await hasImage(deps.exec, built.image)))) await importImage(built, opts);
        out.write(`${built.spec}\t${formatToolVersions(built.tools)}\t${built.dir}\n`);
      }
    });
}

function rmSub(x: Ctx): Command {
  const { deps, out, err, dirOf } = x;
  return new Command("rm")
    .description("remove built debian:<suite> userspaces and their images")
    .argument("<spec...>", "debian:<suite> specs, space- or comma-separated")
    .action(async (specs: string[], _o, c: Command) => {
      const { formatUserspaceSpec, imageOf, parseUserspaceList, removeUserspace } = await lib();
      const dir = dirOf(c);
      for (const u of parseUserspaceList(specs.join(","))) {
        const gone = removeUserspace(dir, u);
        if (u.kind === "debian") {
          const image = imageOf(u);
          const r = await deps.exec("docker", ["image", "rm", image], { timeoutMs: 60_000 });
          if (r.exitCode === 0) out.write(`removed image ${image}\n`);
        }
        if (!gone.length) err.write(`${formatUserspaceSpec(u)}: nothing built in ${dir}\n`);
        for (const d of gone) out.write(`removed ${d}\n`);
      }
    });
}

/** The `userspace` command; add it with program.addCommand(). */
export function userspaceCommand(deps: UserspaceDeps): Command {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  const dirOf = (cmd: Command): string => cmd.optsWithGlobals().userspaceDir;
  const cmd = new Command("userspace")
    .exitOverride()
    .description("list, build and remove distribution userspaces (iproute2, nftables, iptables, ebtables)")
    .option(
      "--userspace-dir <dir>",
      "where built root filesystems are kept ($XDG_CACHE_HOME/nsmatrix/userspace)",
      defaultUserspaceDir(),
    )
    .addHelpText(
      "after",
      `
Userspace specs (run --userspace LIST; every kernel runs with every userspace):
  host              this machine's own tools
  debian:<suite>    a Debian release's tools, built here with debootstrap: ${suites}
  docker:<image>    an image a registry serves, pulled by the engine (needs a reachable registry)

On the host kernel a userspace other than host runs in a container (Docker engine needed);
in a guest kernel, a debian:<suite> root filesystem is the guest's root, as the release ships.

Examples:
  nsmatrix userspace build debian:bullseye     debootstrap (about a minute, 230 MB) and docker import
  nsmatrix userspace list
  nsmatrix run scenarios/box0-bridge-dnat.yaml -k host,debian:5.10 -u host,debian:bullseye`,
    );
  const x: Ctx = { deps, out, err, dirOf };
  for (const sub of [listSub(x), buildSub(x), rmSub(x)]) cmd.addCommand(sub);
  return cmd;
}
