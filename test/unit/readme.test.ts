import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario, loadTopology } from "../../src/model/index.js";

const readme = readFileSync("README.md", "utf8");
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
const [topology, scenario] = blocks;
// Later examples name the file they stand for in their first line: `# file: NAME`.
const named = blocks.flatMap((b) => {
  const name = /^# file: ([\w.-]+)\n/.exec(b)?.[1];
  return name ? [[name, b] as const] : [];
});
const dir = mkdtempSync(join(tmpdir(), "readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's examples", () => {
  it("has a topology example that validates", () => {
    const file = join(dir, "topology.yaml");
    writeFileSync(file, topology ?? "");
    expect(Object.keys(loadTopology(file).nodes)).toEqual(["host1", "host3", "switch", "box0"]);
  });

  it("has a scenario example that validates against the Box0 topology", () => {
    const file = join(dir, "scenario.yaml");
    const real = resolve("topologies/box0-bridge.yaml");
    writeFileSync(file, (scenario ?? "").replace("../topologies/box0-bridge.yaml", real));
    const sc = loadScenario(file);
    expect(sc.variants.map((v) => v.name)).toEqual(["baseline", "slow-path", "hairpin"]);
    expect(sc.services.map((s) => `${s.name} ${s.proto}/${s.port}`)).toEqual([
      "http-host2 tcp/80",
      "dns-host3 udp/53",
    ]);
  });
});

describe("the README's examples that name their file", () => {
  it("are there: a dual-stack topology and scenario, and the device kinds", () => {
    expect(named.map(([n]) => n)).toEqual(["dual-stack.topo.yaml", "dual-stack.yaml", "devices.topo.yaml"]);
  });

  it("validate, each scenario with the topology beside it", () => {
    const sub = mkdtempSync(join(dir, "named-"));
    for (const [name, text] of named) writeFileSync(join(sub, name), text);
    for (const [name] of named) {
      if (name.endsWith(".topo.yaml"))
        expect(Object.keys(loadTopology(join(sub, name)).nodes).length).toBeGreaterThan(0);
      else expect(loadScenario(join(sub, name)).checks.length).toBeGreaterThan(0);
    }
  });
});
