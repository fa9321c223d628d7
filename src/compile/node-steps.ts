// A node's last set-up steps, each a command of its own: firewall rules (rulesets through quoted
// here-documents, never the shell) and the node's own commands.
import { parse as shellParse } from "shell-quote";
import type { NodeT } from "../model/index.js";
import { cmd, q } from "../shell.js";
import { literal, origin, type Where } from "./batch.js";
import { flavoured } from "./features.js";

const sysctlValue = (v: string | number | boolean) => (typeof v === "boolean" ? (v ? "1" : "0") : String(v));

/** The node's sysctls, in one `sysctl -w`. */
export function sysctlLines(name: string, node: NodeT, where: Where): string[] {
  const kv = Object.entries(node.sysctls ?? {}).map(([k, v]) => q(`${k}=${sysctlValue(v)}`));
  if (!kv.length) return [];
  return [
    `nsm_step ${q(`${origin(["nodes", name, "sysctls"], where)}: sysctl`)} nsm_in ${name} sysctl -q -w ${kv.join(" ")}`,
  ];
}

/** The node's firewall: iptables and ip6tables through -restore, ebtables rule by rule, nft -f. */
export function firewallLines(name: string, node: NodeT, where: Where): string[] {
  const fw = node.firewall;
  if (!fw) return [];
  const exec = `nsm_in ${name}`;
  const at = (...path: (string | number)[]) => origin(["nodes", name, "firewall", ...path], where);
  const out: string[] = [];
  for (const tool of ["iptables", "ip6tables"] as const) {
    const tables = Object.entries(fw[tool] ?? {});
    if (!tables.length) continue;
    const bin = `${flavoured(tool, fw.flavour?.iptables)}-restore`;
    const body = tables.map(([t, rules]) => [`*${t}`, ...rules, "COMMIT"].join("\n")).join("\n");
    out.push(...literal(`${at(tool)}: ${bin}`, `${exec} ${bin} --noflush`, body));
  }
  const eb = flavoured("ebtables", fw.flavour?.ebtables);
  for (const [table, rules] of Object.entries(fw.ebtables ?? {})) {
    rules.forEach((rule, k) => {
      const words = shellParse(rule);
      if (!words.every((w) => typeof w === "string")) {
        throw new Error(`ebtables rule has shell operators: ${rule}`);
      }
      const line = cmd(eb, "-t", table, ...(words as string[]));
      out.push(`nsm_step ${q(`${at("ebtables", table, k)}: ${eb} -t ${table}`)} ${exec} ${line}`);
    });
  }
  if (fw.nft) out.push(...literal(`${at("nft")}: nft -f`, `${exec} nft -f -`, fw.nft));
  return out;
}

/** The node's own commands, last, in order: each is one process, its words quoted, no shell. */
export function commandLines(name: string, node: NodeT, where: Where): string[] {
  return (node.commands ?? []).map((argv, k) => {
    const words = argv.map(String);
    return `nsm_step ${q(`${origin(["nodes", name, "commands", k], where)}: ${words.join(" ")}`)} nsm_in ${name} ${cmd(...words)}`;
  });
}
