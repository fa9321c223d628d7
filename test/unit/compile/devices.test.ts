// The compiler's part of issue 17: devices in the order the kernel needs them, bridge VLANs and
// qdiscs in batches of their own, IPv6 without DAD, dual-stack services, a probe for every feature,
// and command checks. Pure: no root, nothing runs but sh -n.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compileVariant } from "../../../src/compile/index.js";
import { loadScenario, parseScenario, parseSource, scenarioFrom } from "../../../src/model/index.js";

const devices = compileVariant(loadScenario("test/fixtures/scenarios/devices.yaml"), "default");
const dual = compileVariant(loadScenario("test/fixtures/cases/dual-stack.yaml"), "default");
const vlans = compileVariant(loadScenario("test/fixtures/cases/vlan-bridge.yaml"), "default");

/** The lines of a batch (its here-document), without the origin comments. */
function batchOf(text: string, id: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trimStart().startsWith(`nsm_batch ${id} `));
  if (start < 0) return [];
  const end = lines.indexOf("NSM_EOF", start);
  return lines.slice(start + 1, end).map((l) => l.replace(/ # .*$/, ""));
}

/** A scenario of inline text (topology and scenario), compiled. */
function compiled(topo: string, scenario: string) {
  const src = parseSource("s.yaml", scenario);
  const sc = scenarioFrom(src, parseScenario(src), ".", parseSource("t.yaml", topo), ".");
  return compileVariant(sc, sc.variants[0]?.name ?? "");
}

describe("devices", () => {
  it("creates each device after the one it sits on, enslaves bond members before anything is up", () => {
    const a = batchOf(devices.text, "a-ip");
    const at = (l: string) => a.indexOf(l);
    expect(at("link add name bond0 type bond mode active-backup miimon 100")).toBeGreaterThan(0);
    expect(at("link add name outer link bond0 type vlan protocol 802.1ad id 200")).toBeGreaterThan(
      at("link add name bond0 type bond mode active-backup miimon 100"),
    );
    expect(at("link add name inner link outer type vlan id 10")).toBeGreaterThan(
      at("link add name outer link bond0 type vlan protocol 802.1ad id 200"),
    );
    expect(at("link set dev eth0 master bond0")).toBeLessThan(at("link set dev eth0 up"));
    expect(at("link set dev eth1 master bond0")).toBeLessThan(
      a.findIndex((l) => l.endsWith(" up") && l !== "link set dev lo up"),
    );
    expect(a).toContain("link add name dummy0 type dummy");
  });

  it("makes another node's ipvlan in the parent's batch, straight into its node, and builds the parent first", () => {
    expect(batchOf(devices.text, "host-ip")).toContain(
      "link add name ipv0 link eth0 netns $P-pod type ipvlan mode l2",
    );
    expect(batchOf(devices.text, "pod-ip")).toEqual([
      "link set dev lo up",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the script's own variable, literally
      "${nsm_ag}link set dev ipv0 addrgenmode none",
      "link set dev ipv0 up",
      "addr add 10.50.0.3/24 dev ipv0",
    ]);
    // The parent node comes first even where the file lists the child first.
    const text = compiled(
      `nodes:
  c: { interfaces: { mv0: { type: macvlan, link: "p:eth0", mode: bridge } } }
  p: {}
  q: {}
links:
  - [p:eth0, q:eth0]
`,
      "scenario: s\ntopology: t.yaml\nchecks:\n  x: { from: c, ping: 10.0.0.1 }\n",
    ).text;
    expect(text.indexOf("nsm_batch p-ip")).toBeLessThan(text.indexOf("nsm_batch c-ip"));
  });

  it("sets the root qdisc in a tc batch, after the interfaces exist", () => {
    expect(batchOf(devices.text, "a-tc")).toEqual(["qdisc replace dev eth2 root netem delay 20ms"]);
    expect(devices.text.indexOf("nsm_batch a-tc")).toBeGreaterThan(devices.text.indexOf("nsm_batch pod-ip"));
    expect(devices.tools).toContain("tc");
  });

  it("probes every kind it uses, naming the CONFIG_ option, before set-up", () => {
    const needs = devices.text.split("\n").filter((l) => l.trimStart().startsWith("nsm_need "));
    expect(needs.map((l) => l.trim().split(" ")[1])).toEqual([
      "veth",
      "bond",
      "vlan",
      "vlan-802.1ad",
      "dummy",
      "qdisc-netem",
      "ipvlan",
    ]);
    expect(devices.text).toContain("nsm_need bond 'kernel lacks bonding (CONFIG_BONDING)'");
    expect(devices.text).toContain(
      "nsm_need qdisc-netem 'kernel lacks the netem qdisc (CONFIG_NET_SCH_NETEM)'",
    );
    expect(devices.text.indexOf("nsm_need ipvlan")).toBeLessThan(devices.text.indexOf("topology() {"));
  });

  it("loads the modules of each kind (module autoload misses some in a guest)", () => {
    for (const m of ["bonding", "8021q", "dummy", "sch_netem", "ipvlan"])
      expect(devices.text).toContain(`[ -d /sys/module/${m} ] || modprobe -q ${m} 2>/dev/null || :`);
  });

  it("runs a node's own commands last, one quoted process each", () => {
    const lines = devices.text.split("\n").map((l) => l.trim());
    const cmd = lines.findIndex((l) => l.startsWith("nsm_step 'nodes.pod.commands[0]"));
    expect(lines[cmd]).toBe(
      "nsm_step 'nodes.pod.commands[0] (test/fixtures/scenarios/devices.topo.yaml:30): ip link set dev ipv0 mtu 1400' nsm_in pod ip link set dev ipv0 mtu 1400",
    );
    expect(cmd).toBeGreaterThan(lines.findIndex((l) => l.startsWith("nsm_batch a-tc")));
  });

  it("writes scripts sh parses", () => {
    for (const s of [devices, dual, vlans])
      expect(() => execFileSync("sh", ["-n"], { input: s.text })).not.toThrow();
  });
});

describe("bridge VLANs", () => {
  it("makes each port a member of exactly its VLANs: VLAN 1 goes, the pvid is untagged on access ports", () => {
    expect(batchOf(vlans.text, "sw-bridge")).toEqual([
      "vlan del dev p1 vid 1",
      "vlan add dev p1 vid 10 pvid untagged",
      "vlan del dev p2 vid 1",
      "vlan add dev p2 vid 20 pvid untagged",
      "vlan del dev p3 vid 1",
      "vlan add dev p3 vid 10 pvid untagged",
      "vlan del dev p5 vid 1",
      "vlan add dev p5 vid 20 pvid untagged",
      "vlan del dev p4 vid 1",
      "vlan add dev p4 vid 10",
      "vlan add dev p4 vid 20",
    ]);
    expect(batchOf(vlans.text, "sw-ip")).toContain("link add name br0 type bridge vlan_filtering 1");
    expect(vlans.text).toContain(
      "nsm_need vlan_filtering 'kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)'",
    );
    expect(vlans.tools).toContain("bridge");
  });

  it("writes runs of VLANs with the same flags as ranges, the pvid alone, and the bridge's own with self", () => {
    const text = compiled(
      `nodes:
  sw:
    bridges:
      br0:
        vlan_filtering: true
        vlans: [1, 10]
        pvid: 10
        untagged: [10]
        ports: { p1: { vlans: [1, 9-12, 100-102], pvid: 10, untagged: [11, 12] } }
  h: {}
links:
  - [h:eth0, sw:p1]
`,
      "scenario: s\ntopology: t.yaml\nchecks:\n  x: { from: h, ping: 10.0.0.1 }\n",
    ).text;
    expect(batchOf(text, "sw-bridge")).toEqual([
      "vlan add dev br0 vid 1 self",
      "vlan add dev br0 vid 10 pvid untagged self",
      "vlan add dev p1 vid 1",
      "vlan add dev p1 vid 9",
      "vlan add dev p1 vid 10 pvid",
      "vlan add dev p1 vid 11-12 untagged",
      "vlan add dev p1 vid 100-102",
    ]);
  });
});

describe("IPv6", () => {
  it("adds IPv6 addresses nodad, on nodes with DAD off before any link exists, and keeps IPv4 as it was", () => {
    expect(batchOf(dual.text, "h1-ip")).toContain("addr add 2001:db8:1::2/64 dev eth0 nodad");
    expect(batchOf(dual.text, "h1-ip")).toContain("addr add 10.1.0.2/24 dev eth0");
    expect(batchOf(dual.text, "nodad")).toEqual(
      ["h1", "r", "h2"].map(
        (n) =>
          `netns exec $P-${n} sysctl -q -e -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0`,
      ),
    );
    expect(dual.text.indexOf("nsm_batch nodad")).toBeLessThan(dual.text.indexOf("nsm_batch links"));
    // IPv6 is on: no device of an IPv6 node is quieted.
    expect(batchOf(dual.text, "r-ip").some((l) => l.includes("addrgenmode none"))).toBe(false);
    expect(dual.text).toContain("nsm_need ipv6 'kernel lacks IPv6 (CONFIG_IPV6");
  });

  it("leaves DAD on where an interface asks for it, and waits for it before the checks", () => {
    const text = compiled(
      `nodes:
  a: { interfaces: { eth0: { addresses: ["2001:db8::1/64"], dad: true } } }
  b: { interfaces: { eth0: { addresses: ["2001:db8::2/64"] } } }
links:
  - [a:eth0, b:eth0]
`,
      'scenario: s\ntopology: t.yaml\nchecks:\n  x: { from: b, ping: "2001:db8::1" }\n',
    ).text;
    expect(batchOf(text, "a-ip")).toContain("addr add 2001:db8::1/64 dev eth0");
    expect(batchOf(text, "b-ip")).toContain("addr add 2001:db8::2/64 dev eth0 nodad");
    expect(batchOf(text, "nodad")).toEqual([
      "netns exec $P-b sysctl -q -e -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
    ]);
    expect(text).toMatch(/^ {2}nsm_dad a\n\}/m);
  });

  it("starts a listener per family for services on IPv6 nodes, one for IPv4 elsewhere", () => {
    expect(dual.text).toContain("nsm_serve h2 web tcp 80 4\n  nsm_serve h2 web tcp 80 6\n");
    expect(dual.text).toContain("nsm_wait_listen h2 udp 53 dns 6\n");
    const v4 = compileVariant(loadScenario("test/fixtures/cases/macvlan.yaml"), "bridge").text;
    expect(v4).toContain("nsm_serve c2 web-c2 tcp 80 4\n");
    expect(v4).not.toContain("nsm_serve c2 web-c2 tcp 80 6");
  });

  it("feeds ip6tables rules to ip6tables-restore, and probes its tables", () => {
    const text = compiled(
      `nodes:
  a:
    interfaces: { eth0: { addresses: ["2001:db8::1/64"] } }
    firewall:
      ip6tables:
        filter: ["-A INPUT -p tcp --dport 22 -j DROP"]
  b: { interfaces: { eth0: { addresses: ["2001:db8::2/64"] } } }
links:
  - [a:eth0, b:eth0]
`,
      'scenario: s\ntopology: t.yaml\nchecks:\n  x: { from: b, tcp: "[2001:db8::1]:22", expect: no-reach }\n',
    );
    expect(text.text).toContain(
      "nsm_in a ip6tables-restore --noflush <<'NSM_EOF'\n*filter\n-A INPUT -p tcp --dport 22 -j DROP\nCOMMIT\nNSM_EOF",
    );
    expect(text.text).toContain(
      "nsm_need ip6tables_filter 'ip6tables cannot use the filter table on this kernel",
    );
    expect(text.tools).toContain("ip6tables-restore");
  });
});

