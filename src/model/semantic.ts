// Cross-reference checks the schema cannot express: unknown nodes and interfaces, names used twice.
import type { SourceIssue } from "../errors.js";
import { familyOf, inPrefix, own, parseEndpoint, parseHostPort } from "../net/index.js";
import { ipv6On } from "./family.js";
import { formatPath } from "./issues.js";
import type { Locate } from "./merge.js";
import type { NodeT, ScenarioT, TopologyT } from "./schema.js";
import { checkDevices, nodeOrder, typedInterfaces } from "./semantic-devices.js";
import { checkL3 } from "./semantic-l3.js";

const known = (names: Iterable<string>) => {
  const list = [...names];
  return list.length ? `known: ${list.join(", ")}` : "none defined";
};

/** Starts each message with the model path it is about, as schema messages do. */
const withPath =
  (locate: Locate): Locate =>
  (path, message, onKey) =>
    locate(path, `${formatPath(path)}: ${message}`, onKey);

/** Interfaces of each node: link ends, bridges, VRFs, tunnels, the devices it creates, and lo. */
export function interfacesByNode(topo: TopologyT): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [name, node] of Object.entries(topo.nodes)) {
    const devices = [node?.bridges, node?.vrfs, node?.tunnels].flatMap((m) => Object.keys(m ?? {}));
    out.set(name, new Set(["lo", ...devices, ...typedInterfaces(node)]));
  }
  for (const link of topo.links ?? []) {
    for (const ep of link) {
      const e = parseEndpoint(ep);
      if (e) out.get(e.node)?.add(e.ifname);
    }
  }
  return out;
}

/**
 * Whether a gateway is directly reachable: inside a subnet of one of the node's addresses, or of a
 * route with no gateway (on `dev` when given). IPv6 link-local gateways always are.
 */
function reachable(node: NodeT, via: string, dev?: string): boolean {
  if (/^fe[89ab]/i.test(via)) return true;
  const onDev = (d: string | undefined) => dev === undefined || d === dev;
  const subnets = [
    ...Object.entries(node.interfaces ?? {}).flatMap(([d, i]) => (onDev(d) ? (i?.addresses ?? []) : [])),
    ...(node.routes ?? []).flatMap((r) => (!r.via && r.to !== "default" && onDev(r.dev) ? [r.to] : [])),
  ];
  return subnets.some((n) => inPrefix(via, n.includes("/") ? n : `${n}/${n.includes(":") ? 128 : 32}`));
}

