// Layer-3 extras of a node: VRFs, tunnel devices, route encapsulation and policy rules.
import { z } from "zod";
import { Cidr, Flag, familyOf, IfName, Ip, show } from "../net/index.js";

const tableError = (i: { input: unknown }) =>
  `${show(i.input)} is not a routing table: main, local or a number 1-4294967294`;

/** A routing table: `main`, `local` or a number (0 and 2^32-1 are reserved by the kernel). */
export const RouteTable = z.union([
  z.enum(["main", "local"], { error: tableError }),
  z.int({ error: tableError }).min(1, { error: tableError }).max(0xfffffffe, { error: tableError }),
]);

const U32 = z.int().min(0).max(0xffffffff);
const Ttl = z.int().min(0).max(255);

export const Vrf = z
  .strictObject({
    table: z.int().min(1).max(0xfffffffe).describe("the VRF's routing table"),
    interfaces: z
      .array(IfName)
      .optional()
      .describe("interfaces enslaved to the VRF (link ends, bridges, tunnels)"),
  })
  .describe("a VRF device (l3mdev)");

const TUNNEL_TYPES = ["gretap", "gre", "ipip", "vxlan"] as const;

export const Tunnel = z
  .strictObject({
    type: z.enum(TUNNEL_TYPES, {
      error: (i) => `${show(i.input)} is not a tunnel type: ${TUNNEL_TYPES.join(", ")}`,
    }),
    external: Flag.optional().describe("collect metadata: each route's encap gives the key and remote"),
    key: U32.optional().describe("GRE key (gre, gretap)"),
    local: Ip.optional(),
    remote: Ip.optional(),
    ttl: Ttl.optional(),
    id: z.int().min(0).max(0xffffff).optional().describe("the VNI (vxlan)"),
    dstport: z.int().min(1).max(65535).optional().describe("UDP port (vxlan)"),
  })
  .superRefine((t, ctx) => {
    const bad = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (t.external) {
      for (const k of ["key", "remote", "id"] as const) {
        if (t[k] !== undefined) bad(k, `an external tunnel takes '${k}' from each route's encap, not here`);
      }
    }
    if (t.key !== undefined && t.type !== "gre" && t.type !== "gretap") {
      bad("key", `'key' is for gre and gretap tunnels, not ${t.type}`);
    }
    for (const k of ["id", "dstport"] as const) {
      if (t[k] !== undefined && t.type !== "vxlan") bad(k, `'${k}' is for vxlan tunnels, not ${t.type}`);
    }
    // gre, gretap and ipip carry IPv4 endpoints only; over IPv6 they are ip6gre, ip6gretap, ip6tnl.
    for (const k of ["local", "remote"] as const) {
      const a = t[k];
      if (a !== undefined && familyOf(a) === 6 && t.type !== "vxlan")
        bad(
          k,
          `${t.type} endpoints are IPv4; over IPv6 the kernel's device is ${t.type === "ipip" ? "ip6tnl" : `ip6${t.type}`}, which nsmatrix does not build yet (make it in 'commands')`,
        );
    }
    if (t.local !== undefined && t.remote !== undefined && familyOf(t.local) !== familyOf(t.remote)) {
      bad(
        "remote",
        `remote ${t.remote} is IPv${familyOf(t.remote)}, but local ${t.local} is IPv${familyOf(t.local)}`,
      );
    }
  })
  .refine((t) => t.type !== "vxlan" || t.external || t.id !== undefined, {
    error: "a vxlan tunnel needs 'id' (the VNI) unless it is external",
  })
  .describe("a tunnel device");

export const Encap = z
  .strictObject({
    type: z.literal("ip", { error: (i) => `${show(i.input)} is not a supported encap type (only ip)` }),
    id: U32.describe("the tunnel id: the GRE key or VNI"),
    dst: Ip.describe("the remote tunnel endpoint"),
    key: Flag.optional().describe("set the key flag (send the id as a GRE key)"),
    ttl: Ttl.optional(),
  })
  .describe("lightweight-tunnel metadata for an external tunnel (ip route ... encap ip)");

export const PolicyRule = z
  .strictObject({
    from: z.union([Cidr, Ip]).optional(),
    to: z.union([Cidr, Ip]).optional(),
    iif: IfName.optional(),
    oif: IfName.optional(),
    fwmark: U32.optional(),
    table: RouteTable.optional(),
    priority: U32.optional(),
    l3mdev: Flag.optional().describe("look up the table of the VRF the packet is in (no 'table')"),
    family: z
      .enum(["inet", "inet6"])
      .optional()
      .describe(
        "the rule's family (ip -f): inet6 for an IPv6 rule without addresses (default: from its addresses, else inet)",
      ),
  })
  .refine((r) => (r.table !== undefined) !== (r.l3mdev === true), {
    error: "a rule has exactly one of 'table' or 'l3mdev: true'",
  })
  .superRefine((r, ctx) => {
    const families = new Set([r.from, r.to].filter((a) => a !== undefined).map((a) => familyOf(a as string)));
    if (families.size > 1)
      ctx.addIssue({ code: "custom", path: ["to"], message: "'from' and 'to' are of different families" });
    const want = r.family === "inet6" ? 6 : r.family === "inet" ? 4 : undefined;
    const [have] = families;
    if (want !== undefined && have !== undefined && have !== want)
      ctx.addIssue({
        code: "custom",
        path: ["family"],
        message: `family ${r.family}, but the rule's addresses are IPv${have}`,
      });
  })
  .describe("a policy routing rule (ip rule add)");

export type VrfT = z.infer<typeof Vrf>;
export type TunnelT = z.infer<typeof Tunnel>;
export type EncapT = z.infer<typeof Encap>;
export type PolicyRuleT = z.infer<typeof PolicyRule>;
