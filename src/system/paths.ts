// Where nsmatrix keeps things on this machine: the caches of guest kernels and userspaces (XDG),
// and the project's own folder (its Vagrantfile).
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { PACKAGE_DIR } from "../package.js";

const cacheRoot = (env: NodeJS.ProcessEnv) => {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "nsmatrix");
};

/** `$XDG_CACHE_HOME/nsmatrix/kernels`, or `~/.cache/nsmatrix/kernels`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "kernels");
}

/** `$XDG_CACHE_HOME/nsmatrix/userspace`, or `~/.cache/nsmatrix/userspace`. */
export function defaultUserspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "userspace");
}

/** The project's own folder: its package.json, and its Vagrantfile. */
export const PROJECT_DIR = PACKAGE_DIR;
