// Hostile and malformed input: every file is refused with its exact position and message, no
// internal error is reachable, and what must work (JavaScript-like names) does.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { compileVariant } from "../../../src/compile/index.js";
import { type ErrorCode, NsmError } from "../../../src/errors.js";
import { fileKind, loadScenario, loadTopology } from "../../../src/model/index.js";
import { MAX_FILE_BYTES } from "../../../src/system/files.js";

const DIR = "test/fixtures/hostile";

/** The error loading `file` throws; fails when it loads, or throws anything but an NsmError. */
function refusal(file: string): NsmError {
  try {
    if (fileKind(file) === "topology") loadTopology(file);
    else loadScenario(file);
  } catch (e) {
    if (e instanceof NsmError) return e;
    throw new Error(`internal error for ${file}: ${(e as Error).stack}`);
  }
  throw new Error(`${file} was accepted`);
}

// fixture, error code, file the issue points into, line, column, message
const CASES: [string, ErrorCode, string, number, number, string][] = [
  [
    "address-zone-id.topo.yaml",
    "E_SCHEMA",
    "address-zone-id.topo.yaml",
    5,
    27,
    "nodes.r1.interfaces.eth0.addresses[0]: \"fe80::1%eth0/64\" is not an address with prefix, like 192.0.2.1/24 (no zone id: name the interface with 'dev')",
  ],
  [
    "alias-bomb.topo.yaml",
    "E_YAML",
    "alias-bomb.topo.yaml",
    2,
    8,
    "aliases expand too far (excessive alias count indicates a resource exhaustion attack): write the values out",
  ],
  [
    "alias-bomb.yaml",
    "E_YAML",
    "alias-bomb.yaml",
    4,
    8,
    "aliases expand too far (excessive alias count indicates a resource exhaustion attack): write the values out",
  ],
  [
    "capture-filter-newline.yaml",
    "E_SCHEMA",
    "capture-filter-newline.yaml",
    4,
    69,
    "checks.c1.capture.filter: a pcap filter is one line of printable text",
  ],
  [
    "capture-filter-option-spaced.yaml",
    "E_SCHEMA",
    "capture-filter-option-spaced.yaml",
    4,
    69,
    "checks.c1.capture.filter: a pcap filter cannot start with '-' (tcpdump would read it as an option)",
  ],
  [
    "capture-filter-option.yaml",
    "E_SCHEMA",
    "capture-filter-option.yaml",
    4,
    69,
    "checks.c1.capture.filter: a pcap filter cannot start with '-' (tcpdump would read it as an option)",
  ],
  [
    "check-from-probe.yaml",
    "E_SCHEMA",
    "check-from-probe.yaml",
    4,
    15,
    'checks.c1.from: "probe" is taken: the script\'s feature probes run in the namespace nsm-<run>-probe',
  ],
  [
    "ebtables-among-file.topo.yaml",
    "E_SCHEMA",
    "ebtables-among-file.topo.yaml",
    8,
    13,
    "nodes.r1.firewall.ebtables.filter[0]: option --among-src-file runs a program or touches a file: not allowed",
  ],
  [
    "ebtables-atomic-file.topo.yaml",
    "E_SCHEMA",
    "ebtables-atomic-file.topo.yaml",
    8,
    13,
    "nodes.r1.firewall.ebtables.filter[0]: option --atomic-file runs a program or touches a file: not allowed",
  ],
  [
    "iptables-modprobe-attached.topo.yaml",
    "E_SCHEMA",
    "iptables-modprobe-attached.topo.yaml",
    6,
    13,
    "nodes.r1.firewall.iptables.filter[0]: option -M runs a program or touches a file: not allowed",
  ],
  [
    "iptables-modprobe-abbrev.topo.yaml",
    "E_SCHEMA",
    "iptables-modprobe-abbrev.topo.yaml",
    6,
    13,
    "nodes.r1.firewall.iptables.filter[0]: option --modprobe runs a program or touches a file: not allowed",
  ],
  [
    "tunnel-mixed-family.topo.yaml",
    "E_SCHEMA",
    "tunnel-mixed-family.topo.yaml",
    6,
    64,
    "nodes.r1.tunnels.gt0.remote: remote 10.0.0.2 is IPv4, but local 2001:db8::1 is IPv6",
  ],
  [
    "gretap-ipv6.topo.yaml",
    "E_SCHEMA",
    "gretap-ipv6.topo.yaml",
    6,
    35,
    "nodes.r1.tunnels.gt0.local: gretap endpoints are IPv4; over IPv6 the kernel's device is ip6gretap, which nsmatrix does not build yet (make it in 'commands')",
  ],
  [
    "ifname-all-interfaces.topo.yaml",
    "E_SCHEMA",
    "ifname-all-interfaces.topo.yaml",
    4,
    7,
    'nodes.r1.interfaces.all: name "all" is a name the kernel keeps for itself (conf/all, conf/default)',
  ],
  [
    "ifname-all.topo.yaml",
    "E_SCHEMA",
    "ifname-all.topo.yaml",
    10,
    6,
    'links[1][0]: "r1:all" is not an endpoint like node:eth0 ("all" is a name the kernel keeps for itself)',
  ],
  [
    "ifname-default-bridge.topo.yaml",
    "E_SCHEMA",
    "ifname-default-bridge.topo.yaml",
    4,
    7,
    'nodes.r1.bridges.default: name "default" is a name the kernel keeps for itself (conf/all, conf/default)',
  ],
  [
    "interface-proto.topo.yaml",
    "E_SCHEMA",
    "interface-proto.topo.yaml",
    7,
    7,
    'nodes.r2.interfaces.__proto__: the name "__proto__" is not allowed (JavaScript keeps it)',
  ],
  [
    "iptables-bpf-object.topo.yaml",
    "E_SCHEMA",
    "iptables-bpf-object.topo.yaml",
    8,
    13,
    "nodes.r1.firewall.iptables.filter[0]: option --object-pinned runs a program or touches a file: not allowed",
  ],
  [
    "iptables-modprobe-short.topo.yaml",
    "E_SCHEMA",
    "iptables-modprobe-short.topo.yaml",
    8,
    13,
    "nodes.r1.firewall.iptables.filter[0]: option -M runs a program or touches a file: not allowed",
  ],
  [
    "iptables-modprobe.topo.yaml",
    "E_SCHEMA",
    "iptables-modprobe.topo.yaml",
    8,
    13,
    "nodes.r1.firewall.iptables.filter[0]: option --modprobe runs a program or touches a file: not allowed",
  ],
  [
    "kernel-range-empty-or.yaml",
    "E_SCHEMA",
    "kernel-range-empty-or.yaml",
    10,
    16,
    'checks.c1.expect.plain[">=99 || || <0.1"]: name ">=99 || || <0.1" is not a kernel version range like ">=4.9 <5.1" (or "*" for any)',
  ],
  [
    "kernel-range-empty.yaml",
    "E_SCHEMA",
    "kernel-range-empty.yaml",
    10,
    16,
    'checks.c1.expect.plain[""]: name "" is not a kernel version range like ">=4.9 <5.1" (or "*" for any)',
  ],
  [
    "kernel-range-wildcard.yaml",
    "E_SCHEMA",
    "kernel-range-wildcard.yaml",
    10,
    16,
    'checks.c1.expect.plain["5.x"]: name "5.x" is not a kernel version range like ">=4.9 <5.1" (or "*" for any)',
  ],
  [
    "kernel-range-words.yaml",
    "E_SCHEMA",
    "kernel-range-words.yaml",
    10,
    16,
    'checks.c1.expect.plain.latest: name "latest" is not a kernel version range like ">=4.9 <5.1" (or "*" for any)',
  ],
  [
    "kernel-range-x.yaml",
    "E_SCHEMA",
    "kernel-range-x.yaml",
    10,
    16,
    'checks.c1.expect.plain.x: name "x" is not a kernel version range like ">=4.9 <5.1" (or "*" for any)',
  ],
  [
    "mac-broadcast.topo.yaml",
    "E_SCHEMA",
    "mac-broadcast.topo.yaml",
    4,
    46,
    'nodes.r1.interfaces.eth0.mac: "ff:ff:ff:ff:ff:ff" is a multicast, broadcast or zero MAC, which no interface may carry (the first octet must be even, e.g. 02:...)',
  ],
  [
    "mac-multicast.topo.yaml",
    "E_SCHEMA",
    "mac-multicast.topo.yaml",
    4,
    46,
    'nodes.r1.interfaces.eth0.mac: "01:00:5e:00:00:01" is a multicast, broadcast or zero MAC, which no interface may carry (the first octet must be even, e.g. 02:...)',
  ],
  [
    "mac-zero.topo.yaml",
    "E_SCHEMA",
    "mac-zero.topo.yaml",
    4,
    46,
    'nodes.r1.interfaces.eth0.mac: "00:00:00:00:00:00" is a multicast, broadcast or zero MAC, which no interface may carry (the first octet must be even, e.g. 02:...)',
  ],
  [
    "module-long-option.topo.yaml",
    "E_SCHEMA",
    "module-long-option.topo.yaml",
    5,
    29,
    "nodes.r1.modules[1]: not a kernel module name (letters, digits, '_', '-'; never starting with '-', which modprobe reads as an option)",
  ],
  [
    "module-option.topo.yaml",
    "E_SCHEMA",
    "module-option.topo.yaml",
    5,
    15,
    "nodes.r1.modules[0]: not a kernel module name (letters, digits, '_', '-'; never starting with '-', which modprobe reads as an option)",
  ],
  [
    "neighbour-multicast.topo.yaml",
    "E_SCHEMA",
    "neighbour-multicast.topo.yaml",
    6,
    33,
    'nodes.r1.neighbours[0].lladdr: "33:33:00:00:00:01" is a multicast, broadcast or zero MAC, which no interface may carry (the first octet must be even, e.g. 02:...)',
  ],
  [
    "neighbour-zone-id.topo.yaml",
    "E_SCHEMA",
    "neighbour-zone-id.topo.yaml",
    6,
    15,
    "nodes.r1.neighbours[0].to: \"fe80::2%eth0\" is not an IP address (no zone id: name the interface with 'dev')",
  ],
  [
    "nft-file-absolute.topo.yaml",
    "E_SCHEMA",
    "nft-file-absolute.topo.yaml",
    6,
    7,
    'nodes.r1.firewall.nft_file: "/etc/shadow" is absolute: give a path relative to the topology file, inside its folder',
  ],
  [
    "nft-file-dev-zero.topo.yaml",
    "E_SCHEMA",
    "nft-file-dev-zero.topo.yaml",
    6,
    7,
    'nodes.r1.firewall.nft_file: "/dev/zero" is absolute: give a path relative to the topology file, inside its folder',
  ],
  [
    "nft-file-dotdot.topo.yaml",
    "E_SCHEMA",
    "nft-file-dotdot.topo.yaml",
    6,
    7,
    'nodes.r1.firewall.nft_file: "../../../etc/passwd" leads out of the topology\'s folder',
  ],
  [
    "nft-include-after-semicolon.topo.yaml",
    "E_SCHEMA",
    "nft-include-after-semicolon.topo.yaml",
    6,
    12,
    "nodes.r1.firewall.nft: line 1: 'include' reads other files: put the rules here",
  ],
  [
    "nft-include-file.topo.yaml",
    "E_SCHEMA",
    "nft-include-file.topo.yaml",
    6,
    7,
    "nodes.r1.firewall.nft_file: \"include.nft\" line 4: 'include' reads other files: put the rules here",
  ],
  [
    "nft-include-inline.topo.yaml",
    "E_SCHEMA",
    "nft-include-inline.topo.yaml",
    6,
    12,
    "nodes.r1.firewall.nft: line 2: 'include' reads other files: put the rules here",
  ],
  [
    "node-constructor-link.topo.yaml",
    "E_SCHEMA",
    "node-constructor-link.topo.yaml",
    10,
    6,
    'links[1][0]: link "constructor:eth1" names unknown node "constructor" (known: r1, r2)',
  ],
  [
    "node-probe.topo.yaml",
    "E_SCHEMA",
    "node-probe.topo.yaml",
    8,
    3,
    'nodes.probe: name "probe" is taken: the script\'s feature probes run in the namespace nsm-<run>-probe',
  ],
  [
    "node-proto.topo.yaml",
    "E_SCHEMA",
    "node-proto.topo.yaml",
    5,
    3,
    'nodes.__proto__: the name "__proto__" is not allowed (JavaScript keeps it)',
  ],
  [
    "ping-zone-id.yaml",
    "E_SCHEMA",
    "ping-zone-id.yaml",
    4,
    25,
    "checks.c1.ping: \"fe80::2%eth0\" is not an IP address (no zone id: name the interface with 'dev')",
  ],
  [
    "route-default-src-mismatch.topo.yaml",
    "E_SCHEMA",
    "route-default-src-mismatch.topo.yaml",
    6,
    44,
    "nodes.r1.routes[0].src: src 2001:db8::1 is IPv6, but the route is IPv4",
  ],
  [
    "route-host-bits-v6.topo.yaml",
    "E_SCHEMA",
    "route-host-bits-v6.topo.yaml",
    7,
    15,
    'nodes.r1.routes[0].to: "2001:db8:1::5/48" has host bits set, which ip route refuses; the prefix is 2001:db8:1::/48',
  ],
  [
    "route-host-bits.topo.yaml",
    "E_SCHEMA",
    "route-host-bits.topo.yaml",
    6,
    15,
    'nodes.r1.routes[0].to: "192.168.7.5/16" has host bits set, which ip route refuses; the prefix is 192.168.0.0/16',
  ],
  [
    "route-v4-src-v6.topo.yaml",
    "E_SCHEMA",
    "route-v4-src-v6.topo.yaml",
    6,
    47,
    "nodes.r1.routes[0].src: src 2001:db8::1 is IPv6, but the route is IPv4",
  ],
  [
    "route-v4-via-v6.topo.yaml",
    "E_SCHEMA",
    "route-v4-via-v6.topo.yaml",
    6,
    36,
    "nodes.r1.routes[0].via: via fe80::1 is IPv6, but the route is IPv4",
  ],
  [
    "route-via-other-dev.topo.yaml",
    "E_SCHEMA",
    "route-via-other-dev.topo.yaml",
    6,
    36,
    "nodes.r1.routes[0].via: gateway 10.0.0.2 is in no subnet on lo of node \"r1\", so ip route refuses it (add an address in its subnet, or 'onlink: true')",
  ],
  [
    "route-via-unreachable.topo.yaml",
    "E_SCHEMA",
    "route-via-unreachable.topo.yaml",
    6,
    29,
    "nodes.r1.routes[0].via: gateway 10.9.9.9 is in no subnet on any interface of node \"r1\", so ip route refuses it (add an address in its subnet, or 'onlink: true')",
  ],
  [
    "sysctl-drop-caches.topo.yaml",
    "E_SCHEMA",
    "sysctl-drop-caches.topo.yaml",
    6,
    7,
    'nodes.r1.sysctls["vm.drop_caches"]: name "vm.drop_caches" is not a per-namespace key: only net.* sysctls are allowed (ip netns exec leaves the others host-wide)',
  ],
  [
    "sysctl-file-max.topo.yaml",
    "E_SCHEMA",
    "sysctl-file-max.topo.yaml",
    6,
    7,
    'nodes.r1.sysctls["fs.file-max"]: name "fs.file-max" is not a per-namespace key: only net.* sysctls are allowed (ip netns exec leaves the others host-wide)',
  ],
  [
    "sysctl-hostname.topo.yaml",
    "E_SCHEMA",
    "sysctl-hostname.topo.yaml",
    6,
    7,
    'nodes.r1.sysctls["kernel.hostname"]: name "kernel.hostname" is not a per-namespace key: only net.* sysctls are allowed (ip netns exec leaves the others host-wide)',
  ],
  [
    "sysctl-modules-disabled.topo.yaml",
    "E_SCHEMA",
    "sysctl-modules-disabled.topo.yaml",
    6,
    7,
    'nodes.r1.sysctls["kernel.modules_disabled"]: name "kernel.modules_disabled" is not a per-namespace key: only net.* sysctls are allowed (ip netns exec leaves the others host-wide)',
  ],
  [
    "timeout-exponent.yaml",
    "E_SCHEMA",
    "timeout-exponent.yaml",
    4,
    44,
    "checks.c1.timeout: 1e-7 s is too short: a timeout is 0.05 s at least",
  ],
  [
    "timeout-negative.yaml",
    "E_SCHEMA",
    "timeout-negative.yaml",
    4,
    44,
    "checks.c1.timeout: -1 s is too short: a timeout is 0.05 s at least",
  ],
  [
    "timeout-scenario-tiny.yaml",
    "E_SCHEMA",
    "timeout-scenario-tiny.yaml",
    3,
    10,
    "timeout: 0.0001 s is too short: a timeout is 0.05 s at least",
  ],
  [
    "timeout-text.yaml",
    "E_SCHEMA",
    "timeout-text.yaml",
    4,
    44,
    'checks.c1.timeout: expected a number, found text "1s"',
  ],
  [
    "timeout-too-long.yaml",
    "E_SCHEMA",
    "timeout-too-long.yaml",
    4,
    44,
    "checks.c1.timeout: 61 s is too long: a timeout is 60 s at most",
  ],
  [
    "timeout-variant-tiny.yaml",
    "E_SCHEMA",
    "timeout-variant-tiny.yaml",
    4,
    20,
    "variants.fast.timeout: 0.001 s is too short: a timeout is 0.05 s at least",
  ],
  [
    "timeout-zero.yaml",
    "E_SCHEMA",
    "timeout-zero.yaml",
    4,
    44,
    "checks.c1.timeout: 0 s is too short: a timeout is 0.05 s at least",
  ],
  [
    "topology-dev-zero.yaml",
    "E_SCHEMA",
    "topology-dev-zero.yaml",
    2,
    11,
    "topology: a topology file's name ends in .yaml or .yml",
  ],
  [
    "topology-etc-shadow.yaml",
    "E_SCHEMA",
    "topology-etc-shadow.yaml",
    2,
    11,
    "topology: a topology file's name ends in .yaml or .yml",
  ],
  [
    "variant-removes-capture-node.yaml",
    "E_SCHEMA",
    "variant-removes-capture-node.yaml",
    7,
    50,
    'variant "no-r3": checks.c1.capture.on: check "c1" captures on unknown node "r3" (known: r1, r2)',
  ],
  [
    "variant-removes-from-node.yaml",
    "E_SCHEMA",
    "variant-removes-from-node.yaml",
    8,
    15,
    'variant "no-r3": checks.c1.from: check "c1" runs from unknown node "r3" (known: r1, r2)',
  ],
  [
    "variant-removes-offload-node.yaml",
    "E_SCHEMA",
    "variant-removes-offload-node.yaml",
    9,
    62,
    'variant "no-r3": checks.c1.offload: check "c1" watches unknown node "r3" (known: r1, r2)',
  ],
  [
    "variant-removes-service-node.yaml",
    "E_SCHEMA",
    "variant-removes-service-node.yaml",
    4,
    16,
    'variant "no-r3": services.web.node: service "web" names unknown node "r3" (known: r1, r2)',
  ],
  [
    "vxlan-mixed-family.topo.yaml",
    "E_SCHEMA",
    "vxlan-mixed-family.topo.yaml",
    6,
    60,
    "nodes.r1.tunnels.vx0.remote: remote 2001:db8::2 is IPv6, but local 10.0.0.1 is IPv4",
  ],
  [
    "wrong-type-addresses-text.topo.yaml",
    "E_SCHEMA",
    "wrong-type-addresses-text.topo.yaml",
    4,
    26,
    'nodes.r1.interfaces.eth0.addresses: expected a list, found text "10.0.0.1/24"',
  ],
  [
    "wrong-type-checks-list.yaml",
    "E_SCHEMA",
    "wrong-type-checks-list.yaml",
    3,
    9,
    "checks: expected a map, found a list",
  ],
  [
    "wrong-type-links-map.topo.yaml",
    "E_SCHEMA",
    "wrong-type-links-map.topo.yaml",
    4,
    8,
    "links: expected a list, found a map",
  ],
  [
    "wrong-type-mtu-text.topo.yaml",
    "E_SCHEMA",
    "wrong-type-mtu-text.topo.yaml",
    4,
    20,
    'nodes.r1.interfaces.eth0.mtu: expected a number, found text "1500"',
  ],
  [
    "wrong-type-nodes-list.topo.yaml",
    "E_SCHEMA",
    "wrong-type-nodes-list.topo.yaml",
    1,
    8,
    "nodes: expected a map, found a list",
  ],
  [
    "wrong-type-scenario-number.yaml",
    "E_SCHEMA",
    "wrong-type-scenario-number.yaml",
    1,
    11,
    "scenario: expected text, found the whole number 5",
  ],
  [
    "check-from-run.yaml",
    "E_SCHEMA",
    "check-from-run.yaml",
    4,
    15,
    "checks.c1.from: \"run\" is taken: a script check without 'from' runs in the run's own namespace, nsm-<run>-run",
  ],
  [
    "script-outside.yaml",
    "E_SCHEMA",
    "script-outside.yaml",
    4,
    9,
    'checks.c1.script: "../../../scripts/setup.sh" leads out of the scenario\'s folder',
  ],
  [
    "script-absolute.yaml",
    "E_SCHEMA",
    "script-absolute.yaml",
    5,
    15,
    'checks.c1.script.file: "/bin/true" is absolute: give a path relative to the scenario file, inside its folder',
  ],
  [
    "script-binary.yaml",
    "E_SCHEMA",
    "script-binary.yaml",
    4,
    9,
    'checks.c1.script: "script-binary.bin" is not a text file',
  ],
  [
    "script-arg-shell.yaml",
    "E_SCHEMA",
    "script-arg-shell.yaml",
    5,
    42,
    "checks.c1.script.args[0]: an argument is one plain word (letters, digits, _@%+=:,./-)",
  ],
  [
    "script-timeout.yaml",
    "E_SCHEMA",
    "script-timeout.yaml",
    4,
    3,
    "checks.c1: a script check takes neither 'timeout' (give script.timeout) nor 'service'",
  ],
  [
    "ping-no-from.yaml",
    "E_SCHEMA",
    "ping-no-from.yaml",
    4,
    7,
    "checks.c1: a ping, tcp, udp or command check needs 'from': the node it runs in",
  ],
];

