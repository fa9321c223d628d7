// The devices a node creates (vlan, macvlan, ipvlan, bond, dummy), bridge VLANs and root qdiscs,
// as batch lines with the key each comes from.
import type { BridgePortT, InterfaceT, NodeT, TopologyT } from "../model/index.js";
import { vidsOf } from "../model/index.js";
import { own, parseEndpoint } from "../net/index.js";
import type { Line } from "./batch.js";

type Typed = [string, InterfaceT & { type: NonNullable<InterfaceT["type"]> }];

const typed = (node: NodeT | null | undefined): Typed[] =>
  Object.entries(node?.interfaces ?? {}).filter((e): e is Typed => e[1]?.type !== undefined);

function createLine(dev: string, i: Typed[1], lower?: string, netns?: string): string {
  const w = ["link", "add", "name", dev];
  if (lower) w.push("link", lower);
  if (netns) w.push("netns", `$P-${netns}`);
  w.push("type", i.type);
  if (i.type === "vlan") {
    if (i.protocol) w.push("protocol", i.protocol);
    w.push("id", String(i.id));
  }
  if (i.mode) w.push("mode", i.mode);
  if (i.miimon !== undefined) w.push("miimon", String(i.miimon));
  return w.join(" ");
}

/**
 * Creates the node's own devices, lower ones first, and the macvlan/ipvlan devices of other nodes
 * that sit on this node's interfaces (made here, straight into their node: `netns`).
 */
export function deviceCreateLines(name: string, node: NodeT, topo: TopologyT): Line[] {
  const mine = typed(node).filter(([, i]) => !i.link?.includes(":"));
  const byName = new Map(mine);
  const out: Line[] = [];
  const done = new Set<string>();
  const make = (dev: string) => {
    const i = byName.get(dev);
    if (!i || done.has(dev)) return;
    done.add(dev);
    for (const lower of [...(i.link ? [i.link] : []), ...(i.ports ?? [])]) make(lower);
    out.push({ text: createLine(dev, i, i.link), at: ["nodes", name, "interfaces", dev] });
  };
  for (const [dev] of mine) make(dev);
  for (const [other, n] of Object.entries(topo.nodes)) {
    for (const [dev, i] of typed(n)) {
      const e = i.link ? parseEndpoint(i.link) : undefined;
      if (e && e.node === name && other !== name)
        out.push({ text: createLine(dev, i, e.ifname, other), at: ["nodes", other, "interfaces", dev] });
    }
  }
  return out;
}

/** Names of every device the node holds besides link ends, bridges, VRFs and tunnels. */
export const typedNames = (node: NodeT) => typed(node).map(([dev]) => dev);

/** Enslaves each bond's members (down, as bonding wants them: before any `up`). */
export function bondMemberLines(name: string, node: NodeT): Line[] {
  return typed(node).flatMap(([dev, i]) =>
    (i.ports ?? []).map((port, k) => ({
      text: `link set dev ${port} master ${dev}`,
      at: ["nodes", name, "interfaces", dev, "ports", k],
    })),
  );
}

// VIDs as ranges of equal flags: `vid 10 pvid untagged`, `vid 100-110`.
function vlanRuns(o: Pick<BridgePortT, "vlans" | "pvid" | "untagged">): string[] {
  const untagged = new Set(vidsOf(o.untagged));
  const flags = (v: number) => [...(v === o.pvid ? ["pvid"] : []), ...(untagged.has(v) ? ["untagged"] : [])];
  const vids = vidsOf(o.vlans);
  const out: string[] = [];
  let start = vids[0];
  vids.forEach((v, i) => {
    const next = vids[i + 1];
    // A range shares its flags; the pvid is one VLAN, on a line of its own.
    const same = next !== undefined && flags(next).join() === flags(v).join();
    if (next === v + 1 && same && v !== o.pvid && next !== o.pvid) return;
    out.push(["vid", start === v ? String(v) : `${start}-${v}`, ...flags(v)].join(" "));
    start = next;
  });
  return out;
}

/** `bridge -batch` lines of a node's VLAN-aware bridges: each port's (and the bridge's own) VLANs, exactly. */
export function bridgeVlanLines(name: string, node: NodeT): Line[] {
  const out: Line[] = [];
  for (const [br, b] of Object.entries(node.bridges ?? {})) {
    if (!b.vlan_filtering) continue;
    const places: [string, Pick<BridgePortT, "vlans" | "pvid" | "untagged">, (string | number)[], string][] =
      [
        [br, b, ["nodes", name, "bridges", br], " self"],
        ...Object.entries(b.ports).map(([p, o]): [string, BridgePortT, (string | number)[], string] => [
          p,
          o ?? {},
          ["nodes", name, "bridges", br, "ports", p],
          "",
        ]),
      ];
    for (const [dev, o, at, self] of places) {
      if (!o.vlans) continue;
      // Membership is what `vlans` says: the default VLAN 1 goes unless listed.
      if (!vidsOf(o.vlans).includes(1))
        out.push({ text: `vlan del dev ${dev} vid 1${self}`, at: [...at, "vlans"] });
      for (const run of vlanRuns(o))
        out.push({ text: `vlan add dev ${dev} ${run}${self}`, at: [...at, "vlans"] });
    }
  }
  return out;
}

/** `tc -batch` lines: each interface's root qdisc. */
export function qdiscLines(name: string, node: NodeT): Line[] {
  return Object.entries(node.interfaces ?? {}).flatMap(([dev, i]) =>
    i?.qdisc
      ? [
          {
            text: `qdisc replace dev ${dev} root ${i.qdisc.trim().split(/\s+/).join(" ")}`,
            at: ["nodes", name, "interfaces", dev, "qdisc"],
          },
        ]
      : [],
  );
}

/** Whether an IPv6 address on this interface skips duplicate address detection. */
export const nodad = (node: NodeT, dev: string) => !own(node.interfaces ?? {}, dev)?.dad;
