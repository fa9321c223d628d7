// Refuse early, with what to do next: not root, or a tool the scripts call is missing.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { NsmError } from "../errors.js";
import { PACKAGE_OF } from "./packages.js";

// root's PATH usually has these, but sudo and CI environments sometimes drop the sbin ones.
const EXTRA_PATH = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** The full search path the scripts run with. */
export function searchPath(): string {
  const parts = (process.env.PATH ?? "/usr/bin:/bin").split(delimiter);
  return [...parts, ...EXTRA_PATH.filter((p) => !parts.includes(p))].join(delimiter);
}

/** Whether `tool` is an executable on the search path. */
export function hasTool(tool: string): boolean {
  return searchPath()
    .split(delimiter)
    .some((dir) => {
      try {
        accessSync(join(dir, tool), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new NsmError("E_PRIVILEGE", `${what} needs root: it creates network namespaces. Run it with sudo.`);
  }
}

/** Throws E_TOOL naming the Debian packages for every missing tool. */
export function requireTools(tools: Iterable<string>): void {
  const missing = [...new Set(tools)].filter((t) => !hasTool(t));
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map((t) => PACKAGE_OF[t] ?? t))];
  const list = missing.map((t) => `${t} (Debian package ${PACKAGE_OF[t] ?? "unknown"})`).join(", ");
  throw new NsmError(
    "E_TOOL",
    `missing tools: ${list}. Install them with: apt-get install ${pkgs.join(" ")}`,
  );
}
