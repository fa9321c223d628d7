// The namespaces of a run, and what must hold in them before any link exists: IPv6 off where a
// node does not use it, no duplicate address detection where it does, no link-local IGMP reports
// where a bridge would count them. Also the node order and the modules a topology loads.

import type { NodeT, TopologyT } from "../model/index.js";
import { ipv6On, nodeOrder } from "../model/index.js";
import { own } from "../net/index.js";
import { batch, type Where } from "./batch.js";
import { l3Modules } from "./features.js";

export type NodeEntry = [string, NodeT];

const noWhere: Where = () => undefined;

// Nodes in build order: a node whose macvlan sits on another node's interface comes after it.
export function nodes(topo: TopologyT): NodeEntry[] {
  const order = nodeOrder(topo) ?? Object.keys(topo.nodes);
  return order.map((n) => [n, own(topo.nodes, n) ?? {}]);
}

/** Modules to load before anything else: those named, br_netfilter when a bridge calls iptables, and
 * those of VRFs, tunnels, devices, qdiscs and flowtables. */
export function modulesOf(topo: TopologyT): string[] {
  const mods = new Set<string>();
  for (const [, node] of nodes(topo)) {
    for (const m of node.modules ?? []) mods.add(m);
    if (Object.values(node.bridges ?? {}).some((b) => b.nf_call_iptables || b.nf_call_ip6tables))
      mods.add("br_netfilter");
    for (const m of l3Modules(node)) mods.add(m);
  }
  return [...mods];
}

/**
 * Creates every namespace, and the probe one, in one batch, deferring their removal first.
 * `busy`: the nodes where the run starts processes, which the teardown kills first.
 */
export function namespaces(topo: TopologyT, busy: string[], where: Where = noWhere): string[] {
  const names = Object.keys(topo.nodes);
  const ns = (list: string[]) => list.map((n) => `"$P-${n}"`).join(" ");
  const all = ns([...names, "probe"]);
  const out = [`nsm_fresh ${all}`, `nsm_defer 'nsm_ns_gone ${ns([...busy, "probe"])} -- ${all}'`];
  const lines = [...names, "probe"].map((n) => ({ text: `netns add $P-${n}` }));
  out.push(...batch({ id: "netns", desc: "create namespaces", tool: "ip", where }, lines));
  return [...out, ...ipv6Off(topo, where), ...noDad(topo, where), ...quietSnoopers(topo, where)];
}

const LLM_REPORTS = "net.ipv4.igmp_link_local_mcast_reports";

// A bridge that comes up joins 224.0.0.106 (all-snoopers) and reports it a few times within a
// second. Every host on the segment drops those reports (ip_rcv_finish_core), and a check whose
// process the report's softirq interrupts would count them as its own drops. So nodes with
// bridges report no link-local groups, unless their sysctls say otherwise; set before any link
// exists. (-e: kernels before 4.3 have no such key.)
function quietSnoopers(topo: TopologyT, where: Where): string[] {
  const lines = nodes(topo)
    .filter(([, n]) => Object.keys(n.bridges ?? {}).length && own(n.sysctls, LLM_REPORTS) === undefined)
    .map(([n]) => ({ text: `netns exec $P-${n} sysctl -q -e -w ${LLM_REPORTS}=0` }));
  return batch({ id: "igmp", desc: "quiet link-local IGMP reports", tool: "ip", where }, lines);
}

// IPv6 off where a node does not use it: no DAD, RS or MLD frames to confuse bridges. Every device
// of such a node gets `addrgenmode none` in its node's batch (no process per namespace). Where the
// kernel or iproute2 lacks it, $nsm_ag comments those lines out and the IPv6 sysctls are set per
// namespace, before any link exists. (-e: a kernel without IPv6 has no such keys, which is fine.)
function ipv6Off(topo: TopologyT, where: Where): string[] {
  const quiet = nodes(topo).filter(([, n]) => !ipv6On(n));
  if (!quiet.length) return [];
  const sysctls = quiet.map(([n]) => ({
    text: `netns exec $P-${n} sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`,
  }));
  return [
    "nsm_ag=",
    `if ! ip -n "$PROBE" link set dev lo addrgenmode none 2>/dev/null; then`,
    "nsm_ag='#'",
    ...batch({ id: "ipv6", desc: "IPv6 off", tool: "ip", where }, sysctls),
    "fi",
  ];
}

// IPv6 nodes: no duplicate address detection (addresses are added nodad, link-local ones too), so
// no address is tentative when the checks start, unless an interface asks for it (`dad: true`).
function noDad(topo: TopologyT, where: Where): string[] {
  const lines = nodes(topo)
    .filter(([, n]) => ipv6On(n) && !Object.values(n.interfaces ?? {}).some((i) => i?.dad))
    .map(([n]) => ({
      text: `netns exec $P-${n} sysctl -q -e -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0`,
    }));
  return batch({ id: "nodad", desc: "IPv6 without DAD", tool: "ip", where }, lines);
}

/** Nodes with an interface that asks for DAD: set-up waits for it there. */
export function dadNodes(topo: TopologyT): string[] {
  return nodes(topo)
    .filter(([, n]) => ipv6On(n) && Object.values(n.interfaces ?? {}).some((i) => i?.dad))
    .map(([name]) => name);
}
