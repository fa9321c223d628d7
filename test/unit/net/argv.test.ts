// Hostile commands: a node's `commands` and `command` checks run argument vectors as root, so
// every option that runs a program, reads or writes a file, or leaves the node is refused at the
// word, with its position; words that pass reach the tool literally, never through a shell.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileVariant } from "../../../src/compile/index.js";
import { NsmError } from "../../../src/errors.js";
import { loadScenario, loadTopology } from "../../../src/model/index.js";

const DIR = "test/fixtures/hostile/commands";

function refusal(file: string): NsmError {
  try {
    if (file.endsWith(".topo.yaml")) loadTopology(file);
    else loadScenario(file);
  } catch (e) {
    if (e instanceof NsmError) return e;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

// biome-ignore format: one refusal per line
const CASES: [string, number, number, string][] = [
  ["absolute-path.topo.yaml", 5, 26, "nodes.a.commands[0][3]: \"/etc/passwd\" is a path: commands may not name files"],
  ["arp-file-attached.topo.yaml", 5, 15, "nodes.a.commands[0][1]: arp \"-fethers\" (read as -f) runs a program or reads or writes a file: not allowed"],
  ["arp-file.topo.yaml", 5, 15, "nodes.a.commands[0][1]: arp \"-f\" runs a program or reads or writes a file: not allowed"],
  ["backtick.topo.yaml", 5, 43, "nodes.a.commands[0][6]: \"`reboot`\" holds '$' or '`', which a shell would expand in a pasted reproducer"],
  ["bridge-batch.topo.yaml", 5, 18, "nodes.a.commands[0][1]: bridge option \"-batch\" is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)"],
  ["check-ip-netns.yaml", 7, 19, "checks.c1.command[1]: ip \"netns\" moves a device or a command to another namespace: not allowed"],
  ["check-match-shell.yaml", 8, 12, "checks.c1.match: a match is one line of printable text"],
  ["check-sh.yaml", 7, 15, "checks.c1.command[0]: \"sh\" is not a tool allowed here (ip, bridge, tc, ethtool, sysctl, nft, iptables, ip6tables, ebtables, arp, ping, socat, tracepath)"],
  ["check-socat-chain.yaml", 7, 22, "checks.c1.command[1]: socat address \"TCP:10.0.0.2:80!!STDOUT\" chains addresses: one address per word"],
  ["check-socat-exec.yaml", 7, 39, "checks.c1.command[2]: socat address type \"EXEC\" is not allowed (allowed: TCP, TCP4, TCP6, UDP, UDP4, UDP6, UDP-SENDTO, UDP4-SENDTO, UDP6-SENDTO, SCTP, SCTP4, SCTP6, STDIO, STDIN, STDOUT, -)"],
  ["check-socat-logfile.yaml", 7, 22, "checks.c1.command[1]: socat option \"-lf\" is not allowed here (allowed: -u -U -4 -6 -d -dd -ddd -v -x -s -t -T -b)"],
  ["check-socat-open.yaml", 7, 39, "checks.c1.command[2]: socat address type \"OPEN\" is not allowed (allowed: TCP, TCP4, TCP6, UDP, UDP4, UDP6, UDP-SENDTO, UDP4-SENDTO, UDP6-SENDTO, SCTP, SCTP4, SCTP6, STDIO, STDIN, STDOUT, -)"],
  ["check-socat-option.yaml", 7, 22, "checks.c1.command[1]: socat address option \"su\" is not allowed here"],
  ["check-socat-system.yaml", 7, 39, "checks.c1.command[2]: socat address type \"SYSTEM\" is not allowed (allowed: TCP, TCP4, TCP6, UDP, UDP4, UDP6, UDP-SENDTO, UDP4-SENDTO, UDP6-SENDTO, SCTP, SCTP4, SCTP6, STDIO, STDIN, STDOUT, -)"],
  ["control-char.topo.yaml", 5, 43, "nodes.a.commands[0][6]: \"a\\u001bb\" holds a control character"],
  ["dotdot-path.topo.yaml", 5, 43, "nodes.a.commands[0][6]: \"../../x\" is a path: commands may not name files"],
  ["ebtables-atomic.topo.yaml", 5, 20, "nodes.a.commands[0][1]: ebtables \"--atomic-file\" runs a program or reads or writes a file: not allowed"],
  ["empty-word.topo.yaml", 5, 20, "nodes.a.commands[0][2]: an empty word"],
  ["ethtool-flash.topo.yaml", 5, 19, "nodes.a.commands[0][1]: ethtool \"--flash\" reads or writes a file: not allowed"],
  ["ip-batch-abbrev.topo.yaml", 5, 14, "nodes.a.commands[0][1]: ip option \"-b\" is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)"],
  ["ip-batch-file.topo.yaml", 5, 14, "nodes.a.commands[0][1]: ip option \"-batch\" is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)"],
  ["ip-link-netns.topo.yaml", 5, 36, "nodes.a.commands[0][5]: ip \"netns\" moves a device or a command to another namespace: not allowed"],
  ["ip-monitor-file.topo.yaml", 5, 23, "nodes.a.commands[0][2]: ip \"file\" reads a file: not allowed"],
  ["ip-netns-exec.topo.yaml", 5, 14, "nodes.a.commands[0][1]: ip \"netns\" moves a device or a command to another namespace: not allowed"],
  ["ip-netns-option.topo.yaml", 5, 14, "nodes.a.commands[0][1]: ip option \"-n\" is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)"],
  ["ip-vrf-exec.topo.yaml", 5, 19, "nodes.a.commands[0][2]: ip \"exec\" runs a program: not allowed"],
  ["ip-xdp-obj.topo.yaml", 5, 41, "nodes.a.commands[0][6]: ip \"obj\" loads a BPF object file: not allowed"],
  ["iptables-modprobe-abbrev.topo.yaml", 5, 20, "nodes.a.commands[0][1]: iptables \"--modp=evil\" (read as --modprobe) runs a program or reads or writes a file: not allowed"],
  ["iptables-modprobe-attached.topo.yaml", 5, 20, "nodes.a.commands[0][1]: iptables \"-nM\" (read as -M) runs a program or reads or writes a file: not allowed"],
  ["iptables-modprobe.topo.yaml", 5, 20, "nodes.a.commands[0][1]: iptables \"--modprobe=evil\" (read as --modprobe) runs a program or reads or writes a file: not allowed"],
  ["nft-file-cluster.topo.yaml", 5, 15, "nodes.a.commands[0][1]: nft \"-nf\" (read as -f) runs a program or reads or writes a file: not allowed"],
  ["nft-file.topo.yaml", 5, 15, "nodes.a.commands[0][1]: nft \"-f\" runs a program or reads or writes a file: not allowed"],
  ["nft-include.topo.yaml", 5, 15, "nodes.a.commands[0][1]: nft \"include \\\"rules.nft\\\"\" runs a program or reads or writes a file: not allowed"],
  ["not-a-tool.topo.yaml", 5, 10, "nodes.a.commands[0][0]: \"sh\" is not a tool allowed here (ip, bridge, tc, ethtool, sysctl, nft, iptables, ip6tables, ebtables, arp)"],
  ["ping-in-setup.topo.yaml", 5, 10, "nodes.a.commands[0][0]: \"ping\" is not a tool allowed here (ip, bridge, tc, ethtool, sysctl, nft, iptables, ip6tables, ebtables, arp)"],
  ["shell-substitution.topo.yaml", 5, 43, "nodes.a.commands[0][6]: \"$(reboot)\" holds '$' or '`', which a shell would expand in a pasted reproducer"],
  ["sysctl-host-wide.topo.yaml", 5, 22, "nodes.a.commands[0][2]: sysctl takes net.* keys (KEY or KEY=VALUE) and -w -q -e -n -N only, not \"kernel.core_pattern=x\""],
  ["sysctl-load.topo.yaml", 5, 18, "nodes.a.commands[0][1]: sysctl takes net.* keys (KEY or KEY=VALUE) and -w -q -e -n -N only, not \"-p\""],
  ["tc-bpf-obj.topo.yaml", 5, 52, "nodes.a.commands[0][7]: tc \"obj\" loads a BPF object file: not allowed"],
  ["tc-exec.topo.yaml", 5, 14, "nodes.a.commands[0][1]: tc \"exec\" runs a program: not allowed"],
  ["tc-force-batch.topo.yaml", 5, 14, "nodes.a.commands[0][1]: tc option \"-f\" is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)"],
  ["tc-netem-distribution.topo.yaml", 5, 82, "nodes.a.commands[0][11]: \"../../../etc/x\" is a path: commands may not name files"],

];

describe("hostile commands and command checks", () => {
  it("each fixture has its row here", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml") && !f.startsWith("_"));
    expect(CASES.map((c) => c[0]).sort()).toEqual(files.sort());
  });

  it.each(CASES)("%s is refused at %i:%i", (fixture, line, col, message) => {
    const first = refusal(join(DIR, fixture)).issues[0];
    expect(first && { line: first.line, col: first.col, message: first.message }).toEqual({
      line,
      col,
      message,
    });
    expect(first?.excerpt).toMatch(new RegExp(`^${line} \\| .*\\n *\\^$`));
  });
});

describe("words that pass", () => {
  const sc = loadScenario("test/fixtures/scenarios/commands-literal.yaml");
  const { text } = compileVariant(sc, "default");

  it("are quoted: the script parses, and each command is one step naming its key", () => {
    expect(() => execFileSync("sh", ["-n"], { input: text })).not.toThrow();
    expect(text).toContain(
      "nsm_step 'nodes.a.commands[0] (test/fixtures/scenarios/commands-literal.topo.yaml:8): nft add table inet t' nsm_in a nft add table inet t",
    );
  });

  it("reach the tool as the file wrote them, shell characters and all", () => {
    // The compiled steps, with nsm_step and nsm_in replaced by a printer of each word.
    const steps = text.split("\n").filter((l) => l.trimStart().startsWith("nsm_step 'nodes.a.commands"));
    const shown = execFileSync(
      "sh",
      [
        "-c",
        `nsm_step() { shift; "$@"; }\nnsm_in() { shift; printf '<%s>' "$@"; echo; }\n${steps.join("\n")}`,
      ],
      { encoding: "utf8", cwd: "/tmp" },
    );
    expect(shown.split("\n").filter(Boolean)).toEqual([
      "<nft><add><table><inet><t>",
      "<nft><add><chain><inet><t><c><{ type filter hook input priority 0; }>",
      "<nft><add><rule><inet><t><c><tcp dport { 22, 23 } ct state != established drop>",
      "<ip><link><set><dev><eth0><alias><a;b|c&d>e<f'g\"h>",
      "<ip><link><set><dev><eth0><mtu><1400>",
    ]);
  });

  it("become a command check's command, quoted the same way", () => {
    expect(text).toContain("ip netns exec $P-a timeout -k 1 10 ip -d link show dev eth0 'a;b'");
  });
});