/** Every cross-reference problem of a topology, located. */
export function checkTopology(topo: TopologyT, locateAt: Locate): SourceIssue[] {
  const locate = withPath(locateAt);
  const issues: SourceIssue[] = [];
  const nodes = Object.keys(topo.nodes);
  const linkEnds = new Map<string, string>();
  // Each node's own link ends: looked up per node, never by scanning every link.
  const endsOf = new Map<string, string[]>();

  (topo.links ?? []).forEach((link, i) => {
    link.forEach((ep, side) => {
      const e = parseEndpoint(ep);
      if (!e) return;
      const at = ["links", i, side];
      if (!Object.hasOwn(topo.nodes, e.node)) {
        issues.push(locate(at, `link "${ep}" names unknown node "${e.node}" (${known(nodes)})`));
      } else if (e.ifname === "lo") {
        issues.push(locate(at, `link "${ep}": "lo" is the loopback device and cannot be a link end`));
      } else if (linkEnds.has(ep)) {
        issues.push(locate(at, `interface "${ep}" is used twice (first in ${linkEnds.get(ep)})`));
      } else {
        linkEnds.set(ep, `links[${i}]`);
        endsOf.set(e.node, [...(endsOf.get(e.node) ?? []), e.ifname]);
      }
    });
  });

  const ifaces = interfacesByNode(topo);
  for (const [nodeName, node] of Object.entries(topo.nodes)) {
    if (!node) continue;
    const here = ifaces.get(nodeName) ?? new Set<string>();
    const base = ["nodes", nodeName];
    const unknownIf = (path: (string | number)[], what: string, ifname: string, onKey = false) =>
      issues.push(
        locate(
          path,
          `${what} names unknown interface "${ifname}" in node "${nodeName}" (${known(here)})`,
          onKey,
        ),
      );
    const portOf = new Map<string, string>();
    for (const [br, bridge] of Object.entries(node.bridges ?? {})) {
      if (linkEnds.has(`${nodeName}:${br}`)) {
        issues.push(
          locate(
            [...base, "bridges", br],
            `interface "${nodeName}:${br}" is used twice (a link end and a bridge)`,
            true,
          ),
        );
      }
      for (const port of Object.keys(bridge.ports)) {
        const at = [...base, "bridges", br, "ports", port];
        if (!here.has(port) || port === "lo") unknownIf(at, `bridge "${br}" port`, port, true);
        else if (port === br || own(node.bridges, port)) {
          issues.push(locate(at, `bridge "${br}" cannot take bridge "${port}" as a port`, true));
        } else if (portOf.has(port)) {
          issues.push(
            locate(
              at,
              `interface "${port}" is used twice (already a port of bridge "${portOf.get(port)}")`,
              true,
            ),
          );
        } else portOf.set(port, br);
      }
    }
    for (const name of Object.keys(node.interfaces ?? {})) {
      if (!here.has(name))
        issues.push(
          locate(
            [...base, "interfaces", name],
            `interfaces names unknown interface "${name}" in node "${nodeName}" (${known(here)}); to create it, give its 'type': vlan, macvlan, ipvlan, bond or dummy`,
            true,
          ),
        );
    }
    (node.routes ?? []).forEach((r, i) => {
      if (r.dev && !here.has(r.dev)) unknownIf([...base, "routes", i, "dev"], `route to ${r.to}`, r.dev);
      else if (r.via && !r.onlink && !reachable(node, r.via, r.dev)) {
        const on = r.dev ? `on ${r.dev}` : "on any interface";
        issues.push(
          locate(
            [...base, "routes", i, "via"],
            `gateway ${r.via} is in no subnet ${on} of node "${nodeName}", so ip route refuses it (add an address in its subnet, or 'onlink: true')`,
          ),
        );
      }
    });
    (node.neighbours ?? []).forEach((n, i) => {
      if (!here.has(n.dev)) unknownIf([...base, "neighbours", i, "dev"], `neighbour ${n.to}`, n.dev);
    });
    const ends = endsOf.get(nodeName) ?? [];
    const ctx = { name: nodeName, node, here, linkEnds: ends, portOf, locate, unknownIf };
    issues.push(...checkL3(ctx), ...checkDevices(ctx, ifaces));
  }
  if (!issues.length && !nodeOrder(topo)) {
    const at = ["nodes"];
    issues.push(
      locate(
        at,
        "macvlan/ipvlan devices sit on other nodes' interfaces in a circle: one node must be built first",
        true,
      ),
    );
  }
  return issues;
}

/** Problems of the scenario's own references: nodes, services, variants. */
export function checkScenario(
  sc: ScenarioT,
  topo: TopologyT,
  variants: string[],
  locateAt: Locate,
): SourceIssue[] {
  const locate = withPath(locateAt);
  const issues: SourceIssue[] = [...checkScenarioRefs(sc, topo, locateAt)];
  const services = sc.services ?? {};
  const listening = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    const key = `${svc.node}/${svc.tcp ? `tcp/${svc.tcp}` : `udp/${svc.udp}`}`;
    if (listening.has(key)) {
      issues.push(
        locate(
          ["services", name],
          `service "${name}" listens on ${key}, as "${listening.get(key)}" does`,
          true,
        ),
      );
    } else listening.set(key, name);
  }
  for (const [name, check] of Object.entries(sc.checks)) {
    const at = ["checks", name];
    if (check.service !== undefined) {
      const svc = own(services, check.service);
      const proto = check.tcp ? "tcp" : check.udp ? "udp" : "ping";
      if (!svc) {
        issues.push(
          locate(
            [...at, "service"],
            `check "${name}" names unknown service "${check.service}" (${known(Object.keys(services))})`,
          ),
        );
      } else if (proto === "ping" || svc[proto] === undefined) {
        issues.push(
          locate([...at, "service"], `check "${name}" is ${proto} but service "${check.service}" is not`),
        );
      }
    }
    if (check.expect && typeof check.expect === "object") {
      for (const v of Object.keys(check.expect)) {
        if (v !== "*" && !variants.includes(v)) {
          issues.push(
            locate(
              [...at, "expect", v],
              `expectation names unknown variant "${v}" (${known(variants)})`,
              true,
            ),
          );
        }
      }
    }
  }
  return issues;
}

