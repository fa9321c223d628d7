// Validation of what issue 17 added: device kinds, bridge VLANs, qdiscs, IPv6 as a family of its
// own, command checks, and unknown keys that name the keys allowed. Each refusal is located.
import { describe, expect, it } from "vitest";
import { NsmError } from "../../../src/errors.js";
import { ipv6On } from "../../../src/model/family.js";
import { parseScenario, parseSource, scenarioFrom, topologyFrom } from "../../../src/model/index.js";
import { Topology } from "../../../src/model/schema.js";
import { keysAt, nearest } from "../../../src/model/schema-keys.js";

/** The first issue of loading a topology written inline, as `line:col: message`. */
function topoIssue(yaml: string): string {
  try {
    topologyFrom(parseSource("t.yaml", yaml), ".");
  } catch (e) {
    if (!(e instanceof NsmError)) throw e;
    const i = e.issues[0];
    return `${i?.line}:${i?.col}: ${i?.message}`;
  }
  return "ok";
}

/** The first issue of a scenario over an inline topology. */
function scenarioIssue(topo: string, scenario: string): string {
  try {
    const src = parseSource("s.yaml", scenario);
    scenarioFrom(src, parseScenario(src), ".", parseSource("t.yaml", topo), ".");
  } catch (e) {
    if (!(e instanceof NsmError)) throw e;
    const i = e.issues[0];
    return `${i?.file}:${i?.line}:${i?.col}: ${i?.message}`;
  }
  return "ok";
}

const LINKED = `
links:
  - [a:eth0, b:eth0]
`;

