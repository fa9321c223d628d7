// Layer-3 extras of a node as `ip -batch` lines: tunnels, VRFs, routes with encap, policy rules.
import type { NodeT, PolicyRuleT, RouteT, TunnelT } from "../model/index.js";

function tunnelLine(name: string, t: TunnelT): string {
  const words = ["link", "add", "name", name, "type", t.type];
  if (t.type === "vxlan" && t.id !== undefined) words.push("id", String(t.id));
  if (t.dstport !== undefined) words.push("dstport", String(t.dstport));
  if (t.key !== undefined) words.push("key", String(t.key));
  if (t.local) words.push("local", t.local);
  if (t.remote) words.push("remote", t.remote);
  if (t.ttl !== undefined) words.push("ttl", String(t.ttl));
  if (t.external) words.push("external");
  return words.join(" ");
}

/** Creates the node's tunnels and VRFs (before any `master` or address refers to them). */
export function deviceLines(node: NodeT): string[] {
  const lines = Object.entries(node.tunnels ?? {}).map(([name, t]) => tunnelLine(name, t));
  for (const [vrf, v] of Object.entries(node.vrfs ?? {}))
    lines.push(`link add name ${vrf} type vrf table ${v.table}`);
  return lines;
}

/** Names of the devices this node creates besides links and bridges. */
export function deviceNames(node: NodeT): string[] {
  return [...Object.keys(node.tunnels ?? {}), ...Object.keys(node.vrfs ?? {})];
}

export function routeLine(r: RouteT): string {
  const words = ["route", "add", r.to];
  if (r.via) words.push("via", r.via);
  if (r.encap) {
    words.push("encap", r.encap.type, "id", String(r.encap.id), "dst", r.encap.dst);
    if (r.encap.key) words.push("key");
    if (r.encap.ttl !== undefined) words.push("ttl", String(r.encap.ttl));
  }
  if (r.dev) words.push("dev", r.dev);
  if (r.src) words.push("src", r.src);
  if (r.table !== undefined) words.push("table", String(r.table));
  if (r.metric !== undefined) words.push("metric", String(r.metric));
  if (r.onlink) words.push("onlink");
  return words.join(" ");
}

export function ruleLine(r: PolicyRuleT): string {
  const words = ["rule", "add"];
  if (r.priority !== undefined) words.push("priority", String(r.priority));
  if (r.from) words.push("from", r.from);
  if (r.to) words.push("to", r.to);
  if (r.iif) words.push("iif", r.iif);
  if (r.oif) words.push("oif", r.oif);
  if (r.fwmark !== undefined) words.push("fwmark", String(r.fwmark));
  if (r.l3mdev) words.push("l3mdev");
  if (r.table !== undefined) words.push("table", String(r.table));
  return words.join(" ");
}
