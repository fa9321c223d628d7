import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compileVariant, q } from "../../../src/compile/index.js";
import { loadScenario, type ScenarioModel } from "../../../src/model/index.js";

const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");
const vrfGretap = loadScenario("test/fixtures/good/vrf-gretap.yaml");
const needs = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trimStart())
    .filter((l) => l.startsWith("nsm_need "));

/** The lines between `start` (inclusive) and the next `end` line (inclusive). */
function section(text: string, start: string, end = "NSM_EOF"): string {
  const lines = text.split("\n").map((l) => l.replace(/^ {2}/, ""));
  const i = lines.findIndex((l) => l.startsWith(start));
  const j = lines.findIndex((l, k) => k > i && l === end);
  return lines.slice(i, j + 1).join("\n");
}

function withNode(sc: ScenarioModel, name: string): ScenarioModel {
  const v = sc.variants[0];
  if (!v) throw new Error("no variant");
  const topology = { ...v.topology, nodes: { ...v.topology.nodes, [name]: {} } };
  return { ...sc, variants: [{ ...v, topology }] };
}

describe("compileVariant", () => {
  it("is pure: the same model gives the same script", () => {
    expect(compileVariant(box0, "hairpin").text).toBe(compileVariant(box0, "hairpin").text);
  });

  it.each(box0.variants.map((v) => v.name))("writes a script that sh parses for variant %s", (variant) => {
    const { text } = compileVariant(box0, variant);
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
  });

  it("quiets the link-local IGMP reports of nodes with bridges, before any link exists", () => {
    const text = compileVariant(box0, "baseline").text;
    expect(section(text, "nsm_batch igmp 'quiet link-local IGMP reports'")).toMatchInlineSnapshot(`
      "nsm_batch igmp 'quiet link-local IGMP reports' - ip <<NSM_EOF
      netns exec $P-switch sysctl -q -e -w net.ipv4.igmp_link_local_mcast_reports=0
      netns exec $P-box0 sysctl -q -e -w net.ipv4.igmp_link_local_mcast_reports=0
      NSM_EOF"
    `);
    expect(text.indexOf("quiet link-local IGMP reports")).toBeLessThan(text.indexOf("create veth links"));
  });

  it("leaves link-local IGMP reports alone where the node sets the key, or has no bridge", () => {
    const v = box0.variants.find((x) => x.name === "baseline");
    if (!v) throw new Error("no baseline");
    const box0Node = v.topology.nodes.box0 ?? {};
    const sysctls = { ...box0Node.sysctls, "net.ipv4.igmp_link_local_mcast_reports": 1 };
    const nodes = { ...v.topology.nodes, box0: { ...box0Node, sysctls } };
    const sc = { ...box0, variants: [{ ...v, topology: { ...v.topology, nodes } }] };
    const quiet = section(
      compileVariant(sc, "baseline").text,
      "nsm_batch igmp 'quiet link-local IGMP reports'",
    );
    expect(quiet).toContain("$P-switch");
    expect(quiet).not.toContain("$P-box0");
    expect(compileVariant(vrfGretap, vrfGretap.variants[0]?.name ?? "").text).not.toContain(
      "igmp_link_local_mcast_reports",
    );
  });

  it("builds Box0's bridge in one ip batch, with the br_netfilter option", () => {
    expect(section(compileVariant(box0, "baseline").text, "nsm_batch box0-ip")).toMatchInlineSnapshot(`
      "nsm_batch box0-ip 'box0: interfaces, addresses, routes' box0 ip <<NSM_EOF
      link set dev lo up
      \${nsm_ag}link set dev eth1 addrgenmode none
      \${nsm_ag}link set dev eth0 addrgenmode none
      link add name br0 type bridge nf_call_iptables 1 # nodes.box0.bridges.br0 (topologies/box0-bridge.yaml:40)
      \${nsm_ag}link set dev br0 addrgenmode none
      link set dev eth0 master br0 # nodes.box0.bridges.br0.ports.eth0 (topologies/box0-bridge.yaml:41)
      link set dev eth1 master br0 # nodes.box0.bridges.br0.ports.eth1 (topologies/box0-bridge.yaml:41)
      link set dev br0 address 02:00:00:00:b0:01 # nodes.box0.interfaces.br0.mac (topologies/box0-bridge.yaml:45)
      link set dev eth1 up # links[2] (topologies/box0-bridge.yaml:56)
      link set dev eth0 up # links[3] (topologies/box0-bridge.yaml:57)
      link set dev br0 up # nodes.box0.interfaces.br0 (topologies/box0-bridge.yaml:44)
      addr add 1.1.1.1/24 dev br0 # nodes.box0.interfaces.br0.addresses[0] (topologies/box0-bridge.yaml:46)
      addr add 192.168.44.1/24 dev br0 # nodes.box0.interfaces.br0.addresses[1] (topologies/box0-bridge.yaml:46)
      NSM_EOF"
    `);
  });

  it("applies a variant's port options and appended routes", () => {
    const hairpin = compileVariant(box0, "hairpin").text;
    expect(hairpin).toContain("link set dev eth1 type bridge_slave hairpin on");
    expect(compileVariant(box0, "baseline").text).not.toContain("hairpin on");
    const vepa = compileVariant(box0, "hairpin-vepa").text;
    expect(vepa).toContain("link set dev swp0 type bridge_slave learning off");
    const route = compileVariant(box0, "route-broute-arp").text;
    expect(route).toContain("route add 192.168.44.129/32 dev eth1");
    expect(route).toContain(
      "ebtables-legacy -t broute -A BROUTING -i eth1 -p ARP --arp-ip-src 192.168.44.129 -j DROP",
    );
  });

  it("feeds iptables rules through a quoted here-document, never the shell", () => {
    expect(
      section(compileVariant(box0, "baseline").text, "nsm_step 'nodes.box0.firewall.iptables"),
    ).toMatchInlineSnapshot(`
      "nsm_step 'nodes.box0.firewall.iptables (topologies/box0-bridge.yaml:48): iptables-restore' nsm_in box0 iptables-restore --noflush <<'NSM_EOF'
      *nat
      -A PREROUTING -d 1.1.1.1/32 -p tcp --dport 8080 -j DNAT --to-destination 192.168.44.129:80
      -A PREROUTING -d 1.1.1.1/32 -p tcp --dport 8081 -j DNAT --to-destination 192.168.44.130:80
      COMMIT
      NSM_EOF"
    `);
  });

  it("gives veth ends distinct ifindexes so carrier events are not delayed", () => {
    expect(compileVariant(box0, "baseline").text).toContain(
      "link add name eth0 index 100 netns $P-host1 type veth peer name swp1 index 101 netns $P-switch",
    );
  });

  it("probes the features the variant uses and names the reason to skip", () => {
    const base = compileVariant(box0, "baseline").text;
    expect(base).toContain("nsm_need br_netfilter 'kernel lacks br_netfilter (CONFIG_BRIDGE_NETFILTER)'");
    expect(
      base
        .split("\n")
        .filter((l) => l.startsWith("nsm_need"))
        .join("\n"),
    ).not.toContain("broute");
    expect(compileVariant(box0, "broute-ipv4").text).toContain(
      `nsm_need ebtables-legacy_broute 'kernel lacks the ebtables broute table (CONFIG_BRIDGE_EBT_BROUTE, legacy ebtables)' 'ip netns exec "$PROBE" ebtables-legacy -t broute -L'`,
    );
  });

  it("lists the tools the backend must find", () => {
    expect(compileVariant(box0, "baseline").tools.sort()).toEqual(
      ["awk", "iptables-restore", "ip", "modprobe", "nsenter", "od", "ping", "socat", "sysctl"].sort(),
    );
    expect(compileVariant(box0, "broute-ipv4").tools).toContain("ebtables-legacy");
  });

  it("runs checks one after the other in declared order, each reported before the next starts", () => {
    const text = compileVariant(box0, "baseline").text;
    const at = (line: string) => text.indexOf(`\n${line}`);
    const names = box0.checks.map((c) => c.name);
    names.forEach((name, i) => {
      expect(at(`nsm_measure ${i + 1} check_${i + 1}\n`)).toBeGreaterThan(0);
      expect(at(`nsm_report ${i + 1} ${name} `)).toBeGreaterThan(at(`nsm_measure ${i + 1} `));
      if (i > 0) expect(at(`nsm_measure ${i + 1} `)).toBeGreaterThan(at(`nsm_report ${i} `));
    });
    expect(text).not.toContain("wait $nsm_pids");
    expect(text).toContain("runs the checks one after the other, in this order");
  });

  it("with parallel: true, runs checks concurrently and waits only for them, not the services", () => {
    const text = compileVariant({ ...box0, parallel: true }, "baseline").text;
    expect(text).toContain('nsm_measure 2 check_2 &\nnsm_pids="$nsm_pids $!"');
    expect(text).toContain("wait $nsm_pids");
  });

  it("runs a big topology's node batches four at a time, and waits for each group", () => {
    const v = box0.variants[0];
    if (!v) throw new Error("no variant");
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`n${i}`, {}]));
    const sc = { ...box0, variants: [{ ...v, topology: { nodes: many, links: [] } }] };
    const text = compileVariant(sc, v.name).text;
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
    expect(text.match(/^ {2}nsm_batch n\d+-ip .* <<NSM_EOF &$/gm)).toHaveLength(40);
    expect(text.match(/^ {2}nsm_pwait /gm)).toHaveLength(10);
    expect(text).toContain('  nsm_g3=$!\n  nsm_pwait "$nsm_g0" "$nsm_g1" "$nsm_g2" "$nsm_g3"\n');
    // A small topology keeps one plain step per node.
    expect(compileVariant(box0, "baseline").text).not.toMatch(/<<NSM_EOF &$/m);
  });

  it("refuses a node name that would put shell syntax into a command", () => {
    expect(() => compileVariant(withNode(box0, "x$(reboot)"), "baseline")).toThrow(/unsafe text/);
  });

  it.each([
    ["the terminator itself", "table ip t {}\nNSM_EOF\nreboot"],
    ["the terminator with trailing spaces", "table ip t {}\nNSM_EOF   \nreboot"],
    ["every terminator the compiler might pick next", "NSM_EOF\nNSM_EOF_1\n NSM_EOF_2\nreboot"],
  ])("passes a ruleset holding %s to nft whole, and runs none of it", (_what, nft) => {
    const v = box0.variants[0];
    if (!v) throw new Error("no variant");
    const box = v.topology.nodes.box0 ?? {};
    const nodes = { ...v.topology.nodes, box0: { ...box, firewall: { nft } } };
    const sc = { ...box0, variants: [{ ...v, topology: { ...v.topology, nodes } }] };
    const text = compileVariant(sc, v.name).text;
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.trimStart().startsWith("nsm_step 'nodes.box0.firewall.nft"));
    const tag = /<<'(\w+)'$/.exec(lines[start] ?? "")?.[1] ?? "";
    const end = lines.indexOf(tag, start + 1);
    // The here-document, fed to cat instead of nft: the ruleset comes out whole, then the next command runs.
    const doc = [`cat <<'${tag}'`, ...lines.slice(start + 1, end + 1), "echo after"].join("\n");
    expect(execFileSync("sh", ["-c", doc], { encoding: "utf8" })).toBe(`${nft}\nafter\n`);
  });

  it("builds tunnels and VRFs before enslaving, then addresses, encap routes and rules", () => {
    const text = compileVariant(vrfGretap, "default").text;
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
    expect(section(text, "nsm_batch gw-ip")).toMatchInlineSnapshot(`
      "nsm_batch gw-ip 'gw: interfaces, addresses, routes' gw ip <<NSM_EOF
      link set dev lo up
      \${nsm_ag}link set dev eth0 addrgenmode none
      link add name tun1 type gretap external # nodes.gw.tunnels.tun1 (test/fixtures/good/vrf-gretap.topo.yaml:9)
      link add name user1 type vrf table 1 # nodes.gw.vrfs.user1 (test/fixtures/good/vrf-gretap.topo.yaml:7)
      \${nsm_ag}link set dev tun1 addrgenmode none
      \${nsm_ag}link set dev user1 addrgenmode none
      link set dev tun1 master user1 # nodes.gw.vrfs.user1.interfaces[0] (test/fixtures/good/vrf-gretap.topo.yaml:7)
      link set dev eth0 up # nodes.gw.interfaces.eth0 (test/fixtures/good/vrf-gretap.topo.yaml:11)
      link set dev tun1 up # nodes.gw.interfaces.tun1 (test/fixtures/good/vrf-gretap.topo.yaml:12)
      link set dev user1 up # nodes.gw.vrfs.user1 (test/fixtures/good/vrf-gretap.topo.yaml:7)
      addr add 172.168.0.1/24 dev eth0 # nodes.gw.interfaces.eth0.addresses[0] (test/fixtures/good/vrf-gretap.topo.yaml:11)
      addr add 10.0.0.1/24 dev tun1 # nodes.gw.interfaces.tun1.addresses[0] (test/fixtures/good/vrf-gretap.topo.yaml:12)
      route add 10.0.0.7/32 encap ip id 1000 dst 172.168.0.11 key dev tun1 table 1 # nodes.gw.routes[0] (test/fixtures/good/vrf-gretap.topo.yaml:14)
      rule add priority 999 l3mdev # nodes.gw.rules[0] (test/fixtures/good/vrf-gretap.topo.yaml:16)
      NSM_EOF"
    `);
    expect(text).toContain(
      "link add name tun0 type gretap key 1000 local 172.168.0.11 remote 172.168.0.1 # nodes.ns1.tunnels.tun0",
    );
  });

  it("watches the wire and the conntrack table around the checks that ask, and reports what was seen", () => {
    const sc = loadScenario("test/fixtures/scenarios/mtgw-controls.yaml");
    const { text, tools } = compileVariant(sc, "no-flow-add");
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
    expect(tools).toEqual(expect.arrayContaining(["tcpdump", "conntrack"]));
    expect(text).toContain("nsm_serve ns1 bulk tcp 22 4 1048576\n");
    const lines = text.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    // In declared order, a capture listens just before its own check and stops just after it.
    expect(lines[at("nsm_capture_start 3")]).toBe(
      "nsm_capture_start 3 ns1 eth0 'icmp and ip src 192.0.2.99'",
    );
    expect(at("nsm_report 2")).toBeLessThan(at("nsm_capture_start 3"));
    expect(at("nsm_capture_start 3")).toBeLessThan(at("nsm_measure 3"));
    expect(at("nsm_measure 3")).toBeLessThan(at("nsm_capture_stop 3"));
    expect(at("nsm_capture_stop 3")).toBeLessThan(at("nsm_report 3"));
    // The offload watcher runs beside its check; the transfer needs the name line and 1 MiB.
    expect(lines.slice(at("nsm_offload_watch 1"), at("nsm_report_end transfer-not") + 1)).toEqual([
      "nsm_offload_watch 1 gw 22 ipv4 &",
      "nsm_wpid=$!",
      "nsm_trace_on 2048",
      "nsm_measure 1 check_1",
      "nsm_trace_off 1",
      'wait "$nsm_wpid"',
      `nsm_report 1 transfer-not-offloaded kind=tcp service=bulk timeout=5 answer=5 expect="$nsm_e1" command="ip netns exec $P-cl socat -u -T 5 TCP4:2.2.2.11:22,connect-timeout=5 STDOUT" bytes=1048581 offload=gw`,
      "nsm_drops 1",
      "nsm_report_end transfer-not-offloaded",
    ]);
    // The command, written out in its own function, is the one the evidence names.
    expect(text).toContain(
      "check_1() {\n  ip netns exec $P-cl socat -u -T 5 TCP4:2.2.2.11:22,connect-timeout=5 STDOUT\n}\n",
    );
    expect(lines[at("nsm_report 2")]).toBe(
      `nsm_report 2 transfer-whole kind=tcp service=bulk timeout=5 answer=5 expect="$nsm_e2" command="ip netns exec $P-cl socat -u -T 5 TCP4:2.2.2.11:22,connect-timeout=5 STDOUT" bytes=1048581`,
    );
    expect(lines[at("nsm_report 3")]).toBe(
      `nsm_report 3 ping-wrong-capture kind=ping timeout=5 expect="$nsm_e3" command="ip netns exec $P-cl ping -n -c 1 -W 5 10.0.0.7" capture=1`,
    );
  });

  it("with parallel: true, starts every capture before any check and stops them after all", () => {
    const sc = loadScenario("test/fixtures/scenarios/mtgw-controls.yaml");
    const lines = compileVariant({ ...sc, parallel: true }, "no-flow-add").text.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at("nsm_capture_start 4")).toBeLessThan(at("nsm_measure 1"));
    expect(at("nsm_capture_stop 3")).toBeGreaterThan(at("wait $nsm_pids"));
    expect(at("nsm_report 1")).toBeGreaterThan(at("nsm_capture_stop 4"));
  });

  it("probes for the encap 'key' flag only where a route sets it", () => {
    const gw = compileVariant(loadScenario("scenarios/mtgw-lwt-key-flag.yaml"), "external-gretap").text;
    expect(gw).toContain("nsm_need lwtunnel_key 'iproute2 lacks the key flag of encap ip (iproute2 5.0+)'");
    const routed = compileVariant(loadScenario("scenarios/mtgw-flowtable-dnat.yaml"), "dnat-offload").text;
    expect(routed).not.toContain("encap ip");
    expect(routed).not.toContain("key flag");
  });

  it("probes VRF, gretap, lwtunnel, flowtable and iifkind only when used, and loads their modules", () => {
    const text = compileVariant(vrfGretap, "default").text;
    expect(needs(text).map((l) => /^nsm_need \S+ '([^']*)'/.exec(l)?.[1])).toMatchInlineSnapshot(`
      [
        "kernel lacks veth (CONFIG_VETH)",
        "kernel lacks VRF (CONFIG_NET_VRF)",
        "kernel lacks gretap (CONFIG_NET_IPGRE)",
        "kernel lacks lightweight tunnels (CONFIG_LWTUNNEL)",
        "iproute2 lacks the key flag of encap ip (iproute2 5.0+)",
        "kernel lacks nf_tables (CONFIG_NF_TABLES)",
        "kernel lacks nftables flowtable (CONFIG_NF_FLOW_TABLE)",
        "meta iifkind/oifkind needs NFT_META_IIFKIND/OIFKIND (kernel 5.1+) and nft 0.9.1+",
      ]
    `);
    expect(text).toContain("[ -d /sys/module/vrf ] || modprobe -q vrf 2>/dev/null || :");
    expect(text).toContain("modprobe -q ip_gre 2>/dev/null || :");
    expect(text).toContain("modprobe -q nf_flow_table_inet 2>/dev/null || :");
    const base = compileVariant(box0, "baseline").text;
    expect(needs(base).join("\n")).not.toMatch(/VRF|gretap|lightweight|flowtable|iifkind/);
    expect(base).not.toMatch(/modprobe -q (vrf|ip_gre|nf_flow_table)/);
  });

  it.each([
    ["eth0", "eth0"],
    ["1.1.1.1/24", "1.1.1.1/24"],
    ["a b", "'a b'"],
    ["$(reboot)", "'$(reboot)'"],
    ["it's", `'it'\\''s'`],
    ["", "''"],
  ])("quotes %j as %s", (word, quoted) => {
    expect(q(word)).toBe(quoted);
  });
});
