// Kernel and userspace features a topology needs, and how the script probes each one.
import type { TopologyT } from "../model/index.js";

export interface Feature {
  id: string;
  /** POSIX sh that succeeds when the feature works; runs with $PROBE set to a scratch namespace. */
  probe: string;
  /** Why the checks are skipped when the probe fails. */
  reason: string;
}

const FEATURES: Record<string, Feature> = {
  veth: {
    id: "veth",
    probe: 'ip -n "$PROBE" link add nsmp0 type veth peer name nsmp1',
    reason: "kernel lacks veth (CONFIG_VETH)",
  },
  bridge: {
    id: "bridge",
    probe: 'ip -n "$PROBE" link add nsmp2 type bridge',
    reason: "kernel lacks the bridge (CONFIG_BRIDGE)",
  },
  br_netfilter: {
    id: "br_netfilter",
    probe: "[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]",
    reason: "kernel lacks br_netfilter (CONFIG_BRIDGE_NETFILTER)",
  },
  nft: {
    id: "nft",
    probe: 'ip netns exec "$PROBE" nft list ruleset',
    reason: "kernel lacks nf_tables (CONFIG_NF_TABLES)",
  },
};

/** The binary for an iptables/ebtables flavour: the system default, or `-legacy` / `-nft`. */
export function flavoured(tool: "iptables" | "ebtables", flavour?: "legacy" | "nft"): string {
  return flavour ? `${tool}-${flavour}` : tool;
}

function tableFeature(bin: string, table: string): Feature {
  const isEb = bin.startsWith("ebtables");
  const reason =
    isEb && table === "broute" && bin !== "ebtables-legacy"
      ? `${bin} may be the nf_tables flavour, which has no broute table; set firewall.flavour.ebtables: legacy`
      : isEb && table === "broute"
        ? "kernel lacks the ebtables broute table (CONFIG_BRIDGE_EBT_BROUTE, legacy ebtables)"
        : `${bin} cannot use the ${table} table on this kernel`;
  return {
    id: `${bin}:${table}`,
    probe: `ip netns exec "$PROBE" ${bin} -t ${table} -L`,
    reason,
  };
}

/** Features the topology uses, in probe order. */
export function featuresOf(topo: TopologyT): Feature[] {
  const out = new Map<string, Feature>();
  const add = (f: Feature | undefined) => f && out.set(f.id, f);
  if (topo.links?.length) add(FEATURES.veth);
  for (const node of Object.values(topo.nodes)) {
    if (!node) continue;
    const bridges = Object.values(node.bridges ?? {});
    if (bridges.length) add(FEATURES.bridge);
    const wantsBrNf =
      bridges.some((b) => b.nf_call_iptables) ||
      (node.modules ?? []).includes("br_netfilter") ||
      Object.keys(node.sysctls ?? {}).some((k) => k.startsWith("net.bridge."));
    if (wantsBrNf) add(FEATURES.br_netfilter);
    const fw = node.firewall;
    for (const table of Object.keys(fw?.iptables ?? {})) {
      add(tableFeature(flavoured("iptables", fw?.flavour?.iptables), table));
    }
    for (const table of Object.keys(fw?.ebtables ?? {})) {
      add(tableFeature(flavoured("ebtables", fw?.flavour?.ebtables), table));
    }
    if (fw?.nft) add(FEATURES.nft);
  }
  return [...out.values()];
}

/** Debian packages that provide each command the script may call. */
export const PACKAGE_OF: Record<string, string> = {
  ip: "iproute2",
  sysctl: "procps",
  socat: "socat",
  ping: "iputils-ping",
  modprobe: "kmod",
  iptables: "iptables",
  "iptables-restore": "iptables",
  "iptables-legacy": "iptables",
  "iptables-legacy-restore": "iptables",
  "iptables-nft": "iptables",
  "iptables-nft-restore": "iptables",
  ebtables: "ebtables",
  "ebtables-legacy": "ebtables",
  "ebtables-nft": "ebtables",
  nft: "nftables",
  awk: "mawk",
  od: "coreutils",
};
