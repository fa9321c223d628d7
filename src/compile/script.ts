// Scenario + variant → one self-contained POSIX sh script that builds, tests, prints TAP and tears down.
import { readFileSync } from "node:fs";
import type { ScenarioModel, VariantModel } from "../model/index.js";
import { visible } from "../text.js";
import { type CheckBudget, checkLines, checksBudget, serviceLines } from "./checks.js";
import { featuresOf, flavoured, PACKAGE_OF } from "./features.js";
import { q } from "./shell.js";
import { bridgedNodes, links, modulesOf, namespaces, nodeSetup } from "./topology.js";

// The fixed helper functions every script carries (kept as a real .sh file so it can be linted).
const RUNTIME = readFileSync(new URL("./runtime.sh", import.meta.url), "utf8");

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
}

function toolsOf(sc: ScenarioModel, v: VariantModel): string[] {
  const tools = new Set(["ip", "nsenter", "sysctl", "awk", "od"]);
  if (sc.services.length || v.checks.some((c) => c.target.kind !== "ping")) tools.add("socat");
  if (v.checks.some((c) => c.target.kind === "ping")) tools.add("ping");
  if (modulesOf(v.topology).length) tools.add("modprobe");
  if (v.checks.some((c) => c.capture)) tools.add("tcpdump");
  if (v.checks.some((c) => c.offload)) tools.add("conntrack");
  for (const node of Object.values(v.topology.nodes)) {
    const fw = node?.firewall;
    if (fw?.iptables) tools.add(`${flavoured("iptables", fw.flavour?.iptables)}-restore`);
    if (fw?.ebtables) tools.add(flavoured("ebtables", fw.flavour?.ebtables));
    if (fw?.nft) tools.add("nft");
  }
  return [...tools];
}

// Free text in a comment: one line, control characters shown as \xNN (a pasted plan, a terminal).
const comment = (text: string) => visible(text.replaceAll("\n", " "));

// Nodes where the script starts processes: services, checks, captures, offload watchers.
function busyNodes(sc: ScenarioModel, v: VariantModel): string[] {
  const nodes = [
    ...sc.services.map((s) => s.node),
    ...v.checks.flatMap((c) => [
      c.from,
      ...(c.capture ? [c.capture.node] : []),
      ...(c.offload ? [c.offload] : []),
    ]),
  ];
  return [...new Set(nodes)];
}

function header(sc: ScenarioModel, v: VariantModel): string[] {
  const lines = [
    "#!/bin/sh",
    `# nsmatrix reproducer: scenario ${sc.name}, variant ${v.name}`,
    ...(sc.description ? [`# ${comment(sc.description)}`] : []),
    ...(v.description ? [`# variant: ${comment(v.description)}`] : []),
    "#",
    "# Run as root: sh this-file. It builds the topology in fresh network namespaces",
    `# named nsm-<run>-<node>, runs the checks ${sc.parallel ? "all at once" : "one after the other, in this order"}, prints TAP`,
    "# version 13 (ok = reached) and removes everything on exit, error or interrupt.",
    "# Exit status: 0 checks ran, 1 set-up failed (Bail out!), 4 skipped (feature missing).",
    "# Environment: NSM_RUN (hex run id), NSM_TIMEOUT_SCALE (multiplies check timeouts).",
    "#",
    "# Expected outcomes, per check (variant -> kernel range -> outcome):",
  ];
  for (const c of v.checks) {
    const e = typeof c.expect === "string" ? c.expect : JSON.stringify(c.expect);
    lines.push(`#   ${c.name}: ${e}`);
  }
  return lines;
}

function skipAll(v: VariantModel): string[] {
  return [
    "nsm_skip_all() {",
    `  echo "1..${v.checks.length}"`,
    ...v.checks.map((c, i) => `  printf 'ok %s - %s # SKIP %s\\n' ${i + 1} ${q(c.name)} "$1"`),
    "  exit 4",
    "}",
  ];
}

/** Compiles one variant of a scenario. Pure: the same model always gives the same text. */
export function compileVariant(sc: ScenarioModel, variantName: string): CompiledScript {
  const v = sc.variants.find((x) => x.name === variantName);
  if (!v) throw new Error(`unknown variant ${variantName}`);
  const tools = toolsOf(sc, v);
  const features = featuresOf(v.topology);
  const body = [
    ...header(sc, v),
    "",
    RUNTIME.trimEnd(),
    ...skipAll(v),
    "",
    "echo 'TAP version 13'",
    "read -r nsm_release </proc/sys/kernel/osrelease",
    `echo ${q(`# nsmatrix ${sc.name} / ${v.name} / kernel `)}"$nsm_release"`,
    ...tools.map((t) => `nsm_tool ${t} ${PACKAGE_OF[t] ?? t}`),
    "nsm_mkdir",
    "",
    "# Kernel modules the topology needs (module autoload does not cover br_netfilter).",
    "# A loaded one is not loaded again: modprobe costs ~0.1 s in a TCG guest.",
    ...modulesOf(v.topology).map(
      (m) => `[ -d /sys/module/${m.replaceAll("-", "_")} ] || modprobe -q ${m} 2>/dev/null || :`,
    ),
    "",
    ...namespaces(v.topology, busyNodes(sc, v)),
    "",
    "# Probe features in a scratch namespace; a missing one skips every check with the reason.",
    ...features.map((f) => `nsm_need ${f.id.replace(/[^\w.-]/g, "_")} ${q(f.reason)} ${q(f.probe)}`),
    "# (The probe namespace goes at teardown with the others: one process fewer.)",
    "",
    `echo "1..${v.checks.length}"`,
    "echo '# building topology'",
    ...links(v.topology),
    ...nodeSetup(v.topology),
    "",
    "echo '# starting services'",
    ...serviceLines(sc.services),
    ...(bridgedNodes(v.topology).length ? [`nsm_settle ${bridgedNodes(v.topology).join(" ")}`] : []),
    "",
    "echo '# running checks'",
    ...checkLines(v.checks, sc.parallel),
    "nsm_hold",
    "exit 0",
  ];
  return {
    scenario: sc.name,
    variant: v.name,
    text: `${body.join("\n")}\n`,
    tools,
    checks: v.checks.map((c) => c.name),
    budget: checksBudget(v.checks, sc.parallel),
    nodes: Object.keys(v.topology.nodes),
    // A namespace or link costs a few ms here; this leaves a margin of about ten.
    setupS: 0.05 * (Object.keys(v.topology.nodes).length + (v.topology.links?.length ?? 0)),
  };
}
