// The value of a tcp or udp check: address:port, IPv6 in brackets.
import { z } from "zod";
import { NsmError } from "../errors.js";
import { parseHostPort, show } from "../net/index.js";

/** Why `s` is not an `address:port` target. */
function targetProblem(s: string): string {
  const port = /:(\d+)$/.exec(s)?.[1];
  if (port === undefined) return "the ':port' part is missing";
  if (Number(port) < 1 || Number(port) > 65535) return `port ${port} is not in 1-65535`;
  return "not an IP address; IPv6 goes in brackets, like [2001:db8::1]:80";
}

export const HostPort = z.string().refine((s) => parseHostPort(s) !== undefined, {
  error: (i) =>
    `${show(i.input)} is not an address:port like 192.0.2.1:80 (${targetProblem(String(i.input))})`,
});

/** address:port as a person writes it: IPv6 in brackets. */
export const hostPortText = (host: string, port: number) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

/** The parts of a validated address:port. */
export function hostPort(value: unknown): { host: string; port: number } {
  const hp = parseHostPort(String(value));
  if (!hp) throw new NsmError("E_INTERNAL", `${show(value)} passed the schema but does not parse`);
  return hp;
}
