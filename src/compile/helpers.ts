// The runtime's helpers a script calls, and only those: a reader meets no function the variant
// never runs. The runtime (compile/runtime/*.sh) is cut into its top-level code (always kept) and its functions, each
// with the comment above it; a function is kept when kept text names it.

interface Chunk {
  name?: string;
  lines: string[];
}

const START = /^(nsm_\w+)\(\) [{(]/;

function chunks(runtime: string): Chunk[] {
  const out: Chunk[] = [];
  let comment: string[] = [];
  let current: Chunk | undefined;
  for (const line of runtime.trimEnd().split("\n")) {
    if (current) {
      current.lines.push(line);
      if (line === "}" || line === ")") current = undefined;
      continue;
    }
    const start = START.exec(line);
    if (start) {
      const oneLine = /[})]\s*$/.test(line) && !/[{(]\s*(#.*)?$/.test(line);
      const chunk = { name: start[1], lines: [...comment, line] };
      out.push(chunk);
      comment = [];
      if (!oneLine) current = chunk;
      continue;
    }
    if (line.startsWith("#")) {
      comment.push(line);
      continue;
    }
    // Top-level code, with its comment; a blank line ends a comment that heads nothing.
    out.push({ lines: [...comment, line] });
    comment = [];
  }
  if (comment.length) out.push({ lines: comment });
  return out;
}

// The helpers a text calls: comments name helpers too, but call none.
const names = (text: string) =>
  new Set(
    text
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n")
      .match(/\bnsm_\w+/g) ?? [],
  );

/** The runtime's top-level code and the functions that `used` calls, directly or not, in file order. */
export function helpersFor(runtime: string, used: string): string[] {
  const all = chunks(runtime);
  const byName = new Map(all.flatMap((c) => (c.name ? [[c.name, c] as const] : [])));
  const wanted = new Set<string>();
  const queue = [
    ...names(used),
    ...all.filter((c) => !c.name).flatMap((c) => [...names(c.lines.join("\n"))]),
  ];
  while (queue.length) {
    const n = queue.pop() as string;
    const c = byName.get(n);
    if (!c || wanted.has(n)) continue;
    wanted.add(n);
    queue.push(...names(c.lines.join("\n")));
  }
  const kept = all.filter((c) => !c.name || wanted.has(c.name));
  // "##" marks a note for those who edit the runtime, not for a reader of one script. No two
  // blank lines in a row once functions are gone.
  return kept
    .flatMap((c) => c.lines)
    .filter((l) => !l.startsWith("##"))
    .filter((l, i, a) => l !== "" || a[i - 1] !== "");
}