describe("device kinds", () => {
  it.each([
    [
      "a vlan without its id",
      "nodes:\n  a:\n    interfaces:\n      eth0.10: { type: vlan, link: eth0 }\n  b:\n",
      `4:24: nodes.a.interfaces["eth0.10"].type: a vlan device needs 'id': the VLAN id, 1-4094`,
    ],
    [
      "a macvlan without its lower device",
      "nodes:\n  a:\n    interfaces:\n      mv0: { type: macvlan }\n  b:\n",
      "4:20: nodes.a.interfaces.mv0.type: a macvlan device needs 'link': the interface it sits on",
    ],
    [
      "a mode of another kind",
      "nodes:\n  a:\n    interfaces:\n      mv0: { type: macvlan, link: eth0, mode: l3 }\n  b:\n",
      '4:47: nodes.a.interfaces.mv0.mode: "l3" is not a macvlan mode: private, vepa, bridge, passthru, source',
    ],
    [
      "a key of a device on an interface that creates none",
      "nodes:\n  a:\n    interfaces:\n      eth0: { id: 10 }\n  b:\n",
      "4:19: nodes.a.interfaces.eth0.id: 'id' is for a device this interface creates: give its 'type' (vlan)",
    ],
    [
      "a key of another kind",
      "nodes:\n  a:\n    interfaces:\n      d0: { type: dummy, ports: [eth0] }\n  b:\n",
      "4:33: nodes.a.interfaces.d0.ports: 'ports' is for bond devices, not dummy",
    ],
    [
      "an unknown kind",
      "nodes:\n  a:\n    interfaces:\n      w0: { type: wireguard }\n  b:\n",
      '4:19: nodes.a.interfaces.w0.type: "wireguard" is not a device type: vlan, macvlan, ipvlan, bond, dummy',
    ],
    [
      "a vlan on an interface of another node",
      "nodes:\n  a:\n    interfaces:\n      v0: { type: vlan, link: 'b:eth0', id: 5 }\n  b:\n",
      "4:31: nodes.a.interfaces.v0.link: a vlan sits on an interface of its own node (node:ifname is for macvlan and ipvlan)",
    ],
  ])("refuses %s, at its key", (_what, topo, want) => {
    expect(topoIssue(topo + LINKED)).toBe(want);
  });

  it.each([
    [
      "a lower device the node does not have",
      "nodes:\n  a:\n    interfaces:\n      eth9.10: { type: vlan, link: eth9, id: 10 }\n  b:\n",
      '4:36: nodes.a.interfaces["eth9.10"].link: vlan "eth9.10" sits on unknown interface "eth9" in node "a" (known: eth0)',
    ],
    [
      "another node's interface that does not exist",
      "nodes:\n  a:\n    interfaces:\n      mv0: { type: macvlan, link: 'b:eth7' }\n  b:\n",
      '4:35: nodes.a.interfaces.mv0.link: macvlan "mv0" sits on unknown interface "eth7" in node "b" (known: eth0)',
    ],
    [
      "a node that does not exist",
      "nodes:\n  a:\n    interfaces:\n      mv0: { type: ipvlan, link: 'c:eth0' }\n  b:\n",
      '4:34: nodes.a.interfaces.mv0.link: ipvlan "mv0" sits on unknown node "c" (known: a, b)',
    ],
    [
      "a device named like a link end",
      "nodes:\n  a:\n    interfaces:\n      eth0: { type: dummy }\n  b:\n",
      '4:7: nodes.a.interfaces.eth0: interface "a:eth0" is used twice (a link end and a dummy)',
    ],
    [
      "a bond member already in a bridge",
      "nodes:\n  a:\n    bridges:\n      br0: { ports: { eth0: {} } }\n    interfaces:\n      bond0: { type: bond, ports: [eth0] }\n  b:\n",
      '6:36: nodes.a.interfaces.bond0.ports[0]: interface "eth0" is used twice (a port of bridge "br0" and in bond "bond0")',
    ],
    [
      "a bond member that does not exist",
      "nodes:\n  a:\n    interfaces:\n      bond0: { type: bond, ports: [eth3] }\n  b:\n",
      '4:36: nodes.a.interfaces.bond0.ports[0]: bond "bond0" member names unknown interface "eth3" in node "a" (known: lo, bond0, eth0)',
    ],
    [
      "devices that sit on each other",
      "nodes:\n  a:\n    interfaces:\n      v1: { type: vlan, link: v2, id: 5 }\n      v2: { type: vlan, link: v1, id: 6 }\n  b:\n",
      '4:7: nodes.a.interfaces.v1: interface "v1" sits on itself through v2',
    ],
    [
      "nodes whose macvlans sit on each other's interfaces",
      "nodes:\n  a:\n    interfaces:\n      m1: { type: macvlan, link: 'b:eth0' }\n  b:\n    interfaces:\n      m2: { type: macvlan, link: 'a:eth0' }\n",
      "1:1: nodes: macvlan/ipvlan devices sit on other nodes' interfaces in a circle: one node must be built first",
    ],
    [
      "an interface neither declared nor created, and says how to create it",
      "nodes:\n  a:\n    interfaces:\n      eth0.10: { addresses: [10.0.0.1/24] }\n  b:\n",
      `4:7: nodes.a.interfaces["eth0.10"]: interfaces names unknown interface "eth0.10" in node "a" (known: lo, eth0); to create it, give its 'type': vlan, macvlan, ipvlan, bond or dummy`,
    ],
  ])("refuses %s", (_what, topo, want) => {
    expect(topoIssue(topo + LINKED)).toBe(want);
  });

  it("takes devices that sit on devices (QinQ on a bond), and a macvlan on another node's interface", () => {
    const topo = `nodes:
  a:
    interfaces:
      bond0: { type: bond, mode: 802.3ad, miimon: 100, ports: [eth0] }
      outer: { type: vlan, link: bond0, id: 200, protocol: 802.1ad }
      inner: { type: vlan, link: outer, id: 10, addresses: [10.0.0.1/24] }
  b:
  c:
    interfaces:
      mv0: { type: macvlan, link: "b:eth0", mode: bridge, addresses: [10.0.0.2/24] }
${LINKED}`;
    expect(topoIssue(topo)).toBe("ok");
  });
});

