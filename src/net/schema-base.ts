// The building blocks of the schemas: names and addresses, each with a readable message.
import { z } from "zod";
import {
  IFNAME_RE,
  isCidr,
  isIp,
  isUnicastMac,
  LABEL_RE,
  MAC_RE,
  NODE_RE,
  parseEndpoint,
  RESERVED_IFNAMES,
  RESERVED_NODES,
} from "./names.js";

export const show = (v: unknown) => JSON.stringify(v);

export const IfName = z
  .string()
  .regex(IFNAME_RE, "not a valid interface name (1-15 characters: letters, digits, '_', '.', '-')")
  .refine((s) => !RESERVED_IFNAMES.has(s), {
    error: (i) => `${show(i.input)} is a name the kernel keeps for itself (conf/all, conf/default)`,
  });
export const NodeName = z
  .string()
  .regex(
    NODE_RE,
    "not a valid node name (1-24 characters: lowercase letters, digits, '_', '-'; starts with a letter)",
  )
  .refine((s) => !RESERVED_NODES.has(s), {
    error: (i) => `${show(i.input)} is taken: ${RESERVED_NODES.get(String(i.input))}`,
  });
export const Label = z
  .string()
  .regex(LABEL_RE, "not a valid name (1-64 characters: letters, digits, '_', '.', '-')");
// iproute2 takes no zone id: the interface is given by `dev`.
const zone = (s: unknown) => (String(s).includes("%") ? " (no zone id: name the interface with 'dev')" : "");

export const Ip = z
  .string()
  .refine(isIp, { error: (i) => `${show(i.input)} is not an IP address${zone(i.input)}` });
export const Cidr = z.string().refine(isCidr, {
  error: (i) => `${show(i.input)} is not an address with prefix, like 192.0.2.1/24${zone(i.input)}`,
});
export const Mac = z
  .string()
  .regex(MAC_RE, { error: (i) => `${show(i.input)} is not a MAC address like 02:00:00:00:00:01` })
  .refine(isUnicastMac, {
    error: (i) =>
      `${show(i.input)} is a multicast, broadcast or zero MAC, which no interface may carry (the first octet must be even, e.g. 02:...)`,
  });

/** Seconds a check waits: 50 ms at least (below, tools round it to nothing), a minute at most. */
export const Timeout = z
  .number({ error: (i) => `${show(i.input)} is not a number of seconds` })
  .min(0.05, { error: (i) => `${show(i.input)} s is too short: a timeout is 0.05 s at least` })
  .max(60, { error: (i) => `${show(i.input)} s is too long: a timeout is 60 s at most` });

export const Flag = z.boolean();

/** Why `s` is not a `node:ifname` endpoint. */
function endpointProblem(s: string): string {
  const [node = "", ifname, ...rest] = s.split(":");
  if (ifname === undefined) return "the ':ifname' part is missing";
  if (rest.length) return "more than one ':'";
  if (!NODE_RE.test(node)) return `${show(node)} is not a valid node name`;
  if (!IFNAME_RE.test(ifname)) return `${show(ifname)} is not a valid interface name (1-15 characters)`;
  if (RESERVED_IFNAMES.has(ifname)) return `${show(ifname)} is a name the kernel keeps for itself`;
  return "malformed";
}

/** `node:ifname`, naming what is wrong when it is not. */
export const Endpoint = z.string().refine((s) => parseEndpoint(s) !== undefined, {
  error: (i) => `${show(i.input)} is not an endpoint like node:eth0 (${endpointProblem(String(i.input))})`,
});
