// What the command line needs besides parsing: colour, the output file, and holding a kept run.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { formatIssues, NsmError } from "../errors.js";
import type { HeldRun } from "../run/index.js";
import { visible } from "../text.js";

/** Colour for the pretty format: FORCE_COLOR and NO_COLOR (no-color.org) win over the terminal. */
export function useColor(flag: boolean, toFile: boolean, env = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return flag && !toFile && process.stdout.isTTY === true;
}

/** Refuses an output file that cannot be written, before any work (not after minutes of guests). */
export function checkOutput(file: string): void {
  const dir = dirname(resolve(file));
  let why: string | undefined;
  try {
    if (!statSync(dir).isDirectory()) why = `${dir} is not a folder`;
    else accessSync(dir, constants.W_OK);
  } catch (e) {
    why =
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? `the folder ${dir} does not exist`
        : `${dir} is not writable`;
  }
  if (why) throw new NsmError("E_USAGE", `cannot write results to ${file}: ${why}`);
}

/** `--artifacts DIR`: made when missing, but its parent must exist and be writable; refused before the run. */
export function checkArtifacts(dir: string): void {
  const at = resolve(dir);
  try {
    if (existsSync(at)) {
      if (!statSync(at).isDirectory()) throw new Error(`${at} is not a folder`);
      accessSync(at, constants.W_OK);
      return;
    }
    checkOutput(at);
  } catch (e) {
    if (e instanceof NsmError)
      throw new NsmError(
        "E_USAGE",
        e.message.replace(/^cannot write results to .*?: /, `cannot keep artifacts in ${dir}: `),
      );
    throw new NsmError(
      "E_USAGE",
      `cannot keep artifacts in ${dir}: ${(e as Error).message.replace(/^EACCES.*/, "not writable")}`,
    );
  }
}

/** `run --keep`: says what went wrong and how to enter each node, then waits for Enter. */
export async function holdForUser(h: HeldRun): Promise<void> {
  const lines = [
    `! kept ${h.label} ${h.scenario} / ${h.variant}: ${h.problems.map(visible).join(", ")}`,
    "  the topology is up; enter a node with:",
    ...h.enter.map((c) => `    ${c}`),
    "  press Enter to tear it down and go on",
  ];
  process.stderr.write(`${lines.join("\n")}\n`);
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((done) => {
    rl.once("line", () => done());
    rl.once("close", () => done());
  });
  rl.close();
}

/** `--timeout-scale`: a plain number from 0.1 to 100, so the script's arithmetic can read it. */
export function parseScale(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d{1,3})?$/.test(v) || !(n >= 0.1 && n <= 100)) {
    throw new NsmError(
      "E_USAGE",
      `--timeout-scale ${JSON.stringify(v)}: expected a number from 0.1 to 100 (at most 3 decimals)`,
    );
  }
  return n;
}

/** A user's error on stderr: the message, then each located issue with its line and caret. */
export function printError(e: NsmError): void {
  process.stderr.write(`nsmatrix: ${e.message}\n`);
  if (e.issues.length) process.stderr.write(`${formatIssues(e.issues)}\n`);
}