describe("bridge VLANs", () => {
  const bridge = (opts: string) => `nodes:\n  a:\n    bridges:\n      br0:\n${opts}\n  b:\n${LINKED}`;

  it.each([
    [
      "VLANs on a bridge that does not filter them",
      "        ports: { eth0: { vlans: [10] } }",
      "5:33: nodes.a.bridges.br0.ports.eth0.vlans: VLANs need 'vlan_filtering: true' on bridge \"br0\"",
    ],
    [
      "a pvid the port is not a member of",
      "        vlan_filtering: true\n        ports: { eth0: { vlans: [10], pvid: 20 } }",
      "6:45: nodes.a.bridges.br0.ports.eth0.pvid: pvid 20 is not in vlans",
    ],
    [
      "an untagged VLAN the port is not a member of",
      "        vlan_filtering: true\n        ports: { eth0: { vlans: [10-12], untagged: [10, 20] } }",
      "6:52: nodes.a.bridges.br0.ports.eth0.untagged: VLAN 20 is untagged here but not in vlans",
    ],
    [
      "a backwards range",
      "        vlan_filtering: true\n        ports: { eth0: { vlans: [12-10] } }",
      '6:34: nodes.a.bridges.br0.ports.eth0.vlans[0]: "12-10" is not a VLAN id (1-4094) or a range like "100-110"',
    ],
    [
      "a VLAN id out of range",
      "        vlan_filtering: true\n        vlans: [4095]\n        ports: { eth0: {} }",
      "6:17: nodes.a.bridges.br0.vlans[0]: 4095 is not a VLAN id (1-4094)",
    ],
  ])("refuses %s", (_what, opts, want) => {
    expect(topoIssue(bridge(opts))).toBe(want);
  });

  it("takes access ports, a trunk with a range, and the bridge's own VLANs", () => {
    const opts = `        vlan_filtering: true
        vlans: [10]
        pvid: 10
        untagged: [10]
        ports: { eth0: { vlans: [10, 100-110], pvid: 10, untagged: [10] } }`;
    expect(topoIssue(bridge(opts))).toBe("ok");
  });
});

describe("qdiscs", () => {
  it.each([
    ["red limit 1000", '"red" is not a qdisc nsmatrix knows'],
    ["netem delay 50ms distribution ../../etc/x", '"../../etc/x" is not a plain tc word'],
    ["netem delay $(reboot)", '"$(reboot)" is not a plain tc word'],
  ])("refuses %j, at the key", (spec, want) => {
    const issue = topoIssue(
      `nodes:\n  a:\n    interfaces:\n      eth0: { qdisc: "${spec}" }\n  b:\n${LINKED}`,
    );
    expect(issue).toContain("4:22: nodes.a.interfaces.eth0.qdisc: ");
    expect(issue).toContain(want);
  });
});

describe("IPv6 as a family of its own", () => {
  const parse = (yaml: string) => Topology.parse(parseSource("t.yaml", yaml).data);

  it("is on where a node has an IPv6 address or route, and off elsewhere unless asked", () => {
    const t = parse(`nodes:
  v6: { interfaces: { eth0: { addresses: ["2001:db8::1/64"] } } }
  route6: { routes: [{ to: "2001:db8:1::/64", dev: eth0 }] }
  v4: { interfaces: { eth0: { addresses: [10.0.0.1/24] } } }
  asked: { ipv6: true }
  switch: {}`);
    expect(Object.fromEntries(Object.entries(t.nodes).map(([n, node]) => [n, ipv6On(node)]))).toEqual({
      v6: true,
      route6: true,
      v4: false,
      asked: true,
      switch: false,
    });
  });

  it("refuses ipv6: false on a node with an IPv6 address, at the address, naming the key to drop", () => {
    expect(
      topoIssue(
        `nodes:\n  a:\n    ipv6: false\n    interfaces:\n      eth0: { addresses: [10.0.0.1/24, "2001:db8::1/64"] }\n  b:\n${LINKED}`,
      ),
    ).toBe(
      "5:40: nodes.a.interfaces.eth0.addresses[1]: node \"a\" has ipv6: false, but this is IPv6 (remove 'ipv6: false': a node that uses IPv6 has it on)",
    );
  });

  const topo = `nodes:
  a: { interfaces: { eth0: { addresses: [10.0.0.1/24] } } }
  b: { interfaces: { eth0: { addresses: [10.0.0.2/24, "2001:db8::2/64"] } } }
  c: { interfaces: { eth1: { addresses: [10.0.0.3/24] } } }
links:
  - [a:eth0, b:eth0]
  - [b:eth1, c:eth1]
`;

  it("refuses an IPv6 check from a node with IPv6 off, and says which key turns it on", () => {
    expect(
      scenarioIssue(topo, `scenario: s\ntopology: t.yaml\nchecks:\n  p6: { from: a, ping: "2001:db8::2" }\n`),
    ).toBe(
      's.yaml:4:24: checks.p6.ping: check "p6" sends IPv6 from node "a", which has IPv6 off (it has no IPv6 address or route; give it one, or set ipv6: true)',
    );
  });

  it("refuses an IPv6 check naming a service whose node has IPv6 off", () => {
    expect(
      scenarioIssue(
        topo,
        `scenario: s\ntopology: t.yaml\nservices:\n  web: { node: c, tcp: 80 }\nchecks:\n  w6: { from: b, tcp: "[2001:db8::3]:80", service: web }\n`,
      ),
    ).toBe(
      's.yaml:6:52: checks.w6.service: check "w6" is IPv6, but service "web" listens in node "c", which has IPv6 off (it has no IPv6 address or route; give it one, or set ipv6: true)',
    );
  });
});

