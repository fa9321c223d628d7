// nsmatrix graph: a topology's nodes, links, bridge ports, VRFs, tunnels and addresses.
import { describe, expect, it } from "vitest";
import { drawTopology } from "../../../src/compile/graph.js";
import { loadTopology } from "../../../src/model/index.js";

describe("drawTopology", () => {
  const box0 = loadTopology("topologies/box0-bridge.yaml");
  it("draws Box0 in Mermaid: each node a box, its devices and addresses inside, veths and ports as edges", () => {
    const m = drawTopology(box0, "mermaid");
    expect(m).toMatch(/^flowchart LR\n/);
    expect(m).toContain('  subgraph box0__["box0"]');
    expect(m).toContain('    box0__br0["br0 (bridge)<br>1.1.1.1/24<br>192.168.44.1/24"]');
    expect(m).toContain("  host1__eth0 --- switch__swp1");
    expect(m).toContain("  box0__eth1 -.- box0__br0");
  });

  it("draws dot that Graphviz reads, with tunnels and their keys", () => {
    const d = drawTopology(loadTopology("test/fixtures/good/vrf-gretap.topo.yaml"), "dot");
    expect(d).toMatch(/^graph topology \{/);
    expect(d).toMatch(/\[label="tun1 \(gretap external\)\\n10\.0\.0\.1\/24"\]/);
    expect(d).toMatch(/user1 \(vrf table 1\)/);
  });

  it("draws created devices on their lower devices, bond members, a macvlan across nodes, qdiscs and IPv6", () => {
    const m = drawTopology(loadTopology("test/fixtures/scenarios/devices.topo.yaml"), "mermaid");
    expect(m).toContain('    a__outer["outer (vlan 802.1ad id 200)"]');
    expect(m).toContain("  a__inner -.- a__outer");
    expect(m).toContain("  a__eth0 -.- a__bond0");
    expect(m).toContain("  pod__ipv0 -.- host__eth0");
    expect(m).toContain('    a__eth2["eth2<br>10.50.0.1/24<br>qdisc netem delay 20ms"]');
    const v6 = drawTopology(loadTopology("test/fixtures/cases/dual-stack.topo.yaml"), "mermaid");
    expect(v6).toContain('    r__eth0["eth0<br>10.1.0.1/24<br>2001:db8:1::1/64"]');
    const vlans = drawTopology(loadTopology("test/fixtures/cases/vlan-bridge.topo.yaml"), "mermaid");
    expect(vlans).toContain('    sw__p1["p1<br>vlans 10 pvid 10"]');
    expect(vlans).toContain('    sw__br0["br0 (bridge, VLAN-aware)"]');
  });
});
