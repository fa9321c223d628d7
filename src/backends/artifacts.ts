// Where a script's pcaps are written ($NSM_ARTIFACTS, somewhere the script can reach) and how
// they reach the folder the run asked for.
import { copyFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeFolder } from "../system/index.js";

/** Moves every file of `from` into `to` (made if need be), then removes `from`. */
export function moveArtifacts(from: string, to: string): void {
  let files: string[];
  try {
    files = readdirSync(from);
  } catch {
    return;
  }
  makeFolder(to);
  for (const f of files) {
    try {
      renameSync(join(from, f), join(to, f));
    } catch {
      // Another filesystem (/run is a tmpfs): copy, then remove.
      copyFileSync(join(from, f), join(to, f));
    }
  }
  rmSync(from, { recursive: true, force: true });
}

/** The host's folder for a script's pcaps while it runs: in /run, which its private /tmp does not hide. */
export const hostArtifactsDir = (run: string) => `/run/nsm-${run}.pcap`;
