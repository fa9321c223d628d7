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
