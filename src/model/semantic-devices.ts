// Cross-reference checks of the devices a node creates (vlan, macvlan, ipvlan, bond, dummy), of
// bridge VLANs, and of a node's IPv6 switch.
import type { SourceIssue } from "../errors.js";
import { own, parseEndpoint } from "../net/index.js";
import { ipv6Uses } from "./family.js";
import type { NodeT, TopologyT } from "./schema.js";
import { vidsOf } from "./schema-devices.js";
import type { NodeContext } from "./semantic-l3.js";

type At = (string | number)[];

/** Interfaces of a node that it creates with `type`. */
export function typedInterfaces(node: NodeT | null | undefined): string[] {
  return Object.entries(node?.interfaces ?? {})
    .filter(([, i]) => i?.type !== undefined)
    .map(([name]) => name);
}

/** The nodes whose interfaces a node's macvlan or ipvlan devices sit on (they are built first). */
export function lowerNodes(name: string, node: NodeT | null | undefined): string[] {
  const out = new Set<string>();
  for (const i of Object.values(node?.interfaces ?? {})) {
    const e = i?.link ? parseEndpoint(i.link) : undefined;
    if (e && e.node !== name) out.add(e.node);
  }
  return [...out];
}

/** The node names in an order where each comes after the nodes its devices sit on; undefined on a cycle. */
export function nodeOrder(topo: TopologyT): string[] | undefined {
  const done = new Set<string>();
  const busy = new Set<string>();
  const out: string[] = [];
  const visit = (n: string): boolean => {
    if (done.has(n)) return true;
    if (busy.has(n)) return false;
    busy.add(n);
    for (const m of lowerNodes(n, own(topo.nodes, n)))
      if (Object.hasOwn(topo.nodes, m) && !visit(m)) return false;
    busy.delete(n);
    done.add(n);
    out.push(n);
    return true;
  };
  for (const n of Object.keys(topo.nodes)) if (!visit(n)) return undefined;
  return out;
}

/** Checks a node's typed interfaces, bridge VLANs and IPv6 switch. `all`: every node's interfaces. */
export function checkDevices(c: NodeContext, all: Map<string, Set<string>>): SourceIssue[] {
  const { name, node, here, locate } = c;
  const issues: SourceIssue[] = [];
  const base = ["nodes", name];
  const ifs = node.interfaces ?? {};
  const taken = new Map<string, string>();
  for (const e of c.linkEnds) taken.set(e, "a link end");
  for (const [kind, map] of [
    ["bridge", node.bridges],
    ["VRF", node.vrfs],
    ["tunnel", node.tunnels],
  ] as const)
    for (const d of Object.keys(map ?? {})) taken.set(d, `a ${kind}`);
  const memberOf = new Map<string, string>();
  for (const [dev, i] of Object.entries(ifs)) {
    if (!i?.type) continue;
    const at = [...base, "interfaces", dev];
    const clash = dev === "lo" ? "the loopback device" : taken.get(dev);
    if (clash)
      issues.push(locate(at, `interface "${name}:${dev}" is used twice (${clash} and a ${i.type})`, true));
    if (i.link !== undefined) {
      const e = parseEndpoint(i.link);
      const [owner, lower] = e ? [e.node, e.ifname] : [name, i.link];
      const there = all.get(owner);
      if (!there) {
        issues.push(
          locate(
            [...at, "link"],
            `${i.type} "${dev}" sits on unknown node "${owner}" (known: ${[...all.keys()].join(", ")})`,
          ),
        );
      } else if (!there.has(lower) || lower === "lo" || (owner === name && lower === dev)) {
        issues.push(
          locate(
            [...at, "link"],
            `${i.type} "${dev}" sits on unknown interface "${lower}" in node "${owner}" (known: ${[...there].filter((x) => x !== "lo" && !(owner === name && x === dev)).join(", ") || "none"})`,
          ),
        );
      }
    }
    (i.ports ?? []).forEach((port, k) => {
      const pat = [...at, "ports", k];
      if (!here.has(port) || port === "lo" || port === dev) c.unknownIf(pat, `bond "${dev}" member`, port);
      else if (c.portOf.has(port))
        issues.push(
          locate(
            pat,
            `interface "${port}" is used twice (a port of bridge "${c.portOf.get(port)}" and in bond "${dev}")`,
          ),
        );
      else if (memberOf.has(port))
        issues.push(
          locate(pat, `interface "${port}" is used twice (already in bond "${memberOf.get(port)}")`),
        );
      else if (own(node.vrfs, port) || own(node.bridges, port))
        issues.push(
          locate(
            pat,
            `bond "${dev}" cannot take ${own(node.vrfs, port) ? "VRF" : "bridge"} "${port}" as a member`,
          ),
        );
      else memberOf.set(port, dev);
    });
  }
  issues.push(
    ...cycles(node, base, locate),
    ...bridgeVlans(node, base, locate),
    ...ipv6Switch(name, node, locate),
  );
  return issues;
}

