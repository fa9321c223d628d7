// Files the compiled scripts exec over and over, with their shared libraries, resolved on the host.
//
// /init copies them into the overlay's tmpfs upper layer. Under TCG, every exec that maps a file
// from the 9p lower layer costs ~18 ms more on 5.10 than from tmpfs (about 2 ms on 6.1), and a
// Box0 variant makes a few hundred execs: this took Box0 on debian:5.10 from 66 s to 48 s.
import { realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Exec } from "../../system/index.js";
import { SCRIPT_TOOLS, searchPath } from "../../system/index.js";

/** Besides the tools features.ts knows: the shell and the coreutils the runtime calls. */
const RUNTIME_TOOLS = ["sh", "sleep", "cat", "tr", "tail", "kill", "rm", "mkdir", "timeout", "date"];
const EXTRA_FILES = ["/etc/ld.so.cache"];

function resolveOnPath(tool: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    try {
      return realpathSync(join(dir, tool));
    } catch {}
  }
  return undefined;
}

/** Shared objects `ldd` names (both `lib => /path (addr)` and `/lib64/ld-linux… (addr)` lines). */
export function parseLdd(out: string): string[] {
  const libs: string[] = [];
  for (const line of out.split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

// In another root filesystem the same questions are asked inside it: its symlinks and ld.so
// point into it, not into the host.
async function hotFilesInRoot(exec: Exec, root: string, tools: string[]): Promise<string[]> {
  const inRoot = (script: string, args: string[]) =>
    exec("chroot", [root, "/bin/sh", "-c", script, "sh", ...args], {
      timeoutMs: 30_000,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
  const lines = (out: string) => out.split("\n").filter((l) => l.startsWith("/"));
  // Builtins (kill) have no file: command -v prints their bare name.
  const found = await inRoot(
    'for t; do p=$(command -v "$t") && case $p in /*) readlink -f "$p" ;; esac; done',
    tools,
  );
  const bins = [...new Set(lines(found.stdout))];
  if (!bins.length) return [];
  const ldd = await inRoot('ldd "$@"', bins);
  const libs = await inRoot('for f; do readlink -f "$f"; done', [...parseLdd(ldd.stdout), ...EXTRA_FILES]);
  return [...new Set([...bins, ...lines(libs.stdout)])].sort();
}

/**
 * Absolute real paths of the hot tools and their libraries, sorted; missing tools are left out.
 * Paths are inside `root` (the host's / by default).
 */
export async function hotFiles(exec: Exec, path = searchPath(), root = "/") {
  // Only what scripts call: the table also names QEMU, dockerd and the tests' browser.
  const tools = [...new Set([...SCRIPT_TOOLS, ...RUNTIME_TOOLS])];
  if (root !== "/") return hotFilesInRoot(exec, root, tools);
  const bins = [...new Set(tools.map((t) => resolveOnPath(t, path)).filter((b): b is string => !!b))];
  const files = new Set(bins);
  if (bins.length > 0) {
    // One ldd for all: it exits non-zero when any is static (busybox), yet lists the others.
    const r = await exec("ldd", bins, { timeoutMs: 20_000 });
    for (const lib of parseLdd(r.stdout)) {
      try {
        files.add(realpathSync(lib));
      } catch {}
    }
  }
  for (const f of EXTRA_FILES) {
    try {
      files.add(realpathSync(f));
    } catch {}
  }
  return [...files].sort();
}
