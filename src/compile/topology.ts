// Topology → the setup part of the script: namespaces, links, bridges, devices, addresses, routes,
// sysctls, firewall, and the node's own commands.
import { parse as shellParse } from "shell-quote";
import { ipv6On } from "../model/family.js";
import type { TopologyT } from "../model/index.js";
import { familyOf, own } from "../model/names.js";
import type { NodeT } from "../model/schema.js";
import { nodeOrder } from "../model/semantic-devices.js";
import { cmd, q } from "../shell.js";
import { batch, type Line, literal, origin, type Where } from "./batch.js";
import {
  bondMemberLines,
  bridgeVlanLines,
  deviceCreateLines,
  nodad,
  qdiscLines,
  typedNames,
} from "./devices.js";
import { flavoured, l3Modules } from "./features.js";
import { deviceLines, deviceNames, routeLine, ruleLine } from "./l3.js";

type NodeEntry = [string, NodeT];

const LINK_INDEX_BASE = 100;
// Above this many nodes, node batches run STEPS_AT_ONCE at a time.
const PARALLEL_NODES = 32;
const STEPS_AT_ONCE = 4;

const onOff = (b: boolean) => (b ? "on" : "off");
const noWhere: Where = () => undefined;

// Nodes in build order: a node whose macvlan sits on another node's interface comes after it.
function nodes(topo: TopologyT): NodeEntry[] {
  const order = nodeOrder(topo) ?? Object.keys(topo.nodes);
  return order.map((n) => [n, own(topo.nodes, n) ?? {}]);
}

/** Modules to load before anything else: those named, br_netfilter when a bridge calls iptables, and
 * those of VRFs, tunnels, devices, qdiscs and flowtables. */
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

/** Creates the veth links between nodes. */
export function links(topo: TopologyT, where: Where = noWhere): string[] {
  // Distinct ifindexes on the two ends: the kernel treats a veth whose peer has the same
  // ifindex as not stacked, and delays its carrier event by up to a second (linkwatch).
  const lines = (topo.links ?? []).map(([a, b], i) => {
    const [na, ia] = a.split(":");
    const [nb, ib] = b.split(":");
    const idx = LINK_INDEX_BASE + 2 * i;
    return {
      text: `link add name ${ia} index ${idx} netns $P-${na} type veth peer name ${ib} index ${idx + 1} netns $P-${nb}`,
      at: ["links", i],
    };
  });
  return batch({ id: "links", desc: "create veth links", tool: "ip", where }, lines);
}

/** Nodes with bridges: the only ones whose ports must reach the forwarding state before traffic. */
export function bridgedNodes(topo: TopologyT): string[] {
  return nodes(topo)
    .filter(([, n]) => Object.keys(n.bridges ?? {}).length > 0)
    .map(([name]) => name);
}

