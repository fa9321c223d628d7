// Validation of scenario and topology files: every malformed fixture is rejected with a located, readable issue.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ErrorCode, formatIssues, NsmError, type SourceIssue } from "../../../src/errors.js";
import { loadScenario } from "../../../src/model/load.js";
import { mergePatch } from "../../../src/model/merge.js";

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const bad = (name: string) => here(`../../fixtures/bad/${name}`);
const good = (name: string) => here(`../../fixtures/good/${name}`);
const BOX0 = here("../../../scenarios/box0-bridge-dnat.yaml");

/** The NsmError that loading `file` throws; fails the test when it loads or throws anything else. */
function loadError(file: string): NsmError {
  try {
    loadScenario(file);
  } catch (e) {
    if (e instanceof NsmError) return e;
    throw e;
  }
  throw new Error(`${file} loaded without an error`);
}

const matches = (message: string, want: string | RegExp) =>
  typeof want === "string" ? message.includes(want) : want.test(message);

/** The first issue whose message matches `want`; fails with every issue listed when none does. */
function issueMatching(err: NsmError, want: string | RegExp): SourceIssue {
  const found = err.issues.find((i) => matches(i.message, want));
  if (!found) expect.fail(`no issue matches ${String(want)}; got:\n${formatIssues(err.issues)}`);
  return found;
}

interface Case {
  /** Scenario fixture under test/fixtures/bad/ (topology-side cases load `<name>.topo.yaml` through it). */
  fixture: string;
  code: ErrorCode;
  /** Basename of the file the issue points into. */
  file: string;
  line: number;
  col: number;
  /** Names the wrong key or value. */
  message: string | RegExp;
}

