// Finds and removes what runs left behind: namespaces, processes and files named nsm-<run>.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Exec } from "./exec.js";

const RUN_NAME = /^nsm-([0-9a-f]{8})(?:[-.]|$)/;

export interface Leftovers {
  runs: string[];
  namespaces: string[];
  pids: number[];
  files: string[];
  /** Runs still alive (their owner process exists); left alone unless forced. */
  live: string[];
}

// `ip netns list` can fail ("Peer netns reference is invalid") while a namespace's last
// process is dying; the mount points under /run/netns are what `ip netns del` removes.
function namedNamespaces(): string[] {
  try {
    return readdirSync("/run/netns");
  } catch {
    return [];
  }
}

function environOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return undefined;
  }
}

function runOfProcess(pid: number): string | undefined {
  return /(?:^|\0)NSM_RUN=([0-9a-f]{8})(?:\0|$)/.exec(environOf(pid) ?? "")?.[1];
}

function isLive(run: string, dir: string): boolean {
  try {
    const owner = Number(readFileSync(join(dir, `nsm-${run}`, "owner"), "utf8").trim());
    return owner > 0 && runOfProcess(owner) === run;
  } catch {
    return false;
  }
}

/** Everything on this machine that belongs to an nsmatrix run (only `runs` when given). */
export async function findLeftovers(only?: string[], dir = tmpdir()): Promise<Leftovers> {
  const wanted = (run: string | undefined): run is string => !!run && (!only || only.includes(run));
  const namespaces = namedNamespaces().filter((n) => wanted(RUN_NAME.exec(n)?.[1]));
  const pids = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid && wanted(runOfProcess(pid)));
  const files = readdirSync(dir)
    .filter((f) => wanted(RUN_NAME.exec(f)?.[1]))
    .map((f) => join(dir, f));
  const runs = new Set<string>();
  for (const name of [...namespaces, ...files.map((f) => f.slice(dir.length + 1))]) {
    const run = RUN_NAME.exec(name)?.[1];
    if (run) runs.add(run);
  }
  for (const pid of pids) runs.add(runOfProcess(pid) ?? "");
  runs.delete("");
  const live = [...runs].filter((r) => isLive(r, dir));
  return { runs: [...runs].sort(), namespaces, pids, files, live };
}

/** Removes leftovers of the given runs (all dead runs by default; live ones too when forced). */
export async function cleanLeftovers(
  exec: Exec,
  opts: { runs?: string[]; force?: boolean; dir?: string } = {},
): Promise<Leftovers> {
  const found = await findLeftovers(opts.runs, opts.dir);
  const skip = new Set(opts.force ? [] : found.live);
  const mine = (name: string) => !skip.has(RUN_NAME.exec(name.split("/").pop() ?? "")?.[1] ?? "");
  const pids = found.pids.filter((pid) => !skip.has(runOfProcess(pid) ?? ""));
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const namespaces = found.namespaces.filter(mine);
  for (const n of namespaces) await exec("ip", ["netns", "del", n], { timeoutMs: 10_000 });
  const files = found.files.filter(mine);
  for (const f of files) rmSync(f, { recursive: true, force: true });
  return { runs: found.runs.filter((r) => !skip.has(r)), namespaces, pids, files, live: [...skip] };
}
