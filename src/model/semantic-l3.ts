// Cross-reference checks of a node's VRFs, tunnels and policy rules.
import type { SourceIssue } from "../errors.js";
import { own } from "../net/index.js";
import type { Locate } from "./merge.js";
import type { NodeT } from "./schema.js";

type At = (string | number)[];

export interface NodeContext {
  name: string;
  node: NodeT;
  /** The node's interfaces (see interfacesByNode). */
  here: Set<string>;
  /** `node:ifname` of every link end. */
  /** The node's own link ends (interface names). */
  linkEnds: string[];
  /** Bridge port → its bridge. */
  portOf: Map<string, string>;
  locate: Locate;
  unknownIf: (path: At, what: string, ifname: string, onKey?: boolean) => void;
}

/** VRF and tunnel names clashing with other devices; VRF members; rule interfaces. */
export function checkL3(c: NodeContext): SourceIssue[] {
  const { name, node, here, locate } = c;
  const issues: SourceIssue[] = [];
  const base = ["nodes", name];
  const owner = new Map<string, string>();
  for (const ifname of c.linkEnds) owner.set(ifname, "a link end");
  for (const br of Object.keys(node.bridges ?? {})) if (!owner.has(br)) owner.set(br, "a bridge");
  for (const [kind, map] of [
    ["VRF", node.vrfs],
    ["tunnel", node.tunnels],
  ] as const) {
    for (const dev of Object.keys(map ?? {})) {
      const at = [...base, kind === "VRF" ? "vrfs" : "tunnels", dev];
      const first = dev === "lo" ? "the loopback device" : owner.get(dev);
      if (first) {
        issues.push(locate(at, `interface "${name}:${dev}" is used twice (${first} and a ${kind})`, true));
      } else owner.set(dev, `a ${kind}`);
    }
  }

  const vrfOf = new Map<string, string>();
  for (const [vrf, v] of Object.entries(node.vrfs ?? {})) {
    (v.interfaces ?? []).forEach((ifname, i) => {
      const at = [...base, "vrfs", vrf, "interfaces", i];
      if (!here.has(ifname) || ifname === "lo") c.unknownIf(at, `VRF "${vrf}" member`, ifname);
      else if (own(node.vrfs, ifname)) {
        issues.push(locate(at, `VRF "${vrf}" cannot take VRF "${ifname}" as a member`));
      } else if (c.portOf.has(ifname)) {
        const br = c.portOf.get(ifname);
        issues.push(
          locate(at, `interface "${ifname}" is used twice (a port of bridge "${br}" and in VRF "${vrf}")`),
        );
      } else if (vrfOf.has(ifname)) {
        issues.push(
          locate(at, `interface "${ifname}" is used twice (already in VRF "${vrfOf.get(ifname)}")`),
        );
      } else vrfOf.set(ifname, vrf);
    });
  }

  (node.rules ?? []).forEach((r, i) => {
    for (const k of ["iif", "oif"] as const) {
      const ifname = r[k];
      if (ifname !== undefined && !here.has(ifname))
        c.unknownIf([...base, "rules", i, k], `rule ${k}`, ifname);
    }
  });
  return issues;
}