describe("IPv6 policy rules", () => {
  it("refuse a family their addresses contradict, and mixed families", () => {
    const rule = (r: string) => topoIssue(`nodes:\n  a:\n    rules:\n      - ${r}\n  b:\n${LINKED}`);
    expect(rule('{ from: "2001:db8::/64", table: 1, family: inet }')).toBe(
      "4:52: nodes.a.rules[0].family: family inet, but the rule's addresses are IPv6",
    );
    expect(rule('{ from: "2001:db8::/64", to: 10.0.0.0/8, table: 1 }')).toBe(
      "4:38: nodes.a.rules[0].to: 'from' and 'to' are of different families",
    );
    expect(rule("{ fwmark: 2, table: 1, family: inet6 }")).toBe("ok");
  });
});

describe("command checks", () => {
  const topo = `nodes:\n  a: {}\n  b: {}\n${LINKED}`;
  const check = (body: string) =>
    scenarioIssue(topo, `scenario: s\ntopology: t.yaml\nchecks:\n  c:\n${body}\n`);

  it("take an argument vector, a match and an exit code", () => {
    expect(
      check(
        "    from: a\n    command: [ping, -c, 1, -t, 1, 10.0.0.2]\n    match: Time to live exceeded\n    exit: 1",
      ),
    ).toBe("ok");
  });

  it.each([
    [
      "    from: a\n    command: [ping, 10.0.0.2]\n    match: 'ttl=\\d+'",
      '7:12: checks.c.match: "\\\\d" is not POSIX extended regular expression syntax (grep -E)',
    ],
    [
      "    from: a\n    command: [ping, 10.0.0.2]\n    match: '(?=x)'",
      '7:12: checks.c.match: "(?" is not POSIX extended',
    ],
    [
      "    from: a\n    command: [ping, 10.0.0.2]\n    match: 'a(b'",
      "7:12: checks.c.match: not a regular expression: /a(b/: Unterminated group",
    ],
    [
      "    from: a\n    ping: 10.0.0.2\n    match: x",
      "4:3: checks.c: 'match' and 'exit' are for command checks",
    ],
    [
      "    from: a\n    command: [ping, 10.0.0.2]\n    service: web",
      "7:14: checks.c.service: a command check takes no 'service'",
    ],
    ["    command: [ping, 10.0.0.2]", "4:3: checks.c: a ping, tcp, udp or command check needs 'from'"],
  ])("refuse %j", (body, want) => {
    expect(check(body)).toContain(`s.yaml:${want}`);
  });
});

describe("unknown keys", () => {
  it("lists the keys allowed at the place, and suggests the nearest", () => {
    expect(
      topoIssue(
        `nodes:\n  a:\n    bridges:\n      br0:\n        vlan_filtering: true\n        ports: { eth0: { vlan: [10] } }\n  b:\n${LINKED}`,
      ),
    ).toBe(
      '6:26: nodes.a.bridges.br0.ports.eth0.vlan: unknown key "vlan" (did you mean "vlans"?); allowed here: hairpin, promisc, learning, flood, vlans, pvid, untagged',
    );
  });

  it("finds the map a path leads to through records, lists, unions and options", () => {
    expect(keysAt(Topology, ["nodes", "r1", "routes", 0])).toEqual([
      "to",
      "via",
      "dev",
      "table",
      "onlink",
      "metric",
      "src",
      "encap",
    ]);
    expect(keysAt(Topology, ["nodes", "r1", "interfaces", "eth0"])).toContain("qdisc");
    expect(keysAt(Topology, ["links", 0])).toBeUndefined();
  });

  it.each([
    ["vlan", ["vlans", "pvid"], "vlans"],
    ["interface", ["interfaces", "routes"], "interfaces"],
    ["Routes", ["interfaces", "routes"], "routes"],
    ["colour", ["description", "from", "ping"], undefined],
    ["id", ["ip", "if"], "ip"],
  ])("suggests for %j among %j: %j", (word, candidates, want) => {
    expect(nearest(word, candidates)).toBe(want);
  });
});
