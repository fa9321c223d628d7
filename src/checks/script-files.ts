// A script check's files: the script, and the files beside it that it names (its lib.sh), read
// here so that the compiled reproducer carries them and the compiler stays pure.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { NsmError } from "../errors.js";
import { outside, readUserFile } from "../system/index.js";
import type { ScriptFile } from "./types.js";

/** A script's file name, and those of the files beside it that go with it. */
export const SCRIPT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/;

/** All the files of one script check together stay below this. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;

function text(path: string, name: string): string {
  const t = readUserFile(path);
  if (t.includes("\0")) throw new NsmError("E_IO", `${name} is not a text file`);
  return t;
}

// The siblings whose names a text mentions as a word: `source lib.sh`, `. "$dir"/lib.sh`.
function named(textOf: string, siblings: string[]): string[] {
  return siblings.filter((s) =>
    new RegExp(`(^|[^\\w.-])${s.replace(/[.+]/g, "\\$&")}($|[^\\w.-])`, "m").test(textOf),
  );
}

/**
 * Reads `file` (relative to `dir`, inside it) and, transitively, each file in its folder whose
 * name it mentions. Throws a message for the check's `script` key.
 */
export function readScript(dir: string, file: string): ScriptFile[] {
  const why = outside(dir, file, "scenario");
  if (why) throw new NsmError("E_SCHEMA", `${JSON.stringify(file)} ${why}`);
  const path = resolve(dir, file);
  const main = basename(path);
  if (!SCRIPT_NAME_RE.test(main))
    throw new NsmError(
      "E_SCHEMA",
      `${JSON.stringify(main)}: a script's name is letters, digits and _.+- only`,
    );
  const folder = dirname(path);
  const files: ScriptFile[] = [{ name: main, text: text(path, JSON.stringify(file)) }];
  let siblings: string[];
  try {
    siblings = readdirSync(folder).filter(
      (n) => n !== main && SCRIPT_NAME_RE.test(n) && statSync(join(folder, n)).isFile(),
    );
  } catch {
    siblings = [];
  }
  let size = files[0]?.text.length ?? 0;
  for (let i = 0; i < files.length; i++) {
    for (const s of named(files[i]?.text ?? "", siblings)) {
      if (files.some((f) => f.name === s)) continue;
      const t = text(join(folder, s), JSON.stringify(s));
      size += t.length;
      if (size > MAX_SCRIPT_BYTES)
        throw new NsmError(
          "E_SCHEMA",
          `${JSON.stringify(file)} and the files it names pass ${MAX_SCRIPT_BYTES / 1024} KiB`,
        );
      files.push({ name: s, text: t });
    }
  }
  return files;
}

/** One option a selftest's `config` file asks for: CONFIG_NET_VRF=m. */
export interface KconfigOption {
  option: string;
  value: string;
}

const KCONFIG_LINE = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
// A value the script can compare without quoting trouble: y, m, a number, a plain word or string.
const KCONFIG_VALUE = /^(?:[A-Za-z0-9_.+-]+|"[A-Za-z0-9_.+\-/ ]*")$/;

/**
 * The options the `config` file beside a script asks for (kselftest's convention: the CONFIG_
 * options its tests need), or none when there is no such file. `# CONFIG_X is not set` lines ask
 * for nothing to be present, and are not checked.
 */
export function readKconfig(folder: string): KconfigOption[] {
  const path = join(folder, "config");
  let t: string;
  try {
    if (!statSync(path).isFile()) return [];
    t = text(path, "config");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const out: KconfigOption[] = [];
  t.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const m = KCONFIG_LINE.exec(line);
    if (!m || !KCONFIG_VALUE.test(m[2] ?? ""))
      throw new NsmError(
        "E_SCHEMA",
        `${path}:${i + 1}: expected CONFIG_NAME=value (y, m, a number or a plain word), got ${JSON.stringify(line.slice(0, 80))}`,
      );
    out.push({ option: m[1] as string, value: m[2] as string });
  });
  return out;
}

/** The selftests of a folder: each executable *.sh in it, by name. */
export function folderScripts(folder: string): string[] {
  return readdirSync(folder)
    .filter((n) => n.endsWith(".sh") && SCRIPT_NAME_RE.test(n))
    .filter((n) => {
      const st = statSync(join(folder, n));
      return st.isFile() && (st.mode & 0o111) !== 0;
    })
    .sort();
}