// biome-ignore format: one case per line reads best
const cases: Case[] = [
  // YAML itself
  { fixture: "yaml-syntax.yaml", code: "E_YAML", file: "yaml-syntax.yaml", line: 6, col: 10, message: "Nested mappings are not allowed in compact mappings" },
  // yaml notices the unclosed `{` of line 4 only where the next key starts.
  { fixture: "yaml-unclosed-flow.yaml", code: "E_YAML", file: "yaml-unclosed-flow.yaml", line: 5, col: 3, message: /Flow map .* end with a \}/ },
  { fixture: "duplicate-check.yaml", code: "E_YAML", file: "duplicate-check.yaml", line: 5, col: 3, message: 'duplicate key "c1"' },
  { fixture: "duplicate-node.yaml", code: "E_YAML", file: "duplicate-node.topo.yaml", line: 6, col: 3, message: 'duplicate key "r1"' },
  // unknown keys
  { fixture: "unknown-top-key.yaml", code: "E_SCHEMA", file: "unknown-top-key.yaml", line: 3, col: 1, message: 'chekcs: unknown key "chekcs" (did you mean "checks"?); allowed here: scenario, description, topology, timeout, parallel, services, variants, checks' },
  { fixture: "node-unknown-key.yaml", code: "E_SCHEMA", file: "node-unknown-key.topo.yaml", line: 3, col: 5, message: 'nodes.r1.interface: unknown key "interface" (did you mean "interfaces"?); allowed here: description, ipv6, modules, sysctls, bridges, vrfs, tunnels, interfaces, routes, rules, neighbours, firewall, commands' },
  // links
  { fixture: "link-unknown-node.yaml", code: "E_SCHEMA", file: "link-unknown-node.topo.yaml", line: 6, col: 15, message: 'links[1][1]: link "r3:eth0" names unknown node "r3" (known: r1, r2)' },
  { fixture: "link-malformed.yaml", code: "E_SCHEMA", file: "link-malformed.topo.yaml", line: 5, col: 6, message: `links[0][0]: "r1" is not an endpoint like node:eth0 (the ':ifname' part is missing)` },
  { fixture: "link-iface-twice.yaml", code: "E_SCHEMA", file: "link-iface-twice.topo.yaml", line: 7, col: 15, message: 'links[1][1]: interface "r1:eth0" is used twice (first in links[0])' },
  // bridges
  { fixture: "bridge-port-unknown.yaml", code: "E_SCHEMA", file: "bridge-port-unknown.topo.yaml", line: 5, col: 28, message: 'nodes.r1.bridges.br0.ports.eth1: bridge "br0" port names unknown interface "eth1" in node "r1" (known: lo, br0, eth0)' },
  { fixture: "bridge-port-twice.yaml", code: "E_SCHEMA", file: "bridge-port-twice.topo.yaml", line: 8, col: 11, message: 'nodes.r1.bridges.br1.ports.eth1: interface "eth1" is used twice (already a port of bridge "br0")' },
  { fixture: "bridge-name-is-link.yaml", code: "E_SCHEMA", file: "bridge-name-is-link.topo.yaml", line: 4, col: 7, message: 'nodes.r1.bridges.eth0: interface "r1:eth0" is used twice (a link end and a bridge)' },
  // addresses and routes
  { fixture: "cidr-prefix-33.yaml", code: "E_SCHEMA", file: "cidr-prefix-33.topo.yaml", line: 4, col: 40, message: 'nodes.r1.interfaces.eth0.addresses[1]: "10.0.1.1/33" is not an address with prefix' },
  { fixture: "route-bad-via.yaml", code: "E_SCHEMA", file: "route-bad-via.topo.yaml", line: 5, col: 14, message: 'nodes.r1.routes[0].via: "10.0.0.256" is not an IP address' },
  { fixture: "route-no-via-dev.yaml", code: "E_SCHEMA", file: "route-no-via-dev.topo.yaml", line: 5, col: 9, message: "nodes.r1.routes[1]: a route needs 'via' or 'dev'" },
  { fixture: "route-unknown-dev.yaml", code: "E_SCHEMA", file: "route-unknown-dev.topo.yaml", line: 4, col: 33, message: 'nodes.r1.routes[0].dev: route to 10.1.0.0/16 names unknown interface "eth1" in node "r1" (known: lo, eth0)' },
  { fixture: "bad-mac.yaml", code: "E_SCHEMA", file: "bad-mac.topo.yaml", line: 5, col: 14, message: 'nodes.r1.interfaces.eth0.mac: "02:00:00:00:00:zz" is not a MAC address' },
  // names that would reach a shell or the kernel
  { fixture: "ifname-too-long.yaml", code: "E_SCHEMA", file: "ifname-too-long.topo.yaml", line: 8, col: 6, message: 'links[1][0]: "r1:averyveryverylong0" is not an endpoint like node:eth0 ("averyveryverylong0" is not a valid interface name' },
  { fixture: "ifname-too-long-key.yaml", code: "E_SCHEMA", file: "ifname-too-long-key.topo.yaml", line: 4, col: 7, message: 'nodes.r1.interfaces.averyveryverylong0: name "averyveryverylong0" is not a valid interface name (1-15 characters' },
  { fixture: "ifname-shell.yaml", code: "E_SCHEMA", file: "ifname-shell.topo.yaml", line: 4, col: 7, message: 'nodes.r1.interfaces["eth0;rm"]: name "eth0;rm" is not a valid interface name' },
  { fixture: "node-uppercase.yaml", code: "E_SCHEMA", file: "node-uppercase.topo.yaml", line: 3, col: 3, message: 'nodes.R2: name "R2" is not a valid node name' },
  { fixture: "node-subshell.yaml", code: "E_SCHEMA", file: "node-subshell.topo.yaml", line: 3, col: 3, message: 'nodes["$(reboot)"]: name "$(reboot)" is not a valid node name' },
  { fixture: "sysctl-shell.yaml", code: "E_SCHEMA", file: "sysctl-shell.topo.yaml", line: 5, col: 7, message: 'nodes.r1.sysctls["net.ipv4.conf.all.rp_filter;reboot"]: name "net.ipv4.conf.all.rp_filter;reboot" is not a sysctl key' },
  { fixture: "iptables-newline.yaml", code: "E_SCHEMA", file: "iptables-newline.topo.yaml", line: 7, col: 13, message: "nodes.r1.firewall.iptables.filter[1]: a rule is one line" },
  { fixture: "iptables-no-dash-a.yaml", code: "E_SCHEMA", file: "iptables-no-dash-a.topo.yaml", line: 6, col: 13, message: "nodes.r1.firewall.iptables.nat[0]: a rule starts with -A, -I or -N" },
  // VRFs, tunnels, encap routes, policy rules
  { fixture: "vrf-unknown-iface.yaml", code: "E_SCHEMA", file: "vrf-unknown-iface.topo.yaml", line: 4, col: 44, message: 'nodes.r1.vrfs.red.interfaces[1]: VRF "red" member names unknown interface "eth1" in node "r1" (known: lo, red, eth0)' },
  { fixture: "vrf-iface-twice.yaml", code: "E_SCHEMA", file: "vrf-iface-twice.topo.yaml", line: 5, col: 39, message: 'nodes.r1.vrfs.blue.interfaces[0]: interface "eth0" is used twice (already in VRF "red")' },
  { fixture: "vrf-bridge-port.yaml", code: "E_SCHEMA", file: "vrf-bridge-port.topo.yaml", line: 6, col: 43, message: 'nodes.r1.vrfs.red.interfaces[1]: interface "eth0" is used twice (a port of bridge "br0" and in VRF "red")' },
  { fixture: "tunnel-bad-type.yaml", code: "E_SCHEMA", file: "tunnel-bad-type.topo.yaml", line: 4, col: 21, message: 'nodes.r1.tunnels.tun0.type: "gtp" is not a tunnel type: gretap, gre, ipip, vxlan' },
  { fixture: "tunnel-external-key.yaml", code: "E_SCHEMA", file: "tunnel-external-key.topo.yaml", line: 4, col: 50, message: "nodes.r1.tunnels.tun0.key: an external tunnel takes 'key' from each route's encap, not here" },
  { fixture: "tunnel-vxlan-no-id.yaml", code: "E_SCHEMA", file: "tunnel-vxlan-no-id.topo.yaml", line: 4, col: 7, message: "nodes.r1.tunnels.vx0: a vxlan tunnel needs 'id' (the VNI) unless it is external" },
  { fixture: "encap-no-dev.yaml", code: "E_SCHEMA", file: "encap-no-dev.topo.yaml", line: 4, col: 50, message: "nodes.r1.routes[0].encap: a route with 'encap' needs 'dev' (the tunnel device)" },
  { fixture: "encap-bad-dst.yaml", code: "E_SCHEMA", file: "encap-bad-dst.topo.yaml", line: 6, col: 70, message: 'nodes.r1.routes[0].encap.dst: "10.0.0.300" is not an IP address' },
  { fixture: "rule-bad-table.yaml", code: "E_SCHEMA", file: "rule-bad-table.topo.yaml", line: 4, col: 37, message: 'nodes.r1.rules[0].table: "mian" is not a routing table: main, local or a number 1-4294967294' },
  { fixture: "nft-file-missing.yaml", code: "E_SCHEMA", file: "nft-file-missing.topo.yaml", line: 4, col: 7, message: 'nodes.r1.firewall.nft_file: cannot read "no-such-ruleset.nft": no such file or folder (ENOENT)' },
  { fixture: "nft-and-nft-file.yaml", code: "E_SCHEMA", file: "nft-and-nft-file.topo.yaml", line: 5, col: 7, message: "nodes.r1.firewall.nft_file: give either 'nft' or 'nft_file', not both" },
  // checks
  { fixture: "check-unknown-node.yaml", code: "E_SCHEMA", file: "check-unknown-node.yaml", line: 5, col: 11, message: 'checks.c1.from: check "c1" runs from unknown node "r3" (known: r1, r2)' },
  { fixture: "check-ping-and-tcp.yaml", code: "E_SCHEMA", file: "check-ping-and-tcp.yaml", line: 4, col: 3, message: "checks.c1: a check has exactly one of 'ping', 'tcp', 'udp', 'script' or 'command'" },
  { fixture: "tcp-no-port.yaml", code: "E_SCHEMA", file: "tcp-no-port.yaml", line: 6, col: 10, message: `checks.c1.tcp: "10.0.0.2" is not an address:port like 192.0.2.1:80 (the ':port' part is missing)` },
  { fixture: "tcp-port-range.yaml", code: "E_SCHEMA", file: "tcp-port-range.yaml", line: 6, col: 10, message: 'checks.c1.tcp: "10.0.0.2:70000" is not an address:port like 192.0.2.1:80 (port 70000 is not in 1-65535)' },
  // expectations
  { fixture: "expect-unknown-variant.yaml", code: "E_SCHEMA", file: "expect-unknown-variant.yaml", line: 13, col: 7, message: 'checks.c1.expect.tunde: expectation names unknown variant "tunde" (known: plain, tuned)' },
  { fixture: "expect-bad-kernel-range.yaml", code: "E_SCHEMA", file: "expect-bad-kernel-range.yaml", line: 10, col: 32, message: 'checks.c1.expect.plain.foo: name "foo" is not a kernel version range' },
  { fixture: "expect-bad-value.yaml", code: "E_SCHEMA", file: "expect-bad-value.yaml", line: 10, col: 25, message: 'checks.c1.expect.plain[">=5.4"]: "pass" is not one of reach, no-reach, xfail' },
  { fixture: "expect-bad-value-top.yaml", code: "E_SCHEMA", file: "expect-bad-value-top.yaml", line: 7, col: 13, message: 'checks.c1.expect: "works" is not one of reach, no-reach, xfail' },
  // services
  { fixture: "service-unknown-node.yaml", code: "E_SCHEMA", file: "service-unknown-node.yaml", line: 4, col: 16, message: 'services.web.node: service "web" names unknown node "r9" (known: r1, r2)' },
  { fixture: "check-unknown-service.yaml", code: "E_SCHEMA", file: "check-unknown-service.yaml", line: 9, col: 14, message: 'checks.c1.service: check "c1" names unknown service "wbe" (known: web)' },
  { fixture: "service-sends-udp.yaml", code: "E_SCHEMA", file: "service-sends-udp.yaml", line: 4, col: 36, message: "services.dns.sends: 'sends' is for tcp services" },
  // check watchers: capture and offload
  { fixture: "check-capture-unknown-dev.yaml", code: "E_SCHEMA", file: "check-capture-unknown-dev.yaml", line: 7, col: 20, message: 'checks.c1.capture.on: check "c1" captures on "eth9", which node "r2" does not have (known: lo, eth0)' },
  { fixture: "check-capture-bad-on.yaml", code: "E_SCHEMA", file: "check-capture-bad-on.yaml", line: 7, col: 20, message: `checks.c1.capture.on: "r2" is not an endpoint like node:eth0 (the ':ifname' part is missing)` },
  { fixture: "check-offload-ping.yaml", code: "E_SCHEMA", file: "check-offload-ping.yaml", line: 7, col: 14, message: "checks.c1.offload: 'offload' is for tcp checks" },
  { fixture: "variant-timeout-zero.yaml", code: "E_SCHEMA", file: "variant-timeout-zero.yaml", line: 5, col: 14, message: "variants.slow.timeout: 0 s is too short: a timeout is 0.05 s at least" },
  { fixture: "check-offload-no-service.yaml", code: "E_SCHEMA", file: "check-offload-no-service.yaml", line: 7, col: 14, message: "checks.c1.offload: 'offload' needs a 'service': without one the check only completes the handshake and closes" },
  { fixture: "check-offload-unknown-node.yaml", code: "E_SCHEMA", file: "check-offload-unknown-node.yaml", line: 10, col: 14, message: 'checks.c1.offload: check "c1" watches unknown node "gw" (known: r1, r2)' },
  { fixture: "service-twice.yaml", code: "E_SCHEMA", file: "service-twice.yaml", line: 5, col: 3, message: 'services.www: service "www" listens on r2/tcp/80, as "web" does' },
  // variant patches: located in the scenario's patch, or in the base when the patch broke it from afar
  { fixture: "patch-bad-route-dev.yaml", code: "E_SCHEMA", file: "patch-bad-route-dev.yaml", line: 11, col: 39, message: 'variant "extra-route": nodes.r1.routes[1].dev: route to 10.9.0.0/16 names unknown interface "eth7"' },
  { fixture: "patch-bad-via.yaml", code: "E_SCHEMA", file: "patch-bad-via.yaml", line: 10, col: 35, message: 'variant "second-gw": nodes.r2.routes[0].via: "10.0.0.1.5" is not an IP address' },
  { fixture: "patch-unknown-key.yaml", code: "E_SCHEMA", file: "patch-unknown-key.yaml", line: 8, col: 11, message: 'variant "typo": nodes.r1.route: unknown key "route" (did you mean "routes"?)' },
  { fixture: "patch-null-breaks-link.yaml", code: "E_SCHEMA", file: "_base-topology.yaml", line: 13, col: 15, message: 'variant "no-r2": links[0][1]: link "r2:eth0" names unknown node "r2" (known: r1)' },
  // files
  { fixture: "topology-missing.yaml", code: "E_IO", file: "topology-missing.yaml", line: 2, col: 11, message: /^topology: cannot read \S*no-such-topology\.yaml: no such file or folder \(ENOENT\)$/ },
];

