// Loads a scenario and its topology from disk, validates everything, and returns the model.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { z } from "zod";
import { NsmError, type SourceIssue } from "../errors.js";
import { formatPath, zodIssueToSource } from "./issues.js";
import { type Locate, mergedLocator, mergePatch } from "./merge.js";
import { parseEndpoint, parseHostPort } from "./names.js";
import { Scenario, type ScenarioT, Topology, type TopologyT } from "./schema.js";
import { checkScenario, checkTopology } from "./semantic.js";
import { parseSource, type Source } from "./source.js";
import type { CheckModel, ScenarioModel, VariantModel } from "./types.js";

// Clear of TCP's first retransmission (1 s after the SYN), so no verdict depends on it.
const DEFAULT_TIMEOUT = 0.5;

/** Reads a YAML file as a Source; missing files are E_IO. */
export function readSource(file: string): Source {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new NsmError("E_IO", `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseSource(displayPath(file), text);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function parseWith<T>(
  schema: z.ZodType<T>,
  data: unknown,
  locate: Locate,
  issues: SourceIssue[],
): T | undefined {
  const r = schema.safeParse(data ?? {});
  if (r.success) return r.data;
  for (const i of r.error.issues) issues.push(...zodIssueToSource(i, locate));
  return undefined;
}

function fail(what: string, issues: SourceIssue[]): never {
  const n = issues.length;
  throw new NsmError("E_SCHEMA", `${what}: ${n} problem${n === 1 ? "" : "s"}`, issues);
}

/**
 * Reads each `firewall.nft_file` (relative to `dir`) into `firewall.nft`, so the compiler stays pure.
 * Problems are located at the `nft_file` key.
 */
function readNftFiles(t: TopologyT, dir: string, locate: Locate, issues: SourceIssue[]): TopologyT {
  const nodes = { ...t.nodes };
  for (const [name, node] of Object.entries(t.nodes)) {
    const fw = node?.firewall;
    if (fw?.nft_file === undefined) continue;
    const at = ["nodes", name, "firewall", "nft_file"];
    if (fw.nft !== undefined) {
      issues.push(locate(at, `${formatPath(at)}: give either 'nft' or 'nft_file', not both`, true));
      continue;
    }
    const { nft_file, ...rest } = fw;
    try {
      nodes[name] = { ...node, firewall: { ...rest, nft: readFileSync(resolve(dir, nft_file), "utf8") } };
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? String(e);
      issues.push(locate(at, `${formatPath(at)}: cannot read ${JSON.stringify(nft_file)}: ${why}`, true));
    }
  }
  return { ...t, nodes };
}

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
  const src = readSource(file);
  const issues: SourceIssue[] = [];
  const locate = mergedLocator(src);
  const parsed = parseWith(Topology, src.data, locate, issues);
  if (parsed) issues.push(...checkTopology(parsed, locate));
  const topo = parsed && readNftFiles(parsed, dirname(file), locate, issues);
  if (!topo || issues.length) fail(src.file, issues);
  return normalise(topo);
}

function toCheck(
  name: string,
  c: ScenarioT["checks"][string],
  sc: ScenarioT,
  variantTimeout?: number,
): CheckModel {
  const timeout = c.timeout ?? variantTimeout ?? sc.timeout ?? DEFAULT_TIMEOUT;
  const expect = c.expect ?? "reach";
  const cap = c.capture && parseEndpoint(c.capture.on);
  const base = {
    name,
    description: c.description,
    from: c.from,
    timeout,
    expect,
    ...(c.offload ? { offload: c.offload } : {}),
    ...(cap && c.capture ? { capture: { node: cap.node, dev: cap.ifname, filter: c.capture.filter } } : {}),
  };
  if (c.ping) return { ...base, target: { kind: "ping", host: c.ping } };
  const kind = c.tcp ? "tcp" : "udp";
  const hp = parseHostPort((c.tcp ?? c.udp) as string);
  if (!hp) throw new NsmError("E_INTERNAL", `check ${name}: target passed the schema but does not parse`);
  const sends = c.service ? sc.services?.[c.service]?.sends : undefined;
  // The answer is "<service name>\n" followed by `sends` bytes.
  const bytes = sends && c.service ? { bytes: c.service.length + 1 + sends } : {};
  return { ...base, ...bytes, target: { kind, host: hp.host, port: hp.port, service: c.service } };
}

/** Loads a scenario file, its topology and every variant; throws E_YAML or E_SCHEMA with located issues. */
export function loadScenario(file: string): ScenarioModel {
  const src = readSource(file);
  const issues: SourceIssue[] = [];
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
  const baseLocate = mergedLocator(topoSrc);
  const base = parseWith(Topology, topoSrc.data, baseLocate, issues);
  if (!base) fail(topoSrc.file, issues);
  issues.push(...checkTopology(base, baseLocate));
  const topoDir = dirname(topoPath);
  readNftFiles(base, topoDir, baseLocate, issues);
  if (issues.length) fail(topoSrc.file, issues);

  const variantEntries = Object.entries(sc.variants ?? { default: {} });
  const variants: (Omit<VariantModel, "checks"> & { timeout?: number })[] = [];
  for (const [name, v] of variantEntries) {
    const prefix = ["variants", name, "patch"];
    const at = mergedLocator(topoSrc, { source: src, prefix });
    // A variant's problem may sit in the base topology (e.g. a link to a node the patch removed): name the variant.
    const locate: Locate = (path, message, onKey) => at(path, `variant "${name}": ${message}`, onKey);
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
  if (issues.length) fail(src.file, dedupe(issues));

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
    checks: Object.entries(sc.checks).map(([n, c]) => toCheck(n, c, sc)),
    variants: variants.map(({ timeout, ...v }) => ({
      ...v,
      checks: Object.entries(sc.checks).map(([n, c]) => toCheck(n, c, sc, timeout)),
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

/** Whether a file is a topology (has `nodes`) or a scenario (everything else). */
export function fileKind(file: string): "scenario" | "topology" {
  const data = readSource(file).data;
  const keys = typeof data === "object" && data !== null ? Object.keys(data) : [];
  return keys.includes("nodes") && !keys.includes("scenario") ? "topology" : "scenario";
}
