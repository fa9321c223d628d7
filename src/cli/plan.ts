// `nsmatrix plan`: the standalone POSIX sh script of one variant, the reproducer.
import { Command, Option } from "commander";
import { scale, variantOf } from "./options.js";

export function planCommand(): Command {
  return new Command("plan")
    .description("print the standalone POSIX sh script for one variant (runs as root, without Node)")
    .argument("<scenario>", "scenario file")
    .option("-v, --variant <name>", "the variant (default: the first)")
    .option("--timeout-scale <x>", "multiply the waits for a service's answer, as in a slow guest", scale, 1)
    .option("--no-diagnose", "leave out the skb:kfree_skb trace of checks that do not get through")
    .addOption(
      new Option(
        "--capture <which>",
        "keep pcaps of each check's path in $NSM_ARTIFACTS (default: the current folder)",
      ).choices(["failed", "all"]),
    )
    .addHelpText(
      "after",
      `
The script reads top to bottom like a net selftest: what it reproduces and what each check
expects on which kernel, the topology commands, each check's command written out (copy it, with
P=nsm-<run>, to run it by hand), then the helpers it calls. It prints TAP and, per check, a line
such as "[XFAIL] cmd1: no-reach (syn-timeout), expected xfail" against the running kernel.`,
    )
    .action(async (file: string, o) => {
      const [{ loadScenario }, { compileVariant }] = await Promise.all([
        import("../model/index.js"),
        import("../compile/index.js"),
      ]);
      const sc = loadScenario(file);
      const name = variantOf(sc, o.variant);
      if (!o.variant && sc.variants.length > 1)
        process.stderr.write(
          `plan: variant ${name} (others: ${sc.variants
            .slice(1)
            .map((v) => v.name)
            .join(", ")})\n`,
        );
      const options = {
        timeoutScale: o.timeoutScale,
        diagnose: o.diagnose,
        ...(o.capture ? { capture: o.capture } : {}),
      };
      process.stdout.write(compileVariant(sc, name, options).text);
    });
}
