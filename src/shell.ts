// Shell quoting. Every value from a user's file reaches the script through these helpers.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for POSIX sh; plain words stay readable. */
export function q(word: string | number): string {
  const s = String(word);
  if (s !== "" && SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A command line from words, each quoted. */
export function cmd(...words: (string | number)[]): string {
  return words.map(q).join(" ");
}

/**
 * A here-document whose body is never expanded. Its terminator is one the body does not contain
 * anywhere (not even with spaces around it), so no text can end it early.
 */
export function heredoc(body: string): { start: string; end: string; text: string } {
  let tag = "NSM_EOF";
  for (let n = 1; body.includes(tag); n++) tag = `NSM_EOF_${n}`;
  return { start: `<<'${tag}'`, end: tag, text: body.endsWith("\n") ? body : `${body}\n` };
}

/** The namespace of a node, as a shell word that expands the run prefix at run time. */
export function ns(node: string): string {
  return `"$P-${node}"`;
}
