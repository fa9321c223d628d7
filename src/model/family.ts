// Which address families a node speaks: IPv6 is on where the node has an IPv6 address, route,
// neighbour or rule (or says `ipv6: true`), and off elsewhere, so that no RS, MLD or DAD frame
// reaches a bridge that the topology did not ask for.
import { familyOf } from "../net/index.js";
import type { NodeT, PolicyRuleT } from "./schema.js";

/** Where a node uses IPv6, as key paths under the node: its addresses, routes, neighbours, rules. */
export function ipv6Uses(node: NodeT): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const [dev, i] of Object.entries(node.interfaces ?? {})) {
    (i?.addresses ?? []).forEach((a, k) => {
      if (familyOf(a) === 6) out.push(["interfaces", dev, "addresses", k]);
    });
    if (i?.dad) out.push(["interfaces", dev, "dad"]);
  }
  (node.routes ?? []).forEach((r, k) => {
    if ((r.to !== "default" && familyOf(r.to) === 6) || (r.via && familyOf(r.via) === 6))
      out.push(["routes", k]);
  });
  (node.neighbours ?? []).forEach((n, k) => {
    if (familyOf(n.to) === 6) out.push(["neighbours", k]);
  });
  (node.rules ?? []).forEach((r, k) => {
    if (ruleFamily(r) === 6) out.push(["rules", k]);
  });
  return out;
}

/** A policy rule's family: as it says, else its addresses', else IPv4 (as ip rule reads it). */
export function ruleFamily(r: PolicyRuleT): 4 | 6 {
  if (r.family) return r.family === "inet6" ? 6 : 4;
  const a = r.from ?? r.to;
  return a !== undefined && familyOf(a) === 6 ? 6 : 4;
}

/** Whether the node has IPv6 on: as it says, else when it uses IPv6 anywhere. */
export function ipv6On(node: NodeT | null | undefined): boolean {
  if (!node) return false;
  return node.ipv6 ?? ipv6Uses(node).length > 0;
}
