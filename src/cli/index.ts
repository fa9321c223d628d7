// The nsmatrix command line's entry: the command table, and the one catch that maps errors to exit
// codes. Library code never exits; only internal errors ask to be reported.
import { CommanderError } from "commander";
import { NsmError } from "../errors.js";
import { buildProgram } from "./program.js";
import { printError } from "./support.js";

/** Exit status per error: 2 for what the user can fix before any work, 1 for a run that broke. */
export const EXIT: Record<NsmError["code"], number> = {
  E_USAGE: 2,
  E_YAML: 2,
  E_SCHEMA: 2,
  E_IO: 2,
  E_PRIVILEGE: 2,
  E_TOOL: 2,
  E_BACKEND: 1,
  E_TIMEOUT: 1,
  E_INTERRUPTED: 130,
  E_INTERNAL: 70,
};

try {
  await buildProgram().parseAsync();
} catch (e) {
  if (e instanceof CommanderError) {
    // commander printed the message; help and version are not errors, the rest are usage errors.
    const fine = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(e.code);
    process.exitCode = fine ? 0 : EXIT.E_USAGE;
  } else if (e instanceof NsmError) {
    printError(e);
    process.exitCode = EXIT[e.code];
  } else {
    process.stderr.write(`nsmatrix: internal error (please report it): ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = EXIT.E_INTERNAL;
  }
}