function nodeLinkLines(name: string, node: NodeT, linkEnds: [string, number][], topo: TopologyT): Line[] {
  const at = (...path: (string | number)[]) => ["nodes", name, ...path];
  const lines: Line[] = [{ text: "link set dev lo up" }];
  // Where each interface is declared: its `interfaces` entry, else the link, bridge or device that makes it.
  const declared = new Map<string, (string | number)[]>(linkEnds.map(([d, i]) => [d, ["links", i]]));
  for (const br of Object.keys(node.bridges ?? {})) declared.set(br, at("bridges", br));
  for (const t of Object.keys(node.tunnels ?? {})) declared.set(t, at("tunnels", t));
  for (const v of Object.keys(node.vrfs ?? {})) declared.set(v, at("vrfs", v));
  for (const d of Object.keys(node.interfaces ?? {})) declared.set(d, at("interfaces", d));
  const ifaces = new Set<string>(linkEnds.map(([d]) => d));
  // IPv6 quiet: addrgenmode none on each device as soon as it exists, before it is enslaved or up.
  // (Set on a bridge that already has ports, it holds the bridge's carrier back up to a second.)
  const quiet = (devs: Iterable<string>): Line[] =>
    ipv6On(node) ? [] : [...devs].map((d) => ({ text: `\${nsm_ag}link set dev ${d} addrgenmode none` }));
  lines.push(...quiet(ifaces));
  for (const [br, bridge] of Object.entries(node.bridges ?? {})) {
    const opts = ["type", "bridge"];
    if (bridge.vlan_filtering !== undefined) opts.push("vlan_filtering", bridge.vlan_filtering ? "1" : "0");
    if (bridge.vlan_protocol !== undefined) opts.push("vlan_protocol", bridge.vlan_protocol);
    if (bridge.stp !== undefined) opts.push("stp_state", bridge.stp ? "1" : "0");
    if (bridge.nf_call_iptables !== undefined)
      opts.push("nf_call_iptables", bridge.nf_call_iptables ? "1" : "0");
    lines.push({ text: `link add name ${br} ${opts.join(" ")}`, at: at("bridges", br) }, ...quiet([br]));
    ifaces.add(br);
  }
  const l3At = [
    ...Object.keys(node.tunnels ?? {}).map((t) => at("tunnels", t)),
    ...Object.keys(node.vrfs ?? {}).map((v) => at("vrfs", v)),
  ];
  lines.push(...deviceLines(node).map((text, i) => ({ text, ...(l3At[i] ? { at: l3At[i] } : {}) })));
  lines.push(...deviceCreateLines(name, node, topo));
  const devices = [...deviceNames(node), ...typedNames(node)];
  lines.push(...quiet(devices));
  for (const dev of devices) ifaces.add(dev);
  lines.push(...bondMemberLines(name, node));
  for (const [br, bridge] of Object.entries(node.bridges ?? {})) {
    for (const [port, o] of Object.entries(bridge.ports)) {
      const here = at("bridges", br, "ports", port);
      lines.push({ text: `link set dev ${port} master ${br}`, at: here });
      const slave: string[] = [];
      if (o?.hairpin !== undefined) slave.push("hairpin", onOff(o.hairpin));
      if (o?.learning !== undefined) slave.push("learning", onOff(o.learning));
      if (o?.flood !== undefined) slave.push("flood", onOff(o.flood));
      if (slave.length)
        lines.push({ text: `link set dev ${port} type bridge_slave ${slave.join(" ")}`, at: here });
      if (o?.promisc !== undefined)
        lines.push({ text: `link set dev ${port} promisc ${onOff(o.promisc)}`, at: here });
    }
  }
  for (const [vrf, v] of Object.entries(node.vrfs ?? {}))
    lines.push(
      ...(v.interfaces ?? []).map((dev, k) => ({
        text: `link set dev ${dev} master ${vrf}`,
        at: at("vrfs", vrf, "interfaces", k),
      })),
    );
  const conf = node.interfaces ?? {};
  for (const [ifname, c] of Object.entries(conf)) {
    if (c?.mac)
      lines.push({ text: `link set dev ${ifname} address ${c.mac}`, at: at("interfaces", ifname, "mac") });
    if (c?.mtu)
      lines.push({ text: `link set dev ${ifname} mtu ${c.mtu}`, at: at("interfaces", ifname, "mtu") });
    if (c?.promisc !== undefined)
      lines.push({
        text: `link set dev ${ifname} promisc ${onOff(c.promisc)}`,
        at: at("interfaces", ifname, "promisc"),
      });
  }
  for (const ifname of ifaces)
    if (own(conf, ifname)?.up !== false)
      lines.push({ text: `link set dev ${ifname} up`, at: declared.get(ifname) });
  for (const [ifname, c] of Object.entries(conf)) {
    (c?.addresses ?? []).forEach((a, k) => {
      const flag = familyOf(a) === 6 && nodad(node, ifname) ? " nodad" : "";
      lines.push({
        text: `addr add ${a} dev ${ifname}${flag}`,
        at: at("interfaces", ifname, "addresses", k),
      });
    });
  }
  lines.push(
    ...(node.routes ?? []).map((r, k) => ({ text: routeLine(r), at: at("routes", k) })),
    ...(node.neighbours ?? []).map((n, k) => ({
      text: `neigh replace ${n.to} lladdr ${n.lladdr} dev ${n.dev} nud permanent`,
      at: at("neighbours", k),
    })),
    ...(node.rules ?? []).map((r, k) => ({ text: ruleLine(r), at: at("rules", k) })),
  );
  return lines;
}

const sysctlValue = (v: string | number | boolean) => (typeof v === "boolean" ? (v ? "1" : "0") : String(v));

