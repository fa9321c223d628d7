// What rulesets and commands may not do: run programs, read or write files outside the run.

/** Options a tool may not get: long ones, short letters, and the flags (no argument) that may come before a short one in a cluster. */
export interface Forbidden {
  long: string[];
  short?: string;
  flags?: string;
  /** Long options that begin like a forbidden one and are not it (ebtables' --among-dst). */
  allowed?: string[];
}

// iptables: --modprobe (-M) runs a program, bpf's --object-pinned opens a file. ebtables: the
// atomic table file and the among-*-file lists read or write files.
export const XTABLES: Forbidden = {
  long: [
    "--modprobe",
    "--object-pinned",
    "--atomic-file",
    "--atomic-init",
    "--atomic-save",
    "--atomic-commit",
    "--among-dst-file",
    "--among-src-file",
  ],
  short: "M",
  flags: "nvx46",
  allowed: ["--among-dst", "--among-src"],
};

/**
 * The forbidden option a word gives the tool, as getopt reads it, or undefined: a long option or
 * any abbreviation of one (`--modp=x` is --modprobe), a short one alone, with its argument
 * attached (`-M/bin/sh`), or after flags in a cluster (`-nM x`).
 */
export function forbiddenWord(word: string, f: Forbidden): string | undefined {
  if (word.startsWith("--")) {
    const name = word.split("=")[0] ?? "";
    if (name.length < 3 || f.allowed?.includes(name)) return undefined;
    return f.long.find((l) => l.startsWith(name));
  }
  if (!f.short || !/^-[^-]/.test(word)) return undefined;
  for (const c of word.slice(1)) {
    if (f.short.includes(c)) return `-${c}`;
    if (!f.flags?.includes(c)) return undefined;
  }
  return undefined;
}

/** The first forbidden option among a rule's words (`--modprobe=/bin/sh`, `-M/bin/sh` count), or undefined. */
export function forbiddenOption(rule: string, f: Forbidden = XTABLES): string | undefined {
  for (const word of rule.split(/\s+/)) {
    const hit = forbiddenWord(word, f);
    if (hit) return hit;
  }
  return undefined;
}

/** The 1-based line of an nft `include` statement, or undefined. */
export function nftInclude(ruleset: string): number | undefined {
  const i = ruleset.split("\n").findIndex((l) => /(^|[;{}\s])include(\s|"|$)/.test(l.replace(/#.*/, "")));
  return i < 0 ? undefined : i + 1;
}
