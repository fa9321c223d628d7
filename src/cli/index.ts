// The nsmatrix command line's entry: the command table, and the one catch that maps errors to exit
// codes. Library code never exits; only internal errors ask to be reported.
import { CommanderError } from "commander";
import { fileSystemError, NsmError } from "../errors.js";
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

// Under `run --bisect`, git bisect run reads the exit status: an error in what the user wrote
// (usage, validation, an internal error) stops the bisection (above 127), one of the run (a kernel
// that does not boot, a step that timed out) cannot tell (125, git bisect skip). Looked for before
// commander parses: a usage error must stop the bisection too.
const bisecting = process.argv.slice(2).some((a) => a === "--bisect" || a.startsWith("--bisect="));
const forBisect = (code: number) =>
  !bisecting || code === 0 || code >= 128 ? code : code === EXIT.E_BACKEND ? 125 : 128;

try {
  await buildProgram().parseAsync();
} catch (raw) {
  // A file or folder nsmatrix could not make or read (a cache dir not writable, a full disk) is
  // the user's to fix, located at its path: E_IO, never an internal error.
  const e = fileSystemError(raw) ?? raw;
  if (e instanceof CommanderError) {
    // commander printed the message; help and version are not errors, the rest are usage errors.
    const fine = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(e.code);
    process.exitCode = forBisect(fine ? 0 : EXIT.E_USAGE);
  } else if (e instanceof NsmError) {
    printError(e);
    process.exitCode = forBisect(EXIT[e.code]);
  } else {
    process.stderr.write(`nsmatrix: internal error (please report it): ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = forBisect(EXIT.E_INTERNAL);
  }
}
