// udp: a datagram to address:port, and the service's answer.

import { type CheckKind, ethertypeOf, seconds, within } from "./kind.js";
import { HostPort, hostPort, hostPortText } from "./target.js";
import type { CheckSpec } from "./types.js";

type Udp = CheckSpec & { target: { kind: "udp"; host: string; port: number; service?: string } };

// UDP is lossy by design: like a DNS client, nsm_udp tries three times within the (scaled)
// timeout and stops at the first reply.
export const udp: CheckKind = {
  key: "udp",
  schema: HostPort.describe("address:port to send a datagram to"),
  target: (value, ctx) => ({ kind: "udp", ...hostPort(value), service: ctx.service }),
  describe: (c) => {
    const t = (c as Udp).target;
    return `udp ${hostPortText(t.host, t.port)}${t.service ? `, answered by ${t.service}` : ""}`;
  },
  command: (c, o) => {
    const t = (c as Udp).target;
    const v6 = t.host.includes(":");
    const per = seconds((c.timeout * o.timeoutScale) / 3);
    const node = c.from ?? "";
    return `nsm_udp ${per} ${node} UDP${v6 ? 6 : 4}:${hostPortText(t.host, t.port)}`;
  },
  tools: () => ["socat"],
  budget: (c) => ({ fixedS: 0, answerS: c.timeout }),
  ethertype: (c) => ethertypeOf((c as Udp).target.host),
  stageShell: `nsm_stage_udp() { # id service rc answer
  _stage_s=no-reply
  [ -n "$4" ] && _stage_s=answered
}`,
  stages: {
    answered: { reached: true, text: (e) => `answered by ${e.answeredBy ?? "?"}` },
    "no-reply": { reached: false, text: (e) => `no reply${within(e.answerTimeoutS ?? e.timeoutS)}` },
  },
};
