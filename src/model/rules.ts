// What rulesets may not do: run programs, read or write files outside the run.

// iptables: --modprobe (-M) runs a program, bpf's --object-pinned opens a file. ebtables: the
// atomic table file and the among-*-file lists read or write files.
const FORBIDDEN = [
  "--modprobe",
  "-M",
  "--object-pinned",
  "--atomic-file",
  "--atomic-init",
  "--atomic-save",
  "--atomic-commit",
  "--among-dst-file",
  "--among-src-file",
];

/** The first forbidden option among a rule's words (`--modprobe=/bin/sh` counts), or undefined. */
export function forbiddenOption(rule: string): string | undefined {
  for (const word of rule.split(/\s+/)) {
    const opt = word.split("=")[0] ?? "";
    if (FORBIDDEN.includes(opt)) return opt;
  }
  return undefined;
}

/** The 1-based line of an nft `include` statement, or undefined. */
export function nftInclude(ruleset: string): number | undefined {
  const i = ruleset.split("\n").findIndex((l) => /(^|[;{}\s])include(\s|"|$)/.test(l.replace(/#.*/, "")));
  return i < 0 ? undefined : i + 1;
}
