// Topology → the setup part of the script: namespaces, links, bridges, addresses, routes, sysctls, firewall.
import { parse as shellParse } from "shell-quote";
import type { TopologyT } from "../model/index.js";
import { own } from "../model/names.js";
import type { NodeT } from "../model/schema.js";
import { flavoured, l3Modules } from "./features.js";
import { deviceLines, deviceNames, routeLine, ruleLine, vrfMemberLines } from "./l3.js";
import { cmd, heredoc, q } from "./shell.js";

type NodeEntry = [string, NodeT];

const LINK_INDEX_BASE = 100;
// Above this many nodes, node batches run STEPS_AT_ONCE at a time.
const PARALLEL_NODES = 32;
const STEPS_AT_ONCE = 4;

const onOff = (b: boolean) => (b ? "on" : "off");

// An expanding here-document: only for text built from validated names, where $P must expand.
function batch(desc: string, command: string, lines: string[]): string[] {
  const body = lines.join("\n");
  if (/[`\\]|\$(?!P\b|\{nsm_ag\})/.test(body)) throw new Error(`internal: unsafe text in ${desc}`);
  return [`nsm_step ${q(desc)} ${command} <<NSM_EOF`, body, "NSM_EOF"];
}

// A literal here-document: user text (rulesets) that the shell must never expand.
function literal(desc: string, command: string, body: string): string[] {
  const h = heredoc(body);
  return [`nsm_step ${q(desc)} ${command} ${h.start}`, h.text.trimEnd(), h.end];
}

function nodes(topo: TopologyT): NodeEntry[] {
  return Object.entries(topo.nodes).map(([n, node]) => [n, node ?? {}]);
}

/** Modules to load before anything else: those named, br_netfilter when a bridge calls iptables, and
 * those of VRFs, tunnels and flowtables. */
export function modulesOf(topo: TopologyT): string[] {
  const mods = new Set<string>();
  for (const [, node] of nodes(topo)) {
    for (const m of node.modules ?? []) mods.add(m);
    if (Object.values(node.bridges ?? {}).some((b) => b.nf_call_iptables)) mods.add("br_netfilter");
    for (const m of l3Modules(node)) mods.add(m);
  }
  return [...mods];
}

/**
 * Creates every namespace, and the probe one, in one batch, deferring their removal first.
 * `busy`: the nodes where the run starts processes, which the teardown kills first.
 */
export function namespaces(topo: TopologyT, busy: string[]): string[] {
  const names = Object.keys(topo.nodes);
  const ns = (list: string[]) => list.map((n) => `"$P-${n}"`).join(" ");
  const all = ns([...names, "probe"]);
  const out = [`nsm_fresh ${all}`, `nsm_defer 'nsm_ns_gone ${ns([...busy, "probe"])} -- ${all}'`];
  const lines = [...names, "probe"].map((n) => `netns add $P-${n}`);
  out.push(...batch("create namespaces", "ip -batch -", lines));
  return [...out, ...ipv6Off(topo), ...quietSnoopers(topo)];
}

const LLM_REPORTS = "net.ipv4.igmp_link_local_mcast_reports";

// A bridge that comes up joins 224.0.0.106 (all-snoopers) and reports it a few times within a
// second. Every host on the segment drops those reports (ip_rcv_finish_core), and a check whose
// process the report's softirq interrupts would count them as its own drops. So nodes with
// bridges report no link-local groups, unless their sysctls say otherwise; set before any link
// exists. (-e: kernels before 4.3 have no such key.)
function quietSnoopers(topo: TopologyT): string[] {
  const lines = nodes(topo)
    .filter(([, n]) => Object.keys(n.bridges ?? {}).length && own(n.sysctls, LLM_REPORTS) === undefined)
    .map(([n]) => `netns exec $P-${n} sysctl -q -e -w ${LLM_REPORTS}=0`);
  return lines.length ? batch("quiet link-local IGMP reports", "ip -batch -", lines) : [];
}

// IPv6 off by default: no DAD, RS or MLD frames to confuse bridges. Every device of such a node
// gets `addrgenmode none` in its node's batch (no process per namespace). Where the kernel or
// iproute2 lacks it, $nsm_ag comments those lines out and the IPv6 sysctls are set per namespace,
// before any link exists. (-e: a kernel without IPv6 has no such keys, which is fine.)
function ipv6Off(topo: TopologyT): string[] {
  const quiet = nodes(topo).filter(([, n]) => !n.ipv6);
  if (!quiet.length) return [];
  const sysctls = quiet.map(
    ([n]) =>
      `netns exec $P-${n} sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`,
  );
  return [
    "nsm_ag=",
    `if ! ip -n "$PROBE" link set dev lo addrgenmode none 2>/dev/null; then`,
    "nsm_ag='#'",
    ...batch("IPv6 off", "ip -batch -", sysctls),
    "fi",
  ];
}

/** Creates the veth links between nodes. */
export function links(topo: TopologyT): string[] {
  // Distinct ifindexes on the two ends: the kernel treats a veth whose peer has the same
  // ifindex as not stacked, and delays its carrier event by up to a second (linkwatch).
  const lines = (topo.links ?? []).map(([a, b], i) => {
    const [na, ia] = a.split(":");
    const [nb, ib] = b.split(":");
    const idx = LINK_INDEX_BASE + 2 * i;
    return `link add name ${ia} index ${idx} netns $P-${na} type veth peer name ${ib} index ${idx + 1} netns $P-${nb}`;
  });
  return lines.length ? batch("create veth links", "ip -batch -", lines) : [];
}

/** Nodes with bridges: the only ones whose ports must reach the forwarding state before traffic. */
export function bridgedNodes(topo: TopologyT): string[] {
  return nodes(topo)
    .filter(([, n]) => Object.keys(n.bridges ?? {}).length > 0)
    .map(([name]) => name);
}

function nodeLinkLines(node: NodeT, linkEnds: string[]): string[] {
  const lines = ["link set dev lo up"];
  const ifaces = new Set<string>(linkEnds);
  // IPv6 quiet: addrgenmode none on each device as soon as it exists, before it is enslaved or up.
  // (Set on a bridge that already has ports, it holds the bridge's carrier back up to a second.)
  const quiet = (devs: Iterable<string>) =>
    node.ipv6 ? [] : [...devs].map((d) => `\${nsm_ag}link set dev ${d} addrgenmode none`);
  lines.push(...quiet(linkEnds));
  for (const [br, bridge] of Object.entries(node.bridges ?? {})) {
    const opts = ["type", "bridge"];
    if (bridge.vlan_filtering !== undefined) opts.push("vlan_filtering", bridge.vlan_filtering ? "1" : "0");
    if (bridge.stp !== undefined) opts.push("stp_state", bridge.stp ? "1" : "0");
    if (bridge.nf_call_iptables !== undefined)
      opts.push("nf_call_iptables", bridge.nf_call_iptables ? "1" : "0");
    lines.push(`link add name ${br} ${opts.join(" ")}`, ...quiet([br]));
    ifaces.add(br);
  }
  lines.push(...deviceLines(node), ...quiet(deviceNames(node)));
  for (const dev of deviceNames(node)) ifaces.add(dev);
  for (const [br, bridge] of Object.entries(node.bridges ?? {})) {
    for (const [port, o] of Object.entries(bridge.ports)) {
      lines.push(`link set dev ${port} master ${br}`);
      const slave: string[] = [];
      if (o?.hairpin !== undefined) slave.push("hairpin", onOff(o.hairpin));
      if (o?.learning !== undefined) slave.push("learning", onOff(o.learning));
      if (o?.flood !== undefined) slave.push("flood", onOff(o.flood));
      if (slave.length) lines.push(`link set dev ${port} type bridge_slave ${slave.join(" ")}`);
      if (o?.promisc !== undefined) lines.push(`link set dev ${port} promisc ${onOff(o.promisc)}`);
    }
  }
  lines.push(...vrfMemberLines(node));
  const conf = node.interfaces ?? {};
  for (const [ifname, c] of Object.entries(conf)) {
    if (c?.mac) lines.push(`link set dev ${ifname} address ${c.mac}`);
    if (c?.mtu) lines.push(`link set dev ${ifname} mtu ${c.mtu}`);
    if (c?.promisc !== undefined) lines.push(`link set dev ${ifname} promisc ${onOff(c.promisc)}`);
  }
  for (const ifname of ifaces) if (own(conf, ifname)?.up !== false) lines.push(`link set dev ${ifname} up`);
  for (const [ifname, c] of Object.entries(conf)) {
    for (const a of c?.addresses ?? []) lines.push(`addr add ${a} dev ${ifname}`);
  }
  for (const r of node.routes ?? []) lines.push(routeLine(r));
  for (const n of node.neighbours ?? [])
    lines.push(`neigh replace ${n.to} lladdr ${n.lladdr} dev ${n.dev} nud permanent`);
  for (const r of node.rules ?? []) lines.push(ruleLine(r));
  return lines;
}

const sysctlValue = (v: string | number | boolean) => (typeof v === "boolean" ? (v ? "1" : "0") : String(v));

function firewallLines(name: string, node: NodeT): string[] {
  const fw = node.firewall;
  if (!fw) return [];
  const exec = `nsm_in ${name}`;
  const out: string[] = [];
  const tables = Object.entries(fw.iptables ?? {});
  if (tables.length) {
    const bin = `${flavoured("iptables", fw.flavour?.iptables)}-restore`;
    const body = tables.map(([t, rules]) => [`*${t}`, ...rules, "COMMIT"].join("\n")).join("\n");
    out.push(...literal(`${name}: ${bin}`, `${exec} ${bin} --noflush`, body));
  }
  const eb = flavoured("ebtables", fw.flavour?.ebtables);
  for (const [table, rules] of Object.entries(fw.ebtables ?? {})) {
    for (const rule of rules) {
      const words = shellParse(rule);
      if (!words.every((w) => typeof w === "string")) {
        throw new Error(`ebtables rule has shell operators: ${rule}`);
      }
      out.push(
        `nsm_step ${q(`${name}: ${eb} -t ${table}`)} ${exec} ${cmd(eb, "-t", table, ...(words as string[]))}`,
      );
    }
  }
  if (fw.nft) out.push(...literal(`${name}: nft -f`, `${exec} nft -f -`, fw.nft));
  return out;
}

/** Per node: links, bridges, tunnels, VRFs, addresses, routes and rules in one `ip -batch`, then
 * sysctls, then firewall rules. */
export function nodeSetup(topo: TopologyT): string[] {
  const out: string[] = [];
  const endsOf = new Map<string, string[]>();
  for (const ep of (topo.links ?? []).flat()) {
    const [node = "", ifname = ""] = ep.split(":");
    endsOf.set(node, [...(endsOf.get(node) ?? []), ifname]);
  }
  const all = nodes(topo);
  // A big topology's node batches run a few at a time: each is a process or two, and they touch
  // nothing of each other. A small one keeps the plain form a reader follows step by step.
  const parallel = all.length > PARALLEL_NODES;
  all.forEach(([name, node], i) => {
    const lines = nodeLinkLines(node, endsOf.get(name) ?? []);
    const desc = `${name}: interfaces, addresses, routes`;
    if (!parallel) {
      out.push(...batch(desc, `nsm_in ${name} ip -batch -`, lines));
      return;
    }
    const [head = "", ...rest] = batch(desc, `nsm_in ${name} ip -batch -`, lines);
    out.push(
      `${head.replace(/^nsm_step /, `nsm_pstep ${i + 1} `)} &`,
      ...rest,
      `nsm_g${i % STEPS_AT_ONCE}=$!`,
    );
    if (i % STEPS_AT_ONCE === STEPS_AT_ONCE - 1 || i === all.length - 1) {
      const group = Array.from({ length: (i % STEPS_AT_ONCE) + 1 }, (_, k) => `"$nsm_g${k}"`);
      out.push(`nsm_pwait ${group.join(" ")}`);
    }
  });
  for (const [name, node] of nodes(topo)) {
    const kv = Object.entries(node.sysctls ?? {}).map(([k, v]) => q(`${k}=${sysctlValue(v)}`));
    if (kv.length) out.push(`nsm_step ${q(`${name}: sysctls`)} nsm_in ${name} sysctl -q -w ${kv.join(" ")}`);
  }
  for (const [name, node] of nodes(topo)) out.push(...firewallLines(name, node));
  return out;
}
