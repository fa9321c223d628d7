// Argument vectors a user may run inside a node: `commands:` in a topology, `command:` checks.
// No shell ever sees them (each word is quoted), and what would reach outside the node is
// refused: options that run programs, read or write files, or leave the namespace.
import { z } from "zod";
import { SYSCTL_KEY_RE, SYSCTL_VALUE_RE } from "./names.js";
import { type Forbidden, forbiddenWord, XTABLES } from "./rules.js";
import { show } from "./schema-base.js";

/** Tools a node's `commands` may run. */
export const SETUP_TOOLS = [
  "ip",
  "bridge",
  "tc",
  "ethtool",
  "sysctl",
  "nft",
  "iptables",
  "ip6tables",
  "ebtables",
  "arp",
] as const;
/** Tools a `command` check may run: the set-up tools, and traffic. */
export const CHECK_TOOLS = [...SETUP_TOOLS, "ping", "socat", "tracepath"] as const;

// iproute2's global options that only change what is printed (prefixes of each are accepted by
// iproute2 too, so words are matched exactly here). -batch reads commands from a file, -netns
// leaves the node: neither is in the list.
const IPROUTE_OPTIONS = new Set([
  "-4",
  "-6",
  "-0",
  "-d",
  "-details",
  "-s",
  "-stats",
  "-statistics",
  "-j",
  "-json",
  "-p",
  "-pretty",
  "-br",
  "-brief",
  "-o",
  "-oneline",
  "-r",
  "-resolve",
  "-iec",
  "-h",
  "-human",
  "-human-readable",
  "-c",
  "-color",
  "-t",
  "-ts",
  "-timestamp",
  "-tshort",
  "-N",
  "-Numeric",
  "-a",
  "-all",
  "-compressvlans",
  "-g",
  "-graph",
  "-nm",
  "-nokeys",
  "-raw",
]);
// Words that make iproute2 leave the node, run a program or open a file, per tool.
const IPROUTE_WORDS: Record<string, Record<string, string>> = {
  ip: {
    netns: "moves a device or a command to another namespace",
    exec: "runs a program",
    file: "reads a file",
    obj: "loads a BPF object file",
    pinned: "opens a pinned BPF file",
    "object-file": "loads a BPF object file",
    "object-pinned": "opens a pinned BPF file",
  },
  bridge: { netns: "moves to another namespace", file: "reads a file" },
  tc: {
    exec: "runs a program",
    obj: "loads a BPF object file",
    "object-file": "loads a BPF object file",
    pinned: "opens a pinned BPF file",
    "object-pinned": "opens a pinned BPF file",
    "bytecode-file": "reads a file",
    export: "writes a file",
    file: "reads a file",
  },
};
// Options that read or write files, as getopt reads them (abbreviated, attached, in a cluster).
const FILE_OPTIONS: Record<string, Forbidden> = {
  nft: { long: ["--file", "--includepath", "--interactive"], short: "fIi", flags: "acejnNstTvy" },
  arp: { long: ["--file"], short: "f", flags: "anevD" },
  iptables: XTABLES,
  ip6tables: XTABLES,
  ebtables: XTABLES,
};
// ethtool matches its options whole: these flash, write the EEPROM or dump to a file.
const ETHTOOL_FILES = ["-f", "--flash", "-E", "--change-eeprom", "-w", "--get-dump", "data", "file"];
// ip's -f/-family takes one of these.
const FAMILIES = new Set(["inet", "inet6", "link", "mpls", "bridge", "4", "6"]);
const SYSCTL_OPTIONS = new Set([
  "-w",
  "--write",
  "-q",
  "--quiet",
  "-e",
  "--ignore",
  "-n",
  "--values",
  "-N",
  "--names",
]);

// socat: what a check may connect with, and the options of an address it may use.
const SOCAT_GLOBAL = new Set(["-u", "-U", "-4", "-6", "-d", "-dd", "-ddd", "-v", "-x", "-s"]);
const SOCAT_GLOBAL_ARG = new Set(["-t", "-T", "-b"]);
const SOCAT_ADDRESSES = new Set([
  "TCP",
  "TCP4",
  "TCP6",
  "UDP",
  "UDP4",
  "UDP6",
  "UDP-SENDTO",
  "UDP4-SENDTO",
  "UDP6-SENDTO",
  "SCTP",
  "SCTP4",
  "SCTP6",
  "STDIO",
  "STDIN",
  "STDOUT",
  "-",
]);
const SOCAT_OPTIONS = new Set([
  "connect-timeout",
  "bind",
  "sp",
  "sourceport",
  "so-bindtodevice",
  "if",
  "interface",
  "reuseaddr",
  "reuseport",
  "so-reuseport",
  "ttl",
  "tos",
  "mss",
  "nodelay",
  "pf",
  "crlf",
  "mtudiscover",
  "keepalive",
  "linger",
  "rcvbuf",
  "sndbuf",
  "retry",
  "interval",
  "shut-none",
  "shut-down",
  "shut-close",
  "ignoreeof",
  "readbytes",
  "rb",
  "ip-recverr",
  "ipv6only",
]);