function firewallLines(name: string, node: NodeT, where: Where): string[] {
  const fw = node.firewall;
  if (!fw) return [];
  const exec = `nsm_in ${name}`;
  const at = (...path: (string | number)[]) => origin(["nodes", name, "firewall", ...path], where);
  const out: string[] = [];
  for (const tool of ["iptables", "ip6tables"] as const) {
    const tables = Object.entries(fw[tool] ?? {});
    if (!tables.length) continue;
    const bin = `${flavoured(tool, fw.flavour?.iptables)}-restore`;
    const body = tables.map(([t, rules]) => [`*${t}`, ...rules, "COMMIT"].join("\n")).join("\n");
    out.push(...literal(`${at(tool)}: ${bin}`, `${exec} ${bin} --noflush`, body));
  }
  const eb = flavoured("ebtables", fw.flavour?.ebtables);
  for (const [table, rules] of Object.entries(fw.ebtables ?? {})) {
    rules.forEach((rule, k) => {
      const words = shellParse(rule);
      if (!words.every((w) => typeof w === "string")) {
        throw new Error(`ebtables rule has shell operators: ${rule}`);
      }
      const line = cmd(eb, "-t", table, ...(words as string[]));
      out.push(`nsm_step ${q(`${at("ebtables", table, k)}: ${eb} -t ${table}`)} ${exec} ${line}`);
    });
  }
  if (fw.nft) out.push(...literal(`${at("nft")}: nft -f`, `${exec} nft -f -`, fw.nft));
  return out;
}

// The node's own commands, last, in order: each is one process, its words quoted, no shell.
function commandLines(name: string, node: NodeT, where: Where): string[] {
  return (node.commands ?? []).map((argv, k) => {
    const words = argv.map(String);
    return `nsm_step ${q(`${origin(["nodes", name, "commands", k], where)}: ${words.join(" ")}`)} nsm_in ${name} ${cmd(...words)}`;
  });
}

/** Per node: links, bridges, devices, VRFs, addresses, routes and rules in one `ip -batch`, then
 * bridge VLANs and qdiscs (a batch each), sysctls, firewall rules and commands. */
export function nodeSetup(topo: TopologyT, where: Where = noWhere): string[] {
  const out: string[] = [];
  const endsOf = new Map<string, [string, number][]>();
  (topo.links ?? []).forEach((link, i) => {
    for (const ep of link) {
      const [node = "", ifname = ""] = ep.split(":");
      endsOf.set(node, [...(endsOf.get(node) ?? []), [ifname, i]]);
    }
  });
  const all = nodes(topo);
  // A big topology's node batches run a few at a time: each is a process or two, and they touch
  // nothing of each other. A small one keeps the plain form a reader follows step by step.
  // (A topology whose macvlans sit on other nodes keeps the plain form: its order matters.)
  const parallel = all.length > PARALLEL_NODES && !hasForeignLowers(topo);
  all.forEach(([name, node], i) => {
    const lines = nodeLinkLines(name, node, endsOf.get(name) ?? [], topo);
    const o = {
      id: `${name}-ip`,
      desc: `${name}: interfaces, addresses, routes`,
      node: name,
      tool: "ip" as const,
      where,
    };
    if (!parallel) {
      out.push(...batch(o, lines));
      return;
    }
    const [head = "", ...rest] = batch(o, lines);
    out.push(`${head} &`, ...rest, `nsm_g${i % STEPS_AT_ONCE}=$!`);
    if (i % STEPS_AT_ONCE === STEPS_AT_ONCE - 1 || i === all.length - 1) {
      const group = Array.from({ length: (i % STEPS_AT_ONCE) + 1 }, (_, k) => `"$nsm_g${k}"`);
      out.push(`nsm_pwait ${group.join(" ")}`);
    }
  });
  for (const [name, node] of all) {
    out.push(
      ...batch(
        { id: `${name}-bridge`, desc: `${name}: bridge VLANs`, node: name, tool: "bridge", where },
        bridgeVlanLines(name, node),
      ),
    );
    out.push(
      ...batch(
        { id: `${name}-tc`, desc: `${name}: qdiscs`, node: name, tool: "tc", where },
        qdiscLines(name, node),
      ),
    );
  }
  for (const [name, node] of all) {
    const kv = Object.entries(node.sysctls ?? {}).map(([k, v]) => q(`${k}=${sysctlValue(v)}`));
    if (kv.length)
      out.push(
        `nsm_step ${q(`${origin(["nodes", name, "sysctls"], where)}: sysctl`)} nsm_in ${name} sysctl -q -w ${kv.join(" ")}`,
      );
  }
  for (const [name, node] of all) out.push(...firewallLines(name, node, where));
  for (const [name, node] of all) out.push(...commandLines(name, node, where));
  return out;
}

const hasForeignLowers = (topo: TopologyT) =>
  Object.values(topo.nodes).some((n) =>
    Object.values(n?.interfaces ?? {}).some((i) => i?.link?.includes(":")),
  );
