// Reads a Debian `Packages` index and picks the newest kernel image of a series.
import { debianSeries } from "./catalog.js";
import { compareDebianVersions } from "./debian-version.js";

/** The fields of one binary package that fetching needs. */
export interface PackageStanza {
  package: string;
  version: string;
  filename: string;
  sha256: string;
  size: number;
  depends?: string;
}

// deb822: `Field: value`, continuation lines start with a space or tab; field names are case-insensitive.
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split("\n")) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && last) {
      out.set(last, `${out.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).toLowerCase();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

/** Stanzas of a `Packages` text; those without Package, Version, Filename, SHA256 and Size are left out. */
export function parsePackages(text: string): PackageStanza[] {
  const out: PackageStanza[] = [];
  for (const block of text.replace(/\r\n/g, "\n").split(/\n[ \t]*\n/)) {
    const f = fields(block);
    const [pkg, version, filename, sha256, size] = ["package", "version", "filename", "sha256", "size"].map(
      (k) => f.get(k),
    );
    if (!pkg || !version || !filename || !sha256 || !size) continue;
    const stanza: PackageStanza = { package: pkg, version, filename, sha256, size: Number(size) };
    const depends = f.get("depends");
    if (depends !== undefined) stanza.depends = depends;
    out.push(stanza);
  }
  return out;
}

/** The kernel release (`uname -r`) an image package of the series installs, or undefined if not one. */
export function imageRelease(series: string, pkg: string): string | undefined {
  return debianSeries(series)?.image.exec(pkg)?.[1];
}

/** The newest plain amd64 image of the series (by Debian version), or undefined. */
export function newestImage(stanzas: PackageStanza[], series: string): PackageStanza | undefined {
  return stanzas
    .filter((s) => imageRelease(series, s.package) !== undefined)
    .reduce<PackageStanza | undefined>(
      (best, s) => (!best || compareDebianVersions(s.version, best.version) > 0 ? s : best),
      undefined,
    );
}
