// `nsmatrix validate`: check scenario and topology files; touches nothing.
import { Command } from "commander";
import { NsmError } from "../errors.js";
import { printError } from "./support.js";

export function validateCommand(): Command {
  return new Command("validate")
    .description("validate scenario and topology files without touching the system")
    .argument("<files...>", "scenario or topology files")
    .action(async (files: string[]) => {
      const { loadFile } = await import("../model/index.js");
      let bad = 0;
      for (const f of files) {
        try {
          // Read and parsed once, and validated as what it is.
          const got = loadFile(f);
          if (got.kind === "topology") {
            const t = got.topology;
            console.log(
              `ok ${f}: topology, ${Object.keys(t.nodes).length} nodes, ${t.links?.length ?? 0} links`,
            );
          } else {
            const sc = got.scenario;
            console.log(
              `ok ${f}: scenario ${sc.name}, ${sc.variants.length} variants, ${sc.checks.length} checks`,
            );
          }
        } catch (e) {
          if (!(e instanceof NsmError)) throw e;
          bad++;
          printError(e);
        }
      }
      if (bad) throw new NsmError("E_SCHEMA", `${bad} of ${files.length} files are invalid`);
    });
}
