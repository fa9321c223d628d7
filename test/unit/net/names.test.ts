// The validators behind every name and address that ends up in a shell command or a kernel object.
import { describe, expect, it } from "vitest";
import { IFNAME_RE, isCidr, isIp, NODE_RE, parseEndpoint, parseHostPort } from "../../../src/net/names.js";

describe("isIp", () => {
  it.each(["192.0.2.1", "0.0.0.0", "2001:db8::1", "::1", "::ffff:192.0.2.1"])("accepts %s", (s) => {
    expect(isIp(s)).toBe(true);
  });
  it.each([
    "",
    "192.0.2.256",
    "192.0.2",
    "192.0.2.1.5",
    "192.0.2.01",
    "2001:db8:::1",
    "host",
    "192.0.2.1/32",
  ])("rejects %j", (s) => {
    expect(isIp(s)).toBe(false);
  });
});

describe("isCidr", () => {
  it.each([
    "192.0.2.1/24",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "192.0.2.1/32",
    "2001:db8::/32",
    "::1/128",
    "2001:db8::1/0",
  ])("accepts %s", (s) => {
    expect(isCidr(s)).toBe(true);
  });
  it.each([
    ["IPv4 prefix 33", "192.0.2.1/33"],
    ["IPv6 prefix 129", "2001:db8::1/129"],
    ["no prefix", "192.0.2.1"],
    ["empty prefix", "192.0.2.1/"],
    ["negative prefix", "192.0.2.1/-1"],
    ["4-digit prefix", "2001:db8::1/0128"],
    ["two prefixes", "192.0.2.1/24/24"],
    ["bad address", "192.0.2.256/24"],
    ["no address", "/24"],
    ["a name", "host/24"],
    ["trailing space", "192.0.2.1/24 "],
    ["a shell metacharacter", "192.0.2.1/24;reboot"],
  ])("rejects %s (%j)", (_what, s) => {
    expect(isCidr(s)).toBe(false);
  });
});

describe("parseHostPort", () => {
  it.each([
    ["192.0.2.1:80", { host: "192.0.2.1", port: 80 }],
    ["192.0.2.1:1", { host: "192.0.2.1", port: 1 }],
    ["192.0.2.1:65535", { host: "192.0.2.1", port: 65535 }],
    ["[2001:db8::1]:80", { host: "2001:db8::1", port: 80 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
  ])("parses %s", (s, want) => {
    expect(parseHostPort(s)).toEqual(want);
  });
  it.each([
    ["no port", "192.0.2.1"],
    ["empty port", "192.0.2.1:"],
    ["port 0", "192.0.2.1:0"],
    ["port 65536", "192.0.2.1:65536"],
    ["port 70000", "192.0.2.1:70000"],
    ["a 6-digit port", "192.0.2.1:100000"],
    ["a named port", "192.0.2.1:http"],
    ["IPv6 without brackets", "2001:db8::1:80"],
    ["bracketed IPv6 without port", "[2001:db8::1]"],
    ["bad IPv6 in brackets", "[2001:db8:::1]:80"],
    ["a host name", "example.com:80"],
    ["a bad IPv4", "192.0.2.256:80"],
    ["a shell metacharacter", "192.0.2.1:80;reboot"],
  ])("rejects %s (%j)", (_what, s) => {
    expect(parseHostPort(s)).toBeUndefined();
  });
});

describe("parseEndpoint", () => {
  it.each([
    ["r1:eth0", { node: "r1", ifname: "eth0" }],
    ["box0:eth1", { node: "box0", ifname: "eth1" }],
    ["host-a_1:veth.100", { node: "host-a_1", ifname: "veth.100" }],
    ["r1:abcdefghijklmno", { node: "r1", ifname: "abcdefghijklmno" }],
  ])("parses %s", (s, want) => {
    expect(parseEndpoint(s)).toEqual(want);
  });
  it.each([
    ["no ifname", "r1"],
    ["empty ifname", "r1:"],
    ["empty node", ":eth0"],
    ["two colons", "r1:eth0:1"],
    ["an uppercase node", "R1:eth0"],
    ["a node starting with a digit", "1r:eth0"],
    ["a 16-character ifname", "r1:abcdefghijklmnop"],
    ["a shell metacharacter in the ifname", "r1:eth0;rm"],
    ["command substitution in the node", "$(reboot):eth0"],
    ["a space", "r1: eth0"],
  ])("rejects %s (%j)", (_what, s) => {
    expect(parseEndpoint(s)).toBeUndefined();
  });
});

describe("IFNAME_RE", () => {
  it("accepts 15 characters (IFNAMSIZ - 1) and rejects 16", () => {
    expect(IFNAME_RE.test("a".repeat(15))).toBe(true);
    expect(IFNAME_RE.test("a".repeat(16))).toBe(false);
    expect(IFNAME_RE.test("eth0123456789ab")).toBe(true);
    expect(IFNAME_RE.test("eth0123456789abc")).toBe(false);
  });
  it.each(["eth0", "br0", "lo", "e", "veth0.100", "wg_0", "swp-1", "0eth"])("accepts %s", (s) => {
    expect(IFNAME_RE.test(s)).toBe(true);
  });
  it.each(["", "eth0;rm", "eth 0", "eth0/1", "eth0:1", ".eth0", "-eth0", "eth$0", "eth0\n", "ethé"])(
    "rejects %j",
    (s) => {
      expect(IFNAME_RE.test(s)).toBe(false);
    },
  );
});

describe("NODE_RE", () => {
  it("accepts 24 characters and rejects 25", () => {
    expect(NODE_RE.test(`a${"b".repeat(23)}`)).toBe(true);
    expect(NODE_RE.test(`a${"b".repeat(24)}`)).toBe(false);
  });
  it.each(["R2", "2r", "r.1", "$(reboot)", "r1;rm", "", "_r"])("rejects %j", (s) => {
    expect(NODE_RE.test(s)).toBe(false);
  });
});
