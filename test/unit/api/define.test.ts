// The TypeScript API: builders make the same model as the files, and their errors name the key path.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  compileVariant,
  defineScenario,
  defineTopology,
  loadScenario,
  NsmError,
} from "../../../src/index.js";

const FIXTURES = "test/fixtures/scenarios";
const yaml = (f: string) => parse(readFileSync(`${FIXTURES}/${f}`, "utf8"));

describe("defineTopology and defineScenario", () => {
  it("give the model the files give: the same compiled scripts", () => {
    const topology = defineTopology(yaml("two-hosts.topo.yaml"));
    const sc = defineScenario({ ...yaml("two-hosts.yaml"), topology });
    const file = loadScenario(`${FIXTURES}/two-hosts.yaml`);
    expect(sc.variants.map((v) => v.name)).toEqual(file.variants.map((v) => v.name));
    // Alike but for where each key is written: a file's line, or the object's.
    const unplaced = (text: string) => text.replace(/ \((?:defineTopology\(\)|[\w./-]+\.ya?ml):\d+\)/g, "");
    for (const v of file.variants)
      expect(unplaced(compileVariant(sc, v.name).text)).toBe(unplaced(compileVariant(file, v.name).text));
  });

  it("take a topology file's path too, relative to dir", () => {
    const sc = defineScenario({ ...yaml("two-hosts.yaml") }, { dir: FIXTURES });
    expect(sc.topologyFile).toMatch(/two-hosts\.topo\.yaml$/);
  });

  it("name the key path of every problem, in the error's message", () => {
    const bad = () =>
      defineTopology({ nodes: { a: { interfaces: { eth0: { addresses: ["10.0.0.300/24"] } } } } });
    expect(bad).toThrow(NsmError);
    expect(bad).toThrow(
      /^defineTopology: nodes\.a\.interfaces\.eth0\.addresses\[0\]: "10\.0\.0\.300\/24" is not an address with prefix/,
    );
    const topology = defineTopology(yaml("two-hosts.topo.yaml"));
    expect(() =>
      defineScenario({ scenario: "s", topology, checks: { c1: { from: "nowhere", ping: "10.99.0.2" } } }),
    ).toThrow(/^defineScenario: .*check "c1" runs from unknown node "nowhere"/);
    expect(() =>
      defineScenario({ scenario: "s", topology, checks: { c1: { from: "a", tcp: "10.99.0.2" } } }),
    ).toThrow(/checks\.c1\.tcp: "10\.99\.0\.2" is not an address:port/);
  });
});
