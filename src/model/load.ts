// Loads a scenario and its topology from disk, validates everything, and returns the model.
import { dirname, resolve } from "node:path";
import type { z } from "zod";
import { COMMAND_DEFAULT_TIMEOUT_S, KINDS } from "../checks/index.js";
import { NsmError, type SourceIssue } from "../errors.js";
import { own, parseEndpoint } from "../net/index.js";
import { formatPath, zodIssueToSource } from "./issues.js";
import { type Locate, mergedLocator, mergePatch } from "./merge.js";
import { readNftFiles, readSource } from "./read.js";
import { Scenario, type ScenarioT, Topology, type TopologyT } from "./schema.js";
import { checkScenario, checkScenarioRefs, checkTopology } from "./semantic.js";
import type { Source } from "./source.js";
import type { CheckModel, CheckTarget, ScenarioModel, VariantModel } from "./types.js";

// Clear of TCP's first retransmission (1 s after the SYN), so no verdict depends on it.
const DEFAULT_TIMEOUT = 0.5;

// JavaScript gives "__proto__" a meaning of its own, and a record keyed by it loses the entry.
function protoKeys(data: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof data !== "object" || data === null) return [];
  return Object.entries(data).flatMap(([k, v]) => {
    const at = [...path, Array.isArray(data) ? Number(k) : k];
    return k === "__proto__" ? [at] : protoKeys(v, at);
  });
}

function parseWith<T>(
  schema: z.ZodType<T>,
  data: unknown,
  locate: Locate,
  issues: SourceIssue[],
): T | undefined {
  const reserved = protoKeys(data);
  for (const at of reserved)
    issues.push(
      locate(at, `${formatPath(at)}: the name "__proto__" is not allowed (JavaScript keeps it)`, true),
    );
  if (reserved.length) return undefined;
  const r = schema.safeParse(data ?? {}, { reportInput: true });
  if (r.success) return r.data;
  for (const i of r.error.issues) issues.push(...zodIssueToSource(i, locate, schema));
  return undefined;
}

// Problems in the order a reader meets them: file by file, top to bottom.
function fail(what: string, issues: SourceIssue[]): never {
  const n = issues.length;
  const sorted = [...issues].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1,
  );
  throw new NsmError("E_SCHEMA", `${what}: ${n} problem${n === 1 ? "" : "s"}`, sorted);
}

// `file:line` of a key path, for the script's comments and set-up errors.
const whereOf =
  (locate: Locate) =>
  (path: ReadonlyArray<string | number>): string => {
    const i = locate(path, "", true);
    return `${i.file}:${i.line}`;
  };

/** Fills in nulls so the compiler never meets them. */
function normalise(t: TopologyT): TopologyT {
  const nodes = Object.fromEntries(
    Object.entries(t.nodes).map(([name, n]) => {
      const node = { ...(n ?? {}) };
      if (node.bridges) {
        node.bridges = Object.fromEntries(
          Object.entries(node.bridges).map(([b, br]) => [
            b,
            { ...br, ports: Object.fromEntries(Object.entries(br.ports).map(([p, o]) => [p, o ?? {}])) },
          ]),
        );
      }
      if (node.interfaces) {
        node.interfaces = Object.fromEntries(Object.entries(node.interfaces).map(([i, o]) => [i, o ?? {}]));
      }
      return [name, node];
    }),
  );
  return { ...t, nodes, links: t.links ?? [] };
}

/** Loads and validates a topology file on its own. */
export function loadTopology(file: string): TopologyT {
  return topologyFrom(readSource(file), dirname(file));
}

/** A topology from its parsed source; the rulesets it names are read from `dir`. */
export function topologyFrom(src: Source, dir: string): TopologyT {
  const issues: SourceIssue[] = [];
  const locate = mergedLocator(src);
  refuseScenario(src);
  const parsed = parseWith(Topology, src.data, locate, issues);
  if (parsed) issues.push(...checkTopology(parsed, locate));
  const topo = parsed && readNftFiles(parsed, dir, locate, issues);
  if (!topo || issues.length) fail(src.file, issues);
  return normalise(topo);
}