describe("malformed files", () => {
  it.each(cases)("$fixture: $code at $file:$line:$col", ({ fixture, code, file, line, col, message }) => {
    const err = loadError(bad(fixture));
    expect(err.code).toBe(code);
    const issue = issueMatching(err, message);
    expect({ file: basename(issue.file), line: issue.line, col: issue.col }).toEqual({ file, line, col });
  });

  it.each(cases)(
    "$fixture: the excerpt shows line $line with a caret under a token",
    ({ fixture, message }) => {
      const issue = issueMatching(loadError(bad(fixture)), message);
      const source = readFileSync(issue.file, "utf8").split("\n")[issue.line - 1] ?? "";
      const gutter = `${issue.line} | `;
      expect(issue.excerpt).toBe(`${gutter}${source}\n${" ".repeat(gutter.length + issue.col - 1)}^`);
      expect(source[issue.col - 1] ?? "").toMatch(/\S/);
    },
  );

  it("has at least 24 malformed fixtures, each with a topology file", () => {
    expect(cases.length).toBeGreaterThanOrEqual(24);
    for (const c of cases) {
      if (c.fixture === "topology-missing.yaml") continue;
      const text = readFileSync(bad(c.fixture), "utf8");
      expect(text, c.fixture).toMatch(/^topology: \S+\.yaml$/m);
    }
  });
});

