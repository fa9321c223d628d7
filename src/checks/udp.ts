// udp: a datagram to address:port, and the service's answer.

import { type CheckKind, type CompileOptions, ethertypeOf, netnsOf, seconds, within } from "./kind.js";
import { HostPort, hostPort, hostPortText } from "./target.js";
import type { CheckSpec } from "./types.js";

type Udp = CheckSpec & { target: { kind: "udp"; host: string; port: number; service?: string } };

// One datagram and its answer: socat waits `per` seconds for the reply.
function socat(c: CheckSpec, o: CompileOptions): string {
  const t = (c as Udp).target;
  const v6 = t.host.includes(":");
  const per = seconds((c.timeout * o.timeoutScale) / 3);
  return `ip netns exec ${netnsOf(c)} socat -T ${per} -t ${per} STDIO UDP${v6 ? 6 : 4}:${hostPortText(t.host, t.port)}`;
}

// UDP is lossy by design: like a DNS client, nsm_udp tries three times within the (scaled)
// timeout and stops at the first reply, or at the first refusal (ICMP port unreachable).
export const udp: CheckKind = {
  key: "udp",
  schema: HostPort.describe("address:port to send a datagram to"),
  target: (value, ctx) => ({ kind: "udp", ...hostPort(value), service: ctx.service }),
  describe: (c) => {
    const t = (c as Udp).target;
    return `udp ${hostPortText(t.host, t.port)}${t.service ? `, answered by ${t.service}` : ""}`;
  },
  command: (c, o) => `echo nsmatrix | ${socat(c, o)}`,
  run: (c, o, id) => `nsm_udp ${id} ${socat(c, o)}`,
  tools: () => ["socat"],
  budget: (c) => ({ fixedS: 0, answerS: c.timeout }),
  ethertype: (c) => ethertypeOf((c as Udp).target.host),
  // A connected UDP socket reads an ICMP port unreachable as ECONNREFUSED, host and net
  // unreachable as EHOSTUNREACH and ENETUNREACH: socat names each.
  stageShell: `nsm_stage_udp() { # id service rc answer
  _stage_s=no-reply
  if [ -n "$4" ]; then
    _stage_s=answered
  elif nsm_has "$T/c$1.err" 'refused'; then
    _stage_s=refused
  elif nsm_has "$T/c$1.err" 'unreachable' || nsm_has "$T/c$1.err" 'No route'; then
    _stage_s=unreachable
  fi
}`,
  stages: {
    answered: { reached: true, text: (e) => `answered by ${e.answeredBy ?? "?"}` },
    refused: { reached: false, text: () => "refused: ICMP port unreachable" },
    unreachable: { reached: false, text: () => "unreachable: an ICMP error or no route" },
    "no-reply": { reached: false, text: (e) => `no reply${within(e.answerTimeoutS ?? e.timeoutS)}` },
  },
};
