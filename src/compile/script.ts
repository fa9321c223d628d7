// Scenario + variant → one self-contained POSIX sh script that builds, tests, prints TAP and
// tears down. It reads top to bottom like a net selftest: what it reproduces and expects, the
// topology, each check written out, then only the helpers this variant calls, then the main part.
import {
  type CheckBudget,
  type CompileOptions,
  checkTools,
  DEFAULT_OPTIONS,
  KINDS,
} from "../checks/index.js";
import type { ScenarioModel, VariantModel } from "../model/index.js";
import { q } from "../shell.js";
import { PACKAGE_OF } from "../system/packages.js";
import { visible } from "../text.js";
import { checkFunctions, checkLines, checksBudget, scriptSetup, serviceLines } from "./checks.js";
import { expectWords } from "./expect.js";
import { featuresOf, flavoured } from "./features.js";
import { helpersFor } from "./helpers.js";
import { dadNodes, modulesOf, namespaces } from "./namespaces.js";
import { RUNTIME } from "./runtime.js";
import { bridgedNodes, links, nodeSetup } from "./topology.js";

/** The line a script prints when its topology and services are up and its first check begins. */
export const CHECKS_BEGIN = "# running checks";

export interface CompiledScript {
  scenario: string;
  variant: string;
  text: string;
  /** Commands the script calls; the backend checks they exist before running it. */
  tools: string[];
  /** Check names in TAP order. */
  checks: string[];
  /** The longest the checks can take; the backend adds set-up and scales the answer part. */
  budget: CheckBudget;
  /** Node names: the script's namespaces are nsm-<run>-<node>. */
  nodes: string[];
  /** What building and removing the topology may take, in seconds, beyond a fixed allowance. */
  setupS: number;
  /** What it was compiled with. */
  options: CompileOptions;
}

/** The commands a variant's script calls, without compiling it (a run's preflight asks first). */
export function variantTools(
  sc: ScenarioModel,
  variantName: string,
  options: Partial<CompileOptions> = {},
): string[] {
  const v = sc.variants.find((x) => x.name === variantName);
  if (!v) throw new Error(`unknown variant ${variantName}`);
  return toolsOf(sc, v, { ...DEFAULT_OPTIONS, ...options });
}

function toolsOf(sc: ScenarioModel, v: VariantModel, o: CompileOptions): string[] {
  const tools = new Set(["ip", "nsenter", "sysctl", "awk", "od"]);
  if (sc.services.length) tools.add("socat");
  for (const c of v.checks) for (const t of checkTools(c)) tools.add(t);
  if (modulesOf(v.topology).length) tools.add("modprobe");
  if (v.checks.some((c) => c.capture) || o.capture) tools.add("tcpdump");
  if (v.checks.some((c) => c.offload)) tools.add("conntrack");
  for (const node of Object.values(v.topology.nodes)) {
    const fw = node?.firewall;
    if (fw?.iptables) tools.add(`${flavoured("iptables", fw.flavour?.iptables)}-restore`);
    if (fw?.ip6tables) tools.add(`${flavoured("ip6tables", fw.flavour?.iptables)}-restore`);
    const ifs = Object.values(node?.interfaces ?? {});
    if (ifs.some((i) => i?.qdisc)) tools.add("tc");
    if (Object.values(node?.bridges ?? {}).some((b) => b.vlan_filtering)) tools.add("bridge");
    for (const argv of node?.commands ?? []) tools.add(String(argv[0]));
    if (fw?.ebtables) tools.add(flavoured("ebtables", fw.flavour?.ebtables));
    if (fw?.nft) tools.add("nft");
  }
  return [...tools];
}

// Free text in a comment: one line, control characters shown as \xNN (a pasted plan, a terminal).
const comment = (text: string) => visible(text.replaceAll("\n", " "));