describe("issue details", () => {
  it("puts the caret under the bad value", () => {
    const issue = issueMatching(loadError(bad("route-unknown-dev.yaml")), "routes[0].dev");
    expect(issue.excerpt).toBe(
      ["4 |       - { to: 10.1.0.0/16, dev: eth1 }", "                                    ^"].join("\n"),
    );
  });

  it("points at the key for problems with a whole block map", () => {
    const issue = issueMatching(loadError(bad("check-ping-and-tcp.yaml")), "checks.c1");
    expect(issue.excerpt?.split("\n")[0]).toBe("4 |   c1:");
  });

  it("formats issues as file:line:col: message, then the excerpt", () => {
    const err = loadError(bad("check-unknown-node.yaml"));
    const text = formatIssues(err.issues);
    expect(text).toMatch(
      /^\S*check-unknown-node\.yaml:5:11: checks\.c1\.from: check "c1" runs from unknown node "r3"/,
    );
    expect(text.split("\n").slice(1)).toEqual(["5 |     from: r3", "              ^"]);
  });

  it("maps a missing topology file to E_IO at the scenario's topology: key", () => {
    const err = loadError(bad("topology-missing.yaml"));
    expect(err.code).toBe("E_IO");
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.excerpt?.split("\n")[0]).toBe("2 | topology: no-such-topology.yaml");
  });
});

