// `nsmatrix list`: scenarios, their variants and their checks.
import { Command } from "commander";
import { scenarioFiles } from "./options.js";

export function listCommand(): Command {
  return new Command("list")
    .description("list scenarios, their variants and checks")
    .argument("[scenarios...]", "scenario files (default: scenarios/*.yaml)")
    .action(async (files: string[]) => {
      const [{ loadScenario }, { describeScenario }] = await Promise.all([
        import("../model/index.js"),
        import("./describe.js"),
      ]);
      for (const sc of scenarioFiles(files).map(loadScenario)) console.log(describeScenario(sc).join("\n"));
    });
}