// Nodes where the script starts processes: services, checks, captures, offload watchers, pcaps.
function busyNodes(sc: ScenarioModel, v: VariantModel, o: CompileOptions): string[] {
  const nodes = [
    ...sc.services.map((s) => s.node),
    ...v.checks.flatMap((c) => [
      c.from ?? "run",
      ...(c.capture ? [c.capture.node] : []),
      ...(c.offload ? [c.offload] : []),
    ]),
    ...(o.capture ? Object.keys(v.topology.nodes) : []),
  ];
  return [...new Set(nodes)];
}

function header(sc: ScenarioModel, v: VariantModel): string[] {
  const width = Math.max(...v.checks.map((c) => c.name.length));
  return [
    "#!/bin/sh",
    `# nsmatrix reproducer: scenario ${sc.name}, variant ${v.name}`,
    ...(sc.description ? [`# ${comment(sc.description)}`] : []),
    ...(v.description ? [`# variant: ${comment(v.description)}`] : []),
    "#",
    "# Expected, per check and kernel version:",
    ...v.checks.map((c) => `#   ${c.name.padEnd(width)}  ${expectWords(c, v.name)}`),
    "#",
    "# Run as root: sh this-file. It builds the topology in fresh network namespaces",
    `# nsm-<run>-<node>, runs the checks ${sc.parallel ? "all at once" : "one after the other, in this order"}, and removes everything on exit.`,
    "# It prints TAP 13 as kselftest does: ok = as expected on the running kernel (an expected",
    "# failure is ok, with # XFAIL), not ok = a failure or an unexpected pass; the outcome and",
    "# the stage go in each point's YAML and in a selftest line: [ OK ], [FAIL], [XFAIL] (the",
    "# known failure, reproduced), [XPASS], [SKIP].",
    "# Exit status: 0 every check met its expectation, 1 one did not or set-up failed (Bail out!),",
    "# 4 every check skipped (a feature missing).",
    "# Bisecting (git bisect run sh this-file): NSM_BISECT=CHECK exits 0 when CHECK reaches (good),",
    "# 1 when it does not (bad), 125 when it cannot tell (set-up failed, skipped); NSM_BISECT_BAD=reach",
    "# swaps good and bad, for a bug that lets traffic through.",
    "# Environment: NSM_RUN (hex run id), NSM_ARTIFACTS (where pcaps go; default: here).",
    "# To repeat a check by hand while the topology is up (NSM_KEEP=FILE holds it until FILE",
    "# goes): P=nsm-<run id from the TAP>, then its command from check_<n> below.",
    "",
  ];
}

function skipAll(v: VariantModel): string[] {
  return [
    "nsm_skip_all() {",
    `  echo "1..${v.checks.length}"`,
    ...v.checks.map(
      (c, i) =>
        `  printf 'ok %s - %s # SKIP %s\\n# [SKIP] %s: %s\\n' ${i + 1} ${q(c.name)} "$1" ${q(c.name)} "$1"`,
    ),
    "  exit 4",
    "}",
  ];
}

// A function of the script's own, its body indented; a here-document's text and terminator
// stay at the start of the line, where the shell looks for them.
function fn(name: string, body: string[]): string[] {
  if (!body.length) return [];
  const out: string[] = [];
  let end: string | undefined;
  for (const line of body.join("\n").split("\n")) {
    if (end !== undefined) {
      out.push(line);
      if (line === end) end = undefined;
      continue;
    }
    out.push(line ? `  ${line}` : line);
    end = /<<'?(NSM_EOF\w*)'?(?=\s|$)/.exec(line)?.[1];
  }
  return [`${name}() {`, ...out, "}", ""];
}