describe("several problems in one throw", () => {
  const summary = (err: NsmError) => err.issues.map((i) => `${basename(i.file)}:${i.line}:${i.col}`);

  it("reports variant, service, check and expectation problems of a scenario together", () => {
    const err = loadError(bad("several-errors.yaml"));
    expect(err.code).toBe("E_SCHEMA");
    expect(err.message).toMatch(/5 problems$/);
    expect(summary(err)).toEqual([
      "several-errors.yaml:6:3",
      "several-errors.yaml:14:35",
      "several-errors.yaml:17:11",
      "several-errors.yaml:22:14",
      "several-errors.yaml:24:7",
    ]);
    expect(err.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('service "www" listens on r2/tcp/80'),
      expect.stringContaining('variant "broken": nodes.r2.routes[0].dev'),
      expect.stringContaining('unknown node "r3"'),
      expect.stringContaining('unknown service "nope"'),
      expect.stringContaining('unknown variant "plian"'),
    ]);
  });

  it("reports every schema problem of a scenario", () => {
    const err = loadError(bad("several-schema-errors.yaml"));
    expect(summary(err)).toEqual([
      "several-schema-errors.yaml:3:10",
      "several-schema-errors.yaml:7:10",
      "several-schema-errors.yaml:11:5",
    ]);
    expect(err.issues[0]?.message).toMatch(/^timeout: /);
    expect(err.issues[2]?.message).toBe(
      'checks.c2.colour: unknown key "colour"; allowed here: description, from, ping, tcp, udp, script, command, service, timeout, capture, offload, match, exit, expect',
    );
  });

  it("reports every schema problem of a topology", () => {
    const err = loadError(bad("several-errors-topo.yaml"));
    expect(summary(err)).toEqual([
      "several-errors-topo.topo.yaml:4:46",
      "several-errors-topo.topo.yaml:6:29",
      "several-errors-topo.topo.yaml:9:27",
    ]);
  });

  it("reports every cross-reference problem of a topology", () => {
    const err = loadError(bad("several-semantic-topo.yaml"));
    expect(err.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('unknown interface "eth5"'),
      expect.stringContaining('unknown interface "eth3"'),
      expect.stringContaining('unknown node "r4"'),
    ]);
  });
});

