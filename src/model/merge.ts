// Variant patches: merged over the topology (maps merge, lists append, null removes), with positions kept.
import type { SourceIssue } from "../errors.js";
import type { Path, Source } from "./source.js";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Returns `base` with `patch` merged over it; neither input is modified. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) return [...base, ...patch];
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = Object.hasOwn(base, k) ? mergePatch(base[k], v) : v;
    }
    return out;
  }
  return patch === undefined ? base : patch;
}

export type Locate = (path: Path, message: string, onKey?: boolean) => SourceIssue;

/** Locates a path of the merged model: in the patch when the patch put it there, else in the base file. */
export function mergedLocator(base: Source, patch?: { source: Source; prefix: Path }): Locate {
  return (path, message, onKey) => {
    if (patch) {
      const patchPath: (string | number)[] = [...patch.prefix];
      for (let i = 0; i < path.length; i++) {
        const seg = path[i] as string | number;
        // Appended list items sit after the base's own items.
        patchPath.push(typeof seg === "number" ? seg - base.seqLength(path.slice(0, i)) : seg);
      }
      const inPatch = patch.source.depth(patchPath) - patch.prefix.length;
      if (inPatch > 0 && inPatch >= base.depth(path)) return patch.source.issueAt(patchPath, message, onKey);
    }
    return base.issueAt(path, message, onKey);
  };
}
