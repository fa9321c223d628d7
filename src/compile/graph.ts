// A topology as a picture: nodes (namespaces) as boxes holding their interfaces, bridges, VRFs,
// tunnels and the devices they create, with their addresses (IPv4 and IPv6), VLANs and qdiscs;
// bridge ports, bond members, VRF members and lower devices as dashed edges (across nodes for a
// macvlan on another node's interface), veth links between nodes. Mermaid (GitHub renders it in
// Markdown) or Graphviz dot. Pure.
import type { TopologyT } from "../model/index.js";
import { parseEndpoint } from "../net/index.js";

export type GraphFormat = "mermaid" | "dot";

interface Device {
  id: string;
  node: string;
  name: string;
  kind: string;
  addresses: string[];
}

interface Edge {
  from: string;
  to: string;
  kind: "link" | "port" | "vrf" | "lower";
}

const idOf = (node: string, dev: string) => `${node}__${dev}`.replace(/[^A-Za-z0-9_]/g, "_");

function model(topo: TopologyT): { devices: Device[]; edges: Edge[] } {
  const devices = new Map<string, Device>();
  const add = (node: string, name: string, kind: string) => {
    const id = idOf(node, name);
    const d = devices.get(id) ?? { id, node, name, kind, addresses: [] };
    if (kind !== "veth") d.kind = kind;
    devices.set(id, d);
    return d;
  };
  const edges: Edge[] = [];
  for (const [a, b] of topo.links ?? []) {
    const [na = "", ia = ""] = a.split(":");
    const [nb = "", ib = ""] = b.split(":");
    edges.push({ from: add(na, ia, "veth").id, to: add(nb, ib, "veth").id, kind: "link" });
  }
  for (const [node, n] of Object.entries(topo.nodes)) {
    for (const [br, b] of Object.entries(n?.bridges ?? {})) {
      const bridge = add(node, br, b.vlan_filtering ? "bridge, VLAN-aware" : "bridge");
      for (const [port, o] of Object.entries(b?.ports ?? {})) {
        const p = add(node, port, "veth");
        if (o?.vlans) p.addresses.push(`vlans ${o.vlans.join(",")}${o.pvid ? ` pvid ${o.pvid}` : ""}`);
        edges.push({ from: p.id, to: bridge.id, kind: "port" });
      }
    }
    for (const [vrf, v] of Object.entries(n?.vrfs ?? {})) {
      const dev = add(node, vrf, `vrf table ${v.table}`);
      for (const m of v.interfaces ?? [])
        edges.push({ from: add(node, m, "veth").id, to: dev.id, kind: "vrf" });
    }
    for (const [tun, t] of Object.entries(n?.tunnels ?? {})) {
      const key = t.key !== undefined ? ` key ${t.key}` : t.id !== undefined ? ` vni ${t.id}` : "";
      add(node, tun, `${t.type}${t.external ? " external" : ""}${key}`);
    }
    for (const [dev, i] of Object.entries(n?.interfaces ?? {})) {
      const kind = i?.type
        ? [
            i.type,
            i.protocol === "802.1ad" ? "802.1ad" : "",
            i.id !== undefined ? `id ${i.id}` : "",
            i.mode ?? "",
          ]
            .filter(Boolean)
            .join(" ")
        : dev === "lo"
          ? "lo"
          : "veth";
      const d = add(node, dev, kind);
      d.addresses.push(...(i?.addresses ?? []), ...(i?.qdisc ? [`qdisc ${i.qdisc}`] : []));
      const lower = i?.link ? (parseEndpoint(i.link) ?? { node, ifname: i.link }) : undefined;
      if (lower) edges.push({ from: d.id, to: add(lower.node, lower.ifname, "veth").id, kind: "lower" });
      for (const m of i?.ports ?? []) edges.push({ from: add(node, m, "veth").id, to: d.id, kind: "port" });
    }
  }
  // lo matters only with an address of its own.
  const shown = [...devices.values()].filter((d) => d.name !== "lo" || d.addresses.length);
  return { devices: shown, edges };
}

const label = (d: Device) => [d.kind === "veth" ? d.name : `${d.name} (${d.kind})`, ...d.addresses];

function mermaid(topo: TopologyT): string {
  const { devices, edges } = model(topo);
  const text = (s: string) => s.replace(/"/g, "#quot;");
  const out = ["flowchart LR"];
  for (const node of Object.keys(topo.nodes)) {
    out.push(`  subgraph ${idOf(node, "")}["${text(node)}"]`);
    for (const d of devices.filter((x) => x.node === node))
      out.push(`    ${d.id}["${label(d).map(text).join("<br>")}"]`);
    out.push("  end");
  }
  for (const e of edges) out.push(`  ${e.from} ${e.kind === "link" ? "---" : "-.-"} ${e.to}`);
  return `${out.join("\n")}\n`;
}

function dot(topo: TopologyT): string {
  const { devices, edges } = model(topo);
  const esc = (s: string) => s.replace(/["\\]/g, "\\$&");
  const q = (s: string) => `"${esc(s)}"`;
  const out = ["graph topology {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"];
  for (const node of Object.keys(topo.nodes)) {
    out.push(`  subgraph cluster_${idOf(node, "")} {`, `    label=${q(node)};`);
    for (const d of devices.filter((x) => x.node === node))
      out.push(`    ${d.id} [label="${label(d).map(esc).join("\\n")}"];`); // dot breaks a line at the two characters \n
    out.push("  }");
  }
  for (const e of edges) out.push(`  ${e.from} -- ${e.to}${e.kind === "link" ? "" : " [style=dashed]"};`);
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** The topology drawn in `format`. */
export function drawTopology(topo: TopologyT, format: GraphFormat): string {
  return format === "dot" ? dot(topo) : mermaid(topo);
}
