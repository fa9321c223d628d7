// Interfaces and bridges of a node: the device kinds iproute2 creates (vlan, macvlan, ipvlan,
// bond, dummy), bridge ports with their VLANs, and an interface's root qdisc.
import { z } from "zod";
import { Cidr, Flag, IFNAME_RE, IfName, Mac, parseEndpoint, show } from "../net/index.js";

/** Device kinds an interface may declare with `type`, each with the modes iproute2 names. */
export const DEVICE_MODES = {
  vlan: [],
  macvlan: ["private", "vepa", "bridge", "passthru", "source"],
  ipvlan: ["l2", "l3", "l3s"],
  bond: ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"],
  dummy: [],
} as const;
export type DeviceType = keyof typeof DEVICE_MODES;
const DEVICE_TYPES = Object.keys(DEVICE_MODES) as DeviceType[];

// Keys that only some kinds take, and which ones.
const KEYS_OF: Record<string, DeviceType[]> = {
  link: ["vlan", "macvlan", "ipvlan"],
  id: ["vlan"],
  protocol: ["vlan"],
  mode: ["macvlan", "ipvlan", "bond"],
  ports: ["bond"],
  miimon: ["bond"],
};

/** Root qdiscs nsmatrix can probe for, with the kernel option each needs and a minimal tc spec. */
export const QDISCS: Record<string, { config: string; probe: string; module?: string }> = {
  netem: { config: "CONFIG_NET_SCH_NETEM", probe: "netem", module: "sch_netem" },
  tbf: {
    config: "CONFIG_NET_SCH_TBF",
    probe: "tbf rate 1mbit burst 32kbit latency 400ms",
    module: "sch_tbf",
  },
  htb: { config: "CONFIG_NET_SCH_HTB", probe: "htb", module: "sch_htb" },
  prio: { config: "CONFIG_NET_SCH_PRIO", probe: "prio", module: "sch_prio" },
  sfq: { config: "CONFIG_NET_SCH_SFQ", probe: "sfq", module: "sch_sfq" },
  fq: { config: "CONFIG_NET_SCH_FQ", probe: "fq", module: "sch_fq" },
  fq_codel: { config: "CONFIG_NET_SCH_FQ_CODEL", probe: "fq_codel", module: "sch_fq_codel" },
  codel: { config: "CONFIG_NET_SCH_CODEL", probe: "codel", module: "sch_codel" },
  cake: { config: "CONFIG_NET_SCH_CAKE", probe: "cake", module: "sch_cake" },
  pfifo: { config: "CONFIG_NET_SCHED", probe: "pfifo" },
  bfifo: { config: "CONFIG_NET_SCHED", probe: "bfifo" },
  pfifo_fast: { config: "CONFIG_NET_SCHED", probe: "pfifo_fast" },
};

// A tc word: numbers with units (50ms, 1mbit, 1%), names; never a path (netem's
// `distribution NAME` reads /usr/lib/tc/NAME.dist).
const TC_WORD = /^[A-Za-z0-9_.:%+-]+$/;

/** Why a qdisc spec is refused, or undefined. */
export function qdiscProblem(spec: string): string | undefined {
  const words = spec.trim().split(/\s+/);
  const kind = words[0] ?? "";
  if (!Object.hasOwn(QDISCS, kind))
    return `${show(kind)} is not a qdisc nsmatrix knows (${Object.keys(QDISCS).join(", ")}); others go in 'commands'`;
  const bad = words.find((w) => !TC_WORD.test(w));
  if (bad !== undefined) return `${show(bad)} is not a plain tc word (letters, digits, _.:%+-)`;
  return undefined;
}

export const Qdisc = z
  .string()
  .min(1)
  .max(400)
  .refine((s) => qdiscProblem(s) === undefined, { error: (i) => qdiscProblem(String(i.input)) })
  .describe(
    "the root qdisc in tc's words: 'netem delay 50ms loss 1%', 'tbf rate 1mbit burst 32kbit latency 400ms'",
  );

const vidError = (i: { input: unknown }) => `${show(i.input)} is not a VLAN id (1-4094)`;
const Vid = z.int({ error: vidError }).min(1, { error: vidError }).max(4094, { error: vidError });
const vidRange = (s: string) => {
  const m = /^(\d{1,4})-(\d{1,4})$/.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};
const VidRange = z.union([
  Vid,
  z.string().refine(
    (s) => {
      const [lo = 0, hi = 0] = vidRange(s) ?? [];
      return lo >= 1 && lo < hi && hi <= 4094;
    },
    { error: (i) => `${show(i.input)} is not a VLAN id (1-4094) or a range like "100-110"` },
  ),
]);
const Vlans = z.array(VidRange).min(1);

