// The script's naming rule: helpers and generated code never assign each other's variables.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KINDS } from "../../../src/checks/index.js";
import { compileVariant } from "../../../src/compile/index.js";
import { RUNTIME } from "../../../src/compile/runtime.js";
import { loadScenario } from "../../../src/model/index.js";

const GLOBALS = ["NSM_RUN", "P", "T", "PROBE", "NSM_UNDO"];
// What a helper reads of the state an earlier helper left (declared, so nothing reads by accident).
const LEFT_BY: Record<string, string[]> = {
  nsm_kv_in: ["kv"],
  nsm_trace_on: ["trace_init", "trace_own"],
  nsm_trace_off: ["trace_init", "trace_on", "trace_own"],
  nsm_trace_own: ["trace_init"],
  nsm_drops: ["trace_init", "report"],
  nsm_pcap_keep: ["report", "verdict"],
  nsm_report_end: ["report", "verdict"],
  // The run's exit status, from the counts nsm_report kept.
  nsm_exit: ["report"],
  nsm_bisect_exit: ["report"],
  // The stage function of the check's kind, nsm_stage_<kind>, answers in _stage_s.
  nsm_report: ["stage"],
};

/** Each helper's body, by name: `nsm_x() { ...; }` on one line, or up to a `}` in column 0. */
function helpers(text: string): { bodies: Map<string, string>; topLevel: string } {
  const bodies = new Map<string, string>();
  const top: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(nsm_\w+)\(\) \{(.*)$/.exec(lines[i] ?? "");
    if (!m?.[1]) {
      top.push(lines[i] ?? "");
      continue;
    }
    if (/\}\s*$/.test(m[2] ?? "")) {
      bodies.set(m[1], m[2] ?? "");
      continue;
    }
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== "}") body.push(lines[i] ?? "");
    bodies.set(m[1], body.join("\n"));
  }
  return { bodies, topLevel: top.join("\n") };
}

// Without comments and here-document bodies (rulesets are data, not shell).
function code(text: string): string {
  const out: string[] = [];
  let inDoc = false;
  for (const line of text.split("\n")) {
    if (inDoc) {
      if (line === "NSM_EOF") inDoc = false;
      continue;
    }
    if (/<<'?NSM_EOF'?/.test(line)) inDoc = true;
    out.push(line.replace(/^\s*#.*$/, ""));
  }
  return out.join("\n");
}

/** Variables a piece of shell assigns: `x=`, `read -r x y`, `for x in`, `$((x += 1))`. */
function assigned(text: string): string[] {
  const names = new Set<string>();
  // nsm_report takes its inputs as key=value words, and matches them in case patterns (kind=*):
  // neither is an assignment.
  const src = code(text)
    .replace(/^\s*nsm_report .*$/gm, "")
    .replace(/\b[a-z]+=\*\)/g, "");
  for (const m of src.matchAll(/(?:^|[\s;&|(`{])([A-Za-z_]\w*)=/gm)) names.add(m[1] as string);
  for (const m of src.matchAll(/\bfor\s+([A-Za-z_]\w*)\s+in\b/g)) names.add(m[1] as string);
  for (const m of src.matchAll(/\(\(\s*([A-Za-z_]\w*)\s*[-+*/%]?=[^=]/g)) names.add(m[1] as string);
  for (const m of src.matchAll(/\bread\s+([^;<>|&\n]*)/g)) {
    for (const w of (m[1] as string).trim().split(/\s+/)) {
      if (w.startsWith("-")) continue;
      if (!/^[A-Za-z_]\w*$/.test(w)) break;
      names.add(w);
    }
  }
  names.delete("IFS"); // `IFS= read`: a per-command environment, not an assignment
  names.delete("_"); // read's placeholder for fields nobody wants
  return [...names].sort();
}

const { bodies, topLevel } = helpers(RUNTIME);

describe("the runtime's helpers", () => {
  it("are all found (the parser below sees every one)", () => {
    expect(bodies.size).toBeGreaterThan(25);
    expect([...bodies.keys()]).toEqual(expect.arrayContaining(["nsm_measure", "nsm_report", "nsm_verdict"]));
  });

  it.each([...bodies.keys()])("%s assigns only its own _NAME_ variables", (fn) => {
    const own = `_${fn.slice("nsm_".length)}_`;
    const allowed = fn === "nsm_defer" ? ["NSM_UNDO"] : [];
    const foreign = assigned(bodies.get(fn) ?? "").filter((v) => !v.startsWith(own) && !allowed.includes(v));
    expect(foreign).toEqual([]);
  });

  it.each([...bodies.keys()])("%s reads no generated variable, and only its callees' outputs", (fn) => {
    const body = code(bodies.get(fn) ?? "");
    expect(body.match(/\$\{?nsm_\w+/g) ?? []).toEqual([]);
    const names = [...bodies.keys()].map((h) => h.slice("nsm_".length));
    // The helper a variable belongs to: the longest name it is prefixed with (ns_gone, not ns).
    const owner = (v: string) =>
      names.filter((h) => v.startsWith(`_${h}_`)).sort((a, b) => b.length - a.length)[0] ??
      (v === "_stage_s" ? "stage" : `? ${v}`);
    const read = [...body.matchAll(/\$\{?(_[a-z]\w*)/g)].map((m) => owner(m[1] as string));
    const own = fn.slice("nsm_".length);
    const foreign = [...new Set(read)].filter(
      (h) => h !== own && !new RegExp(`\\bnsm_${h}\\b`).test(body) && !LEFT_BY[fn]?.includes(h),
    );
    expect(foreign).toEqual([]);
  });

  it.each(Object.values(KINDS).map((k) => [k.key, k.stageShell] as const))(
    "the stage function of %s checks assigns only _stage_ variables",
    (_kind, shell) => {
      expect(assigned(shell).filter((v) => !v.startsWith("_stage_"))).toEqual([]);
    },
  );

  it("sets only the run-wide globals outside functions", () => {
    expect(assigned(topLevel).filter((v) => !GLOBALS.includes(v))).toEqual([]);
  });

  it("finds a clash like the one that broke sequential checks (nsm_measure writing nsm_t0)", () => {
    expect(assigned("nsm_t0=$(nsm_ms)\nread -r nsm_u x </proc/uptime")).toEqual(["nsm_t0", "nsm_u", "x"]);
  });
});

describe("the generated code", () => {
  const files = [
    ...readdirSync("scenarios").map((f) => `scenarios/${f}`),
    "test/fixtures/scenarios/two-hosts.yaml",
    "test/fixtures/scenarios/mtgw-controls.yaml",
  ];
  const scripts = files.flatMap((f) => {
    const sc = loadScenario(f);
    return [false, true].flatMap((parallel) =>
      sc.variants.map(
        (v) => [`${sc.name}/${v.name}${parallel ? " (parallel)" : ""}`, { ...sc, parallel }, v.name] as const,
      ),
    );
  });

  it.each(scripts)("of %s assigns only nsm_* variables", (_name, sc, variant) => {
    const text = compileVariant(sc, variant).text;
    // What follows the runtime and nsm_skip_all: the part the compiler writes per variant.
    const generated = text.slice(text.indexOf("echo 'TAP version 13'"));
    expect(generated.length).toBeGreaterThan(100);
    expect(assigned(generated).filter((v) => !v.startsWith("nsm_"))).toEqual([]);
  });
});