// A check's target, from the key of its kind (checks/): a problem the kind finds (a script it
// cannot read) is located at that key.
function targetOf(
  name: string,
  c: ScenarioT["checks"][string],
  dir: string,
  locate: Locate,
  issues: SourceIssue[],
) {
  const kind = Object.values(KINDS).find((k) => c[k.key] !== undefined);
  if (!kind) throw new NsmError("E_INTERNAL", `check ${name} passed the schema without a kind`);
  const value = c[kind.key];
  try {
    return kind.target(value, {
      dir,
      ...(c.service ? { service: c.service } : {}),
      ...(c.match !== undefined ? { match: c.match } : {}),
      ...(c.exit !== undefined ? { exit: c.exit } : {}),
    });
  } catch (e) {
    if (!(e instanceof NsmError) || e.code === "E_INTERNAL") throw e;
    const at = [
      "checks",
      name,
      kind.key,
      ...(typeof value === "object" && value !== null && "file" in value ? ["file"] : []),
    ];
    const file = JSON.stringify(
      typeof value === "object" && value !== null && "file" in value ? value.file : value,
    );
    const why = e.message
      .replace(/^cannot read [^:]*: no such file or folder \(ENOENT\)$/, `${file}: no such file`)
      .replace(/^cannot read [^:]*: /, `${file}: `);
    issues.push(locate(at, `${formatPath(at)}: ${why}`, true));
    return undefined;
  }
}

function toCheck(
  name: string,
  c: ScenarioT["checks"][string],
  sc: ScenarioT,
  target: CheckTarget,
  variantTimeout?: number,
): CheckModel {
  // A command's limit bounds the whole tool (ping, tracepath), not one kernel wait: the
  // variant's and scenario's timeouts, which are about kernel waits, do not shorten it.
  const timeout =
    c.timeout ??
    (c.command !== undefined ? COMMAND_DEFAULT_TIMEOUT_S : (variantTimeout ?? sc.timeout ?? DEFAULT_TIMEOUT));
  const expect = c.expect ?? "reach";
  const cap = c.capture && parseEndpoint(c.capture.on);
  const sends = c.service ? own(sc.services, c.service)?.sends : undefined;
  return {
    name,
    description: c.description,
    from: c.from,
    timeout,
    expect,
    ...(c.offload ? { offload: c.offload } : {}),
    ...(cap && c.capture ? { capture: { node: cap.node, dev: cap.ifname, filter: c.capture.filter } } : {}),
    // The answer is "<service name>\n" followed by `sends` bytes.
    ...(sends && c.service ? { bytes: c.service.length + 1 + sends } : {}),
    target,
  };
}

/** Parses `data` against the scenario schema; throws E_SCHEMA with located issues. */
export function parseScenario(src: Source): ScenarioT {
  const issues: SourceIssue[] = [];
  const sc = parseWith(Scenario, src.data, mergedLocator(src), issues);
  if (!sc) fail(src.file, issues);
  return sc;
}

/** Loads a scenario file, its topology and every variant; throws E_YAML or E_SCHEMA with located issues. */
export function loadScenario(file: string): ScenarioModel {
  return scenarioOf(readSource(file), file);
}

// A scenario from its file's source: its topology is read beside it.
function scenarioOf(src: Source, file: string): ScenarioModel {
  const issues: SourceIssue[] = [];
  if (isTopology(src.data))
    fail(src.file, [
      mergedLocator(src)(
        ["nodes"],
        "this is a topology (it has nodes:), where a scenario is expected: a scenario names its topology under topology:, and says what to check (see docs/files.md; nsmatrix validate takes either)",
        true,
      ),
    ]);
  const sc = parseWith(Scenario, src.data, mergedLocator(src), issues);
  if (!sc) fail(src.file, issues);

  const topoPath = resolve(dirname(file), sc.topology);
  let topoSrc: Source;
  try {
    topoSrc = readSource(topoPath);
  } catch (e) {
    if (e instanceof NsmError && e.code === "E_IO") {
      // Still an I/O error, but located at the scenario's `topology:` value.
      const issue = src.issueAt(["topology"], `topology: ${e.message}`);
      throw new NsmError("E_IO", `${src.file}: ${e.message}`, [issue]);
    }
    throw e;
  }
  return scenarioFrom(src, sc, dirname(file), topoSrc, dirname(topoPath));
}

/**
 * A scenario from its parsed source and its topology's: what loadScenario and defineScenario
 * share, so that a file and an object are validated the same way. `dir` and `topoDir` are where
 * the files they name (scripts, rulesets) are read from.
 */
