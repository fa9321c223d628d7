// The nodes a check's packets cross: a shortest path over the veth links (and the macvlan or ipvlan
// devices that sit on another node's interface), from the node it
// runs in to the node that owns its target address, or, when none does (a DNAT address), to
// the node of the service it names. Those are the nodes whose interfaces a pcap covers.
import type { CheckModel, ServiceModel, TopologyT } from "../model/index.js";
import { lowerNodes } from "../model/index.js";
import { sameAddress } from "../net/index.js";

// The node whose interface or bridge carries `host` as one of its addresses.
function ownerOf(topo: TopologyT, host: string): string | undefined {
  for (const [name, node] of Object.entries(topo.nodes)) {
    for (const iface of Object.values(node?.interfaces ?? {}))
      if (iface?.addresses?.some((a) => sameAddress(a.split("/")[0] ?? "", host))) return name;
  }
  return undefined;
}

function neighbours(topo: TopologyT): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  const add = (a: string, b: string) => adj.set(a, [...(adj.get(a) ?? []), b]);
  for (const [x, y] of topo.links ?? []) {
    const a = x.split(":")[0] ?? "";
    const b = y.split(":")[0] ?? "";
    add(a, b);
    add(b, a);
  }
  for (const [name, node] of Object.entries(topo.nodes))
    for (const lower of lowerNodes(name, node)) {
      add(name, lower);
      add(lower, name);
    }
  return adj;
}

function shortest(adj: Map<string, string[]>, from: string, to: string): string[] | undefined {
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length) {
    const n = queue.shift() as string;
    if (n === to) break;
    for (const m of adj.get(n) ?? []) if (!prev.has(m)) prev.set(m, n) && queue.push(m);
  }
  if (!prev.has(to)) return undefined;
  const path = [to];
  while (path[0] !== from) path.unshift(prev.get(path[0] as string) as string);
  return path;
}

/** The check's path, in order; its own node alone when no end can be found. */
export function pathNodes(topo: TopologyT, c: CheckModel, services: ServiceModel[]): string[] {
  if (!c.from) return [];
  const t = c.target;
  const service = "service" in t && t.service ? services.find((s) => s.name === t.service)?.node : undefined;
  const owner = "host" in t ? ownerOf(topo, t.host) : undefined;
  const adj = neighbours(topo);
  // Through the DNAT box to the service: the path to the address's owner, then on to the service.
  const ends = [owner, service].filter((n): n is string => n !== undefined);
  let path = [c.from];
  for (const end of ends) {
    const leg = shortest(adj, path.at(-1) as string, end);
    if (leg) path = [...path, ...leg.slice(1)];
  }
  return [...new Set(path)];
}
