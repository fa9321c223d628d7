// `nsmatrix run --script PATH`: selftest-style scripts run as they are, as scenarios. A file is a
// scenario of one check; a folder (a kernel tree's tools/testing/selftests/net, say) one check per
// executable *.sh in it. Each runs in the run's own namespace on an empty topology, its
// expectation left to its exit code, its lib.sh and the files it names beside it, and the
// folder's `config` checked against the kernel's.
import { statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { folderScripts, readKconfig, readScript, SCRIPT_DEFAULT_TIMEOUT_S } from "../checks/index.js";
import { NsmError } from "../errors.js";
import type { CheckModel, ScenarioModel } from "./types.js";

// A name the model accepts, from a file or folder name.
const nameOf = (file: string) =>
  basename(file)
    .replace(/\.[a-z]+$/, "")
    .replace(/[^A-Za-z0-9_.-]/g, "-") || "script";

function scriptCheck(folder: string, file: string, timeoutS: number): CheckModel {
  const config = readKconfig(folder);
  return {
    name: nameOf(file),
    timeout: timeoutS,
    expect: "reach",
    target: {
      kind: "script",
      file,
      files: readScript(folder, file),
      args: [],
      timeoutS,
      ...(config.length ? { config } : {}),
    },
  };
}

/** The scenario of a script file, or of a folder of them. */
export function scriptScenario(path: string, timeoutS = SCRIPT_DEFAULT_TIMEOUT_S): ScenarioModel {
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch (e) {
    throw new NsmError("E_IO", `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const dir = folder ? resolve(path) : dirname(resolve(path));
  const files = folder ? folderScripts(dir) : [basename(path)];
  if (!files.length)
    throw new NsmError("E_USAGE", `${path}: no executable *.sh in it (a selftest is an executable script)`);
  const checks = files.map((f) => scriptCheck(dir, f, timeoutS));
  return {
    file: folder ? join(path, files[0] as string) : path,
    name: `${folder ? "selftests" : "script"}-${nameOf(path)}`.slice(0, 64),
    description: folder ? `the selftests in ${path}, run as they are` : `the script ${path}, run as it is`,
    topologyFile: "",
    parallel: false,
    services: [],
    checks,
    variants: [{ name: "default", topology: { nodes: {} }, checks }],
  };
}
