// Files in the kernel cache that guests share: one build of a file at a time in this process,
// writes that land whole, and the scratch files of killed runs swept away.
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../../system/index.js";

const building = new Map<string, Promise<unknown>>();

/** Runs `build` for `out` unless a build of it is already going on here; then shares that one. */
export function buildOnce<T>(out: string, build: () => Promise<T>): Promise<T> {
  const going = building.get(out);
  if (going) return going as Promise<T>;
  const p = build().finally(() => building.delete(out));
  building.set(out, p);
  return p;
}

/** A scratch name beside `out`, unique to this call: renamed onto `out` once complete. */
export function scratchFor(out: string): string {
  return `${out}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
}

const SCRATCH = /\.(\d+)(?:-[0-9a-f]{8})?\.tmp(?:\.xz|\.zst)?$/;

/** Removes scratch files whose process is gone (a run killed mid-write); returns their paths. */
export function sweepScratch(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const gone = names.filter((n) => {
    const pid = Number(SCRATCH.exec(n)?.[1]);
    return pid > 0 && !processAlive(pid);
  });
  for (const n of gone) rmSync(join(dir, n), { force: true });
  return gone.map((n) => join(dir, n));
}