describe("hostile files", () => {
  it("are at least sixty, and each has its row here", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml") && !f.startsWith("_"));
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(CASES.map((c) => c[0]).sort()).toEqual(files.sort());
  });

  it.each(CASES)("%s: %s at %s:%i:%i", (fixture, code, file, line, col, message) => {
    const err = refusal(join(DIR, fixture));
    expect(err.code).toBe(code);
    const first = err.issues[0];
    expect({
      file: first?.file.split("/").pop(),
      line: first?.line,
      col: first?.col,
      message: first?.message,
    }).toEqual({
      file,
      line,
      col,
      message,
    });
    // The excerpt shows the line, with a caret: never empty, never a whole huge line.
    expect(first?.excerpt).toMatch(new RegExp(`^${line} \\| .*\\n *\\^$`));
  });

  it("make validate exit 2 with file:line:col for every one, and never an internal error", async () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".yaml") && !f.startsWith("_"))
      .map((f) => join(DIR, f));
    const r = await execa("node", ["bin/nsmatrix.js", "validate", ...files], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    for (const f of files) expect(r.stderr).toContain(`${f}: `);
    expect(r.stderr).toContain(`${files.length} of ${files.length} files are invalid`);
  }, 30_000);
});

describe("files that are not what they seem", () => {
  const tmp = mkdtempSync(join(tmpdir(), "nsmatrix-hostile-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const base = "nodes:\n  r1:\n    interfaces:\n      lo: { addresses: [10.0.0.1/24] }\n";
  const withNft = (file: string) => `${base}    firewall:\n      nft_file: ${file}\n`;
  const scenarioOn = (topology: string) =>
    `scenario: s\ntopology: ${topology}\nchecks:\n  c1: { from: r1, ping: 10.0.0.1 }\n`;

  it("refuses a FIFO as a topology at once, instead of waiting for a writer", () => {
    execFileSync("mkfifo", [join(tmp, "fifo.yaml")]);
    writeFileSync(join(tmp, "on-fifo.yaml"), scenarioOn("fifo.yaml"));
    const err = refusal(join(tmp, "on-fifo.yaml"));
    expect(err.code).toBe("E_IO");
    expect(err.issues[0]).toMatchObject({ line: 2, col: 11 });
    expect(err.issues[0]?.message).toMatch(
      /^topology: cannot read .*fifo\.yaml: it is a FIFO, not a regular file$/,
    );
  });

  it("refuses /dev/zero behind a name that looks like a topology", () => {
    symlinkSync("/dev/zero", join(tmp, "zero.yaml"));
    writeFileSync(join(tmp, "on-zero.yaml"), scenarioOn("zero.yaml"));
    expect(refusal(join(tmp, "on-zero.yaml")).issues[0]?.message).toMatch(
      /it is a character device, not a regular file$/,
    );
  });

  it("refuses a file over the size limit, and says what the limit is", () => {
    writeFileSync(join(tmp, "big.yaml"), `${base}# ${"x".repeat(MAX_FILE_BYTES)}\n`);
    const err = refusal(join(tmp, "big.yaml"));
    expect(err.code).toBe("E_IO");
    expect(err.message).toMatch(/: 4\.0 MiB, and files are limited to 4 MiB$/);
  });

  it("refuses an nft_file that is a FIFO, or a link out of the topology's folder", () => {
    mkdirSync(join(tmp, "t"));
    execFileSync("mkfifo", [join(tmp, "t", "rules.nft")]);
    symlinkSync("/etc/hostname", join(tmp, "t", "out.nft"));
    writeFileSync(join(tmp, "t", "fifo.topo.yaml"), withNft("rules.nft"));
    writeFileSync(join(tmp, "t", "link.topo.yaml"), withNft("out.nft"));
    expect(refusal(join(tmp, "t", "fifo.topo.yaml")).issues[0]).toMatchObject({
      line: 6,
      col: 7,
      message: 'nodes.r1.firewall.nft_file: cannot read "rules.nft": it is a FIFO, not a regular file',
    });
    expect(refusal(join(tmp, "t", "link.topo.yaml")).issues[0]?.message).toBe(
      `nodes.r1.firewall.nft_file: "out.nft" links to a file outside the topology's folder`,
    );
  });

  it("cuts a 200 KB line in an excerpt to a window around the caret", () => {
    writeFileSync(
      join(tmp, "long.topo.yaml"),
      `nodes:\n  r1: { description: "${"y".repeat(200_000)}", bogus: 1 }\n`,
    );
    const issue = refusal(join(tmp, "long.topo.yaml")).issues[0];
    expect(issue?.message).toMatch(
      /^nodes\.r1\.bogus: unknown key "bogus"; allowed here: description, ipv6, /,
    );
    const [line = "", caret = ""] = (issue?.excerpt ?? "").split("\n");
    expect(line.length).toBeLessThan(120);
    expect(line).toMatch(/^2 \| …y+", bogus: 1 }$/);
    expect(line.slice(caret.length - 1, caret.length + 4)).toBe("bogus");
  });

  it("shows control characters in an excerpt as escapes", () => {
    writeFileSync(join(tmp, "esc.topo.yaml"), 'nodes:\n  r1: { description: "\u001b[2J\u0007", bogus: 1 }\n');
    const excerpt = refusal(join(tmp, "esc.topo.yaml")).issues[0]?.excerpt ?? "";
    expect(excerpt.includes("\u001b") || excerpt.includes("\u0007")).toBe(false);
    expect(excerpt).toContain("\\x1b[2J\\x07");
  });
});

describe("names JavaScript also uses", () => {
  it("are ordinary node, interface and bridge names", () => {
    const sc = loadScenario("test/fixtures/good/js-names.yaml");
    const text = compileVariant(sc, "default").text;
    expect(text).toContain("netns add $P-constructor\n");
    expect(text).toContain(
      "addr add 10.0.0.1/24 dev toString # nodes.constructor.interfaces.toString.addresses[0]",
    );
    expect(text).toContain(
      "link set dev toString master hasOwnProperty # nodes.valueof.bridges.hasOwnProperty.ports.toString",
    );
    expect(text).toContain(
      "link set dev valueOf master hasOwnProperty # nodes.valueof.bridges.hasOwnProperty.ports.valueOf",
    );
  });
});
