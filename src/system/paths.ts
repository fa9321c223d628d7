// Where nsmatrix keeps things on this machine: the caches of guest kernels and userspaces (XDG),
// and the project's own folder (its Vagrantfile).
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

/** The project's own folder, which holds its Vagrantfile (two levels above src/system or dist/system). */
export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
