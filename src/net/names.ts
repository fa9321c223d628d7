// Validators for every name and address that ends up in a shell command or a kernel object.
import { isIP } from "node:net";
import { parse as shellParse } from "shell-quote";

/** Kernel interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', ':' or spaces; we allow a safe subset. */
export const IFNAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
/** Node names become part of namespace names (`nsm-<run>-<node>`), so they stay short and plain. */
export const NODE_RE = /^[a-z][a-z0-9_-]{0,23}$/;
/** Names of checks, variants and services: printed in TAP and used in file names. */
export const LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
/** Module names never start with '-': modprobe would read one as an option (`-r`). */
export const MODULE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Only per-network-namespace keys: `ip netns exec` leaves every other sysctl host-wide. */
export const SYSCTL_KEY_RE = /^net(\.[A-Za-z0-9_-]+)+$/;
export const SYSCTL_SHAPE_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
/** Interface names the kernel keeps for itself (sysctl's conf/all and conf/default). */
export const RESERVED_IFNAMES: ReadonlySet<string> = new Set(["all", "default"]);
/** Node names the script uses itself: the probe namespace is nsm-<run>-probe. */
/** Namespaces the script makes for itself: its feature probes', and a script check's own. */
export const RESERVED_NODES: ReadonlyMap<string, string> = new Map([
  ["probe", "the script's feature probes run in the namespace nsm-<run>-probe"],
  ["run", "a script check without 'from' runs in the run's own namespace, nsm-<run>-run"],
]);
export const SYSCTL_VALUE_RE = /^[A-Za-z0-9 _.:,-]{0,128}$/;

/** A plain IPv4 or IPv6 address; no zone id (`fe80::1%eth0`), which iproute2 does not take. */
export function isIp(s: string): boolean {
  return !s.includes("%") && isIP(s) !== 0;
}

export function familyOf(address: string): 4 | 6 {
  return address.includes(":") ? 6 : 4;
}

/** Whether a MAC is one an interface may carry: not multicast or broadcast (low bit of the first octet), not all zero. */
export function isUnicastMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 1) === 0 && !/^(00:){5}00$/i.test(mac);
}

/** The value of own property `key`, never one inherited from Object.prototype (`constructor`, `toString`). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `addr/prefix`, with the prefix in range for the family. */
export function isCidr(s: string): boolean {
  const m = /^([^/%]+)\/(\d{1,3})$/.exec(s);
  if (!m?.[1] || !m[2]) return false;
  const family = isIP(m[1]);
  const prefix = Number(m[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

// An address as a bigint (v4: 32 bits, v6: 128 bits).
function toBig(address: string): bigint {
  if (familyOf(address) === 4) return address.split(".").reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
  const [head = "", tail = ""] = address.split("::");
  const words = (part: string) => (part ? part.split(":") : []);
  let h = words(head);
  let t = words(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two words.
  const v4 = (w: string[]) => {
    const last = w.at(-1);
    if (!last?.includes(".")) return w;
    const n = toBig(last);
    return [...w.slice(0, -1), (n >> 16n).toString(16), (n & 0xffffn).toString(16)];
  };
  if (address.includes("::")) {
    h = v4(h);
    t = v4(t);
  } else h = v4(h);
  const all = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return all.reduce((a, w) => (a << 16n) | BigInt(Number.parseInt(w || "0", 16)), 0n);
}

function fromBig(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join(".");
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((n >> s) & 0xffffn).toString(16));
  return words
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::")
    .replace(/:{3,}/, "::");
}

/** Whether two addresses are one, however each is written (`2001:db8::1`, `2001:0db8:0:0::1`). */
export function sameAddress(a: string, b: string): boolean {
  return isIp(a) && isIp(b) && familyOf(a) === familyOf(b) && toBig(a) === toBig(b);
}

/** A prefix's network address (host bits cleared): `192.168.7.5/16` → `192.168.0.0/16`. */
export function networkOf(cidr: string): string {
  const [addr = "", len = "0"] = cidr.split("/");
  const family = familyOf(addr);
  const bits = family === 4 ? 32n : 128n;
  const host = (1n << (bits - BigInt(len))) - 1n;
  return `${fromBig(toBig(addr) & ~host, family)}/${len}`;
}

/** Whether `address` lies inside `cidr` (same family). */
export function inPrefix(address: string, cidr: string): boolean {
  const [net = "", len = "0"] = cidr.split("/");
  if (familyOf(address) !== familyOf(net)) return false;
  const bits = familyOf(net) === 4 ? 32n : 128n;
  const shift = bits - BigInt(len);
  return toBig(address) >> shift === toBig(net) >> shift;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `1.2.3.4:80` or `[2001:db8::1]:80`; undefined when malformed. */
export function parseHostPort(s: string): HostPort | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(s);
  if (!m?.[3]) return undefined;
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if (!isIp(host) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** Parses `node:ifname`; undefined when malformed. */
export function parseEndpoint(s: string): { node: string; ifname: string } | undefined {
  const m = /^([^:]+):([^:]+)$/.exec(s);
  if (!m?.[1] || !m[2] || !NODE_RE.test(m[1]) || !IFNAME_RE.test(m[2]) || RESERVED_IFNAMES.has(m[2]))
    return undefined;
  return { node: m[1], ifname: m[2] };
}

/** Whether a rule splits into plain words: no pipes, redirections, substitutions or globs. */
export function isPlainWords(rule: string): boolean {
  if (/[`$\\]/.test(rule)) return false;
  return shellParse(rule).every((w) => typeof w === "string");
}
