// `nsmatrix kernels`: list, fetch and remove the guest kernels in the cache.
import { Command } from "commander";
import { NsmError } from "../errors.js";
import { DEFAULT_MIRROR, knownSeries } from "../kernels/catalog.js";
import type { ProgressSink } from "../kernels/index.js";
import type { Exec } from "../system/exec.js";
import { defaultCacheDir } from "../system/paths.js";

// The cache's code loads when a subcommand runs: `nsmatrix --help` needs only the words above.
const lib = () => import("../kernels/index.js");

/** What the command needs from outside: exec, and optionally fetch and the output streams. */
export interface KernelsDeps {
  exec: Exec;
  fetch?: typeof globalThis.fetch;
  stdout?: ProgressSink;
  stderr?: ProgressSink;
}

const series = knownSeries();

async function dirMegabytes(exec: Exec, dir: string): Promise<string> {
  const r = await exec("du", ["-sk", dir], { timeoutMs: 30_000 });
  const kb = Number(r.stdout.split(/\s/)[0]);
  return r.exitCode === 0 && kb > 0 ? `${Math.round(kb / 1024)} MB` : "?";
}

// What every subcommand takes: the dependencies, the output streams, and its folder option.
interface Ctx {
  deps: KernelsDeps;
  out: ProgressSink;
  err: ProgressSink;
  cacheDir: (cmd: Command) => string;
}

function listSub(x: Ctx): Command {
  const { deps, out, err, cacheDir } = x;
  return new Command("list")
    .description("list cached kernels: spec, release, package version, size, directory")
    .action(async (_o, cmd: Command) => {
      const { listCached } = await lib();
      const dir = cacheDir(cmd);
      const all = listCached(dir);
      if (!all.length)
        err.write(`no kernels cached in ${dir}; fetch one: nsmatrix kernels fetch debian:6.1\n`);
      for (const k of all) {
        const size = await dirMegabytes(deps.exec, k.dir);
        out.write(`${k.spec}\t${k.release}\t${k.version}\t${size}\t${k.dir}\n`);
      }
    });
}

function fetchSub(x: Ctx): Command {
  const { deps, out, err, cacheDir } = x;
  return new Command("fetch")
    .description("download the newest image of each series into the cache, unless already there")
    .argument("<spec...>", "kernel specs, space- or comma-separated (host and file: are only checked)")
    .option("--mirror <url>", "Debian archive to use", DEFAULT_MIRROR)
    .option("--keep-old", "keep older cached releases of the same series")
    .action(async (specs: string[], o: { mirror: string; keepOld?: boolean }, cmd: Command) => {
      const {
        fetchDebianKernel,
        formatKernelSpec,
        kernelProgressPrinter,
        parseKernelList,
        pruneOlder,
        resolveKernel,
      } = await lib();
      const dir = cacheDir(cmd);
      const progress = kernelProgressPrinter(err);
      for (const k of parseKernelList(specs.join(","))) {
        const spec = formatKernelSpec(k);
        if (k.kind !== "debian") {
          const g = await resolveKernel(k, { exec: deps.exec, cacheDir: dir });
          out.write(g ? `${spec}\t${g.release}\t${g.vmlinuz}\n` : `${spec}\t(the running kernel)\n`);
          continue;
        }
        const opts = { exec: deps.exec, fetch: deps.fetch, cacheDir: dir, mirror: o.mirror, progress };
        const got = await fetchDebianKernel(k.series, opts);
        const old = o.keepOld ? [] : pruneOlder(dir, got);
        for (const d of old) progress({ kind: "removed", dir: d, reason: "an older release" });
        out.write(`${spec}\t${got.release}\t${got.dir}\n`);
      }
    });
}

function resolveSub(x: Ctx): Command {
  const { deps, out, err, cacheDir } = x;
  return new Command("resolve")
    .description(
      "print the package each debian:<series> resolves to now, without downloading it (a CI cache key)",
    )
    .argument("<spec...>", "debian:<series> specs, space- or comma-separated")
    .option("--mirror <url>", "Debian archive to use", DEFAULT_MIRROR)
    .action(async (specs: string[], o: { mirror: string }, cmd: Command) => {
      const { formatKernelSpec, kernelProgressPrinter, parseKernelList, resolveDebianKernel } = await lib();
      const progress = kernelProgressPrinter(err);
      for (const k of parseKernelList(specs.join(","))) {
        if (k.kind !== "debian")
          throw new NsmError("E_USAGE", `${formatKernelSpec(k)}: only debian:<series> resolves to a package`);
        const r = await resolveDebianKernel(k.series, {
          exec: deps.exec,
          fetch: deps.fetch,
          cacheDir: cacheDir(cmd),
          mirror: o.mirror,
          progress,
        });
        out.write(`${formatKernelSpec(k)}\t${r.release}\t${r.version}\n`);
      }
    });
}

function rmSub(x: Ctx): Command {
  const { out, err, cacheDir } = x;
  return new Command("rm")
    .description("remove every cached release of the given debian:<series> specs")
    .argument("<spec...>", "debian:<series> specs, space- or comma-separated")
    .action(async (specs: string[], _o, cmd: Command) => {
      const { formatKernelSpec, parseKernelList, removeCached } = await lib();
      const dir = cacheDir(cmd);
      for (const k of parseKernelList(specs.join(","))) {
        const gone = removeCached(dir, k);
        if (!gone.length) err.write(`${formatKernelSpec(k)}: nothing cached in ${dir}\n`);
        for (const d of gone) out.write(`removed ${d}\n`);
      }
    });
}

/** The `kernels` command with subcommands list, fetch and rm; add it with program.addCommand(). */
export function kernelsCommand(deps: KernelsDeps): Command {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  const cacheDir = (cmd: Command): string => cmd.optsWithGlobals().cacheDir;
  const kernels = new Command("kernels")
    .exitOverride()
    .description("list, fetch and remove guest kernels (Debian kernel packages, unpacked and depmod'ed)")
    .option(
      "--cache-dir <dir>",
      "where kernels are kept ($XDG_CACHE_HOME/nsmatrix/kernels)",
      defaultCacheDir(),
    )
    .addHelpText(
      "after",
      `
Kernel specs:
  host                            the running kernel (nothing to fetch)
  debian:<series>                 the newest Debian image of a series: ${series}
  file:<vmlinuz>[:<modules dir>]  your own bzImage; modules dir is lib/modules/<release> or lib/modules

Runs use the newest cached release of a series and only download when none is cached.
fetch asks the archive for a newer release and, unless --keep-old, removes older ones.

Examples:
  nsmatrix kernels fetch debian:5.10 debian:6.1 debian:6.12
                                    download each once: 56-108 MB, 120-400 MB unpacked
  nsmatrix kernels list             what is cached, with sizes
  nsmatrix kernels rm debian:5.10`,
    );
  const x: Ctx = { deps, out, err, cacheDir };
  for (const sub of [listSub(x), fetchSub(x), resolveSub(x), rmSub(x)]) kernels.addCommand(sub);
  return kernels;
}
