// Which versions of the networking tools a userspace has: one shell probe, one parser.
export { formatToolVersions } from "../text.js";

/** Tool → version, e.g. { ip: "5.9.0", nft: "0.9.8", iptables: "1.8.7 (nf_tables)" }. */
export type ToolVersions = Record<string, string>;

/** The tools every column reports, and the command that prints each one's version. */
const VERSION_OF = {
  ip: "ip -V",
  nft: "nft --version",
  iptables: "iptables --version",
  ebtables: "ebtables --version",
} as const;

/** POSIX sh printing `tool<TAB>its version output on one line`, or `tool<TAB>missing`. */
export const TOOLS_PROBE = Object.entries(VERSION_OF)
  .map(
    ([tool, cmd]) =>
      `if command -v ${tool} >/dev/null 2>&1; then printf '${tool}\\t%s\\n' "$(${cmd} 2>&1 | tr '\\n' ' ')"; else printf '${tool}\\tmissing\\n'; fi`,
  )
  .join("\n");

// "ip utility, iproute2-5.9.0, libbpf 0.3.0" → 5.9.0; "iptables v1.8.7 (nf_tables)" → 1.8.7 (nf_tables).
// Warnings may come first (ip in a chroot without /proc: "Couldn't find runtime libbpf version").
function versionOf(tool: string, line: string): string {
  if (line === "missing") return "missing";
  const m =
    tool === "ip" ? /iproute2-(?:ss)?([\w.]+)/.exec(line) : /v?(\d+(?:\.\d+)+(?:\s+\([\w-]+\))?)/.exec(line);
  return m?.[1] ?? line.slice(0, 60);
}

/** Parses TOOLS_PROBE's output. */
export function parseToolVersions(out: string): ToolVersions {
  const tools: ToolVersions = {};
  for (const line of out.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab <= 0) continue;
    const tool = line.slice(0, tab);
    if (tool in VERSION_OF) tools[tool] = versionOf(tool, line.slice(tab + 1).trim());
  }
  return tools;
}
