// The helpers a compiled script may call, kept as real .sh files (one per concern, so each can be
// read and linted alone) and joined in this order: core's top-level code runs first.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CODE_DIR } from "../package.js";

/** The runtime's files under compile/runtime/, in the order a script defines them. */
export const RUNTIME_PARTS = ["core", "services", "checks", "report", "trace", "pcap"] as const;

/** Every helper, as one text: the compiler keeps those a variant calls. */
export const RUNTIME = RUNTIME_PARTS.map((p) =>
  readFileSync(join(CODE_DIR, "compile", "runtime", `${p}.sh`), "utf8"),
).join("\n");