/** The VLAN ids of a `vlans` or `untagged` list, ranges written out. */
export function vidsOf(list: (number | string)[] | undefined): number[] {
  const out = new Set<number>();
  for (const v of list ?? []) {
    const r = typeof v === "number" ? [v, v] : vidRange(v);
    if (r) for (let i = r[0] ?? 0; i <= (r[1] ?? 0); i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

const vlanKeys = {
  vlans: Vlans.optional().describe(
    'with vlan_filtering: the VLANs this port is a member of, exactly (ids or ranges like "100-110"); VLAN 1 only if listed',
  ),
  pvid: Vid.optional().describe("with vlan_filtering: the VLAN untagged frames arriving here join"),
  untagged: Vlans.optional().describe("with vlan_filtering: VLANs whose frames leave here untagged"),
};

export const BridgePort = z
  .strictObject({
    hairpin: Flag.optional().describe("reflect frames back out of the port they came in on (VEPA)"),
    promisc: Flag.optional().describe("put the port in promiscuous mode"),
    learning: Flag.optional().describe("learn source MACs on this port"),
    flood: Flag.optional().describe("flood unknown unicast out of this port"),
    ...vlanKeys,
  })
  .describe("bridge port options");

export const Bridge = z
  .strictObject({
    ports: z.record(IfName, BridgePort.nullable()).describe("interfaces enslaved to the bridge"),
    nf_call_iptables: Flag.optional().describe("pass bridged IPv4 through iptables (needs br_netfilter)"),
    nf_call_ip6tables: Flag.optional().describe("pass bridged IPv6 through ip6tables (needs br_netfilter)"),
    vlan_filtering: Flag.optional().describe("a VLAN-aware bridge: ports take vlans, pvid and untagged"),
    vlan_protocol: z.enum(["802.1Q", "802.1ad"]).optional().describe("with vlan_filtering: the tag it uses"),
    stp: Flag.optional(),
    ...vlanKeys,
  })
  .describe(
    "a Linux bridge inside the node; vlans, pvid and untagged here are the bridge's own (bridge vlan ... self)",
  );

/** `link`: an interface of this node, or `node:ifname` of another (macvlan, ipvlan). */
const Lower = z.string().refine((s) => IFNAME_RE.test(s) || parseEndpoint(s) !== undefined, {
  error: (i) => `${show(i.input)} is not an interface name, or node:ifname for another node's`,
});

export const Interface = z
  .strictObject({
    type: z
      .enum(DEVICE_TYPES, {
        error: (i) => `${show(i.input)} is not a device type: ${DEVICE_TYPES.join(", ")}`,
      })
      .optional()
      .describe(
        "create this device: vlan, macvlan, ipvlan, bond or dummy (without it: a link end, bridge, VRF, tunnel or lo)",
      ),
    link: Lower.optional().describe(
      "the lower device (vlan, macvlan, ipvlan): an interface of this node, or node:ifname of another node (macvlan, ipvlan)",
    ),
    id: Vid.optional().describe("the VLAN id (vlan)"),
    protocol: z.enum(["802.1Q", "802.1ad"]).optional().describe("the VLAN tag (vlan; default 802.1Q)"),
    mode: z
      .string()
      .optional()
      .describe(
        "macvlan: bridge, vepa, private, passthru, source; ipvlan: l2, l3, l3s; bond: balance-rr, active-backup, ...",
      ),
    ports: z.array(IfName).min(1).optional().describe("the bond's members: interfaces of this node"),
    miimon: z.int().min(0).max(60000).optional().describe("bond: link monitoring interval, ms"),
    addresses: z.array(Cidr).optional(),
    mac: Mac.optional(),
    mtu: z.int().min(68).max(65535).optional(),
    promisc: Flag.optional(),
    up: Flag.optional().describe("bring the interface up (default true)"),
    dad: Flag.optional().describe(
      "IPv6 duplicate address detection on this interface (default false: addresses are added nodad); set-up waits until it ends",
    ),
    qdisc: Qdisc.optional(),
  })
  .superRefine((d, ctx) => {
    const bad = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    for (const [key, kinds] of Object.entries(KEYS_OF)) {
      if (d[key as keyof typeof d] === undefined) continue;
      if (!d.type)
        bad(key, `'${key}' is for a device this interface creates: give its 'type' (${kinds.join(", ")})`);
      else if (!kinds.includes(d.type))
        bad(key, `'${key}' is for ${kinds.join(", ")} devices, not ${d.type}`);
    }
    if (!d.type) return;
    if ((d.type === "vlan" || d.type === "macvlan" || d.type === "ipvlan") && d.link === undefined)
      bad("type", `a ${d.type} device needs 'link': the interface it sits on`);
    if (d.type === "vlan" && d.id === undefined) bad("type", "a vlan device needs 'id': the VLAN id, 1-4094");
    if (d.type === "vlan" && d.link?.includes(":"))
      bad("link", "a vlan sits on an interface of its own node (node:ifname is for macvlan and ipvlan)");
    const modes: readonly string[] = DEVICE_MODES[d.type];
    if (d.mode !== undefined && !modes.includes(d.mode))
      bad("mode", `${show(d.mode)} is not a ${d.type} mode: ${modes.join(", ")}`);
  })
  .describe(
    "an interface: layer-3 settings of a link end, bridge, VRF, tunnel or lo, or a device it creates (type)",
  );

export type InterfaceT = z.infer<typeof Interface>;
export type BridgePortT = z.infer<typeof BridgePort>;
