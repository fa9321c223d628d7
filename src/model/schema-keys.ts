// The keys a schema allows at a path, and the nearest one to a misspelt key: what an "unknown
// key" message offers instead.
import type { z } from "zod";
import type { Path } from "./source.js";

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

// The object schemas a value at `path` may be checked against (a union may offer several).
function objectsAt(schema: unknown, path: Path): Def[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
    case "catch":
    case "nonoptional":
      return objectsAt(def.innerType, path);
    case "pipe":
      return objectsAt(def.in, path);
    case "lazy":
      return objectsAt((def.getter as () => unknown)(), path);
    case "union":
      return (def.options as unknown[]).flatMap((o) => objectsAt(o, path));
  }
  if (!path.length) return def.type === "object" ? [def] : [];
  const [head, ...rest] = path;
  switch (def.type) {
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      return typeof head === "string" && Object.hasOwn(shape, head) ? objectsAt(shape[head], rest) : [];
    }
    case "record":
      return objectsAt(def.valueType, rest);
    case "array":
      return objectsAt(def.element, rest);
    case "tuple":
      return typeof head === "number" ? objectsAt((def.items as unknown[])[head], rest) : [];
    default:
      return [];
  }
}

/** The keys allowed in the map at `path`, or undefined when the schema has no one map there. */
export function keysAt(schema: z.ZodType, path: Path): string[] | undefined {
  const objects = objectsAt(schema, path);
  if (!objects.length) return undefined;
  return [...new Set(objects.flatMap((d) => Object.keys(d.shape as object)))];
}

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