export function scenarioFrom(
  src: Source,
  sc: ScenarioT,
  dir: string,
  topoSrc: Source,
  topoDir: string,
): ScenarioModel {
  const issues: SourceIssue[] = [];
  refuseScenario(topoSrc);
  const baseLocate = mergedLocator(topoSrc);
  const base = parseWith(Topology, topoSrc.data, baseLocate, issues);
  if (!base) fail(topoSrc.file, issues);
  issues.push(...checkTopology(base, baseLocate));
  const baseWithFiles = readNftFiles(base, topoDir, baseLocate, issues);
  if (issues.length) fail(topoSrc.file, issues);

  const variantEntries = Object.entries(sc.variants ?? { default: {} });
  const variants: (Omit<VariantModel, "checks"> & { timeout?: number })[] = [];
  for (const [name, v] of variantEntries) {
    const prefix = ["variants", name, "patch"];
    const at = mergedLocator(topoSrc, { source: src, prefix });
    // A variant's problem may sit in the base topology (e.g. a link to a node the patch removed): name the variant.
    const locate: Locate = (path, message, onKey) => at(path, `variant "${name}": ${message}`, onKey);
    // No patch: the base topology, already checked (a 2000-node topology is not checked twice).
    if (!v?.patch || Object.keys(v.patch).length === 0) {
      const topology = normalise(baseWithFiles);
      variants.push({
        name,
        description: v?.description,
        timeout: v?.timeout,
        topology,
        where: whereOf(baseLocate),
      });
      continue;
    }
    const merged = parseWith(Topology, mergePatch(topoSrc.data, v?.patch ?? {}), locate, issues);
    if (!merged) continue;
    const found = checkTopology(merged, locate);
    const withFiles = found.length ? merged : readNftFiles(merged, topoDir, locate, found);
    issues.push(...found);
    if (!found.length)
      variants.push({
        name,
        description: v?.description,
        timeout: v?.timeout,
        topology: normalise(withFiles),
        where: whereOf(at),
      });
  }
  issues.push(
    ...checkScenario(
      sc,
      base,
      variantEntries.map(([n]) => n),
      mergedLocator(src),
    ),
  );
  // A variant may remove what a check or service uses: check the references again, per variant.
  const baseRefs = new Set(checkScenarioRefs(sc, base, mergedLocator(src)).map((i) => i.message));
  for (const v of variants) {
    const scLocate = mergedLocator(src);
    for (const i of checkScenarioRefs(sc, v.topology, scLocate)) {
      if (!baseRefs.has(i.message)) issues.push({ ...i, message: `variant "${v.name}": ${i.message}` });
    }
  }
  const targets = new Map<string, CheckTarget | undefined>(
    Object.entries(sc.checks).map(([n, c]) => [n, targetOf(n, c, dir, mergedLocator(src), issues)]),
  );
  if (issues.length) fail(src.file, dedupe(issues));
  const checksWith = (timeout?: number) =>
    Object.entries(sc.checks).map(([n, c]) => toCheck(n, c, sc, targets.get(n) as CheckTarget, timeout));

  const services = Object.entries(sc.services ?? {}).map(([name, s]) => ({
    name,
    node: s.node,
    proto: s.tcp ? ("tcp" as const) : ("udp" as const),
    port: (s.tcp ?? s.udp) as number,
    ...(s.sends ? { sends: s.sends } : {}),
  }));
  return {
    file: src.file,
    name: sc.scenario,
    description: sc.description,
    topologyFile: topoSrc.file,
    parallel: sc.parallel ?? false,
    services,
    checks: checksWith(),
    variants: variants.map(({ timeout, ...v }) => ({
      ...v,
      checks: checksWith(timeout),
    })),
  };
}

// The same base-topology problem shows up once per variant; say it once.
function dedupe(issues: SourceIssue[]): SourceIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}:${i.line}:${i.col}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// A topology has `nodes` and no `scenario`; anything else is read as a scenario.
const isTopology = (data: unknown) => {
  const keys = typeof data === "object" && data !== null ? Object.keys(data) : [];
  return keys.includes("nodes") && !keys.includes("scenario");
};

// A scenario has `scenario` or `checks`, and no `nodes`.
const isScenario = (data: unknown) => {
  const keys = typeof data === "object" && data !== null ? Object.keys(data) : [];
  return !keys.includes("nodes") && (keys.includes("scenario") || keys.includes("checks"));
};

// A scenario where a topology is expected: said as such, not as every key it lacks.
function refuseScenario(src: Source): void {
  if (!isScenario(src.data)) return;
  const at = ["scenario" in (src.data as object) ? "scenario" : "checks"];
  fail(src.file, [
    mergedLocator(src)(
      at,
      "this is a scenario (it has scenario: or checks:), where a topology is expected: a topology has nodes:, and a scenario names it under topology:",
      true,
    ),
  ]);
}

/** Whether a file is a topology (has `nodes`) or a scenario (everything else). */
export function fileKind(file: string): "scenario" | "topology" {
  return isTopology(readSource(file).data) ? "topology" : "scenario";
}

/** A scenario or a topology file, read and parsed once, and validated as what it is. */
export type LoadedFile =
  | { kind: "topology"; topology: TopologyT }
  | { kind: "scenario"; scenario: ScenarioModel };

/** Loads a file as what it is: a topology, or a scenario with its topology. */
export function loadFile(file: string): LoadedFile {
  const src = readSource(file);
  return isTopology(src.data)
    ? { kind: "topology", topology: topologyFrom(src, dirname(file)) }
    : { kind: "scenario", scenario: scenarioOf(src, file) };
}
