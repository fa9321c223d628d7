// The topology file's zod schemas (the scenario's are in schema-scenario.ts); JSON Schemas for editors are generated from these.
import { z } from "zod";
import {
  argvSchema,
  Cidr,
  Endpoint,
  Flag,
  familyOf,
  forbiddenOption,
  IfName,
  Ip,
  isPlainWords,
  Label,
  Mac,
  MODULE_RE,
  NodeName,
  networkOf,
  nftInclude,
  SETUP_TOOLS,
  SYSCTL_KEY_RE,
  SYSCTL_SHAPE_RE,
  SYSCTL_VALUE_RE,
  show,
} from "../net/index.js";
import { Bridge, Interface } from "./schema-devices.js";
import { Encap, PolicyRule, RouteTable, Tunnel, Vrf } from "./schema-l3.js";
import type { Check, Expect, Expectation, Outcome, Scenario, Service } from "./schema-scenario.js";

export { Cidr, IfName, Ip, Label, Mac, NodeName } from "../net/index.js";
export { Bridge, BridgePort, Interface } from "./schema-devices.js";
export {
  Capture,
  Check,
  Expect,
  Expectation,
  Outcome,
  Scenario,
  Service,
  Variant,
} from "./schema-scenario.js";

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
const XtTables = z.partialRecord(z.enum(["filter", "nat", "mangle", "raw"]), z.array(RuleLine));

export const Firewall = z
  .strictObject({
    iptables: XtTables.optional().describe("per table, rules in iptables-restore syntax (-A CHAIN ...)"),
    ip6tables: XtTables.optional().describe(
      "per table, IPv6 rules in ip6tables-restore syntax (-A CHAIN ...)",
    ),
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
      .describe("which flavour of iptables (and ip6tables) and ebtables to use (default: the system's)"),
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
    ipv6: Flag.optional().describe(
      "IPv6 on or off (default: on when the node has an IPv6 address or route, else off: no RS or MLD noise on the wire)",
    ),
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
    commands: z
      .array(argvSchema(SETUP_TOOLS))
      .optional()
      .describe(
        `commands run in the node after the topology is built, in order, each an argument vector (no shell): ${SETUP_TOOLS.join(", ")}`,
      ),
  })
  .describe("a network namespace");

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

export type TopologyT = z.infer<typeof Topology>;
export type NodeT = z.infer<typeof Node>;
export type BridgeT = z.infer<typeof Bridge>;
export type { BridgePortT, DeviceType, InterfaceT } from "./schema-devices.js";
export type RouteT = z.infer<typeof Route>;
export type { EncapT, PolicyRuleT, TunnelT, VrfT } from "./schema-l3.js";
export type FirewallT = z.infer<typeof Firewall>;
export type ScenarioT = z.infer<typeof Scenario>;
export type CheckT = z.infer<typeof Check>;
export type ServiceT = z.infer<typeof Service>;
export type OutcomeT = z.infer<typeof Outcome>;
export type ExpectationT = z.infer<typeof Expectation>;
export type ExpectT = z.infer<typeof Expect>;
