// The zod schemas of the two file formats; JSON Schemas for editors are generated from these.
import semver from "semver";
import { z } from "zod";
import {
  familyOf,
  IFNAME_RE,
  isPlainWords,
  MODULE_RE,
  NODE_RE,
  networkOf,
  parseEndpoint,
  parseHostPort,
  RESERVED_IFNAMES,
  SYSCTL_KEY_RE,
  SYSCTL_SHAPE_RE,
  SYSCTL_VALUE_RE,
} from "./names.js";
import { forbiddenOption, nftInclude } from "./rules.js";
import { Cidr, Flag, IfName, Ip, Label, Mac, NodeName, show, Timeout } from "./schema-base.js";
import { Encap, PolicyRule, RouteTable, Tunnel, Vrf } from "./schema-l3.js";

export { Cidr, IfName, Ip, Label, Mac, NodeName } from "./schema-base.js";

export const BridgePort = z
  .strictObject({
    hairpin: Flag.optional().describe("reflect frames back out of the port they came in on (VEPA)"),
    promisc: Flag.optional().describe("put the port in promiscuous mode"),
    learning: Flag.optional().describe("learn source MACs on this port"),
    flood: Flag.optional().describe("flood unknown unicast out of this port"),
  })
  .describe("bridge port options");

export const Bridge = z
  .strictObject({
    ports: z.record(IfName, BridgePort.nullable()).describe("interfaces enslaved to the bridge"),
    nf_call_iptables: Flag.optional().describe("pass bridged IPv4 through iptables (needs br_netfilter)"),
    vlan_filtering: Flag.optional(),
    stp: Flag.optional(),
  })
  .describe("a Linux bridge inside the node");

export const Interface = z
  .strictObject({
    addresses: z.array(Cidr).optional(),
    mac: Mac.optional(),
    mtu: z.int().min(68).max(65535).optional(),
    promisc: Flag.optional(),
    up: Flag.optional().describe("bring the interface up (default true)"),
  })
  .describe("layer-3 settings of an interface: a link end, a bridge or lo");

export const Route = z
  .strictObject({
    to: z.union([z.literal("default"), Cidr, Ip]),
    via: Ip.optional(),
    dev: IfName.optional(),
    table: RouteTable.optional(),
    onlink: Flag.optional(),
    metric: z.int().min(0).optional(),
    src: Ip.optional(),
    encap: Encap.optional(),
  })
  .refine((r) => r.via !== undefined || r.dev !== undefined, { error: "a route needs 'via' or 'dev'" })
  .superRefine((r, ctx) => {
    if (r.to !== "default" && r.to.includes("/") && networkOf(r.to) !== r.to) {
      const message = `${show(r.to)} has host bits set, which ip route refuses; the prefix is ${networkOf(r.to)}`;
      ctx.addIssue({ code: "custom", path: ["to"], message });
    }
    const family = r.to === "default" ? undefined : familyOf(r.to);
    for (const k of ["via", "src"] as const) {
      const a = r[k];
      const want = family ?? (k === "src" && r.via ? familyOf(r.via) : undefined);
      if (a !== undefined && want !== undefined && familyOf(a) !== want) {
        const message = `${k} ${a} is IPv${familyOf(a)}, but the route is IPv${want}`;
        ctx.addIssue({ code: "custom", path: [k], message });
      }
    }
  })
  .refine((r) => r.encap === undefined || r.dev !== undefined, {
    error: "a route with 'encap' needs 'dev' (the tunnel device)",
    path: ["encap"],
  });

export const Neighbour = z
  .strictObject({ to: Ip, lladdr: Mac, dev: IfName })
  .describe("a permanent neighbour (ARP/NDP) entry: no broadcast is ever sent for it");

const RuleLine = z
  .string()
  .min(1)
  .regex(/^[^\n\r]*$/, "a rule is one line")
  .regex(/^-[AIN] /, "a rule starts with -A, -I or -N")
  .refine((r) => forbiddenOption(r) === undefined, {
    error: (i) => `option ${forbiddenOption(String(i.input))} runs a program or touches a file: not allowed`,
  });

const Flavour = z.enum(["legacy", "nft"]);

