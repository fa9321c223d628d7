// Containers a run started, found by label: those whose nsmatrix process is gone are leftovers.
import { readFileSync } from "node:fs";
import type { Exec } from "../system/index.js";
import { searchPath } from "../system/index.js";

/** Labels on every nsmatrix container: the run id, and `pid:starttime` of the process that owns it. */
export const LABELS = {
  run: "nsmatrix.run",
  owner: "nsmatrix.owner",
  userspace: "nsmatrix.userspace",
} as const;

export interface ContainerLeftover {
  id: string;
  name: string;
  run: string;
  live: boolean;
}

// Field 22 of /proc/PID/stat: the start time, so a reused PID is not taken for the owner.
function startTime(pid: number | "self"): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** This process, as the owner label names it. */
export function ownerTag(): string {
  return `${process.pid}:${startTime("self") ?? "?"}`;
}

function ownerAlive(tag: string): boolean {
  const [pid, start] = tag.split(":");
  const n = Number(pid);
  return n > 0 && start !== undefined && startTime(n) === start;
}

/** Containers carrying the run label; none when there is no engine. */
export async function findContainers(exec: Exec): Promise<ContainerLeftover[]> {
  const format = `{{.ID}}\t{{.Names}}\t{{.Label "${LABELS.run}"}}\t{{.Label "${LABELS.owner}"}}`;
  const r = await exec("docker", ["ps", "-a", "--filter", `label=${LABELS.run}`, "--format", format], {
    timeoutMs: 30_000,
    env: { PATH: searchPath() },
  });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((f) => f.length === 4 && /^[0-9a-f]{8}$/.test(f[2] ?? ""))
    .map(([id, name, run, owner]) => ({
      id: id ?? "",
      name: name ?? "",
      run: run ?? "",
      live: ownerAlive(owner ?? ""),
    }));
}

/** Removes the given containers (and whatever runs in them). */
export async function removeContainers(exec: Exec, containers: ContainerLeftover[]): Promise<void> {
  if (!containers.length) return;
  await exec("docker", ["rm", "-f", ...containers.map((c) => c.id)], {
    timeoutMs: 60_000,
    env: { PATH: searchPath() },
  });
}
