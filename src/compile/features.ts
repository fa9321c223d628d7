// Kernel and userspace features a topology needs, and how the script probes each one.
import type { NodeT, TopologyT } from "../model/index.js";
import type { Feature } from "./feature.js";
import { deviceFeatures, deviceModules } from "./features-devices.js";

export type { Feature } from "./feature.js";

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
  vrf: {
    id: "vrf",
    probe: 'ip -n "$PROBE" link add nsmv type vrf table 10',
    reason: "kernel lacks VRF (CONFIG_NET_VRF)",
  },
  gretap: {
    id: "gretap",
    probe: 'ip -n "$PROBE" link add nsmg type gretap external',
    reason: "kernel lacks gretap (CONFIG_NET_IPGRE)",
  },
  // A keyless gre with neither local nor remote would clash with the fallback gre0 (EEXIST).
  gre: {
    id: "gre",
    probe: 'ip -n "$PROBE" link add nsmgr type gre remote 192.0.2.1',
    reason: "kernel lacks gre (CONFIG_NET_IPGRE)",
  },
  ipip: {
    id: "ipip",
    probe: 'ip -n "$PROBE" link add nsmi type ipip remote 192.0.2.1',
    reason: "kernel lacks ipip (CONFIG_NET_IPIP)",
  },
  vxlan: {
    id: "vxlan",
    probe: 'ip -n "$PROBE" link add nsmx type vxlan id 1 dstport 4789',
    reason: "kernel lacks vxlan (CONFIG_VXLAN)",
  },
  // The encap state is built from the route's attributes alone, so lo carries it as well as a tunnel.
  lwtunnel: {
    id: "lwtunnel",
    probe:
      'ip -n "$PROBE" link set lo up && ip -n "$PROBE" route add 10.255.0.1/32 encap ip id 1 dst 10.255.0.2 dev lo',
    reason: "kernel lacks lightweight tunnels (CONFIG_LWTUNNEL)",
  },
  // Pre-5.0 kernels ignore the flags attribute (the bug "iptunnel: make TUNNEL_FLAGS available in
  // uapi"), so this only tells whether ip knows the word.
  lwtunnel_key: {
    id: "lwtunnel_key",
    probe:
      'ip -n "$PROBE" link set lo up && ip -n "$PROBE" route add 10.255.0.3/32 encap ip id 1 dst 10.255.0.2 key dev lo',
    reason: "iproute2 lacks the key flag of encap ip (iproute2 5.0+)",
  },
  // Kernels before 5.8 refuse a flowtable without devices, so it holds lo.
  flowtable: {
    id: "flowtable",
    probe:
      "echo 'table inet nsmf { flowtable f { hook ingress priority 0; devices = { lo }; }; }' | ip netns exec \"$PROBE\" nft -f -",
    reason: "kernel lacks nftables flowtable (CONFIG_NF_FLOW_TABLE)",
  },
  iifkind: {
    id: "iifkind",
    probe:
      'echo \'table inet nsmk { chain c { meta iifkind "vrf" accept; }; }\' | ip netns exec "$PROBE" nft -f -',
    reason: "meta iifkind/oifkind needs NFT_META_IIFKIND/OIFKIND (kernel 5.1+) and nft 0.9.1+",
  },
};

const TUNNEL_MODULE = { gretap: "ip_gre", gre: "ip_gre", ipip: "ipip", vxlan: "vxlan" } as const;

/** Modules of a node's VRFs, tunnels, devices, qdiscs and flowtables (autoload misses some, e.g. in a guest). */
export function l3Modules(node: NodeT): string[] {
  const mods = new Set<string>(deviceModules(node));
  if (Object.keys(node.vrfs ?? {}).length) mods.add("vrf");
  for (const t of Object.values(node.tunnels ?? {})) mods.add(TUNNEL_MODULE[t.type]);
  if (node.firewall?.nft?.includes("flowtable")) mods.add("nf_flow_table").add("nf_flow_table_inet");
  return [...mods];
}

/** The binary for an iptables/ip6tables/ebtables flavour: the system default, or `-legacy` / `-nft`. */
export function flavoured(tool: "iptables" | "ip6tables" | "ebtables", flavour?: "legacy" | "nft"): string {
  return flavour ? `${tool}-${flavour}` : tool;
}

function tableFeature(bin: string, table: string): Feature {
  const isEb = bin.startsWith("ebtables");
  const reason =
    isEb && table === "broute" && bin !== "ebtables-legacy"
      ? `${bin} may be the nf_tables flavour, which has no broute table; set firewall.flavour.ebtables: legacy`
      : isEb && table === "broute"
        ? "kernel lacks the ebtables broute table (CONFIG_BRIDGE_EBT_BROUTE, legacy ebtables)"
        : isEb
          ? `${bin} cannot use the ${table} table on this kernel (CONFIG_BRIDGE_EBT_T_${table.toUpperCase()})`
          : `${bin} cannot use the ${table} table on this kernel (CONFIG_IP${bin.startsWith("ip6") ? "6" : ""}_NF_${table === "filter" ? "FILTER" : table === "nat" ? "NAT" : table.toUpperCase()}, or CONFIG_NFT_COMPAT for the nft flavour)`;
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
      bridges.some((b) => b.nf_call_iptables || b.nf_call_ip6tables) ||
      (node.modules ?? []).includes("br_netfilter") ||
      Object.keys(node.sysctls ?? {}).some((k) => k.startsWith("net.bridge."));
    if (wantsBrNf) add(FEATURES.br_netfilter);
    // Devices first: a kernel without VRF should say so, not that a ruleset failed.
    if (Object.keys(node.vrfs ?? {}).length) add(FEATURES.vrf);
    for (const t of Object.values(node.tunnels ?? {})) add(FEATURES[t.type]);
    if ((node.routes ?? []).some((r) => r.encap)) add(FEATURES.lwtunnel);
    if ((node.routes ?? []).some((r) => r.encap?.key)) add(FEATURES.lwtunnel_key);
    for (const f of deviceFeatures(node)) add(f);
  }
  for (const node of Object.values(topo.nodes)) {
    const fw = node?.firewall;
    for (const tool of ["iptables", "ip6tables"] as const)
      for (const table of Object.keys(fw?.[tool] ?? {}))
        add(tableFeature(flavoured(tool, fw?.flavour?.iptables), table));
    for (const table of Object.keys(fw?.ebtables ?? {})) {
      add(tableFeature(flavoured("ebtables", fw?.flavour?.ebtables), table));
    }
    if (fw?.nft) add(FEATURES.nft);
    if (fw?.nft?.includes("flowtable")) add(FEATURES.flowtable);
    if (fw?.nft && /[io]ifkind/.test(fw.nft)) add(FEATURES.iifkind);
  }
  return [...out.values()];
}
