// The one table of the commands nsmatrix and its tests call, the Debian package of each, and what
// needs it. scripts/setup.sh reads the rows below line by line (awk), so each stays on one line.
//   run:       every run on the host kernel (the compiled scripts call these)
//   on-use:    only a topology or check that names the tool (not installed by setup)
//   guest:     QEMU guest kernels
//   container: userspace columns on the host kernel (debian:<suite>, docker:IMAGE)
//   test:      the test suite (reads TAP with prove and Python's tappy, whose YAML blocks need
//              python3-yaml and python3-more-itertools; JUnit with xmllint, HTML in a
//              headless browser; drives git bisect run)
//   (a tool `dpkg:NAME` is probed with dpkg-query: the static busybox has no command of its own)

export type Need = "run" | "on-use" | "guest" | "container" | "test";

// biome-ignore format: one row per line, for setup.sh
export const PACKAGES: readonly (readonly [tool: string, pkg: string, need: Need])[] = [
  ["ip", "iproute2", "run"],
  ["bridge", "iproute2", "run"],
  ["tc", "iproute2", "run"],
  ["nsenter", "util-linux", "run"],
  ["flock", "util-linux", "run"],
  ["timeout", "coreutils", "run"],
  ["od", "coreutils", "run"],
  ["sysctl", "procps", "run"],
  ["modprobe", "kmod", "run"],
  ["socat", "socat", "run"],
  ["ping", "iputils-ping", "run"],
  ["grep", "grep", "run"],
  ["awk", "mawk", "run"],
  ["iptables-restore", "iptables", "run"],
  ["iptables", "iptables", "run"],
  ["iptables-legacy", "iptables", "run"],
  ["iptables-legacy-restore", "iptables", "run"],
  ["iptables-nft", "iptables", "run"],
  ["iptables-nft-restore", "iptables", "run"],
  ["ip6tables", "iptables", "run"],
  ["ip6tables-restore", "iptables", "run"],
  ["ip6tables-legacy-restore", "iptables", "run"],
  ["ip6tables-nft-restore", "iptables", "run"],
  ["ebtables", "ebtables", "run"],
  ["ebtables-legacy", "ebtables", "run"],
  ["ebtables-nft", "iptables", "run"],
  ["nft", "nftables", "run"],
  ["tcpdump", "tcpdump", "run"],
  ["conntrack", "conntrack", "run"],
  ["ethtool", "ethtool", "on-use"],
  ["arp", "net-tools", "on-use"],
  ["tracepath", "iputils-tracepath", "on-use"],
  ["qemu-system-x86_64", "qemu-system-x86", "guest"],
  ["dpkg:busybox-static", "busybox-static", "guest"],
  ["xz", "xz-utils", "guest"],
  ["dockerd", "docker.io", "container"],
  ["debootstrap", "debootstrap", "container"],
  ["prove", "perl", "test"],
  ["dpkg:python3-tap", "python3-tap", "test"],
  ["dpkg:python3-yaml", "python3-yaml", "test"],
  ["dpkg:python3-more-itertools", "python3-more-itertools", "test"],
  ["git", "git", "test"],
  ["xmllint", "libxml2-utils", "test"],
  ["chromium", "chromium", "test"],
];

/** The Debian package that provides each command. */
export const PACKAGE_OF: Readonly<Record<string, string>> = Object.fromEntries(
  PACKAGES.filter(([tool]) => !tool.startsWith("dpkg:")).map(([tool, pkg]) => [tool, pkg]),
);

/** The commands a compiled script may call (those it always calls, and those a topology names). */
export const SCRIPT_TOOLS: readonly string[] = PACKAGES.filter(
  ([, , n]) => n === "run" || n === "on-use",
).map(([tool]) => tool);

/** The packages a kind of use needs, each once, in the table's order. */
export function packagesFor(...needs: Need[]): string[] {
  return [...new Set(PACKAGES.filter(([, , n]) => needs.includes(n)).map(([, pkg]) => pkg))];
}