export const Firewall = z
  .strictObject({
    iptables: z
      .partialRecord(z.enum(["filter", "nat", "mangle", "raw"]), z.array(RuleLine))
      .optional()
      .describe("per table, rules in iptables-restore syntax (-A CHAIN ...)"),
    ebtables: z
      .partialRecord(
        z.enum(["filter", "nat", "broute"]),
        z.array(
          RuleLine.refine(isPlainWords, "an ebtables rule is plain words: no ; | & < > $ ` \\ or globs"),
        ),
      )
      .optional()
      .describe("per table, ebtables rules (-A CHAIN ...)"),
    nft: z
      .string()
      .refine((t) => nftInclude(t) === undefined, {
        error: (i) => `line ${nftInclude(String(i.input))}: 'include' reads other files: put the rules here`,
      })
      .optional()
      .describe("an nftables ruleset, loaded with nft -f (no 'include')"),
    nft_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "a file holding an nftables ruleset, relative to the topology file and inside its folder (instead of nft)",
      ),
    flavour: z
      .strictObject({ iptables: Flavour.optional(), ebtables: Flavour.optional() })
      .optional()
      .describe("which flavour of iptables/ebtables to use (default: the system's)"),
  })
  .describe("firewall rules, each applied with its own tool");

const SysctlValue = z.union([
  z.int(),
  z.boolean(),
  z.string().regex(SYSCTL_VALUE_RE, "sysctl values use letters, digits, spaces and _.:,- only"),
]);

export const Node = z
  .strictObject({
    description: z.string().optional(),
    ipv6: Flag.optional().describe("keep IPv6 on (default false: no DAD, RS or MLD noise on the wire)"),
    modules: z
      .array(
        z
          .string()
          .regex(
            MODULE_RE,
            "not a kernel module name (letters, digits, '_', '-'; never starting with '-', which modprobe reads as an option)",
          ),
      )
      .optional(),
    sysctls: z
      .record(
        z
          .string()
          .regex(SYSCTL_SHAPE_RE, "not a sysctl key like net.ipv4.ip_forward")
          .regex(
            SYSCTL_KEY_RE,
            "not a per-namespace key: only net.* sysctls are allowed (ip netns exec leaves the others host-wide)",
          ),
        SysctlValue,
      )
      .optional(),
    bridges: z.record(IfName, Bridge).optional(),
    vrfs: z.record(IfName, Vrf).optional().describe("VRF devices, each with its routing table"),
    tunnels: z.record(IfName, Tunnel).optional().describe("tunnel devices: gretap, gre, ipip, vxlan"),
    interfaces: z.record(IfName, Interface.nullable()).optional(),
    routes: z.array(Route).optional(),
    rules: z.array(PolicyRule).optional().describe("policy routing rules (ip rule)"),
    neighbours: z.array(Neighbour).optional(),
    firewall: Firewall.optional(),
  })
  .describe("a network namespace");

/** Why `s` is not a `node:ifname` endpoint. */
function endpointProblem(s: string): string {
  const [node = "", ifname, ...rest] = s.split(":");
  if (ifname === undefined) return "the ':ifname' part is missing";
  if (rest.length) return "more than one ':'";
  if (!NODE_RE.test(node)) return `${show(node)} is not a valid node name`;
  if (!IFNAME_RE.test(ifname)) return `${show(ifname)} is not a valid interface name (1-15 characters)`;
  if (RESERVED_IFNAMES.has(ifname)) return `${show(ifname)} is a name the kernel keeps for itself`;
  return "malformed";
}

const Endpoint = z.string().refine((s) => parseEndpoint(s) !== undefined, {
  error: (i) => `${show(i.input)} is not an endpoint like node:eth0 (${endpointProblem(String(i.input))})`,
});

export const Topology = z
  .strictObject({
    topology: Label.optional().describe("the topology's name"),
    description: z.string().optional(),
    nodes: z.record(NodeName, Node.nullable()),
    links: z
      .array(z.tuple([Endpoint, Endpoint]))
      .optional()
      .describe("veth pairs: [nodeA:ifname, nodeB:ifname]"),
  })
  .describe("an nsmatrix topology");

/**
 * A range written out: "*" alone, or semver comparators with versions. semver reads "", "x" and
 * an empty "||" alternative as "any version"; here they are mistakes.
 */
function isKernelRange(s: string): boolean {
  if (s === "*") return true;
  const parts = s.split("||").map((p) => p.trim());
  if (parts.some((p) => p === "" || /(^|[\s<>=~^.])[xX*](?=$|[\s.])/.test(p))) return false;
  return parts.every((p) => semver.validRange(p) !== null && /\d/.test(p));
}

export const Outcome = z.enum(["reach", "no-reach"]);
export const Expectation = z.enum(["reach", "no-reach", "xfail", "flaky"], {
  error: (i) => `${show(i.input)} is not one of reach, no-reach, xfail, flaky`,
});

const KernelRange = z.string().refine(isKernelRange, {
  error: (i) => `${show(i.input)} is not a kernel version range like ">=4.9 <5.1" (or "*" for any)`,
});
const PerKernel = z.union([Expectation, z.record(KernelRange, Expectation)]);

export const Expect = z.union([Expectation, z.record(z.string(), PerKernel)]);

const Port = z.int().min(1).max(65535);

