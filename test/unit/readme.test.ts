import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario, loadTopology } from "../../src/model/index.js";

const readme = readFileSync("README.md", "utf8");
const [topology, scenario] = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
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
