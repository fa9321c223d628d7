// Finds and removes what runs left behind: exactly the namespaces, files and processes a run makes.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Exec } from "../system/index.js";

// What a run names: namespaces nsm-<run>-<node> (a node name, or "probe"), its folder nsm-<run>
// and the host backend's script nsm-<run>.sh; in /run, a held run's nsm-<run>.keep and the
// folder of its pcaps, nsm-<run>.pcap; in tracefs, its tracing instance nsm-<run>. Nothing else,
// however alike.
const NAMESPACE = /^nsm-([0-9a-f]{8})-[a-z][a-z0-9_-]{0,23}$/;
const FILE = /^nsm-([0-9a-f]{8})(?:\.sh)?$/;
const RUN_FILE = /^nsm-([0-9a-f]{8})\.(?:keep|pcap)$/;
const INSTANCE = /^nsm-([0-9a-f]{8})$/;
const TRACEFS = ["/sys/kernel/tracing/instances", "/sys/kernel/debug/tracing/instances"];

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

const read = (path: string) => {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return undefined;
  }
};

// A container's processes are its engine's to stop: clean removes the container by its label.
const inContainer = (pid: number) => /\/docker[-/]/.test(read(`/proc/${pid}/cgroup`) ?? "");

function runOfProcess(pid: number): string | undefined {
  return /(?:^|\0)NSM_RUN=([0-9a-f]{8})(?:\0|$)/.exec(read(`/proc/${pid}/environ`) ?? "")?.[1];
}

// A namespace's identity: the device and inode of its nsfs file.
function nsId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

// This process and its ancestors: the shell that started `clean` may carry NSM_RUN too.
function ancestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    const stat = read(`/proc/${pid}/stat`) ?? "";
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return out;
}

/**
 * Processes a run started: tagged with its NSM_RUN, and either inside one of its namespaces (the
 * services, the checks) or naming its files on their command line (the script, QEMU).
 */
function runProcesses(wanted: (run: string | undefined) => run is string, namespaces: string[]): number[] {
  const inRun = new Map<string, string>();
  for (const n of namespaces) {
    const id = nsId(`/run/netns/${n}`);
    const run = NAMESPACE.exec(n)?.[1];
    if (id && run) inRun.set(id, run);
  }
  const skip = ancestors();
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const run = runOfProcess(pid);
      if (skip.has(pid) || !wanted(run) || inContainer(pid)) return false;
      if (inRun.get(nsId(`/proc/${pid}/ns/net`) ?? "") === run) return true;
      return (read(`/proc/${pid}/cmdline`) ?? "").split("\0").some((arg) => arg.includes(`nsm-${run}`));
    });
}

// The names in `dir` that a run made, as paths.
function listed(dir: string, re: RegExp, wanted: (run: string | undefined) => boolean): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => wanted(re.exec(f)?.[1]))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function runOfFile(path: string): string {
  const name = path.split("/").pop() ?? "";
  return (FILE.exec(name) ?? RUN_FILE.exec(name) ?? INSTANCE.exec(name))?.[1] ?? "";
}

/**
 * Makes tracefs visible where it is not mounted, so that clean sees the tracing instances of
 * killed runs: a script that mounted it did so in its own mount namespace, and the instances it
 * made are the kernel's, in every mount of tracefs.
 */
export async function mountTracefs(exec: Exec): Promise<void> {
  if (TRACEFS.some((d) => existsSync(d)) || !existsSync("/sys/kernel/tracing")) return;
  await exec("mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"], { timeoutMs: 5000 });
}

function removeInstance(path: string): void {
  try {
    writeFileSync(join(path, "events/skb/kfree_skb/enable"), "0");
  } catch {
    // no such event, or already off
  }
  try {
    rmdirSync(path);
  } catch {
    // busy (a reader still has it open): the next clean tries again
  }
}

function runsWithProcesses(): Set<string> {
  const out = new Set<string>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const run = runOfProcess(Number(d));
    if (run) out.add(run);
  }
  return out;
}

function isLive(run: string, dir: string): boolean {
  const owner = Number((read(join(dir, `nsm-${run}`, "owner")) ?? "").trim());
  return owner > 0 && runOfProcess(owner) === run;
}

/** Where else a run leaves things: /run (null: not looked at) and the tracefs instance folders. */
export interface ElseWhere {
  runDir?: string | null;
  tracefs?: string[];
}

/** Everything on this machine that belongs to an nsmatrix run (only `runs` when given). */
export async function findLeftovers(
  only?: string[],
  dir = tmpdir(),
  opts: ElseWhere = {},
): Promise<Leftovers> {
  const wanted = (run: string | undefined): run is string => !!run && (!only || only.includes(run));
  const namespaces = namedNamespaces().filter((n) => wanted(NAMESPACE.exec(n)?.[1]));
  const pids = runProcesses(wanted, namespaces);
  const files = [
    ...listed(dir, FILE, wanted),
    ...(opts.runDir === null ? [] : listed(opts.runDir ?? "/run", RUN_FILE, wanted)),
    ...(opts.tracefs ?? TRACEFS).flatMap((d) => listed(d, INSTANCE, wanted)),
  ];
  const runs = new Set<string>();
  for (const n of namespaces) runs.add(NAMESPACE.exec(n)?.[1] ?? "");
  for (const f of files) runs.add(runOfFile(f));
  for (const pid of pids) runs.add(runOfProcess(pid) ?? "");
  runs.delete("");
  // A run whose folder cannot be seen (a host run in its own mount namespace, a container's) is
  // live while a process carries its tag: its tracing instance is in use.
  const tagged = runsWithProcesses();
  const live = [...runs].filter(
    (r) => isLive(r, dir) || (tagged.has(r) && !existsSync(join(dir, `nsm-${r}`))),
  );
  return { runs: [...runs].sort(), namespaces, pids, files, live };
}

/** Removes leftovers of the given runs (all dead runs by default; live ones too when forced). */
export async function cleanLeftovers(
  exec: Exec,
  opts: { runs?: string[]; force?: boolean; dir?: string } & ElseWhere = {},
): Promise<Leftovers> {
  const found = await findLeftovers(opts.runs, opts.dir, opts);
  const skip = new Set(opts.force ? [] : found.live);
  const runOf = (name: string) => NAMESPACE.exec(name)?.[1] ?? runOfFile(name);
  const pids = found.pids.filter((pid) => !skip.has(runOfProcess(pid) ?? ""));
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const namespaces = found.namespaces.filter((n) => !skip.has(runOf(n)));
  for (const n of namespaces) await exec("ip", ["netns", "del", n], { timeoutMs: 10_000 });
  const files = found.files.filter((f) => !skip.has(runOf(f)));
  for (const f of files) {
    // A tracing instance goes by rmdir once its event is off; its files are the kernel's.
    if (f.includes("/tracing/instances/")) removeInstance(f);
    else rmSync(f, { recursive: true, force: true });
  }
  return { runs: found.runs.filter((r) => !skip.has(r)), namespaces, pids, files, live: [...skip] };
}
