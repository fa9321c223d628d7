// `nsmatrix graph`: a topology drawn as Mermaid or Graphviz dot.
import { Command, Option } from "commander";
import { variantOf } from "./options.js";

export function graphCommand(): Command {
  return new Command("graph")
    .description("draw a topology: nodes, links, bridges and their ports, VRFs, tunnels, devices, addresses")
    .argument("<file>", "a topology file, or a scenario (its topology, with --variant's patch)")
    .option("-v, --variant <name>", "a scenario's variant (default: the first)")
    .addOption(
      new Option("-f, --format <format>", "Mermaid (GitHub renders it) or Graphviz dot")
        .choices(["mermaid", "dot"])
        .default("mermaid"),
    )
    .addHelpText(
      "after",
      "\nExample:\n  nsmatrix graph topologies/box0-bridge.yaml -f dot | dot -Tsvg > box0.svg",
    )
    .action(async (file: string, o) => {
      const [{ loadFile }, { drawTopology }] = await Promise.all([
        import("../model/index.js"),
        import("../compile/index.js"),
      ]);
      const got = loadFile(file);
      const variant = got.kind === "scenario" ? variantOf(got.scenario, o.variant) : undefined;
      const topo =
        got.kind === "topology"
          ? got.topology
          : (got.scenario.variants.find((v) => v.name === variant)?.topology ?? { nodes: {} });
      process.stdout.write(drawTopology(topo, o.format));
    });
}
