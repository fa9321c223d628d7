// The TypeScript API's builders: they make the same model as the files do, validated the same way
// (an object becomes a source and goes through the same schema and cross-checks, so an error
// names the key path).
import { dirname, resolve } from "node:path";
import { stringify } from "yaml";
import type { z } from "zod";
import { NsmError } from "../errors.js";
import {
  parseScenario,
  parseSource,
  readSource,
  type Scenario,
  type ScenarioModel,
  type Source,
  scenarioFrom,
  type Topology,
  type TopologyT,
  topologyFrom,
} from "../model/index.js";

/** A topology as the file has it. */
export type TopologyInput = z.input<typeof Topology>;

/** A scenario as the file has it, but its topology given as a definition (or a file's path). */
export type ScenarioInput = Omit<z.input<typeof Scenario>, "topology"> & {
  topology: TopologyDefinition | string;
};

/** A validated topology, for defineScenario. */
export interface TopologyDefinition {
  readonly kind: "topology";
  readonly topology: TopologyT;
  readonly source: Source;
  readonly dir: string;
}

// An error of a builder names each problem by its key path, in the message itself.
function named<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof NsmError) || !e.issues.length) throw e;
    throw new NsmError(e.code, `${what}: ${e.issues.map((i) => i.message).join("; ")}`, e.issues);
  }
}

/** Validates a topology. `dir`: where an `nft_file` it names is read from (default: the current folder). */
export function defineTopology(t: TopologyInput, opts: { dir?: string } = {}): TopologyDefinition {
  const dir = resolve(opts.dir ?? ".");
  return named("defineTopology", () => {
    const source = parseSource("defineTopology()", stringify(t));
    return { kind: "topology", topology: topologyFrom(source, dir), source, dir };
  });
}

/** Validates a scenario into the model `run` takes. `dir`: where the scripts it names are read from. */
export function defineScenario(s: ScenarioInput, opts: { dir?: string } = {}): ScenarioModel {
  const dir = resolve(opts.dir ?? ".");
  return named("defineScenario", () => {
    const topo =
      typeof s.topology === "string"
        ? { source: readSource(resolve(dir, s.topology)), dir: dirname(resolve(dir, s.topology)) }
        : s.topology;
    // The schema wants the name of a topology file: the definition stands in for one.
    const file = typeof s.topology === "string" ? s.topology : "defined.yaml";
    const source = parseSource("defineScenario()", stringify({ ...s, topology: file }));
    return scenarioFrom(source, parseScenario(source), dir, topo.source, topo.dir);
  });
}