export const Service = z
  .strictObject({
    node: NodeName,
    tcp: Port.optional(),
    udp: Port.optional(),
    sends: z
      .int()
      .min(1)
      .max(1 << 30)
      .optional()
      .describe(
        "tcp: after its name, send this many bytes, then hold the connection 1 s (a transfer whose state can be inspected, e.g. flow offload)",
      ),
  })
  .refine((s) => (s.tcp === undefined) !== (s.udp === undefined), {
    error: "a service listens on exactly one of 'tcp' or 'udp'",
  })
  .refine((s) => s.sends === undefined || s.tcp !== undefined, {
    error: "'sends' is for tcp services",
    path: ["sends"],
  });

/** Where to watch the wire: `node:dev` and a pcap filter. */
export const Capture = z
  .strictObject({
    on: Endpoint.describe("node:interface to capture on"),
    filter: z
      .string()
      .min(1)
      .max(500)
      .regex(/^[^-]/, "a pcap filter cannot start with '-' (tcpdump would read it as an option)")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      .regex(/^[^\x00-\x1f\x7f]*$/, "a pcap filter is one line of printable text")
      .describe("pcap filter; the check reaches only if a packet matching it was seen"),
  })
  .describe("watch the wire with tcpdump while the check runs");

/** Why `s` is not an `address:port` target. */
function targetProblem(s: string): string {
  const port = /:(\d+)$/.exec(s)?.[1];
  if (port === undefined) return "the ':port' part is missing";
  if (Number(port) < 1 || Number(port) > 65535) return `port ${port} is not in 1-65535`;
  return "not an IP address; IPv6 goes in brackets, like [2001:db8::1]:80";
}

const Target = z.string().refine((s) => parseHostPort(s) !== undefined, {
  error: (i) =>
    `${show(i.input)} is not an address:port like 192.0.2.1:80 (${targetProblem(String(i.input))})`,
});

export const Check = z
  .strictObject({
    description: z.string().optional(),
    from: NodeName,
    ping: Ip.optional(),
    tcp: Target.optional(),
    udp: Target.optional(),
    service: Label.optional().describe("the service that must answer (proves where DNAT went)"),
    timeout: Timeout.optional().describe(
      "seconds for the kernel's part (handshake, echo reply); a service's answer may take this times the timeout scale",
    ),
    capture: Capture.optional(),
    offload: NodeName.optional().describe(
      "tcp: the connection must show [OFFLOAD] in this node's conntrack table while it runs (nft flowtable)",
    ),
    expect: Expect.optional(),
  })
  .refine((c) => [c.ping, c.tcp, c.udp].filter((x) => x !== undefined).length === 1, {
    error: "a check has exactly one of 'ping', 'tcp' or 'udp'",
  })
  .refine((c) => c.offload === undefined || c.tcp !== undefined, {
    error: "'offload' is for tcp checks",
    path: ["offload"],
  })
  .refine((c) => c.offload === undefined || c.tcp === undefined || c.service !== undefined, {
    error: "'offload' needs a 'service': without one the check only completes the handshake and closes",
    path: ["offload"],
  });

export const Variant = z
  .strictObject({
    description: z.string().optional(),
    timeout: Timeout.optional().describe(
      "default check timeout in this variant, in seconds (a check's own timeout still wins)",
    ),
    patch: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("merged over the topology: maps merge, lists append, null removes"),
  })
  .nullable();

export const Scenario = z
  .strictObject({
    scenario: Label,
    description: z.string().optional(),
    topology: z
      .string()
      .min(1)
      .regex(/\.ya?ml$/, "a topology file's name ends in .yaml or .yml")
      .describe("path of the topology file, relative to this file"),
    timeout: Timeout.optional().describe(
      "default check timeout in seconds (0.5); keep it clear of TCP's retransmissions at 1, 3 and 7 s",
    ),
    parallel: Flag.optional().describe(
      "run the checks all at once (default false: one after the other, in the order declared; safe only for checks that share no state)",
    ),
    services: z.record(Label, Service).optional(),
    variants: z.record(Label, Variant).optional(),
    checks: z.record(Label, Check),
  })
  .describe("an nsmatrix scenario");

export type TopologyT = z.infer<typeof Topology>;
export type NodeT = z.infer<typeof Node>;
export type BridgeT = z.infer<typeof Bridge>;
export type RouteT = z.infer<typeof Route>;
export type { EncapT, PolicyRuleT, TunnelT, VrfT } from "./schema-l3.js";
export type FirewallT = z.infer<typeof Firewall>;
export type ScenarioT = z.infer<typeof Scenario>;
export type CheckT = z.infer<typeof Check>;
export type ServiceT = z.infer<typeof Service>;
export type OutcomeT = z.infer<typeof Outcome>;
export type ExpectationT = z.infer<typeof Expectation>;
export type ExpectT = z.infer<typeof Expect>;
