// The command table: each command is a module of its own; each loads what it needs when it runs,
// so that `--version` and `validate` start without the backends.
import { Command } from "commander";
import { VERSION } from "../package.js";
import { type Exec, exec } from "../system/exec.js";
import { bisectCommand } from "./bisect.js";
import { cleanCommand } from "./clean.js";
import { graphCommand } from "./graph.js";
import { kernelsCommand } from "./kernels.js";
import { listCommand } from "./list.js";
import { planCommand } from "./plan.js";
import { reportCommand } from "./report.js";
import { runCommand } from "./run.js";
import { schemaCommand } from "./schema.js";
import { userspaceCommand } from "./userspace.js";
import { validateCommand } from "./validate.js";

/** The whole command line; `exec` runs the processes of `kernels` and `userspace`. */
export function buildProgram(deps: { exec: Exec } = { exec }): Command {
  const program = new Command()
    .name("nsmatrix")
    .description(
      // One sentence: commander wraps it to the terminal's width.
      "Build Linux network topologies in namespaces, send ping/TCP/UDP through them, and report " +
        "reachability as a matrix of scenario × variant × check × kernel.",
    )
    .version(VERSION)
    .addHelpText(
      "after",
      `
Examples:
  nsmatrix validate scenarios/box0-bridge-dnat.yaml      check files; touches nothing
  nsmatrix list                                           scenarios, variants and checks in scenarios/
  nsmatrix plan scenarios/box0-bridge-dnat.yaml --variant hairpin > repro.sh
                                                          the standalone script (attach it to a bug report)
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml       run every variant on the host kernel
  sudo nsmatrix run scenarios/*.yaml --format junit --output results.xml
  sudo nsmatrix clean                                     remove what a killed run left behind

Exit status, kselftest's: 0 every check met its expectation (skips included), 1 one did not or
set-up failed, 4 every check was skipped; 2 a usage or validation error, 130 interrupted.
(run --bisect and nsmatrix bisect have their own: see their --help.)`,
    );
  for (const c of [
    runCommand(),
    reportCommand(),
    validateCommand(),
    planCommand(),
    bisectCommand(),
    graphCommand(),
    listCommand(),
    cleanCommand(),
    kernelsCommand(deps),
    userspaceCommand(deps),
    schemaCommand(),
  ])
    program.addCommand(c);
  // exitOverride: commander throws instead of exiting (with 1), so usage errors exit 2 in index.ts.
  // A usage error is its one line, then the help command to run (not the whole help).
  const override = (c: Command, name: string): void => {
    c.exitOverride().showHelpAfterError(`(${name} --help shows the usage)`);
    for (const sub of c.commands) override(sub, `${name} ${sub.name()}`);
  };
  override(program, "nsmatrix");
  return program;
}
