// Scans a guest's kernel console for panics, oopses, BUGs and WARNINGs. Pure.

/** What a console line reports, most severe first. */
export type ConsoleFindingKind = "panic" | "oops" | "bug" | "warning";

/** One line of the console that reports a kernel problem (line numbers start at 1). */
export interface ConsoleFinding {
  kind: ConsoleFindingKind;
  line: number;
  text: string;
}

/** Everything found on a console, and whether the kernel died. */
export interface ConsoleScan {
  /** A panic, an oops or a BUG: the kernel is dead or no longer trustworthy. A WARNING alone is not. */
  crashed: boolean;
  /** The most severe finding's kind. */
  kind?: ConsoleFindingKind;
  /**
   * About 20 lines from the first crash finding (from a WARNING just before it, which is then likely
   * its cause), or around the first WARNING when nothing crashed.
   */
  excerpt: string;
  findings: ConsoleFinding[];
}

// Most severe first; matched after the optional `[    1.234567] ` timestamp.
const PATTERNS: [ConsoleFindingKind, RegExp][] = [
  ["panic", /Kernel panic - not syncing/],
  ["oops", /(^|\] )(Oops|general protection fault)\b/],
  ["bug", /(^|\] |: )(BUG: |kernel BUG at )/],
  ["warning", /(^|\] )WARNING: /],
];
const SEVERITY: ConsoleFindingKind[] = PATTERNS.map(([k]) => k);
const BEFORE = 4;
const AFTER = 16;

function excerptOf(lines: string[], findings: ConsoleFinding[], crashed: boolean): string {
  const first = findings.find((f) => !crashed || f.kind !== "warning");
  if (!first) return "";
  const cause = findings.find(
    (f) => f.kind === "warning" && f.line < first.line && first.line - f.line <= AFTER,
  );
  const start = Math.max(0, (cause ?? first).line - 1 - BEFORE);
  return lines
    .slice(start, first.line + AFTER)
    .join("\n")
    .trimEnd();
}

/** Finds every problem line and picks an excerpt; `crashed` is true for panic, oops and BUG. */
export function scanConsole(text: string): ConsoleScan {
  const lines = text.replace(/\r/g, "").split("\n");
  const findings: ConsoleFinding[] = [];
  lines.forEach((l, i) => {
    const hit = PATTERNS.find(([, re]) => re.test(l));
    if (hit) findings.push({ kind: hit[0], line: i + 1, text: l.trim() });
  });
  const kind = SEVERITY.find((k) => findings.some((f) => f.kind === k));
  const crashed = kind !== undefined && kind !== "warning";
  return { crashed, ...(kind ? { kind } : {}), excerpt: excerptOf(lines, findings, crashed), findings };
}
