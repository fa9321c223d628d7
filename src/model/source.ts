// A YAML file kept with its positions, so any model path can be traced back to file:line:col.
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from "yaml";
import { NsmError, type SourceIssue } from "../errors.js";
import { visible } from "../text.js";

export type Path = ReadonlyArray<string | number>;

export interface Source {
  file: string;
  text: string;
  data: unknown;
  /** The issue for `path` (its key when `onKey`), pointing at the deepest node that exists. */
  issueAt(path: Path, message: string, onKey?: boolean): SourceIssue;
  /** How many leading segments of `path` exist in this file. */
  depth(path: Path): number;
  /** Number of items of the sequence at `path` (0 when absent). */
  seqLength(path: Path): number;
}

interface Found {
  node: Node | null;
  keyNode: Node | null;
  depth: number;
}

function walk(root: Node | null, path: Path): Found {
  let node: Node | null = root;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
      keyNode = null;
      node = node.items[seg] as Node;
    } else break;
    depth++;
  }
  return { node, keyNode, depth };
}

// An excerpt shows at most this many characters of a line, around the column.
const EXCERPT_WIDTH = 100;

/** Renders line `line` (1-based) of `text` with a caret under column `col`; a long line is cut around it. */
export function excerpt(text: string, line: number, col: number): string {
  let src = text.split("\n")[line - 1] ?? "";
  let caret = Math.max(0, col - 1);
  if (src.length > EXCERPT_WIDTH) {
    const start = Math.max(0, Math.min(caret - EXCERPT_WIDTH / 2, src.length - EXCERPT_WIDTH));
    const cut = src.slice(start, start + EXCERPT_WIDTH);
    const head = start > 0 ? "…" : "";
    src = `${head}${cut}${start + EXCERPT_WIDTH < src.length ? "…" : ""}`;
    caret = caret - start + head.length;
  }
  // Control characters would move the terminal's cursor: show them as escapes.
  src = visible(src);
  const gutter = `${line} | `;
  return `${gutter}${src}\n${" ".repeat(gutter.length + caret)}^`;
}

/** Parses YAML text; syntax errors throw E_YAML with every problem located. */
export function parseSource(file: string, text: string): Source {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number, message: string): SourceIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, message, excerpt: excerpt(text, line, col) };
  };
  const describe = (e: YAMLError): string => {
    const first = e.message.split("\n")[0] ?? e.message;
    if (e.code !== "DUPLICATE_KEY") return first;
    // yaml only says "Map keys must be unique"; name the key.
    const key = /^("[^"\n]*"|'[^'\n]*'|[^\n,{}[\]]*?)(?=[ \t]*:(?:\s|$))/.exec(text.slice(e.pos[0]))?.[1];
    if (!key) return first;
    return `duplicate key ${/^["']/.test(key) ? key : JSON.stringify(key)} (map keys must be unique)`;
  };
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => at(e.pos[0], describe(e)));
    throw new NsmError("E_YAML", `${file}: YAML syntax error`, issues);
  }
  const root = doc.contents as Node | null;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // The yaml library stops an alias bomb ("billion laughs") here: locate the first alias.
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const why = e instanceof Error ? e.message : String(e);
    throw new NsmError("E_YAML", `${file}: YAML aliases expand too far`, [
      at(offset, `aliases expand too far (${why.toLowerCase()}): write the values out`),
    ]);
  }
  return {
    file,
    text,
    data,
    issueAt(path, message, onKey = false) {
      const f = walk(root, path);
      const exact = f.depth === path.length;
      // A block collection starts at its first item, which would point at the wrong line: use its key.
      const block = isCollection(f.node) && !f.node.flow;
      const target = ((exact && onKey) || block) && f.keyNode ? f.keyNode : f.node;
      return at(target?.range?.[0] ?? 0, message);
    },
    depth(path) {
      return walk(root, path).depth;
    },
    seqLength(path) {
      const f = walk(root, path);
      return f.depth === path.length && isSeq(f.node) ? f.node.items.length : 0;
    },
  };
}
