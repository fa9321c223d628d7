import { describe, expect, it } from "vitest";
import { deviceLines, routeLine, ruleLine } from "../../../src/compile/l3.js";

describe("layer-3 ip -batch lines", () => {
  it("creates each tunnel type with its options", () => {
    expect(
      deviceLines({
        tunnels: {
          g0: { type: "gre", key: 7, local: "192.0.2.1", remote: "192.0.2.2", ttl: 64 },
          i0: { type: "ipip", local: "192.0.2.1", remote: "192.0.2.3" },
          vx0: { type: "vxlan", id: 42, dstport: 4789, local: "192.0.2.1", remote: "192.0.2.4" },
          vx1: { type: "vxlan", external: true, dstport: 4789 },
        },
        vrfs: { red: { table: 10, interfaces: ["br0", "eth0"] } },
      }),
    ).toEqual([
      "link add name g0 type gre key 7 local 192.0.2.1 remote 192.0.2.2 ttl 64",
      "link add name i0 type ipip local 192.0.2.1 remote 192.0.2.3",
      "link add name vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 remote 192.0.2.4",
      "link add name vx1 type vxlan dstport 4789 external",
      "link add name red type vrf table 10",
    ]);
  });

  it("puts encap before dev and keeps table and onlink", () => {
    expect(
      routeLine({
        to: "10.0.0.7/32",
        dev: "tun1",
        table: 1,
        onlink: true,
        encap: { type: "ip", id: 1000, dst: "172.168.0.11", key: true, ttl: 64 },
      }),
    ).toBe("route add 10.0.0.7/32 encap ip id 1000 dst 172.168.0.11 key ttl 64 dev tun1 table 1 onlink");
  });

  it("writes policy rules", () => {
    expect(
      ruleLine({
        from: "10.0.0.0/24",
        to: "10.1.0.0/16",
        iif: "user1",
        fwmark: 3,
        table: "main",
        priority: 10,
      }),
    ).toBe("rule add priority 10 from 10.0.0.0/24 to 10.1.0.0/16 iif user1 fwmark 3 table main");
    expect(ruleLine({ oif: "user1", l3mdev: true })).toBe("rule add oif user1 l3mdev");
  });
});
