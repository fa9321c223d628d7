// Features of the devices, bridge VLANs, qdiscs and IPv6 a node uses: each probed in the scratch
// namespace before set-up, so that a kernel without one skips with the CONFIG_ option it lacks.

import type { NodeT } from "../model/index.js";
import { ipv6On, QDISCS } from "../model/index.js";
import type { Feature } from "./feature.js";

// A veth pair in the probe namespace: the lower device a vlan, macvlan or ipvlan probe sits on.
const lower = (n: string) => `ip -n "$PROBE" link add nsm${n}a type veth peer name nsm${n}b`;

const DEVICE_FEATURES: Record<string, Feature> = {
  ipv6: {
    id: "ipv6",
    probe: "[ -d /proc/sys/net/ipv6 ]",
    reason: "kernel lacks IPv6 (CONFIG_IPV6, or it was booted with ipv6.disable=1)",
  },
  vlan: {
    id: "vlan",
    probe: `${lower("v")} && ip -n "$PROBE" link add link nsmva name nsmva.5 type vlan id 5`,
    reason: "kernel lacks 802.1Q VLAN devices (CONFIG_VLAN_8021Q)",
  },
  "vlan-802.1ad": {
    id: "vlan-802.1ad",
    probe: `${lower("q")} && ip -n "$PROBE" link add link nsmqa name nsmqa.5 type vlan protocol 802.1ad id 5`,
    reason: "kernel lacks 802.1ad (QinQ) VLAN devices (CONFIG_VLAN_8021Q, kernel 3.10+)",
  },
  macvlan: {
    id: "macvlan",
    probe: `${lower("m")} && ip -n "$PROBE" link add nsmmv link nsmma type macvlan mode bridge`,
    reason: "kernel lacks macvlan (CONFIG_MACVLAN)",
  },
  ipvlan: {
    id: "ipvlan",
    probe: `${lower("i")} && ip -n "$PROBE" link add nsmiv link nsmia type ipvlan mode l2`,
    reason: "kernel lacks ipvlan (CONFIG_IPVLAN)",
  },
  "ipvlan-l3s": {
    id: "ipvlan-l3s",
    probe: `${lower("s")} && ip -n "$PROBE" link add nsmsv link nsmsa type ipvlan mode l3s`,
    reason: "kernel lacks ipvlan's l3s mode (CONFIG_IPVLAN_L3S)",
  },
  bond: {
    id: "bond",
    probe: 'ip -n "$PROBE" link add nsmbd type bond',
    reason: "kernel lacks bonding (CONFIG_BONDING)",
  },
  dummy: {
    id: "dummy",
    probe: 'ip -n "$PROBE" link add nsmdm type dummy',
    reason: "kernel lacks dummy devices (CONFIG_DUMMY)",
  },
  vlan_filtering: {
    id: "vlan_filtering",
    probe: 'ip -n "$PROBE" link add nsmbv type bridge vlan_filtering 1',
    reason: "kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)",
  },
  "vlan_filtering-802.1ad": {
    id: "vlan_filtering-802.1ad",
    probe: 'ip -n "$PROBE" link add nsmba type bridge vlan_filtering 1 vlan_protocol 802.1ad',
    reason: "kernel lacks 802.1ad on VLAN-aware bridges (CONFIG_BRIDGE_VLAN_FILTERING, kernel 3.16+)",
  },
};

const qdiscFeature = (kind: string): Feature => ({
  id: `qdisc-${kind}`,
  probe: `ip netns exec "$PROBE" tc qdisc replace dev lo root ${QDISCS[kind]?.probe ?? kind}`,
  reason: `kernel lacks the ${kind} qdisc (${QDISCS[kind]?.config ?? "CONFIG_NET_SCHED"})`,
});

/** The features a node's devices, bridge VLANs, qdiscs and IPv6 need, in probe order. */
export function deviceFeatures(node: NodeT): Feature[] {
  const out: (Feature | undefined)[] = [];
  if (ipv6On(node)) out.push(DEVICE_FEATURES.ipv6);
  const bridges = Object.values(node.bridges ?? {});
  if (bridges.some((b) => b.vlan_filtering)) out.push(DEVICE_FEATURES.vlan_filtering);
  if (bridges.some((b) => b.vlan_filtering && b.vlan_protocol === "802.1ad"))
    out.push(DEVICE_FEATURES["vlan_filtering-802.1ad"]);
  for (const i of Object.values(node.interfaces ?? {})) {
    if (i?.type) out.push(DEVICE_FEATURES[i.type]);
    if (i?.type === "vlan" && i.protocol === "802.1ad") out.push(DEVICE_FEATURES["vlan-802.1ad"]);
    if (i?.type === "ipvlan" && i.mode === "l3s") out.push(DEVICE_FEATURES["ipvlan-l3s"]);
    const kind = i?.qdisc?.trim().split(/\s+/)[0];
    if (kind) out.push(qdiscFeature(kind));
  }
  return out.filter((f): f is Feature => f !== undefined);
}

const DEVICE_MODULES: Record<string, string> = {
  vlan: "8021q",
  macvlan: "macvlan",
  ipvlan: "ipvlan",
  bond: "bonding",
  dummy: "dummy",
};

/** Modules of a node's devices and qdiscs (autoload misses some, e.g. in a guest). */
export function deviceModules(node: NodeT): string[] {
  const mods = new Set<string>();
  for (const i of Object.values(node.interfaces ?? {})) {
    const m = i?.type ? DEVICE_MODULES[i.type] : undefined;
    if (m) mods.add(m);
    const q = QDISCS[i?.qdisc?.trim().split(/\s+/)[0] ?? ""]?.module;
    if (q) mods.add(q);
  }
  return [...mods];
}
