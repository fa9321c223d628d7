// Topology → the setup part of the script: links, then per node its bridges, devices, addresses,
// routes and rules in one ip batch; its IPv6 rules, bridge VLANs and qdiscs in batches of their
// own; then its sysctls, firewall and own commands.

import type { NodeT, TopologyT } from "../model/index.js";
import { ipv6On, ruleFamily } from "../model/index.js";
import { familyOf, own } from "../net/index.js";
import { batch, type Line, type Where } from "./batch.js";
import {
  bondMemberLines,
  bridgeVlanLines,
  deviceCreateLines,
  nodad,
  qdiscLines,
  typedNames,
} from "./devices.js";
import { deviceLines, deviceNames, routeLine, ruleLine } from "./l3.js";
import { nodes } from "./namespaces.js";
import { commandLines, firewallLines, sysctlLines } from "./node-steps.js";

const LINK_INDEX_BASE = 100;
// Above this many nodes, node batches run STEPS_AT_ONCE at a time.
const PARALLEL_NODES = 32;
const STEPS_AT_ONCE = 4;

const onOff = (b: boolean) => (b ? "on" : "off");
const noWhere: Where = () => undefined;

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
    for (const k of ["nf_call_iptables", "nf_call_ip6tables"] as const)
      if (bridge[k] !== undefined) opts.push(k, bridge[k] ? "1" : "0");
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
    // ip reads an IPv6 rule only under -6, which a batch line cannot say: those go in a batch of their own.
    ...(node.rules ?? []).flatMap((r, k) =>
      ruleFamily(r) === 4 ? [{ text: ruleLine(r), at: at("rules", k) }] : [],
    ),
  );
  return lines;
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
    const rules6 = (node.rules ?? []).flatMap((r, k) =>
      ruleFamily(r) === 6 ? [{ text: ruleLine(r), at: ["nodes", name, "rules", k] }] : [],
    );
    out.push(
      ...batch(
        { id: `${name}-ip6`, desc: `${name}: IPv6 rules`, node: name, tool: "ip", options: ["-6"], where },
        rules6,
      ),
    );
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
  for (const [name, node] of all) out.push(...sysctlLines(name, node, where));
  for (const [name, node] of all) out.push(...firewallLines(name, node, where));
  for (const [name, node] of all) out.push(...commandLines(name, node, where));
  return out;
}

const hasForeignLowers = (topo: TopologyT) =>
  Object.values(topo.nodes).some((n) =>
    Object.values(n?.interfaces ?? {}).some((i) => i?.link?.includes(":")),
  );
