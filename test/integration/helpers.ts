// Shared helpers for integration tests: they need root and create real namespaces.
import { readdirSync } from "node:fs";
import { execa } from "execa";

export const isRoot = process.getuid?.() === 0;
export const whyNot = "integration tests need root (they create network namespaces); run them with sudo";

/** Runs the built CLI; never throws. */
export function cli(args: string[], opts: { timeout?: number } = {}) {
  return execa("node", ["bin/nsmatrix.js", ...args], { reject: false, timeout: opts.timeout ?? 120_000 });
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

/** Tracing instances of runs (the drop trace's), wherever tracefs is mounted. */
export function traceInstances(): string[] {
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
