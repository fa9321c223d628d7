// nsmatrix's own package: its folder, the tree its code runs from, and its version. Found by
// walking up to package.json, not by counting levels: the same code runs as src/ (tsx), as tsc's
// dist/, and bundled into dist/bin/, in the repository and installed under node_modules.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "nsmatrix") return dir;
    if (dirname(dir) === dir) throw new Error(`no nsmatrix package.json above ${from}`);
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The package's folder: its package.json, and its Vagrantfile. */
export const PACKAGE_DIR = packageRoot(here);

/** The tree this code runs from, src/ or dist/: where the compiler's runtime .sh files are. */
export const CODE_DIR = join(PACKAGE_DIR, relative(PACKAGE_DIR, here).split(sep)[0] as string);

export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")).version;
