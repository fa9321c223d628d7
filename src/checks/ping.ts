// ping: one echo request, and whether the echo reply came.
import { Ip } from "../net/index.js";
import { type CheckKind, ethertypeOf, netnsOf, seconds, within } from "./kind.js";
import type { CheckSpec } from "./types.js";

type Ping = CheckSpec & { target: { kind: "ping"; host: string } };

// iputils before s20190515 (and busybox) read a fraction of -W as no limit at all.
function wait(t: number, wholeSeconds: boolean): string {
  return wholeSeconds ? String(Math.ceil(t)) : seconds(t);
}

export const ping: CheckKind = {
  key: "ping",
  schema: Ip.describe("an address to send one ICMP echo request to"),
  target: (value) => ({ kind: "ping", host: String(value) }),
  describe: (c) => `ping ${(c as Ping).target.host}`,
  command: (c, o) => {
    const t = (c as Ping).target;
    const six = t.host.includes(":") ? " -6" : "";
    return `ip netns exec ${netnsOf(c)} ping${six} -n -c 1 -W ${wait(c.timeout, o.pingWholeSeconds)} ${t.host}`;
  },
  tools: () => ["ping"],
  budget: (c) => ({ fixedS: Math.ceil(c.timeout), answerS: 0 }),
  ethertype: (c) => ethertypeOf((c as Ping).target.host),
  // iputils words ICMP errors differently per family: "Destination Host Unreachable" (IPv4),
  // "Destination unreachable: Address unreachable" (IPv6), "Time to live exceeded", "Packet
  // too big"; and a local "Network is unreachable" when no route exists.
  stageShell: `nsm_stage_ping() { # id service rc answer
  _stage_s=no-reply
  [ "$3" = 0 ] && _stage_s=replied
  for _stage_w in nreachable rohibited 'Time to live exceeded' 'Time exceeded' 'Frag needed' 'Packet too big'; do
    nsm_has "$T/c$1.out" "$_stage_w" && _stage_s=unreachable
    nsm_has "$T/c$1.err" "$_stage_w" && _stage_s=unreachable
  done
}`,
  stages: {
    replied: { reached: true, text: () => "echo reply received" },
    "no-reply": { reached: false, text: (e) => `no reply${within(e.timeoutS)}` },
    unreachable: { reached: false, text: () => "unreachable: an ICMP error or no route" },
  },
};