// A device that sits, through others, on itself.
function cycles(node: NodeT, base: At, locate: NodeContext["locate"]): SourceIssue[] {
  const ifs = node.interfaces ?? {};
  const lowers = (dev: string) => {
    const i = own(ifs, dev);
    return [...(i?.link && !i.link.includes(":") ? [i.link] : []), ...(i?.ports ?? [])];
  };
  for (const start of typedInterfaces(node)) {
    const seen = new Set<string>();
    const stack = [...lowers(start)];
    while (stack.length) {
      const d = stack.pop() as string;
      if (d === start)
        return [
          locate(
            [...base, "interfaces", start],
            `interface "${start}" sits on itself through ${[...seen].join(", ") || start}`,
            true,
          ),
        ];
      if (seen.has(d)) continue;
      seen.add(d);
      stack.push(...lowers(d));
    }
  }
  return [];
}

function bridgeVlans(node: NodeT, base: At, locate: NodeContext["locate"]): SourceIssue[] {
  const issues: SourceIssue[] = [];
  for (const [br, b] of Object.entries(node.bridges ?? {})) {
    const places: [At, typeof b | NonNullable<(typeof b.ports)[string]>][] = [
      [[...base, "bridges", br], b],
      ...Object.entries(b.ports).map(([p, o]): [At, NonNullable<typeof o>] => [
        [...base, "bridges", br, "ports", p],
        o ?? {},
      ]),
    ];
    for (const [at, o] of places) {
      const keys = (["vlans", "pvid", "untagged"] as const).filter((k) => o[k] !== undefined);
      if (!keys.length) continue;
      if (!b.vlan_filtering) {
        issues.push(
          locate([...at, keys[0] as string], `VLANs need 'vlan_filtering: true' on bridge "${br}"`),
        );
        continue;
      }
      const vids = new Set(vidsOf(o.vlans));
      if (o.pvid !== undefined && o.vlans !== undefined && !vids.has(o.pvid))
        issues.push(locate([...at, "pvid"], `pvid ${o.pvid} is not in vlans`));
      if (o.vlans === undefined && (o.pvid !== undefined || o.untagged !== undefined))
        issues.push(
          locate(
            [...at, keys[0] as string],
            `give 'vlans', the VLANs this ${at.length > 4 ? "port" : "bridge"} is a member of`,
          ),
        );
      const extra = vidsOf(o.untagged).filter((v) => !vids.has(v));
      if (o.vlans !== undefined && extra.length)
        issues.push(
          locate([...at, "untagged"], `VLAN ${extra.join(", ")} is untagged here but not in vlans`),
        );
    }
  }
  return issues;
}

function ipv6Switch(name: string, node: NodeT, locate: NodeContext["locate"]): SourceIssue[] {
  if (node.ipv6 !== false) return [];
  return ipv6Uses(node).map((path) => {
    const at = ["nodes", name, ...path];
    return locate(
      at,
      `node "${name}" has ipv6: false, but this is IPv6 (remove 'ipv6: false': a node that uses IPv6 has it on)`,
    );
  });
}