/** The scenario's references into a topology: the nodes of services and checks, capture interfaces. */
export function checkScenarioRefs(sc: ScenarioT, topo: TopologyT, locateAt: Locate): SourceIssue[] {
  const locate = withPath(locateAt);
  const issues: SourceIssue[] = [];
  const nodes = Object.keys(topo.nodes);
  for (const [name, svc] of Object.entries(sc.services ?? {})) {
    if (!Object.hasOwn(topo.nodes, svc.node)) {
      issues.push(
        locate(
          ["services", name, "node"],
          `service "${name}" names unknown node "${svc.node}" (${known(nodes)})`,
        ),
      );
    }
  }
  for (const [name, check] of Object.entries(sc.checks)) {
    const at = ["checks", name];
    if (check.from !== undefined && !Object.hasOwn(topo.nodes, check.from)) {
      issues.push(
        locate([...at, "from"], `check "${name}" runs from unknown node "${check.from}" (${known(nodes)})`),
      );
    }
    if (check.offload !== undefined && !Object.hasOwn(topo.nodes, check.offload)) {
      issues.push(
        locate(
          [...at, "offload"],
          `check "${name}" watches unknown node "${check.offload}" (${known(nodes)})`,
        ),
      );
    }
    issues.push(...familyProblems(name, check, sc, topo, locate));
    const cap = check.capture && parseEndpoint(check.capture.on);
    if (cap) {
      const devs = interfacesByNode(topo).get(cap.node);
      if (!devs) {
        issues.push(
          locate(
            [...at, "capture", "on"],
            `check "${name}" captures on unknown node "${cap.node}" (${known(nodes)})`,
          ),
        );
      } else if (!devs.has(cap.ifname)) {
        issues.push(
          locate(
            [...at, "capture", "on"],
            `check "${name}" captures on "${cap.ifname}", which node "${cap.node}" does not have (${known(devs)})`,
          ),
        );
      }
    }
  }
  return issues;
}

// An IPv6 check needs IPv6 on where it starts, and where the service it names listens.
function familyProblems(
  name: string,
  check: ScenarioT["checks"][string],
  sc: ScenarioT,
  topo: TopologyT,
  locate: Locate,
): SourceIssue[] {
  const kind =
    check.ping !== undefined
      ? "ping"
      : check.tcp !== undefined
        ? "tcp"
        : check.udp !== undefined
          ? "udp"
          : undefined;
  if (!kind) return [];
  const value = String(check[kind]);
  const host = kind === "ping" ? value : parseHostPort(value)?.host;
  if (!host || familyOf(host) !== 6) return [];
  const issues: SourceIssue[] = [];
  const off = (node: string) => Object.hasOwn(topo.nodes, node) && !ipv6On(own(topo.nodes, node));
  const why = (node: string) =>
    own(topo.nodes, node)?.ipv6 === false
      ? "it says ipv6: false"
      : "it has no IPv6 address or route; give it one, or set ipv6: true";
  if (check.from !== undefined && off(check.from))
    issues.push(
      locate(
        ["checks", name, kind],
        `check "${name}" sends IPv6 from node "${check.from}", which has IPv6 off (${why(check.from)})`,
      ),
    );
  const svc = check.service !== undefined ? own(sc.services ?? {}, check.service) : undefined;
  if (svc && off(svc.node))
    issues.push(
      locate(
        ["checks", name, "service"],
        `check "${name}" is IPv6, but service "${check.service}" listens in node "${svc.node}", which has IPv6 off (${why(svc.node)})`,
      ),
    );
  return issues;
}
