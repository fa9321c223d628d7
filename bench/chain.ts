// A chain of N namespaces for the scale benchmark: one veth per hop, a /30 each, one ping.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const v4 = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Writes chain<N>.topo.yaml and chain<N>.yaml into `dir`; returns the scenario's path. */
export function writeChain(dir: string, n: number): string {
  const lines = ["topology: chain", "nodes:"];
  for (let i = 0; i < n; i++) {
    const ifs = [];
    if (i > 0) ifs.push(`      l: { addresses: [${v4((i - 1) * 4 + 2)}/30] }`);
    if (i < n - 1) ifs.push(`      r: { addresses: [${v4(i * 4 + 1)}/30] }`);
    lines.push(`  n${i}:`, "    interfaces:", ...ifs);
  }
  lines.push("links:", ...Array.from({ length: n - 1 }, (_, i) => `  - [n${i}:r, n${i + 1}:l]`));
  writeFileSync(join(dir, `chain${n}.topo.yaml`), `${lines.join("\n")}\n`);
  const scenario = join(dir, `chain${n}.yaml`);
  writeFileSync(
    scenario,
    `scenario: chain${n}\ntopology: chain${n}.topo.yaml\nchecks:\n  ping: { from: n0, ping: ${v4(2)} }\n`,
  );
  return scenario;
}

/** The same namespaces and links as one would make them by hand: ip -batch, then delete. */
export function rawChain(n: number, prefix: string): string {
  const ns = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  return [
    ns.map((x) => `netns add ${x}`).join("\n"),
    ns
      .slice(1)
      .map((x, i) => `link add r netns ${ns[i]} type veth peer name l netns ${x}`)
      .join("\n"),
    ns.map((x) => `netns del ${x}`).join("\n"),
  ].join("\n");
}
