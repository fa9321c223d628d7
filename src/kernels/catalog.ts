// The Debian kernel series nsmatrix can fetch, as data: series → suite and the image package's name.

/** One fetchable series; `image` matches only the plain amd64 image (no cloud, rt, dbg, unsigned or meta). */
export interface DebianSeries {
  series: string;
  suite: string;
  /** Matches the image package name; group 1 is the kernel release (`uname -r`). */
  image: RegExp;
}

// Any plain amd64 image: 6.12.57+deb12-amd64, 7.2.13+deb14-amd64, 7.3-amd64.
const NEWEST = /^linux-image-(\d+\.\d+(?:\.\d+)?(?:\+deb\d+)?-amd64)$/;

/** Every series `debian:<series>` accepts, oldest first; then the suites whose newest kernel it takes. */
export const DEBIAN_SERIES: readonly DebianSeries[] = [
  { series: "5.10", suite: "bullseye", image: /^linux-image-(5\.10\.0-\d+-amd64)$/ },
  { series: "6.1", suite: "bookworm", image: /^linux-image-(6\.1\.0-\d+-amd64)$/ },
  { series: "6.12", suite: "trixie", image: /^linux-image-(6\.12\.\d+\+deb13-amd64)$/ },
  // A suite's newest kernel, whatever its series: backports, testing (forky), unstable (sid) and
  // experimental, where Debian builds the newest kernels. (Experimental's ABI is unversioned: 7.3-amd64.)
  { series: "bookworm-backports", suite: "bookworm-backports", image: NEWEST },
  { series: "trixie-backports", suite: "trixie-backports", image: NEWEST },
  { series: "forky", suite: "forky", image: NEWEST },
  { series: "sid", suite: "sid", image: NEWEST },
  { series: "experimental", suite: "experimental", image: NEWEST },
];

/** The archive used unless a mirror is given. */
export const DEFAULT_MIRROR = "http://deb.debian.org/debian";

/** The catalog entry of a series, or undefined. */
export function debianSeries(series: string): DebianSeries | undefined {
  return DEBIAN_SERIES.find((d) => d.series === series);
}

/** `5.10 (bullseye), 6.1 (bookworm), …` for messages. */
export function knownSeries(): string {
  return DEBIAN_SERIES.map((d) => (d.series === d.suite ? d.series : `${d.series} (${d.suite})`)).join(", ");
}
