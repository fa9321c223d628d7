// The Debian kernel series nsmatrix can fetch, as data: series → suite and the image package's name.

/** One fetchable series; `image` matches only the plain amd64 image (no cloud, rt, dbg, unsigned or meta). */
export interface DebianSeries {
  series: string;
  suite: string;
  /** Matches the image package name; group 1 is the kernel release (`uname -r`). */
  image: RegExp;
}

/** Every series `debian:<series>` accepts, oldest first. */
export const DEBIAN_SERIES: readonly DebianSeries[] = [
  { series: "5.10", suite: "bullseye", image: /^linux-image-(5\.10\.0-\d+-amd64)$/ },
  { series: "6.1", suite: "bookworm", image: /^linux-image-(6\.1\.0-\d+-amd64)$/ },
  { series: "6.12", suite: "trixie", image: /^linux-image-(6\.12\.\d+\+deb13-amd64)$/ },
];

/** The archive used unless a mirror is given. */
export const DEFAULT_MIRROR = "http://deb.debian.org/debian";

/** The catalog entry of a series, or undefined. */
export function debianSeries(series: string): DebianSeries | undefined {
  return DEBIAN_SERIES.find((d) => d.series === series);
}

/** `5.10 (bullseye), 6.1 (bookworm), …` for messages. */
export function knownSeries(): string {
  return DEBIAN_SERIES.map((d) => `${d.series} (${d.suite})`).join(", ");
}