describe("check timeouts", () => {
  it("come from the check, else its variant, else the scenario, else 0.5 s", () => {
    const box0 = loadScenario(BOX0);
    const timeouts = (v: string) => box0.variants.find((x) => x.name === v)?.checks.map((c) => c.timeout);
    expect(timeouts("baseline")).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(timeouts("hairpin-static")).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    const mtgw = loadScenario("scenarios/multitenant-gateway.yaml");
    expect(mtgw.variants[0]?.checks.slice(0, 2).map((c) => c.timeout)).toEqual([5, 2]);
    const bare = loadScenario("test/fixtures/scenarios/learning.yaml");
    expect(bare.checks.map((c) => c.timeout)).toEqual([0.5, 0.5, 0.5]);
  });
});

describe("the Box0 scenario", () => {
  const model = loadScenario(BOX0);
  const variant = (name: string) => {
    const v = model.variants.find((x) => x.name === name);
    if (!v) expect.fail(`no variant ${name}`);
    return v.topology;
  };

  it("loads with 8 variants and 5 checks, in declared order", () => {
    expect(model.name).toBe("box0-bridge-dnat");
    expect(model.parallel).toBe(false);
    expect(model.variants.map((v) => v.name)).toEqual([
      "baseline",
      "hairpin",
      "hairpin-static",
      "hairpin-vepa",
      "promisc",
      "route-broute-arp",
      "broute-ipv4",
      "nf-call-iptables-off",
    ]);
    expect(model.checks.map((c) => c.name)).toEqual(["gateway", "cmd1", "cmd1-handshake", "cmd2", "bridged"]);
    expect(model.services.map((s) => `${s.name}=${s.node}/${s.proto}/${s.port}`)).toEqual([
      "http-host2=host2/tcp/80",
      "http-host3=host3/tcp/80",
    ]);
  });

  it("merges a variant's patch without touching the base or the other variants", () => {
    expect(variant("hairpin").nodes.box0?.bridges?.br0?.ports.eth1).toEqual({ hairpin: true });
    expect(variant("hairpin").nodes.box0?.bridges?.br0?.ports.eth0).toEqual({});
    expect(variant("hairpin").nodes.box0?.bridges?.br0?.nf_call_iptables).toBe(true);
    expect(variant("baseline").nodes.box0?.bridges?.br0?.ports.eth1).toEqual({});
    expect(variant("baseline").nodes.box0?.bridges?.br0?.ports.eth1?.hairpin).toBeUndefined();
    expect(variant("promisc").nodes.box0?.bridges?.br0?.ports.eth1).toEqual({ promisc: true });
    expect(variant("hairpin-vepa").nodes.switch?.bridges?.sw0?.ports.swp0).toEqual({ learning: false });
    expect(variant("hairpin").nodes.switch?.bridges?.sw0?.ports.swp0).toEqual({});
    // A second load sees the same base.
    const again = loadScenario(BOX0);
    expect(again.variants.find((v) => v.name === "baseline")?.topology).toEqual(variant("baseline"));
  });

  it("appends a patch's list items: route-broute-arp adds one route to box0", () => {
    const before = variant("baseline").nodes.box0?.routes ?? [];
    const after = variant("route-broute-arp").nodes.box0?.routes ?? [];
    expect(after).toEqual([...before, { to: "192.168.44.129/32", dev: "eth1" }]);
    expect(variant("route-broute-arp").nodes.box0?.firewall?.ebtables?.broute).toHaveLength(1);
    // The rest of the node stays: the base's iptables rules and sysctls, plus the patch's sysctls.
    expect(variant("route-broute-arp").nodes.box0?.firewall?.iptables?.nat).toHaveLength(2);
    expect(variant("route-broute-arp").nodes.box0?.sysctls).toMatchObject({
      "net.ipv4.ip_forward": 1,
      "net.ipv4.conf.eth1.rp_filter": 0,
    });
    expect(variant("route-broute-arp").nodes.host1?.routes).toEqual(variant("baseline").nodes.host1?.routes);
  });

  it("overrides scalars: nf-call-iptables-off turns the bridge option and the sysctl off", () => {
    const box0 = variant("nf-call-iptables-off").nodes.box0;
    expect(box0?.bridges?.br0?.nf_call_iptables).toBe(false);
    expect(box0?.bridges?.br0?.ports).toEqual({ eth0: {}, eth1: {} });
    expect(box0?.sysctls?.["net.bridge.bridge-nf-call-iptables"]).toBe(0);
  });
});