describe("IPv6 policy rules", () => {
  it("go in an ip -6 batch of their own: by their addresses, or by family: inet6", () => {
    const text = compiled(
      `nodes:
  r:
    interfaces: { eth0: { addresses: ["2001:db8:1::1/64", 10.0.0.1/24] } }
    rules:
      - { fwmark: 2, table: 200, priority: 100, family: inet6 }
      - { from: "2001:db8:7::/64", table: 200 }
      - { fwmark: 2, table: 100 }
  a: {}
links:
  - [r:eth0, a:eth0]
`,
      "scenario: s\ntopology: t.yaml\nchecks:\n  x: { from: r, ping: 10.0.0.1 }\n",
    ).text;
    expect(text).toContain("nsm_batch r-ip6 'r: IPv6 rules' r ip -6 <<NSM_EOF\n");
    expect(batchOf(text, "r-ip6")).toEqual([
      "rule add priority 100 fwmark 2 table 200",
      "rule add from 2001:db8:7::/64 table 200",
    ]);
    expect(batchOf(text, "r-ip")).toContain("rule add fwmark 2 table 100");
  });
});

describe("command checks", () => {
  it("run the vector under timeout in their node, then judge the output with the pattern quoted", () => {
    expect(dual.text).toContain(
      "check_8() {\n  ip netns exec $P-h1 timeout -k 1 10 ping -n -c 1 -W 1 -t 1 10.2.0.2\n}",
    );
    expect(dual.text).toContain("nsm_measure 8 check_8\nnsm_match 8 'Time to live exceeded' ''\n");
    expect(dual.tools).toEqual(expect.arrayContaining(["timeout", "grep", "ping", "ip"]));
  });

  it("scale the command's limit with the timeout scale, as a service's answer is", () => {
    const sc = loadScenario("test/fixtures/cases/dual-stack.yaml");
    expect(compileVariant(sc, "default", { timeoutScale: 3 }).text).toContain("timeout -k 1 30 ping -n -c 1");
  });
});