/** Why a socat word is refused, or undefined. */
function socatProblem(words: string[]): { at: number; why: string } | undefined {
  let addresses = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? "";
    if (SOCAT_GLOBAL.has(w)) continue;
    if (SOCAT_GLOBAL_ARG.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith("-") && w !== "-")
      return {
        at: i,
        why: `socat option ${show(w)} is not allowed here (allowed: ${[...SOCAT_GLOBAL, ...SOCAT_GLOBAL_ARG].join(" ")})`,
      };
    if (w.includes("!!") || w.includes("|"))
      return { at: i, why: `socat address ${show(w)} chains addresses: one address per word` };
    const [head = "", ...opts] = w.split(",");
    const type = (head.split(":")[0] ?? "").toUpperCase();
    if (!SOCAT_ADDRESSES.has(type))
      return {
        at: i,
        why: `socat address type ${show(type)} is not allowed (allowed: ${[...SOCAT_ADDRESSES].join(", ")})`,
      };
    const opt = opts.map((o) => o.split("=")[0] ?? "").find((o) => !SOCAT_OPTIONS.has(o));
    if (opt !== undefined) return { at: i, why: `socat address option ${show(opt)} is not allowed here` };
    addresses++;
  }
  return addresses === 2 ? undefined : { at: 0, why: `socat needs two addresses, not ${addresses}` };
}

/** Why the word at `at` is refused, or undefined when the whole vector may run. */
export function argvProblem(
  words: string[],
  tools: readonly string[],
): { at: number; why: string } | undefined {
  const tool = words[0] ?? "";
  if (!tools.includes(tool))
    return { at: 0, why: `${show(tool)} is not a tool allowed here (${tools.join(", ")})` };
  for (const [at, w] of words.entries()) {
    if (w === "") return { at, why: "an empty word" };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\x00-\x1f\x7f]/.test(w)) return { at, why: `${show(w)} holds a control character` };
    if (/[`$]/.test(w))
      return { at, why: `${show(w)} holds '$' or '\`', which a shell would expand in a pasted reproducer` };
    if (/^[/~]|^\.\.?\/|(^|\/)\.\.(\/|$)/.test(w))
      return { at, why: `${show(w)} is a path: commands may not name files` };
  }
  const rest = words.slice(1);
  const index = (pred: (w: string) => boolean) => rest.findIndex(pred) + 1;
  if (tool === "ip" || tool === "bridge" || tool === "tc") {
    const first = index((w) => !w.startsWith("-"));
    const optsEnd = first === 0 ? words.length : first;
    for (let i = 1; i < optsEnd; i++) {
      const w = words[i] ?? "";
      if (tool === "ip" && (w === "-f" || w === "-family") && FAMILIES.has(words[i + 1] ?? "")) {
        i++;
        continue;
      }
      if (!IPROUTE_OPTIONS.has(w))
        return {
          at: i,
          why: `${tool} option ${show(w)} is not allowed here: -batch reads a file, -netns leaves the node (allowed: -4 -6 -d -s -j -p -br -o ...)`,
        };
    }
    const bad = index((w) => Object.hasOwn(IPROUTE_WORDS[tool] ?? {}, w));
    if (bad)
      return {
        at: bad,
        why: `${tool} ${show(words[bad])} ${IPROUTE_WORDS[tool]?.[words[bad] ?? ""]}: not allowed`,
      };
    const dist = words.indexOf("distribution");
    if (tool === "tc" && dist > 0 && !/^[a-z]+$/.test(words[dist + 1] ?? ""))
      return { at: dist + 1, why: "netem's distribution is a name (normal, pareto, paretonormal)" };
  }
  if (tool === "sysctl") {
    const bad = index((w) => {
      if (SYSCTL_OPTIONS.has(w)) return false;
      const [key = "", ...value] = w.split("=");
      return !SYSCTL_KEY_RE.test(key) || (value.length > 0 && !SYSCTL_VALUE_RE.test(value.join("=")));
    });
    if (bad)
      return {
        at: bad,
        why: `sysctl takes net.* keys (KEY or KEY=VALUE) and -w -q -e -n -N only, not ${show(words[bad])}`,
      };
  }
  const files = FILE_OPTIONS[tool];
  if (files) {
    const bad = index(
      (w) => forbiddenWord(w, files) !== undefined || (tool === "nft" && /\binclude\b/.test(w)),
    );
    const opt = forbiddenWord(words[bad] ?? "", files);
    if (bad)
      return {
        at: bad,
        why: `${tool} ${show(words[bad])}${opt && opt !== words[bad] ? ` (read as ${opt})` : ""} runs a program or reads or writes a file: not allowed`,
      };
  }
  if (tool === "ethtool") {
    const bad = index((w) => ETHTOOL_FILES.includes(w.split("=")[0] ?? ""));
    if (bad) return { at: bad, why: `ethtool ${show(words[bad])} reads or writes a file: not allowed` };
  }
  if (tool === "socat") return socatProblem(words);
  return undefined;
}

const Word = z.union([z.string(), z.number()]);

/** An argument vector for one of `tools`: each word validated, the refused one located. */
export function argvSchema(tools: readonly string[]) {
  return z
    .array(Word)
    .min(1)
    .max(64)
    .superRefine((argv, ctx) => {
      const p = argvProblem(argv.map(String), tools);
      if (p) ctx.addIssue({ code: "custom", path: [p.at], message: p.why });
    });
}

/** A validated vector's words, as text. */
export const words = (argv: readonly (string | number)[]) => argv.map(String);
