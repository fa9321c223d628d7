// nsmatrix graph: a topology's nodes, links, bridge ports, VRFs, tunnels and addresses.
import { describe, expect, it } from "vitest";
import { drawTopology } from "../../src/compile/graph.js";
import { loadTopology } from "../../src/model/index.js";

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
});
