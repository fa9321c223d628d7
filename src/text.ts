// Text for a terminal and for reports: free text from users' files and tools made safe, and short forms.

/** Text with control characters (ESC, BEL, CR, ...) shown as \xNN: no file or tool output can drive the terminal. Tabs and newlines stay. */
export function visible(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\x00-\x08\x0b-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** `ip 5.9.0, nft 0.9.8, iptables 1.8.7 (nf_tables), ebtables 1.8.7 (nf_tables)` */
export function formatToolVersions(t: Readonly<Record<string, string>> | undefined): string {
  return t
    ? Object.entries(t)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")
    : "unknown";
}

// Edit distance (Levenshtein), one row at a time.
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** The candidate nearest to `word` (case aside, a third of its letters at most apart), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d <= Math.max(1, Math.floor(c.length / 3)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}
