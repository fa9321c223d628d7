// The documentation's examples are real: the YAML in README.md and docs/ validates, and the
// command reference is commander's own help, in step with the code.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliReference, commandList } from "../../src/cli/docs.js";
import { buildProgram } from "../../src/cli/program.js";
import { loadScenario, loadTopology } from "../../src/model/index.js";

const DOCS = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const yamlOf = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
const dir = mkdtempSync(join(tmpdir(), "docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs/files.md's reference examples", () => {
  const [topology, scenario] = yamlOf("docs/files.md");

  it("has a topology example that validates", () => {
    const file = join(dir, "topology.yaml");
    writeFileSync(file, topology ?? "");
    expect(Object.keys(loadTopology(file).nodes)).toEqual(["host1", "host3", "switch", "box0"]);
  });

  it("has a scenario example that validates against the Box0 topology", () => {
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      (scenario ?? "").replace("../topologies/box0-bridge.yaml", resolve("topologies/box0-bridge.yaml")),
    );
    const sc = loadScenario(file);
    expect(sc.variants.map((v) => v.name)).toEqual(["baseline", "slow-path", "hairpin"]);
    expect(sc.services.map((s) => `${s.name} ${s.proto}/${s.port}`)).toEqual([
      "http-host2 tcp/80",
      "dns-host3 udp/53",
    ]);
  });
});

describe("examples that name their file (`# file: NAME`), wherever they are", () => {
  const named = DOCS.flatMap((doc) =>
    yamlOf(doc).flatMap((b) => {
      const name = /^# file: ([\w.-]+)\n/.exec(b)?.[1];
      return name ? [{ doc, name, text: b }] : [];
    }),
  );

  it("are there: the README's lab, a dual-stack topology and scenario, the device kinds", () => {
    expect(named.map((n) => `${n.doc}: ${n.name}`)).toEqual([
      "README.md: lab.topo.yaml",
      "README.md: lab.yaml",
      "docs/files.md: dual-stack.topo.yaml",
      "docs/files.md: dual-stack.yaml",
      "docs/files.md: devices.topo.yaml",
    ]);
  });

  it("validate, each scenario with the topology beside it", () => {
    const sub = mkdtempSync(join(dir, "named-"));
    for (const n of named) writeFileSync(join(sub, n.name), n.text);
    for (const n of named) {
      if (n.name.endsWith(".topo.yaml"))
        expect(Object.keys(loadTopology(join(sub, n.name)).nodes).length).toBeGreaterThan(0);
      else expect(loadScenario(join(sub, n.name)).checks.length).toBeGreaterThan(0);
    }
  });
});

describe("the command reference", () => {
  it("docs/cli.md is commander's help of every command (regenerate with npm run docs)", () => {
    expect(readFileSync("docs/cli.md", "utf8")).toBe(cliReference(buildProgram()));
  });

  it("the README's list of commands is generated from the same table", () => {
    expect(readFileSync("README.md", "utf8")).toContain(commandList(buildProgram()));
  });

  it("the README stays a front door", () => {
    expect(readFileSync("README.md", "utf8").split("\n").length).toBeLessThan(220);
  });
});