describe("variant patches", () => {
  it("append to an existing list after the base's items", () => {
    const m = loadScenario(good("patch-append.yaml"));
    const routes = (name: string) => m.variants.find((v) => v.name === name)?.topology.nodes.r1?.routes;
    expect(routes("plain")).toEqual([{ to: "default", via: "10.0.0.2" }]);
    expect(routes("more-routes")).toEqual([
      { to: "default", via: "10.0.0.2" },
      { to: "10.9.0.0/16", dev: "eth0" },
    ]);
  });

  it("remove a key with null", () => {
    const m = loadScenario(good("patch-null.yaml"));
    const nodes = (name: string) => m.variants.find((v) => v.name === name)?.topology.nodes;
    expect(nodes("plain")?.r1?.routes).toHaveLength(1);
    expect(nodes("plain")?.r2?.interfaces).toEqual({ eth0: { addresses: ["10.0.0.2/24"] } });
    expect(nodes("bare")?.r1).not.toHaveProperty("routes");
    expect(nodes("bare")?.r1?.interfaces).toEqual({ eth0: { addresses: ["10.0.0.1/24"] } });
    expect(nodes("bare")?.r2).not.toHaveProperty("interfaces");
  });
});

describe("nft_file", () => {
  it("is read at load time into firewall.nft, relative to the topology file", () => {
    const m = loadScenario(good("vrf-gretap.yaml"));
    const fw = m.variants[0]?.topology.nodes.gw?.firewall;
    expect(fw?.nft).toBe(readFileSync(good("vrf-gretap.nft"), "utf8"));
    expect(fw).not.toHaveProperty("nft_file");
  });
});

describe("mergePatch", () => {
  const deepFreeze = <T>(v: T): T => {
    if (typeof v === "object" && v !== null) {
      for (const x of Object.values(v)) deepFreeze(x);
      Object.freeze(v);
    }
    return v;
  };

  it("merges maps, appends lists, replaces scalars and removes keys set to null", () => {
    const base = deepFreeze({ a: 1, b: { c: [1], d: "x", e: true }, f: [{ g: 1 }] });
    const patch = deepFreeze({ a: 2, b: { c: [2], d: null }, f: [{ g: 2 }], h: { i: 1 } });
    expect(mergePatch(base, patch)).toEqual({
      a: 2,
      b: { c: [1, 2], e: true },
      f: [{ g: 1 }, { g: 2 }],
      h: { i: 1 },
    });
  });

  it("leaves both inputs as they were", () => {
    const base = { n: { r: [1], m: { k: 1 } } };
    const patch = { n: { r: [2], m: { k: null, j: 2 } } };
    const merged = mergePatch(base, patch);
    expect(base).toEqual({ n: { r: [1], m: { k: 1 } } });
    expect(patch).toEqual({ n: { r: [2], m: { k: null, j: 2 } } });
    expect(merged).toEqual({ n: { r: [1, 2], m: { j: 2 } } });
    expect((merged as typeof base).n).not.toBe(base.n);
  });

  it("ignores an absent patch", () => {
    expect(mergePatch({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});
