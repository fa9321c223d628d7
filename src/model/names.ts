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
export const MODULE_RE = /^[a-z0-9_-]{1,64}$/;
export const SYSCTL_KEY_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
export const SYSCTL_VALUE_RE = /^[A-Za-z0-9 _.:,-]{0,128}$/;

export function isIp(s: string): boolean {
  return isIP(s) !== 0;
}

/** `addr/prefix`, with the prefix in range for the family. */
export function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m?.[1] || !m[2]) return false;
  const family = isIP(m[1]);
  const prefix = Number(m[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
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
  if (!m?.[1] || !m[2] || !NODE_RE.test(m[1]) || !IFNAME_RE.test(m[2])) return undefined;
  return { node: m[1], ifname: m[2] };
}

/** Whether a rule splits into plain words: no pipes, redirections, substitutions or globs. */
export function isPlainWords(rule: string): boolean {
  if (/[`$\\]/.test(rule)) return false;
  return shellParse(rule).every((w) => typeof w === "string");
}
