// Free text from users' files and tools, made safe for a terminal.

/** Text with control characters (ESC, BEL, CR, ...) shown as \xNN: no file or tool output can drive the terminal. Tabs and newlines stay. */
export function visible(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\x00-\x08\x0b-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
