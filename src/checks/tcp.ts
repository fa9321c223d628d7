// tcp: a connection to address:port; with a service, the answer that names who answered.

import { type CheckKind, ethertypeOf, netnsOf, seconds, within } from "./kind.js";
import { HostPort, hostPort, hostPortText } from "./target.js";
import type { CheckSpec } from "./types.js";

type Tcp = CheckSpec & { target: { kind: "tcp"; host: string; port: number; service?: string } };

// A TCP check without a service only completes the handshake: socat sends nothing and closes.
// With connect-timeout, socat 1.7.4.1 (Debian 11) exits 0 on a refused connection unless it
// reads the socket: so it reads it, for -t 0.1 s after /dev/null's end, and sees the refusal.
function command(c: CheckSpec, scale: number): string {
  const t = (c as Tcp).target;
  const v6 = t.host.includes(":");
  const to = `TCP${v6 ? 6 : 4}:${hostPortText(t.host, t.port)},connect-timeout=${seconds(c.timeout)}`;
  const exec = `ip netns exec ${netnsOf(c)} socat`;
  return t.service
    ? `${exec} -u -T ${seconds(c.timeout * scale)} ${to} STDOUT`
    : `${exec} -t 0.1 /dev/null ${to}`;
}

export const tcp: CheckKind = {
  key: "tcp",
  schema: HostPort.describe("address:port to connect to"),
  target: (value, ctx) => ({ kind: "tcp", ...hostPort(value), service: ctx.service }),
  describe: (c) => {
    const t = (c as Tcp).target;
    return `tcp ${hostPortText(t.host, t.port)}, ${t.service ? `answered by ${t.service}` : "handshake"}`;
  },
  command: (c, o) => command(c, o.timeoutScale),
  tools: () => ["socat"],
  // It waits to connect, then for each gap in the answer; a transfer's service holds the
  // connection 1 s after its bytes.
  budget: (c) => ({
    fixedS: c.timeout + (c.bytes ? 1 : 0),
    answerS: ((c as Tcp).target.service ? c.timeout : 0) + (c.bytes ? c.timeout : 0),
  }),
  ethertype: (c) => ethertypeOf((c as Tcp).target.host),
  // socat names the errno of a failed connect; exit 0 means the handshake completed (124:
  // timeout(1) stopped one that never did, in a script edited by hand).
  stageShell: `nsm_stage_tcp() { # id service rc answer
  if [ "$3" = 0 ]; then
    _stage_s=no-bytes
    [ -z "$2" ] && _stage_s=connected
    [ -n "$2" ] && [ -n "$4" ] && _stage_s=answered
  elif [ "$3" = 124 ] || nsm_has "$T/c$1.err" 'timed out'; then
    _stage_s=syn-timeout
  elif nsm_has "$T/c$1.err" 'refused'; then
    _stage_s=refused
  elif nsm_has "$T/c$1.err" 'unreachable' || nsm_has "$T/c$1.err" 'No route'; then
    _stage_s=unreachable
  elif nsm_has "$T/c$1.err" 'reset by peer'; then
    _stage_s=reset
  else
    _stage_s=failed
  fi
}`,
  stages: {
    connected: { reached: true, text: () => "handshake completed" },
    answered: { reached: true, text: (e) => `answered by ${e.answeredBy ?? "?"}` },
    "syn-timeout": { reached: false, text: (e) => `no answer to the SYN${within(e.timeoutS)}` },
    refused: { reached: false, text: () => "the SYN was refused (RST or ICMP port unreachable)" },
    unreachable: { reached: false, text: () => "unreachable: an ICMP error or no route" },
    "no-bytes": {
      reached: false,
      text: (e) => `connected, but no bytes${within(e.answerTimeoutS ?? e.timeoutS)}`,
    },
    reset: { reached: false, text: () => "connected, then reset by the peer" },
    failed: {
      reached: false,
      text: (e) => `failed: ${e.stderrTail.split("\n").at(-1) || `exit ${e.exitCode}`}`,
    },
  },
};