/** Compiles one variant of a scenario. Pure: the same model and options always give the same text. */
export function compileVariant(
  sc: ScenarioModel,
  variantName: string,
  options: Partial<CompileOptions> = {},
): CompiledScript {
  const o: CompileOptions = { ...DEFAULT_OPTIONS, ...options };
  const v = sc.variants.find((x) => x.name === variantName);
  if (!v) throw new Error(`unknown variant ${variantName}`);
  const tools = toolsOf(sc, v, o);
  const where = v.where ?? (() => undefined);
  const features = featuresOf(v.topology);
  const ownNs = v.checks.some((c) => !c.from);
  const topology = { ...v.topology, nodes: ownNs ? { ...v.topology.nodes, run: {} } : v.topology.nodes };
  const bridged = bridgedNodes(v.topology);
  const setup = fn("setup", [
    "# Kernel modules the topology needs (module autoload does not cover br_netfilter).",
    ...modulesOf(v.topology).map(
      (m) => `[ -d /sys/module/${m.replaceAll("-", "_")} ] || modprobe -q ${m} 2>/dev/null || :`,
    ),
    ...namespaces(topology, busyNodes(sc, v, o), where),
    "# Probe features in a scratch namespace; a missing one skips every check with the reason.",
    ...features.map((f) => `nsm_need ${f.id.replace(/[^\w.-]/g, "_")} ${q(f.reason)} ${q(f.probe)}`),
  ]);
  const dad = dadNodes(v.topology);
  const build = fn("topology", [
    ...links(v.topology, where),
    ...nodeSetup(topology, where),
    // Interfaces that asked for duplicate address detection: wait until it ends, with a bound.
    ...(dad.length ? [`nsm_dad ${dad.join(" ")}`] : []),
  ]);
  const services = fn("services", [
    ...serviceLines(sc.services, v.topology),
    ...(bridged.length ? [`nsm_settle ${bridged.join(" ")}`] : []),
  ]);
  const main = [
    "# main",
    "echo 'TAP version 13'",
    "read -r nsm_release </proc/sys/kernel/osrelease",
    `echo ${q(`# nsmatrix ${sc.name} / ${v.name} / kernel `)}"$nsm_release / run $NSM_RUN"`,
    `nsm_bisect_check ${v.checks.map((c) => q(c.name)).join(" ")}`,
    ...tools.map((t) => `nsm_tool ${t} ${PACKAGE_OF[t] ?? t}`),
    "nsm_mkdir",
    "nsm_kv",
    "setup",
    `echo "1..${v.checks.length}"`,
    "echo '# building topology'",
    ...(build.length ? ["topology"] : []),
    ...scriptSetup(v.checks),
    // Before the services: the drop trace follows the processes the script forks from now on.
    ...(o.diagnose && v.checks.some((c) => KINDS[c.target.kind].ethertype(c) !== undefined)
      ? ["nsm_trace_init"]
      : []),
    ...(services.length ? ["echo '# starting services'", "services"] : []),
    `echo '${CHECKS_BEGIN}'`,
    ...checkLines({
      checks: v.checks,
      variant: v.name,
      topology: v.topology,
      services: sc.services,
      o,
      parallel: sc.parallel,
    }),
    "nsm_hold",
    "nsm_exit",
  ];
  const own = [...setup, ...build, ...services, ...checkFunctions(v.checks, v.name, o)];
  const stageFns = [...new Set(v.checks.map((c) => c.target.kind))].map((k) => KINDS[k].stageShell);
  const helpers = helpersFor(RUNTIME, [...own, ...main, ...stageFns].join("\n"));
  const body = [
    ...header(sc, v),
    ...own,
    "# Helpers: only those this variant calls.",
    ...helpers,
    ...stageFns,
    ...skipAll(v),
    "",
    ...main,
  ];
  return {
    scenario: sc.name,
    variant: v.name,
    text: `${body.join("\n")}\n`,
    tools,
    checks: v.checks.map((c) => c.name),
    budget: checksBudget(v.checks, sc.parallel, o),
    nodes: Object.keys(topology.nodes),
    // A namespace or link costs a few ms here; this leaves a margin of about ten.
    setupS: 0.05 * (Object.keys(v.topology.nodes).length + (v.topology.links?.length ?? 0)),
    options: o,
  };
}
