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

export { nearest } from "../text.js";
