// Shared helpers for integration tests: they need root and create real namespaces.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { execa } from "execa";

export const isRoot = process.getuid?.() === 0;
export const whyNot = "integration tests need root (they create network namespaces); run them with sudo";

/** Runs the built CLI; never throws. */
export function cli(args: string[], opts: { timeout?: number } = {}) {
  return execa("node", ["bin/nsmatrix.js", ...args], { reject: false, timeout: opts.timeout ?? 120_000 });
}

/** A run's JSON results; when there are none, fails with what the run said on stderr. */
export function jsonOf(r: { stdout: string; stderr: string; exitCode?: number }) {
  if (!r.stdout.trim())
    throw new Error(
      `no results (exit ${r.exitCode}); stderr:\n${r.stderr.split("\n").slice(-30).join("\n")}`,
    );
  return JSON.parse(r.stdout);
}

/** Namespaces whose name carries a run prefix. */
export function runNamespaces(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync("/run/netns");
  } catch {
    // no namespace was ever created
  }
  return names.filter((n) => /^nsm-[0-9a-f]{8}-/.test(n));
}

/**
 * Tracing instances of runs (the drop trace's). Runs mount tracefs in their own mount namespace
 * where the host has not: mount it here too, or a fresh machine would see none of them.
 */
export function traceInstances(): string[] {
  if (
    isRoot &&
    !existsSync("/sys/kernel/tracing/instances") &&
    !existsSync("/sys/kernel/debug/tracing/instances")
  )
    execFileSync("mount", ["-t", "tracefs", "nodev", "/sys/kernel/tracing"]);
  return ["/sys/kernel/tracing/instances", "/sys/kernel/debug/tracing/instances"].flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => /^nsm-[0-9a-f]{8}$/.test(f));
    } catch {
      return [];
    }
  });
}

export async function until(pred: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return pred();
}

/** The verdicts of test/fixtures/scenarios/two-hosts.yaml, variant plain, on any kernel. */
export const TWO_HOSTS_PLAIN = {
  ping: "reach pass",
  tcp: "reach pass",
  "tcp-reset": "no-reach pass",
  udp: "reach pass",
  "udp-dropped": "no-reach pass",
};
